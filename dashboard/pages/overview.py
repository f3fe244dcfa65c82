"""Overview, for leaders: the headline figures with their changes, the month-end headcount
trend, and the clusters side by side, each with its data freshness.

Turnover and cost per FTE are shown only over a whole year (13 month-ends; 12 complete
accounting periods), and otherwise as not available with the reason.  Cost per FTE covers the
12 complete periods to the last one complete for every cluster in view, so a month still
being posted never reads as a fall; its changes compare the 12 periods to the month before
and to a year before.  "Paybill" here is the HR records' annual basic salary × FTE, never the
ledger's pay spend (Cost and efficiency)."""

from __future__ import annotations

from datetime import date
from functools import partial

import polars as pl
import streamlit as st

from core.dates import add_months, month_end
from dashboard import data, glossary, periods, tiles, url_state
from dashboard import headlines as hl
from dashboard.charts import line
from dashboard.charts.cache import figure
from dashboard.charts.measures import HEADCOUNT
from dashboard.components import changes_tile, chart_with_table, lazy_expander, open_page
from dashboard.filters import not_applied_text
from dashboard.formatting import format_count, format_date, format_gbp, format_percent
from queries.runner import load_sql

view = open_page(
    "Workforce overview",
    "Headcount, FTE, paybill, contingent labour and benefits for the Shared Services Strategy "
    "clusters.",
    page="overview",
)
filters, clusters, as_at = view.filters, view.clusters, view.filters.as_at
WORKFORCE = load_sql("workforce").dimensions
CONTINGENT = load_sql("contingent").dimensions
BENEFITS = load_sql("benefits_cumulative").dimensions
TURNOVER = load_sql("turnover").dimensions
COST = load_sql("cost_per_fte").dimensions
contingent_applies = not filters.not_applied(CONTINGENT)
turnover_applies = not filters.not_applied(TURNOVER)
cost_applies = not filters.not_applied(COST)


def frames(
    day: date, by: tuple[str, ...] = ()
) -> tuple[pl.DataFrame, pl.DataFrame | None, pl.DataFrame]:
    """The workforce, contingent (None if the filters rule it out) and benefits rows."""
    params = {"as_at": day}
    workforce = data.metric("workforce", clusters, params, by, filters.where(WORKFORCE))
    contingent = None
    if contingent_applies:
        contingent = data.metric("contingent", clusters, params, by, filters.where(CONTINGENT))
    benefits = data.metric(
        "benefits_cumulative", clusters, params, by, {"measure": hl.BENEFIT_MEASURES}
    )
    return workforce, contingent, benefits


def rates(day: date, cost_to: str | None) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """The turnover in the 12 months to the date and the cost per FTE over the 12 accounting
    periods to ``cost_to`` as the ledger stood at the as-at date, totals (None if the filters
    rule one out, or no period is complete)."""
    turnover = cost = None
    if turnover_applies:
        turnover = data.metric("turnover", clusters, {"as_at": day}, (), filters.where(TURNOVER))
    if cost_applies and cost_to is not None:
        period_from, period_to = periods.year_to(cost_to)
        cost = data.metric(
            "cost_per_fte",
            clusters,
            {"period_from": period_from, "period_to": period_to, "as_at": as_at},
            (),
            filters.where(COST),
        )
    return turnover, cost


def headline_at(day: date, cost_to: str | None) -> hl.Headline | None:
    if day < view.options.first_date:
        return None
    return hl.headline(*frames(day), *rates(day, cost_to))


st.subheader(f"As at {format_date(as_at)}")
# The figures go in this place, but are worked out and drawn after the trend chart below
# them: the chart reaches the browser first, and with it the fetch of Plotly's code (4.5
# MiB, asked for only when a page's first chart arrives), which then loads while the server
# works out the figures and the browser draws them, rather than after them (issue 14).
top = st.container()

