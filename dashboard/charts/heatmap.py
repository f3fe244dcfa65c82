"""A heatmap: moves between clusters, origin clusters down and destinations across.

Each cell's count is written in it, so the shade is not the only cue; the counts arrive
protected (:func:`dashboard.tables.moves_table`), a suppressed cell reading ``[c]``.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.template import PALETTE, layout, no_data
from dashboard.headlines import cluster_rank
from dashboard.safe_text import safe_label, safe_labels

MOVES_TITLE = "Moves between clusters, origin by destination (people)"


def moves_matrix(frame: pl.DataFrame, title: str = MOVES_TITLE) -> go.Figure:
    """Moves between clusters as a heatmap: origin clusters down, destinations across, each
    cell's count written in it.  ``frame`` is :func:`dashboard.tables.moves_table`'s (protected)
    output; a suppressed cell is left uncoloured and reads ``[c]``; a pair with no moves is
    blank."""
    origins = sorted(frame["from_cluster"].unique().to_list(), key=cluster_rank)
    targets = sorted(frame["to_cluster"].unique().to_list(), key=cluster_rank)
    cells = {  # a suppressed cell is coloured as 0 so that its "[c]" is drawn
        (r["from_cluster"], r["to_cluster"]): (r["moves"] or 0, r["moves_text"])
        for r in frame.iter_rows(named=True)
    }
    z = [[cells.get((o, d), (None, ""))[0] for d in targets] for o in origins]
    text = [[safe_label(cells.get((o, d), (None, ""))[1]) for d in targets] for o in origins]
    figure = go.Figure(
        go.Heatmap(
            x=safe_labels(targets),
            y=safe_labels(origins),
            z=z,
            text=text,
            texttemplate="%{text}",
            colorscale=[[0, "#ffffff"], [1, PALETTE[0]]],
            zmin=0,
            showscale=False,
            xgap=2,
            ygap=2,
            hovertemplate="From %{y} to %{x}: %{text} people<extra></extra>",
        )
    )
    layout(figure, title, "To cluster", "From cluster")
    figure.update_yaxes(autorange="reversed", showgrid=False, zeroline=False)
    return no_data(figure, frame.is_empty())
