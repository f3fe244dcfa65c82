"""The milestone timeline: each milestone's baseline, forecast and actual dates on one row.

Delivery-confidence ratings keep their red, amber and green, and every marker is labelled with
its rating's letters, with the words in the legend, so nobody has to read the colour.  A
milestone's title and id come from a delivery: each is drawn through
:func:`dashboard.safe_text.safe_label`, and the hover template only points at escaped custom
data, so no delivery text is ever read as a template.
"""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.milestones import (
    DCA_COLOURS,
    DCA_LABELS,
    DCA_MARKS,
    OUTLINE,
    STAGE_LABELS,
    milestone_label,
)
from dashboard.charts.template import layout, no_data
from dashboard.formatting import format_date
from dashboard.safe_text import distinct, safe_label

HOVER = (  # under 200 characters, as every text a figure draws
    "%{customdata[0]}<br>Stage: %{customdata[1]}<br>Rating: %{customdata[2]}"
    "<br>Baseline: %{customdata[3]}<br>Forecast: %{customdata[4]}<br>Actual: %{customdata[5]}"
    "<br>%{customdata[6]}<extra></extra>"
)


def _slip_text(days: int | None) -> str:
    if days is None:
        return "No forecast or actual date"
    if days == 0:
        return "On its baseline"
    unit = "day" if abs(days) == 1 else "days"
    return f"{abs(days):,} {unit} {'after' if days > 0 else 'before'} baseline"


def _hover_data(row: dict, label: str) -> list[str]:
    """What the hover says of a milestone, every text escaped: the template only points at
    these (``%{customdata[0]}``...), so no delivery text is ever read as a template."""
    rating = row.get("dca_rating") or "unknown"
    stage = row.get("stage")
    return [
        label,
        safe_label(STAGE_LABELS.get(stage, stage) if stage else "Not given"),
        safe_label(DCA_LABELS.get(rating, rating)),
        format_date(row["baseline_date"]),
        format_date(row["forecast_date"]),
        format_date(row["actual_date"]),
        _slip_text(_slip(row)),
    ]


def _slip(row: dict) -> int | None:
    if "slip_days" in row:
        return row["slip_days"]
    outturn = row["actual_date"] or row["forecast_date"]
    return None if outturn is None else (outturn - row["baseline_date"]).days


def milestone_timeline(milestones: pl.DataFrame, as_at: date, title: str) -> go.Figure:
    """Each milestone on its own row (grouped by cluster): its baseline as an open circle and
    its actual date (a star) or else its forecast (a diamond) in the colour of its delivery
    confidence rating, marked with the rating's letters (``R``, ``A/G``...) so the colour is not
    the only cue, and a line at the as-at date.  A trace per rating, named in words, makes the
    legend the key.  ``milestones`` has ``cluster``, ``milestone_id``, ``title`` and the three
    dates, a row per milestone, and may have ``stage``, ``dca_rating`` and ``slip_days``."""
    rows = list(milestones.iter_rows(named=True))
    labels = distinct([milestone_label(row) for row in rows])
    hover = [_hover_data(row, label) for row, label in zip(rows, labels, strict=True)]
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=[row["baseline_date"] for row in rows],
            y=labels,
            customdata=hover,
            name="Baseline",
            mode="markers",
            marker={"symbol": "circle-open", "size": 11, "color": "#3D3D3D", "line": {"width": 2}},
            hovertemplate=HOVER,
        )
    )
    ratings = [row.get("dca_rating") or "unknown" for row in rows]
    for rating in [*DCA_LABELS, *sorted(set(ratings) - set(DCA_LABELS))]:
        points = [
            (row["actual_date"] or row["forecast_date"], row["actual_date"] is not None, i)
            for i, row in enumerate(rows)
            if ratings[i] == rating and (row["actual_date"] or row["forecast_date"])
        ]
        if not points:
            continue
        figure.add_trace(
            go.Scatter(
                x=[x for x, _, _ in points],
                y=[labels[i] for _, _, i in points],
                customdata=[hover[i] for _, _, i in points],
                text=[DCA_MARKS.get(rating, "?") for _ in points],
                name=safe_label(f"{DCA_LABELS.get(rating, rating)} ({DCA_MARKS.get(rating, '?')})"),
                mode="markers+text",
                textposition="top center",
                textfont={"size": 12, "color": OUTLINE},
                marker={
                    "symbol": ["star" if actual else "diamond" for _, actual, _ in points],
                    "size": 13,
                    "color": DCA_COLOURS.get(rating, DCA_COLOURS["unknown"]),
                    "line": {"width": 1, "color": OUTLINE},
                },
                hovertemplate=HOVER,
            )
        )
    for name, symbol in (("Forecast date (diamond)", "diamond"), ("Actual date (star)", "star")):
        figure.add_trace(  # keys to the two shapes: nothing to plot
            go.Scatter(
                x=[None],
                y=[None],
                name=name,
                mode="markers",
                marker={"symbol": symbol, "size": 11, "color": "#FFFFFF", "line": {"width": 1}},
                hoverinfo="skip",
            )
        )
    layout(figure, title, "Date", "Milestone")
    figure.update_yaxes(
        categoryorder="array", categoryarray=labels[::-1], gridcolor="#e5e5e5", type="category"
    )
    figure.update_xaxes(tickformat="%b %Y", showgrid=True, gridcolor="#f0f0f0")
    figure.add_shape(
        type="line",
        x0=as_at,
        x1=as_at,
        y0=0,
        y1=1,
        xref="x",
        yref="paper",
        line={"color": "#3D3D3D", "dash": "dot", "width": 2},
    )
    figure.add_annotation(
        x=as_at, y=1, xref="x", yref="paper", text="As at", showarrow=False, yanchor="bottom"
    )
    # The key sits below the plot (the house style), clear of the as-at label above it.
    figure.update_layout(height=max(360, 200 + 44 * len(rows)))
    return no_data(figure, milestones.is_empty())