st.subheader("Headcount at each month-end")
start = month_end(add_months(as_at, -24))
split = "cluster" if url_state.toggle(st, "Show each cluster", key="overview.split") else None
trend = data.metric(
    "workforce_trend",
    clusters,
    {"date_from": start, "date_to": as_at},
    (split,) if split else (),
    filters.where(WORKFORCE),
)
chart_with_table(
    figure(
        line.trend_chart,
        trend,
        HEADCOUNT,
        f"Headcount at each month-end, {start:%B %Y} to {as_at:%B %Y} (people)",
        split=split,
    ),
    hl.trend_table(trend, "headcount", split),
    {"month_end": st.column_config.DateColumn("Month-end", format="D MMMM YYYY")},
    key="trend",
)
st.caption(data.definition("workforce_trend"))


ledger = periods.ledger_status(
    data.metric(
        "ledger_periods",
        clusters,
        {
            "period_from": periods.months_back(as_at, 24),
            "period_to": periods.period_of(as_at),
            "as_at": as_at,
        },
        ("period",),
    )
)
last_complete = ledger.complete_through


def earlier(months: int) -> str | None:
    return None if last_complete is None else periods.shift(last_complete, -months)


base = hl.comparison_base(as_at, view.options.dates)
month, year = hl.last_month(base), hl.last_year(base)
now = headline_at(as_at, last_complete)
last_month = headline_at(month, earlier(1))
last_year = headline_at(year, earlier(periods.FULL_YEAR_PERIODS))

ignored = filters.not_applied(BENEFITS)
benefit_notes = [hl.benefits_text(now), f"{format_gbp(now.benefits_plan_gbp)} planned in all"]
if ignored:
    benefit_notes.append(f"By cluster only: {not_applied_text(ignored)}.")


def rate_notes(note: str | None, dimensions: tuple[str, ...], why: str) -> list[str]:
    """A rate's note: what it covers or why it is not available, or the filters it cannot
    apply (no figure)."""
    missing = filters.not_applied(dimensions)
    if missing:
        return [f"Not shown: {not_applied_text(missing)}{why}."]
    return [note] if note else []


def turnover_note() -> str | None:
    if now.turnover_rate is not None:
        return None
    return periods.turnover_unavailable(now.turnover_month_ends, view.options.first_date)


def cost_note() -> str | None:
    """What the cost per FTE covers (and the partial month it leaves out), or why not shown."""
    if now.cost_per_fte_gbp is None:
        return periods.cost_unavailable(now.cost_months, ledger, view.options.first_date)
    assert last_complete is not None  # a cost per FTE needs a complete period
    covered = periods.window_text(*periods.year_to(last_complete))
    before = periods.month_name(periods.shift(last_complete, -1))
    partial = periods.partial_note(ledger, periods.period_of(as_at))
    return f"{covered}; changes against the 12 months to {before} and a year before." + (
        f" {partial}" if partial else ""
    )


def shown(field: str, fmt) -> str:
    """A tile's value; a rate without a whole year reads "Not available" (the note says why)."""
    value = getattr(now, field)
    if value is None and field in ("turnover_rate", "cost_per_fte_gbp"):
        return periods.NOT_AVAILABLE
    return hl.realised_text(now) if field == "benefits_realised_gbp" else fmt(value)


