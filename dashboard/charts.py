"""Chart builders: frames in, Plotly figures out.  No Streamlit, so each is unit-tested.

Every figure has a title and axis titles that name the units, hover text formatted as people
write numbers (12,345; 1,234.5), and the Government Analysis Function's colour-blind-safe
palette (the same as ``.streamlit/config.toml``), each cluster keeping its colour everywhere.
To the Analysis Function's chart standards (issue 14): money is drawn in £m or £bn with the
unit in the axis title (:func:`dashboard.formatting.money_axis`), never Plotly's SI suffixes
("£3.00G"); categories that sit together have a colour each and grey is kept for "other"
(:data:`GREY`); the legend sits under the plot and the title, wrapped to read whole on a
phone, above it, so neither covers the other; a partial month is hatched (:func:`mark_partial`).

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

from dashboard.formatting import money_axis
from dashboard.headlines import cluster_rank
from dashboard.safe_text import TITLE_LIMIT, one_line, safe_label
from queries.runner import CLUSTERS

# Dark blue, turquoise, dark pink, orange, dark grey, light purple.
PALETTE = ("#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1")
GREY = PALETTE[4]  # only for "other": a group of what is not named on its own
# The colours for named categories, each its own: the palette without its grey, in order.
COLOURS = tuple(colour for colour in PALETTE if colour != GREY)
CLUSTER_COLOURS = dict(zip(CLUSTERS, COLOURS, strict=True))
TEXT = "#0b0c0c"


@dataclass(frozen=True)
class Measure:
    """How a measure reads on a chart: its name, its unit and its d3 number format."""

    column: str
    label: str
    unit: str
    number_format: str

    @property
    def money(self) -> bool:
        """Pounds: drawn in £m or £bn (:func:`dashboard.formatting.money_axis`)."""
        return self.column.endswith("_gbp")

    @property
    def title(self) -> str:
        """``Paybill (£ a year)``: the axis title, before a money axis names its unit."""
        return f"{self.label} ({self.unit})"


HEADCOUNT = Measure("headcount", "Headcount", "people", ",.0f")
FTE = Measure("fte", "FTE", "full-time equivalents", ",.1f")


# A title wraps at this many characters, so that it reads whole on a 390 px phone (Plotly
# does not wrap a title, and cuts it at the figure's edge).
TITLE_WRAP = 40
TITLE_LINE_PX = 20  # the height of a title line at 14 px, with its leading


def wrap_title(title: str, width: int = TITLE_WRAP) -> list[str]:
    """``title`` in lines of at most ``width`` characters, broken between words (a longer word
    keeps a line of its own)."""
    lines: list[str] = []
    for word in title.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def _layout(figure: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    """The house style.  The title sits at the top, wrapped to fit a phone, with the top margin
    its lines need; the legend sits under the plot (``yref="container"``: Plotly reserves the
    room it takes, so it never covers the title, the plot or the axis titles)."""
    # Cut and flattened first, then each line escaped: no entity is split between lines.
    lines = [safe_label(line, TITLE_LIMIT) for line in wrap_title(one_line(title, TITLE_LIMIT))]
    figure.update_layout(
        title={
            "text": "<br>".join(lines),
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 10},
        },
        font={"family": "sans-serif", "color": TEXT, "size": 14},
        xaxis={
            "title": {"text": safe_label(x_title, TITLE_LIMIT)},
            "showgrid": False,
            "automargin": True,
        },
        yaxis={
            "title": {"text": safe_label(y_title, TITLE_LIMIT)},
            "gridcolor": "#e5e5e5",
            "zeroline": True,
            "automargin": True,
        },
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 0,
            "xanchor": "left",
            "title": None,
        },
        margin={"l": 10, "r": 10, "t": 30 + TITLE_LINE_PX * len(lines), "b": 10},
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
    _layout(figure, axis.titled(title, add=False) if axis else title, "Month-end", y_title)
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
