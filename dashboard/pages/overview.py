"""Overview, for leaders: the headline figures with their changes, the month-end headcount
trend, and the clusters side by side, each with its data freshness."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from dashboard import charts, data
from dashboard import headlines as hl
from dashboard.components import chart_with_table, metric_with_changes, open_page
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


def rates(day: date) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """The turnover in the 12 months to the date and the cost per FTE over the 12 accounting
    periods to its month, totals (None if the filters rule one out)."""
    turnover = cost = None
    if turnover_applies:
        turnover = data.metric("turnover", clusters, {"as_at": day}, (), filters.where(TURNOVER))
    if cost_applies:
        period_from, period_to = hl.accounting_periods(day)
        cost = data.metric(
            "cost_per_fte",
            clusters,
            {"period_from": period_from, "period_to": period_to},
            (),
            filters.where(COST),
        )
    return turnover, cost


def headline_at(day: date) -> hl.Headline | None:
    if day < view.options.first_date:
        return None
    return hl.headline(*frames(day), *rates(day))


base = hl.comparison_base(as_at, view.options.dates)
month, year = hl.last_month(base), hl.last_year(base)
now, last_month, last_year = headline_at(as_at), headline_at(month), headline_at(year)

st.subheader(f"As at {format_date(as_at)}")
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
ignored = filters.not_applied(BENEFITS)
benefit_notes = [hl.benefits_text(now), f"{format_gbp(now.benefits_plan_gbp)} planned in all"]
if ignored:
    benefit_notes.append(f"By cluster only: {not_applied_text(ignored)}.")


def rate_notes(note: str | None, dimensions: tuple[str, ...], why: str) -> list[str]:
    """A rate's note: how much history it covers, or the filters it cannot apply (no figure)."""
    missing = filters.not_applied(dimensions)
    if missing:
        return [f"Not shown: {not_applied_text(missing)}{why}."]
    return [note] if note else []


TILES = (  # label, Headline field, format, format of a change, metric, notes, good when up
    ("Headcount", "headcount", format_count, format_count, "workforce", [], False),
    ("FTE", "fte", hl.format_fte, hl.format_fte, "workforce", [], False),
    ("Paybill (£ a year)", "paybill_gbp", format_gbp, format_gbp, "workforce", [], False),
    ("Contingent share", "contingent_share", format_percent, hl.format_points, "contingent",
     ["Of all FTE, payroll and contingent."] if contingent_applies
     else ["Not by grade: contingent workers have none."], False),
    ("Turnover", "turnover_rate", format_percent, hl.format_points, "turnover",
     rate_notes(hl.turnover_note(now), TURNOVER, ""), False),
    ("Cost per FTE", "cost_per_fte_gbp", format_gbp, format_gbp, "cost_per_fte",
     rate_notes(hl.cost_note(now), COST, ": the ledger has no grades"), False),
    ("Benefits realised", "benefits_realised_gbp", format_gbp, format_gbp,
     "benefits_cumulative", benefit_notes, True),
)  # fmt: skip
# Two rows (the workforce, then rates and benefits), so that figures like £21.6bn are read
# whole on a laptop's screen rather than cut short.
columns = [*st.columns(4), *st.columns(4)][: len(TILES)]
for column, (label, field, fmt, fmt_change, metric, notes, up) in zip(columns, TILES, strict=True):
    value = getattr(now, field)
    with column:
        metric_with_changes(
            label,
            hl.realised_text(now) if field == "benefits_realised_gbp" else fmt(value),
            (month, hl.change(value, getattr(last_month, field, None), fmt_change)),
            (year, hl.change(value, getattr(last_year, field, None), fmt_change)),
            definition=data.definition(metric),
            notes=tuple(notes),
            good_when_up=up,
        )

with st.expander("How these figures are defined"):
    st.markdown(
        f"- **Headcount, FTE and paybill.** {data.definition('workforce')} Each person counts "
        "once, in one organisation; paybill is annual basic salary × FTE. Each cluster's "
        "figures come from its latest extract on or before the date.\n"
        f"- **Contingent share of FTE.** {data.definition('contingent')} The share is "
        "contingent FTE ÷ (payroll FTE + contingent FTE); its changes are in percentage "
        "points (pp).\n"
        f"- **Turnover.** {data.definition('turnover')} Leavers are people who left every "
        "cluster's organisations between one month-end and the next (a move between "
        "organisations is a transfer); the rate is not annualised when fewer than 13 "
        "month-ends are loaded, and its changes are in percentage points (pp).\n"
        f"- **Cost per FTE.** {data.definition('cost_per_fte')} Here the 12 accounting periods "
        "to the date's month: payroll and contingent labour spend in the ledger ÷ the average "
        "payroll FTE at their month-ends, a year's worth (scaled to a year when fewer months "
        "are loaded).  Changes compare the 12 periods to last month's and last year's month.\n"
        f"- **Benefits realised.** {data.definition('benefits_cumulative')} Realised cashable "
        "savings and non-cashable efficiencies up to the last financial year with a realised "
        "figure, against the plan for the same years.\n"
        f"- **Changes.** From the latest extract on or before the date ({format_date(base)}): "
        f"last month is {format_date(month)}, the end of the month before; last year is "
        f"{format_date(year)}."
    )

st.subheader("Headcount at each month-end")
start = hl.month_end(hl.add_months(as_at, -24))
split = "cluster" if st.toggle("Show each cluster", key="overview.split") else None
trend = data.metric(
    "workforce_trend",
    clusters,
    {"date_from": start, "date_to": as_at},
    (split,) if split else (),
    filters.where(WORKFORCE),
)
chart_with_table(
    charts.trend_chart(
        trend,
        charts.HEADCOUNT,
        f"Headcount at each month-end, {start:%B %Y} to {as_at:%B %Y} (people)",
        split=split,
    ),
    hl.trend_table(trend, "headcount", split),
    {"month_end": st.column_config.DateColumn("Month-end", format="D MMMM YYYY")},
)
st.caption(data.definition("workforce_trend"))

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