money = partial(format_gbp, fixed=True)  # one precision along a row: £1.0bn beside £293.3m
TILES = (  # label, Headline field, format, format of a change, definition, notes, good when up
    ("Headcount", "headcount", format_count, format_count, data.definition("workforce"), [],
     False),
    ("FTE", "fte", hl.format_fte, hl.format_fte, data.definition("workforce"), [], False),
    ("Paybill (£ a year)", "paybill_gbp", money, format_gbp, periods.PAYBILL_HELP,
     ["Annual basic salary × FTE, from HR records."], False),
    ("Contingent share", "contingent_share", format_percent, hl.format_points,
     f"{data.definition('contingent')} {glossary.POINTS}",
     ["Of all FTE, payroll and contingent."] if contingent_applies
     else ["Not by grade: contingent workers have none."], False),
    ("Turnover", "turnover_rate", format_percent, hl.format_points,
     f"{data.definition('turnover')} {glossary.POINTS}",
     rate_notes(turnover_note(), TURNOVER, ""), False),
    ("Cost per FTE", "cost_per_fte_gbp", money, format_gbp,
     data.definition("cost_per_fte"),
     rate_notes(cost_note(), COST, ": the ledger has no grades"), False),
    ("Benefits realised", "benefits_realised_gbp", format_gbp, format_gbp,
     data.definition("benefits_cumulative"), benefit_notes, True),
)  # fmt: skip
# A cost per FTE is compared with the 12 periods to the month before and to a year before:
# its changes are dated by the month-ends closing those windows.
cost_dates = periods.window_dates(ledger) or (month, year)
with top:
    status = data.feed_status(as_at, clusters)
    if status.filter(status["status"] != "absent").is_empty():
        st.warning(
            f"None of the clusters chosen has data on or before {format_date(as_at)}, so there is "
            "nobody to count. Choose other clusters or a later date."
        )
    st.caption(
        f"Beside each figure, its change since last month ({format_date(month)}); below it, "
        f"since last year ({format_date(year)})."
    )

    # Two rows (the workforce, then rates and benefits), so that figures like £21.6bn are read
    # whole on a laptop's screen rather than cut short; the rates' row, which may read "Not
    # available", in threes (dashboard.tiles).  All seven are one element.
    headline_tiles = []
    for label, field, fmt, fmt_change, definition, notes, up in TILES:
        value = getattr(now, field)
        month_day, year_day = cost_dates if field == "cost_per_fte_gbp" else (month, year)
        headline_tiles.append(
            changes_tile(
                label,
                shown(field, fmt),
                (month_day, hl.change(value, getattr(last_month, field, None), fmt_change)),
                (year_day, hl.change(value, getattr(last_year, field, None), fmt_change)),
                definition=definition,
                notes=tuple(notes),
                good_when_up=up,
            )
        )
    tiles.draw(headline_tiles, "overview", per_row=(tiles.FOUR, tiles.THREE))

    defined = lazy_expander("How these figures are defined", "overview.defined")
    if defined is not None:
        defined.markdown(
            f"- **Headcount, FTE and paybill.** {data.definition('workforce')} Each person counts "
            "once, in one organisation; paybill is annual basic salary × FTE from the HR records, "
            "a yearly rate, not the pay spend the ledgers post (Cost and efficiency). Each "
            "cluster's figures come from its latest extract on or before the date.\n"
            f"- **Contingent share of FTE.** {data.definition('contingent')} The share is "
            "contingent FTE ÷ (payroll FTE + contingent FTE); its changes are in percentage "
            "points (pp).\n"
            f"- **Turnover.** {data.definition('turnover')} Leavers are people who left every "
            "cluster's organisations between one month-end and the next (a move between "
            "organisations is a transfer); it needs a whole year (13 month-ends loaded) and is "
            "not available before, and its changes are in percentage points (pp).\n"
            f"- **Cost per FTE.** {data.definition('cost_per_fte')} Here the 12 complete "
            "accounting periods to the last one every cluster's ledger has complete (delivered "
            "past the month's end): pay spend and contingent labour spend in the ledger, as it "
            "stood at the date, ÷ the average payroll FTE at their month-ends. A month still being "
            "posted is left out, and with fewer than 12 complete months there is no figure. "
            "Changes compare the 12 periods to the month before and to a year before.\n"
            f"- **Benefits realised.** {data.definition('benefits_cumulative')} Realised cashable "
            "savings and non-cashable efficiencies up to the last financial year with a realised "
            "figure, against the plan for the same years.\n"
            f"- **Changes.** From the latest extract on or before the date ({format_date(base)}): "
            f"last month is {format_date(month)}, the end of the month before; last year is "
            f"{format_date(year)}."
        )


st.subheader("The clusters side by side")
freshness = {
    row["cluster"]: hl.freshness_label(row["status"], row["extract_date"], as_at)
    for row in status.iter_rows(named=True)
}
st.markdown(
    hl.cluster_table(
        hl.by_cluster(clusters, *frames(as_at, ("cluster",))),
        hl.by_cluster(clusters, *frames(month, ("cluster",))),
        month,
        freshness,
    )
)
