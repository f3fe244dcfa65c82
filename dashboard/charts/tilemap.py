"""A tile map: a square per ITL1 region (and Overseas) on a fixed grid, shaded by a measure.

A grid of equal tiles rather than a drawn map: small regions read as well as large ones, and
each tile carries its region's name and amount, so the shade is not the only cue.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from core.contract import REGIONS
from dashboard.charts.measures import Measure, format_amount
from dashboard.charts.template import PALETTE, TEXT, layout

# Each ITL1 region's tile: (column, row), row 0 at the top; Overseas stands apart.
TILES: dict[str, tuple[int, int]] = {
    "TLM": (1, 0),
    "OVERSEAS": (4, 0),
    "TLN": (0, 1),
    "TLC": (2, 1),
    "TLD": (1, 2),
    "TLE": (2, 2),
    "TLL": (0, 3),
    "TLG": (1, 3),
    "TLF": (2, 3),
    "TLH": (3, 3),
    "TLK": (0, 4),
    "TLJ": (1, 4),
    "TLI": (2, 4),
}


def region_tiles(frame: pl.DataFrame, measure: Measure, title: str) -> go.Figure:
    """A tile per ITL1 region (and Overseas) on a fixed grid, shaded by ``measure`` of the
    ``region`` rows in ``frame`` (a region with no row reads 0)."""
    values = {row["region"]: row[measure.column] for row in frame.iter_rows(named=True)}
    codes = list(TILES)
    amounts = [values.get(code) or 0 for code in codes]
    fmt = measure.number_format
    texts = [
        f"{REGIONS[code].replace(' and ', ' and<br>')}<br><b>{format_amount(amount, fmt)}</b>"
        for code, amount in zip(codes, amounts, strict=True)
    ]
    figure = go.Figure(
        go.Scatter(
            x=[TILES[c][0] for c in codes],
            y=[-TILES[c][1] for c in codes],
            mode="markers+text",
            text=texts,
            textfont={"size": 10},
            customdata=[[REGIONS[c], c] for c in codes],
            marker={
                "symbol": "square",
                "size": 92,
                "color": amounts,
                "colorscale": [[0, "#dbe7f3"], [1, PALETTE[0]]],
                "cmin": 0,
                "showscale": False,
                "line": {"color": "white", "width": 2},
            },
            hovertemplate=(
                f"%{{customdata[0]}} (%{{customdata[1]}}): %{{marker.color:{fmt}}} "
                f"{measure.unit}<extra></extra>"
            ),
        )
    )
    layout(figure, title, "", "")
    figure.update_traces(textfont_color=[_ink(a, max(amounts)) for a in amounts])
    figure.update_xaxes(visible=False, range=[-0.6, 4.6])
    figure.update_yaxes(visible=False, range=[-4.6, 0.6], scaleanchor="x")
    figure.update_layout(height=620, showlegend=False)
    return figure


def _ink(amount: float, most: float) -> str:
    """White text on the darker tiles, dark on the lighter."""
    return "white" if most and amount / most > 0.5 else TEXT
