"""The one house style every chart is drawn in: layout, palette and the "no data" note.

To the Analysis Function's chart standards (issue 14): every figure has a title and axis titles
that name the units; the Government Analysis Function's colour-blind-safe palette (the same as
``.streamlit/config.toml``), each cluster keeping its colour everywhere and grey kept for
"other" (:data:`GREY`); the legend sits under the plot and the title, wrapped to read whole on
a phone, above it, so neither covers the other.  Kept in one place (issue 17) so that a chart
of any kind looks like the others and an empty one says so in the same words.

Plotly reads HTML in every text it draws, and titles can come from a delivery or the URL: each
goes through :func:`dashboard.safe_text.safe_label` (escaped, on one line, cut short).
"""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.safe_text import TITLE_LIMIT, one_line, safe_label
from queries.runner import CLUSTERS

# Dark blue, turquoise, dark pink, orange, dark grey, light purple.
PALETTE = ("#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1")
GREY = PALETTE[4]  # only for "other": a group of what is not named on its own
# The colours for named categories, each its own: the palette without its grey, in order.
COLOURS = tuple(colour for colour in PALETTE if colour != GREY)
CLUSTER_COLOURS = dict(zip(CLUSTERS, COLOURS, strict=True))
TEXT = "#0b0c0c"

NO_DATA = "No data for these filters"  # the one note of an empty chart, whatever its kind

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


def layout(figure: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
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


def no_data(figure: go.Figure, empty: bool) -> go.Figure:
    """``figure`` with :data:`NO_DATA` written across its middle when ``empty``: every chart
    kind says it in these words, so a reader learns one sign."""
    if empty:
        figure.add_annotation(
            text=NO_DATA, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5
        )
    return figure
