"""Programme, for the strategy office: milestones against their baselines, how they slipped from
one register delivery to the next, delivery confidence, and benefits and cost against the
business case, with the net present value.

Numbers a leader can act on (issue 12): beside each count stand the milestones behind it.
"Overdue" (the contract's definition: a forecast moved into the future is not overdue) sits
beside "Slipped", listed largest slip first with its days; each rating's count opens its
milestones, and the red ones are named.  Everything reads in words (ratings, stages), never
the register's codes; a delivery's titles go through :mod:`dashboard.safe_text`."""

from __future__ import annotations

import polars as pl
import streamlit as st

from core.dates import financial_year
from dashboard import data, identity, register_changes, register_editor, tables, tiles, url_state
from dashboard import programme_data as pdata
from dashboard.charts import bar, line, timeline
from dashboard.charts.cache import figure
from dashboard.charts.milestones import DCA_LABELS
from dashboard.components import chart_with_table, open_page
from dashboard.filters import not_applied_text
from dashboard.formatting import format_count, format_date, format_gbp, format_percent
from dashboard.glossary import MEASURES
from dashboard.headlines import cluster_rank
from dashboard.safe_text import safe_markdown
from dashboard.tiles import Tile
from queries.constants import GREEN_BOOK_DISCOUNT_RATE, STANDARD_PARAMS
from queries.runner import load_sql

# The business case the clusters estimated (Cabinet Office, 10 March 2023).
CASE_BENEFITS_GBP = 1.8e9
CASE_CASHABLE_GBP = 500e6
CASE_EFFICIENCIES_GBP = 1.3e9
CASE_COST_GBP = 900e6
ALONE_COST_GBP = 1.7e9
DATE = st.column_config.DateColumn(format="D MMM YYYY")
OVERDUE_HELP = (
    "Overdue: not achieved, and its forecast date (or its baseline, when there is no forecast) "
    "is before the as-at date. A milestone whose forecast has moved into the future is not "
    "overdue, however far it slipped: see Slipped."
)
SLIPPED_HELP = (
    "Slipped: its actual date (or else its forecast date) is after its baseline, the date "
    "first approved, whether or not it is due yet."
)


def rating_word(rating: str | None) -> str:
    """A delivery confidence rating as it reads: ``Amber/green``."""
    return DCA_LABELS.get(rating or "unknown", "Other rating")


def show_list(frame: pl.DataFrame, none: str) -> None:
    """A short list of milestones as a sortable table, or a sentence when there are none."""
    if frame.is_empty():
        st.caption(none)
    else:
        st.dataframe(frame, hide_index=True, column_config=pdata.TABLE_CONFIG)


def largest_slip(late: pl.DataFrame) -> str:
    """The note under Slipped: which milestone slipped furthest, and by how much (plain
    text: the tile escapes it)."""
    if late.is_empty():
        return "None later than its baseline."
    (name,) = pdata.names(late.head(1))
    days = late["slip_days"][0]
    return f"Largest: {name}, {format_count(days)} days after its baseline."


def rating_tiles(ratings: pl.DataFrame, register: pl.DataFrame) -> dict[str, int]:
    """A tile per delivery confidence rating held (best first), and the red milestones named:
    the counts the pills below open.  Returns the milestones per rating."""
    held = dict(ratings.select("dca_rating", "milestones").iter_rows())
    rated = {r: int(held[r]) for r in pdata.rating_counts(register) if held.get(r)}
    tiles.draw(
        [Tile(rating_word(r), format_count(n), help=pdata.DCA_HELP) for r, n in rated.items()],
        "ratings",
        per_row=max(len(rated), 1),
    )
    reds = pdata.names(register.filter(pl.col("dca_rating") == "red"))
    if reds:
        st.markdown("**Rated red:** " + "; ".join(safe_markdown(name) for name in reds))
    return rated


view = open_page(
    "Programme",
    "Milestones, delivery confidence, and benefits and cost against the Shared Services "
    "Strategy's business case, from the strategy office's programme register.",
    page="programme",
)
filters, clusters, as_at = view.filters, view.clusters, view.filters.as_at
ignored = filters.not_applied(load_sql("milestones").dimensions)
st.subheader(f"As at {format_date(as_at)}")
if ignored:
    st.caption(f"The register is by cluster only: {not_applied_text(ignored)}.")

