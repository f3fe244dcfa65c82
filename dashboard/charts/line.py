"""Line charts: a measure over time, a line per group.

The workforce trend (a line per cluster, or one line) and each milestone's slip against its
baseline at each register delivery.  Drawn in the house style (:mod:`dashboard.charts.template`);
names go through :func:`dashboard.safe_text.safe_label`, and hover templates name a trace with
``%{fullData.name}`` (or ``%{customdata}``) rather than pasting the name into the template,
where ``%{...}`` in it would be read as a placeholder.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.measures import Measure
from dashboard.charts.milestones import milestone_name
from dashboard.charts.template import CLUSTER_COLOURS, COLOURS, GREY, layout, no_data
from dashboard.formatting import money_axis
from dashboard.headlines import cluster_rank
from dashboard.safe_text import distinct, safe_label


def trend_chart(
    frame: pl.DataFrame, measure: Measure, title: str, split: str | None = None
) -> go.Figure:
    """A line per group of ``split`` (one line without it) of ``measure`` at each
    ``month_end``.  The y axis starts at zero so a small change does not look like a big one."""
    figure = go.Figure()
    if split is None:
        groups = [(measure.label, frame)]
    else:
        names = sorted(frame[split].unique().to_list(), key=cluster_rank)
        groups = [(name, frame.filter(pl.col(split) == name)) for name in names]
    axis = money_axis(frame[measure.column].to_list()) if measure.money else None
    value = f"%{{y:{measure.number_format}}} {measure.unit}"
    if axis is not None:
        value = f"{axis.hover('y')} {measure.unit.removeprefix('£').strip()}".strip()
    for i, (name, rows) in enumerate(groups):
        rows = rows.sort("month_end")
        colour = CLUSTER_COLOURS.get(name, COLOURS[i % len(COLOURS)])
        values = rows[measure.column].to_list()
        figure.add_trace(
            go.Scatter(
                x=rows["month_end"].to_list(),
                y=axis.scale(values) if axis else values,
                name=safe_label(name),
                mode="lines+markers",
                line={"color": colour, "width": 3},
                marker={"size": 6},
                hovertemplate=f"%{{x|%-d %B %Y}}: {value}<extra>%{{fullData.name}}</extra>",
            )
        )
    y_title = axis.titled(measure.title) if axis else measure.title
    layout(figure, axis.titled(title, add=False) if axis else title, "Month-end", y_title)
    figure.update_layout(showlegend=split is not None)
    figure.update_xaxes(tickformat="%b %Y", dtick=month_ticks(frame["month_end"].n_unique()))
    figure.update_yaxes(tickformat=",", rangemode="tozero")
    return no_data(figure, frame.is_empty())


def month_ticks(months: int) -> str:
    """Plotly's tick spacing for ``months`` month-ends: every month up to a year, then every
    quarter, half year or year, so ticks never repeat a month or crowd the axis."""
    for most, step in ((13, 1), (30, 3), (60, 6)):
        if months <= most:
            return f"M{step}"
    return "M12"


def slippage_chart(slippage: pl.DataFrame, title: str) -> go.Figure:
    """A line per milestone of its slip against baseline (days) at each register delivery.
    Each of the milestones that slipped furthest (at their latest delivery) has a colour of its
    own, up to the palette's five; any more are thin grey lines, one key "Other milestones"."""
    figure = go.Figure()
    ids = sorted(slippage["milestone_id"].unique().to_list()) if not slippage.is_empty() else []
    traces = [slippage.filter(pl.col("milestone_id") == m).sort("extract_date") for m in ids]
    names = distinct(safe_label(milestone_name(rows.row(0, named=True))) for rows in traces)
    latest = [abs(rows["slip_days"].drop_nulls().tail(1).sum()) for rows in traces]
    named = sorted(range(len(traces)), key=lambda i: (-latest[i], ids[i]))[: len(COLOURS)]
    if len(traces) <= len(COLOURS):
        named = list(range(len(traces)))
    others = 0
    for i, (rows, name) in enumerate(zip(traces, names, strict=True)):
        own = i in named
        colour = COLOURS[named.index(i)] if own else GREY
        figure.add_trace(
            go.Scatter(
                x=rows["extract_date"].to_list(),
                y=rows["slip_days"].to_list(),
                name=name if own else "Other milestones",
                legendgroup=None if own else "other",
                legendrank=i if own else 1000 + i,  # the named first, "Other milestones" last
                showlegend=own or others == 0,
                mode="lines+markers",
                line={"color": colour, "width": 3 if own else 1.5},
                marker={"size": 7 if own else 4},
                customdata=[name] * rows.height,
                hovertemplate=(
                    "Delivery of %{x|%-d %B %Y}: %{y:+,.0f} days<extra>%{customdata}</extra>"
                ),
            )
        )
        others += not own
    layout(figure, title, "Register delivery (extract date)", "Slip against baseline (days)")
    figure.update_xaxes(tickformat="%-d %b %Y")
    figure.update_yaxes(tickformat=",", zeroline=True, zerolinecolor="#3D3D3D")
    return no_data(figure, slippage.is_empty())
