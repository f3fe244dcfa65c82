"""Chart builders: frames in, Plotly figures out.  No Streamlit, so each is unit-tested.

Every figure has a title and axis titles that name the units, hover text formatted as people
write numbers (12,345; 1,234.5), and the Government Analysis Function's colour-blind-safe
palette (the same as ``.streamlit/config.toml``), each cluster keeping its colour everywhere.

Plotly reads HTML in every text it draws, and category values, names and titles can come from
a delivery or the URL: every such text goes through :func:`dashboard.safe_text.safe_label`
(escaped, on one line, cut short), and hover templates name a trace with
``%{fullData.name}`` rather than pasting the name into the template, where ``%{...}`` in it
would be read as a placeholder.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from dashboard.headlines import cluster_rank
from dashboard.safe_text import TITLE_LIMIT, safe_label
from queries.runner import CLUSTERS

# Dark blue, turquoise, dark pink, orange, dark grey, light purple.
PALETTE = ("#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1")
CLUSTER_COLOURS = dict(zip(CLUSTERS, PALETTE, strict=False))
TEXT = "#0b0c0c"


@dataclass(frozen=True)
class Measure:
    """How a measure reads on a chart: its name, its unit and its d3 number format."""

    column: str
    label: str
    unit: str
    number_format: str


HEADCOUNT = Measure("headcount", "Headcount", "people", ",.0f")
FTE = Measure("fte", "FTE", "full-time equivalents", ",.1f")


def _layout(figure: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    figure.update_layout(
        title={"text": safe_label(title, TITLE_LIMIT), "x": 0, "xanchor": "left"},
        font={"family": "sans-serif", "color": TEXT, "size": 14},
        xaxis={"title": {"text": safe_label(x_title, TITLE_LIMIT)}, "showgrid": False},
        yaxis={
            "title": {"text": safe_label(y_title, TITLE_LIMIT)},
            "gridcolor": "#e5e5e5",
            "zeroline": True,
        },
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "title": None},
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
        hoverlabel={"bgcolor": "white"},
    )
    return figure


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
    for i, (name, rows) in enumerate(groups):
        rows = rows.sort("month_end")
        colour = CLUSTER_COLOURS.get(name, PALETTE[i % len(PALETTE)])
        figure.add_trace(
            go.Scatter(
                x=rows["month_end"].to_list(),
                y=rows[measure.column].to_list(),
                name=safe_label(name),
                mode="lines+markers",
                line={"color": colour, "width": 3},
                marker={"size": 6},
                hovertemplate=(
                    f"%{{x|%-d %B %Y}}: %{{y:{measure.number_format}}} {measure.unit}"
                    "<extra>%{fullData.name}</extra>"
                ),
            )
        )
    _layout(figure, title, "Month-end", f"{measure.label} ({measure.unit})")
    figure.update_layout(showlegend=split is not None)
    figure.update_xaxes(tickformat="%b %Y", dtick=month_ticks(frame["month_end"].n_unique()))
    figure.update_yaxes(tickformat=",", rangemode="tozero")
    if frame.is_empty():
        figure.add_annotation(
            text="No data for these filters",
            showarrow=False,
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
        )
    return figure


def month_ticks(months: int) -> str:
    """Plotly's tick spacing for ``months`` month-ends: every month up to a year, then every
    quarter, half year or year, so ticks never repeat a month or crowd the axis."""
    for most, step in ((13, 1), (30, 3), (60, 6)):
        if months <= most:
            return f"M{step}"
    return "M12"


def mark_partial(figure: go.Figure, partial: set[str]) -> go.Figure:
    """Hatch every bar whose category is in ``partial`` (the labels of the accounting periods
    still being posted), so a half-posted month reads as unfinished rather than as a fall; the
    label itself says "partial" too, so the hatching is not the only sign."""
    drawn = {safe_label(label) for label in partial}  # as the chart builders draw categories
    for trace in figure.data:
        if trace.type != "bar" or trace.x is None:
            continue
        trace.marker.pattern = {
            "shape": ["/" if x in drawn else "" for x in trace.x],
            "fillmode": "overlay",
            "fgcolor": "white",
        }
    return figure