params = {**STANDARD_PARAMS, "as_at": as_at, "base_year": financial_year(as_at)}
benefits = data.metric("benefits_cumulative", clusters, params, ("cluster", "measure"))
npv = data.metric("benefits_npv", clusters, params)
ratings = data.metric("milestones", clusters, params, ("dca_rating",))
gains, costs = tables.benefits_and_cost(benefits)
planned, realised = (tables.sum_or_none(gains, c) for c in ("planned_gbp", "actual_gbp"))
cost_planned, cost_to_date = (tables.sum_or_none(costs, c) for c in ("planned_gbp", "actual_gbp"))
forecast_npv = tables.sum_or_none(npv, "forecast_npv")
# The totals are the ratings' counts summed: every milestone has one rating ("unknown" if none),
# so a second query of the same register for them is not needed.
milestones_n, achieved, overdue, slipped = (
    int(ratings[c].sum()) for c in ("milestones", "achieved", "overdue", "slipped")
)

summary = (  # label, value, caption, metric
    (
        "Benefits planned",
        format_gbp(planned, fixed=True),
        f"Business case: {format_gbp(CASE_BENEFITS_GBP)} over 15 years "
        f"({format_gbp(CASE_CASHABLE_GBP)} cashable + {format_gbp(CASE_EFFICIENCIES_GBP)} "
        "efficiencies).",
        "benefits_cumulative",
    ),
    (
        "Benefits realised",
        format_gbp(realised, fixed=True),
        f"{format_percent(realised / planned) if realised and planned else '[x]'} of the "
        "whole planned profile.",
        "benefits_cumulative",
    ),
    (
        "Programme cost to date",
        format_gbp(cost_to_date, fixed=True),
        f"{format_gbp(cost_planned)} planned; business case about {format_gbp(CASE_COST_GBP)} "
        f"(over {format_gbp(ALONE_COST_GBP)} had departments gone alone).",
        "benefits_cumulative",
    ),
    (
        "Net present value",
        format_gbp(forecast_npv, fixed=True),
        f"Forecast, at {format_percent(GREEN_BOOK_DISCOUNT_RATE)} real (Green Book), in "
        f"{financial_year(as_at)} values.",
        "benefits_npv",
    ),
    (
        "Milestones achieved",
        f"{format_count(achieved)} of {format_count(milestones_n)}",
        f"{format_count(overdue)} overdue; {format_count(slipped)} later than baseline.",
        "milestones",
    ),
)
# Rows of three (dashboard.tiles): five in a row cut £343.5m short on a laptop.
tiles.draw(
    [
        Tile(label, value, notes=(caption,), help=data.definition(metric))
        for label, value, caption, metric in summary
    ],
    "programme",
)


def milestones_tab() -> None:
    """The first tab: the overdue and slipped milestones, each listed (no chart, so a link to
    the page draws without Plotly's code)."""
    st.subheader("Milestones")
    register = pdata.register(as_at, clusters)
    late, due = pdata.slipped(register), pdata.overdue(register)
    left, right = st.columns(2)
    with left:
        overdue_note = "Not achieved, and the forecast date (else the baseline) has passed."
        tiles.draw(
            [Tile("Overdue", format_count(overdue), notes=(overdue_note,), help=OVERDUE_HELP)],
            "overdue",
            per_row=1,
        )
        show_list(pdata.overdue_list(due, as_at), "No milestone is overdue.")
    with right:
        tiles.draw(
            [
                Tile(
                    "Slipped",
                    format_count(slipped),
                    notes=(largest_slip(late),),
                    help=SLIPPED_HELP,
                )
            ],
            "slipped",
            per_row=1,
        )
        show_list(pdata.slip_list(late), "No milestone is later than its baseline.")


def confidence_tab() -> None:
    """The delivery confidence ratings, their milestones on a timeline, and their counts."""
    st.subheader("Delivery confidence")
    register = pdata.register(as_at, clusters)
    rated = rating_tiles(ratings, register)
    chosen_rating = (
        url_state.pills(
            st,
            "Show the milestones rated",
            list(rated),
            format_func=lambda r: f"{rating_word(r)} ({format_count(rated.get(r))})",
            key="programme.rating",
            help=f"{pdata.DCA_HELP} Choose a rating to list its milestones; choose it again "
            "for all.",
        )
        if rated
        else None
    )
    if chosen_rating not in rated:  # chosen before the filters left no milestone so rated
        chosen_rating = None
    shown = register.filter(pl.col("dca_rating") == chosen_rating) if chosen_rating else register
    what = (
        f"Milestones rated {rating_word(chosen_rating).lower()}" if chosen_rating else "Milestones"
    )
    st.plotly_chart(
        figure(
            timeline.milestone_timeline,
            shown,
            as_at,
            f"{what}: baseline, forecast and actual dates, by cluster (date)",
        ),
        width="stretch",
        config={"displaylogo": False},
    )
    st.caption(
        "Each milestone's actual date (a star) or else its forecast (a diamond) is coloured by its "
        "delivery confidence rating and marked with its letters: G green, A/G amber/green, "
        "A amber, A/R amber/red, R red, NR not rated. The open circle is the baseline."
    )
    st.markdown(f"**{what} ({format_count(shown.height)})**")
    st.dataframe(pdata.table(shown), hide_index=True, column_config=pdata.TABLE_CONFIG)
    st.caption(data.definition("milestones"))
    chart_with_table(
        figure(bar.dca_chart, ratings, "Milestones by delivery confidence rating (count)"),
        tables.ratings_table(ratings),
        key="ratings",
    )
    st.caption(
        "Ratings on the IPA (now NISTA) delivery confidence scales: five-point (Green, "
        "Amber/green, Amber, Amber/red, Red) or three-point (Green, Amber, Red)."
    )


