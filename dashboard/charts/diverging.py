"""Diverging bars: the largest movers between two dates, increases and decreases apart.

Increases and decreases are told apart three ways, not by colour alone: their own colour, their
own legend entry ("Increase", "Decrease") and a signed label on each bar.
"""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.measures import Measure, format_amount
from dashboard.charts.template import PALETTE, layout, no_data
from dashboard.formatting import format_gbp, money_axis
from dashboard.safe_text import safe_labels

TOP_MOVERS = 10  # bars in the largest movers' chart


def movers_chart(
    movers: pl.DataFrame,
    category: str,
    measure: Measure,
    title: str,
    *,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """The largest movers between two dates as horizontal bars, largest first at the top:
    ``movers`` has ``category`` and ``<measure>_change`` (``dashboard.compare.largest_movers``).
    Increases and decreases are told apart three ways, not by colour alone: their own colour,
    their own legend entry ("Increase", "Decrease") and a signed label on each bar."""
    change = f"{measure.column}_change"
    names = safe_labels((labels or {}).get(str(v), str(v)) for v in movers[category].to_list())
    values = movers[change].to_list()
    axis_title = f"Change in {measure.label.lower()} ({measure.unit})"
    axis = money_axis(values) if measure.money else None
    if axis is not None:  # bars in £m or £bn; each bar's label keeps its own £ (signed)
        axis_title, title = axis.titled(axis_title), axis.titled(title, add=False)
    figure = go.Figure()
    for name, colour, keep in (
        ("Increase", PALETTE[1], lambda v: v > 0),
        ("Decrease", PALETTE[2], lambda v: v < 0),
    ):
        shown = [(n, v) for n, v in zip(names, values, strict=True) if keep(v)]
        drawn = [v for _, v in shown]
        figure.add_trace(
            go.Bar(
                x=axis.scale(drawn) if axis else drawn,
                y=[n for n, _ in shown],
                orientation="h",
                name=name,
                marker_color=colour,
                text=[signed(v, measure) for _, v in shown],
                textposition="outside",
                cliponaxis=False,
                hovertemplate=f"%{{y}}: %{{text}} {measure.unit}<extra>{name}</extra>",
            )
        )
    layout(figure, title, axis_title, "")
    figure.update_yaxes(categoryorder="array", categoryarray=names[::-1], autorange=True)
    figure.update_xaxes(tickformat=measure.tick, zeroline=True, zerolinecolor="#0b0c0c")
    figure.update_layout(barmode="overlay", height=max(320, 60 + 36 * len(names)))
    return no_data(figure, movers.is_empty())


def signed(value: float, measure: Measure) -> str:
    """A change as it reads beside its bar: ``+12``, ``−3`` (a minus sign), ``+1.5``,
    ``+£65k``."""
    sign = "+" if value > 0 else "\u2212" if value < 0 else ""
    if measure.column.endswith("_gbp"):
        return sign + format_gbp(abs(value))
    return sign + format_amount(abs(value), measure.number_format)
