"""A waterfall: the headcount at the start, the four flows and the headcount at the end.

Joiners and transfers in rise in turquoise, leavers and transfers out fall in dark pink, the
two totals stand in dark blue; each step is labelled with its signed count, so the colour is
not the only cue.
"""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from dashboard.charts.template import PALETTE, layout

FLOW_STEPS = (  # column, label, sign
    ("headcount_start", "Start", 1),
    ("joiners", "Joiners", 1),
    ("leavers", "Leavers", -1),
    ("transfers_in", "Transfers in", 1),
    ("transfers_out", "Transfers out", -1),
    ("headcount_end", "End", 1),
)


def flow_steps(row: Mapping[str, int]) -> list[tuple[str, int]]:
    """The waterfall's steps from a ``flows`` row: start, +joiners, −leavers, +transfers in,
    −transfers out, end (the end as counted, which the identity makes the running total)."""
    return [(label, sign * int(row.get(column) or 0)) for column, label, sign in FLOW_STEPS]


def flows_waterfall(row: Mapping[str, int], title: str) -> go.Figure:
    """Start headcount, the four flows and the end headcount as a waterfall."""
    steps = flow_steps(row)
    measures = ["absolute", *["relative"] * (len(steps) - 2), "total"]
    figure = go.Figure(
        go.Waterfall(
            x=[label for label, _ in steps],
            y=[value for _, value in steps],
            measure=measures,
            text=[
                f"{value:+,}" if 0 < i < len(steps) - 1 else f"{value:,}"
                for i, (_, value) in enumerate(steps)
            ],
            textposition="outside",
            connector={"line": {"color": "#b1b4b6"}},
            increasing={"marker": {"color": PALETTE[1]}},
            decreasing={"marker": {"color": PALETTE[2]}},
            totals={"marker": {"color": PALETTE[0]}},
            hovertemplate="%{x}: %{y:,} people<extra></extra>",
        )
    )
    layout(figure, title, "", "Headcount (people)")
    figure.update_yaxes(tickformat=",", rangemode="tozero")
    figure.update_layout(showlegend=False)
    return figure