def slippage_tab() -> None:
    """How a cluster's milestones slipped from one register delivery to the next."""
    st.subheader("Slippage across register deliveries")
    slippage = data.metric("milestone_slippage", clusters, params, ("cluster", "stage"))
    options = sorted(slippage["cluster"].unique().to_list(), key=cluster_rank)
    chosen = (
        url_state.selectbox(st, "Cluster", options, key="programme.cluster") if options else None
    )
    slips = slippage.filter(pl.col("cluster") == chosen) if chosen else slippage.clear()
    chart_with_table(
        figure(
            line.slippage_chart,
            slips,
            f"Slip of each {chosen or ''} milestone against its baseline (days)",
        ),
        tables.slippage_table(slips),
        {"Register delivery": DATE},
        key="slippage",
    )
    st.caption(data.definition("milestone_slippage"))


def benefits_tab() -> None:
    """Benefits and cost against the business case, and the net present value."""
    st.subheader("Benefits and cost against the business case")
    st.caption(
        f"The clusters' business case: about {format_gbp(CASE_BENEFITS_GBP)} of benefits over 15 "
        f"years ({format_gbp(CASE_CASHABLE_GBP)} cashable savings and "
        f"{format_gbp(CASE_EFFICIENCIES_GBP)} non-cashable efficiencies) for about "
        f"{format_gbp(CASE_COST_GBP)} of cost. Planned bars are the register's approved profile."
    )
    for measure in tables.MEASURE_ORDER:
        label = MEASURES[measure]
        rows = benefits.filter(pl.col("measure") == measure)
        chart_with_table(
            figure(
                bar.planned_actual_chart,
                rows,
                f"{label}: planned and realised by financial year (£)",
                f"{label} (£)",
            ),
            tables.benefits_table(rows),
            key=f"benefits.{measure}",
        )
    st.caption(data.definition("benefits_cumulative"))

    st.subheader("Net present value")
    npv_by_cluster = data.metric("benefits_npv", clusters, params, ("cluster",))
    npv_columns = (
        ("planned_npv", "Planned"),
        ("actual_npv", "Realised to date"),
        ("forecast_npv", "Forecast"),
    )
    chart_with_table(
        figure(
            bar.bar_chart,
            npv_by_cluster,
            "cluster",
            npv_columns,
            f"Net present value by cluster, {financial_year(as_at)} values (£)",
            ("Cluster", f"Net present value (£, {financial_year(as_at)} values)"),
            number_format=",.0f",
            prefix="£",
        ),
        npv_by_cluster.rename(
            {
                "cluster": "Cluster",
                "planned_benefits_pv": "Planned benefits (£ PV)",
                "planned_cost_pv": "Planned cost (£ PV)",
                "planned_npv": "Planned NPV (£)",
                "actual_benefits_pv": "Realised benefits (£ PV)",
                "actual_cost_pv": "Cost to date (£ PV)",
                "actual_npv": "Realised NPV to date (£)",
                "forecast_npv": "Forecast NPV (£)",
            }
        ),
        key="npv",
    )
    st.caption(
        f"{data.definition('benefits_npv')} Discounted at the Green Book's "
        f"{format_percent(GREEN_BOOK_DISCOUNT_RATE)} real a year to {financial_year(as_at)}, the "
        "financial year of the as-at date."
    )


def register_tab() -> None:
    """The register kept in the app (issue 15): what changed between two of its versions, for
    every role; the editor for the strategy office and administrators."""
    who = identity.caller()
    register_changes.draw(who)
    register_editor.draw(who)


# Lazy tabs (issue 14): the page starts with its tiles and the first tab; the others' charts
# and queries run only when their tab is opened.  The tab open is in the URL.
TABS = {
    "Milestones": milestones_tab,
    "Delivery confidence": confidence_tab,
    "Slippage": slippage_tab,
    "Benefits and cost": benefits_tab,
    "The register": register_tab,
}
url_state.draw_tabs(TABS, key="programme.tab")
