"""Flows: joiners, leavers and transfers between two dates as a waterfall, the flows of each
cluster, the moves between clusters (under disclosure control), and turnover in the year by
grade and by organisation; each after the first in a tab of its own, run when opened."""

from __future__ import annotations

import streamlit as st

from core.dates import add_months
from dashboard import data, tables, tiles, trail, url_state
from dashboard.charts import bar, heatmap, measures, waterfall
from dashboard.charts.cache import figure
from dashboard.components import chart_with_table, open_page
from dashboard.filters import not_applied_text
from dashboard.formatting import format_count, format_date
from dashboard.tiles import Tile
from queries.runner import load_sql

view = open_page(
    "Flows",
    "Who joined, who left and who moved between two dates, and turnover over the year.",
    page="flows",
)
filters, clusters, as_at = view.filters, view.clusters, view.filters.as_at
FLOWS = load_sql("flows").dimensions
TURNOVER = load_sql("turnover").dimensions
LABELS = {column: label for column, label, _ in waterfall.FLOW_STEPS}

st.subheader("Between two dates")
left, right = st.columns(2)
date_from = url_state.date_input(
    left,
    "From",
    add_months(as_at, -12),
    max_value=as_at,
    format="DD/MM/YYYY",
    key="flows.from",
)
date_to = url_state.date_input(
    right, "To", as_at, max_value=view.options.latest_date, format="DD/MM/YYYY", key="flows.to"
)
if date_from >= date_to:
    st.warning("Choose a From date before the To date.")
    st.stop()
if date_from < view.options.first_date:
    st.caption(
        f"Nothing is loaded before {format_date(view.options.first_date)}, so nobody is counted "
        f"at {format_date(date_from)} and everyone there at {format_date(date_to)} counts as a "
        "joiner."
    )
period = {"date_from": date_from, "date_to": date_to}
flows_where = filters.where(FLOWS)
total = data.metric("flows", clusters, period, (), flows_where)
row = total.row(0, named=True) if not total.is_empty() else {}
# Rows of three, so that a count like 525,000 reads whole on a laptop (dashboard.tiles).
tiles.draw(
    [
        Tile(label, format_count(abs(value)), help=data.definition("flows"))
        for label, value in waterfall.flow_steps(row)
    ],
    "flows",
)


TOP = 15  # organisations charted by turnover


def steps_tab() -> None:
    """The flows between the two dates as a waterfall (the first tab)."""
    steps = tables.steps_table(waterfall.flow_steps(row))
    chart_with_table(
        figure(
            waterfall.flows_waterfall,
            row,
            f"Headcount from {format_date(date_from)} to {format_date(date_to)} (people)",
        ),
        steps,
        key="steps",
    )
    st.caption(
        f"{data.definition('flows')} Moving between organisations inside the scope is not a "
        "flow; moving in from outside it, or out of it, is a transfer."
    )
    ignored = filters.not_applied(FLOWS)
    if ignored:
        st.caption(f"Flows are not counted by grade: {not_applied_text(ignored)}.")


def clusters_tab() -> None:
    """Each cluster's flows, and the moves between clusters (under disclosure control)."""
    st.subheader("Flows by cluster")
    by_cluster = data.metric("flows", clusters, period, ("cluster",), flows_where)
    st.dataframe(
        by_cluster,
        hide_index=True,
        column_config={
            "cluster": "Cluster",
            **{
                column: st.column_config.NumberColumn(label, format="localized")
                for column, label in LABELS.items()
            },
        },
    )
    st.caption("A transfer between clusters is out of one and into the other.")

    st.subheader("Moves between clusters")
    moves = tables.moves_table(data.metric("cluster_moves", clusters, period))
    trail.note(cells_suppressed=tables.suppressed_cells(moves))
    if moves.is_empty():
        st.caption(
            f"Nobody in one cluster of the scope at {format_date(date_from)} was in another at "
            f"{format_date(date_to)}."
        )
    else:
        chart_with_table(
            figure(heatmap.moves_matrix, moves),
            tables.moves_shown(moves),
            {"from_cluster": "From cluster", "to_cluster": "To cluster", "moves_text": "Moves"},
            key="moves",
        )
    st.caption(
        f"{data.definition('cluster_moves')} Only moves with both clusters in the scope are shown. "
        "Under disclosure control: counts are rounded to the nearest 5 and counts under 5 read "
        "[c], with other cells hidden where needed so that none can be worked out."
    )


def turnover_tab() -> None:
    """Turnover in the year by grade and by organisation."""
    st.subheader("Turnover in the year")
    turnover_where = filters.where(TURNOVER)
    by_grade = tables.turnover_by_grade(
        data.metric("turnover", clusters, {"as_at": as_at}, ("grade",), turnover_where)
    )
    if not by_grade.is_empty():
        first = by_grade.row(0, named=True)
        covered = first["month_ends_covered"]
        st.caption(
            f"Leavers in the 12 months to {format_date(first['period_end'])} as a share of the "
            f"average headcount over those months ({covered} of 13 month-ends loaded"
            f"{'' if covered == 13 else ': not a full year'})."
        )
    chart_with_table(
        figure(
            bar.bar_chart,
            by_grade,
            "grade",
            measures.TURNOVER,
            "Turnover by grade (% of average headcount)",
            labels={"unknown": "Not recorded"},
            category_title="Grade",
        ),
        tables.turnover_table(by_grade, "grade"),
        {"turnover_rate": "Turnover"},
        key="turnover_grade",
    )
    by_org = tables.highest_turnover(
        data.metric("turnover", clusters, {"as_at": as_at}, ("organisation_code",), turnover_where)
    )
    names = tables.with_codes(view.options.organisations_in(filters.clusters, ()))
    chart_with_table(
        figure(
            bar.bar_chart,
            by_org.head(TOP),
            "organisation_code",
            measures.TURNOVER,
            f"Turnover by organisation, highest {TOP} (% of average headcount)",
            labels=names,
            horizontal=True,
            category_title="Organisation",
        ),
        tables.turnover_table(by_org, "organisation_code"),
        {"turnover_rate": "Turnover"},
        key="turnover_organisation",
    )
    st.caption(data.definition("turnover"))


# Lazy tabs (issue 14): the page starts with its tiles and the first tab; the others' charts
# and queries run only when their tab is opened.  The tab open is in the URL.
TABS = {
    "Joiners and leavers": steps_tab,
    "By cluster": clusters_tab,
    "Turnover": turnover_tab,
}
url_state.draw_tabs(TABS, key="flows.tab")
