"""Charts by grade: the grade pyramid and the diversity shares, AA at the bottom up to SCS.

Both read the grades in the same order (:func:`grade_rank`), with a missing grade named as the
glossary says (:data:`dashboard.glossary.NOT_RECORDED`) and drawn last.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.bar import bar_chart
from dashboard.charts.measures import Measure
from dashboard.charts.template import PALETTE, layout, no_data
from dashboard.filters import UNKNOWN
from dashboard.glossary import NOT_RECORDED
from dashboard.safe_text import safe_labels
from dashboard.tables.workforce import grade_rank as grade_rank
from dashboard.tables.workforce import in_grade_order

SHARE_FORMAT = ".1%"


def grade_pyramid(frame: pl.DataFrame, measure: Measure, title: str) -> go.Figure:
    """Horizontal bars of ``measure`` by ``grade``: AA at the bottom up to PS, then unknown."""
    ordered = in_grade_order(frame)
    labels = {UNKNOWN: NOT_RECORDED}
    # bar_chart draws the frame's first row at the top, so the most senior goes first.
    return bar_chart(
        ordered.reverse(),
        "grade",
        measure,
        title,
        labels=labels,
        horizontal=True,
        category_title="Grade",
    )


def shares_chart(table: pl.DataFrame, title: str) -> go.Figure:
    """Women's and ethnic minorities' shares by grade, grouped horizontal bars, from
    :func:`dashboard.tables.diversity_table`'s numeric shares (a suppressed share has no bar)."""
    ordered = in_grade_order(table)
    names = safe_labels(NOT_RECORDED if g == UNKNOWN else g for g in ordered["grade"].to_list())
    figure = go.Figure()
    for i, (column, label) in enumerate(
        (("women_share", "Women"), ("ethnic_minority_share", "Ethnic minority"))
    ):
        figure.add_trace(
            go.Bar(
                x=ordered[column].to_list(),
                y=names,
                orientation="h",
                name=label,
                marker_color=PALETTE[i],
                hovertemplate=f"%{{y}}: %{{x:{SHARE_FORMAT}}}<extra>{label}</extra>",
            )
        )
    layout(figure, title, "Share of those recorded (%)", "Grade")
    figure.update_layout(barmode="group")
    figure.update_yaxes(categoryorder="array", categoryarray=names)
    figure.update_xaxes(tickformat=".0%", range=[0, 1])
    return no_data(figure, table.is_empty())
