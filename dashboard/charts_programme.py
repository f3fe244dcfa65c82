"""Chart builders for the programme and the cost and efficiency pages: frames in, Plotly figures
out.  No Streamlit, so each is unit-tested.

As in :mod:`dashboard.charts`: every figure has a title and axis titles naming the units, hover
text formatted as people write numbers, and the Government Analysis Function's palette.
Delivery-confidence ratings keep their red, amber and green, and every bar and every milestone
marker is labelled with its rating (in words, or its letters with the words in the legend),
so nobody has to read the colour.

A milestone's title and id, and every category value, come from a delivery: each is drawn
through :func:`dashboard.safe_text.safe_label` (escaped, on one line, cut short); the table
beside the chart keeps the full text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import plotly.graph_objects as go
import polars as pl

from dashboard.charts import CLUSTER_COLOURS, COLOURS, GREY, PALETTE, _layout
from dashboard.charts_spend import spend_chart as spend_chart  # the Cost page's, kept here too
from dashboard.formatting import format_date, money_axis
from dashboard.glossary import (
    ACCOUNT_LABELS as ACCOUNT_LABELS,  # the glossary's one list, named here as before
)
from dashboard.glossary import DCA_LABELS, STAGE_LABELS
from dashboard.safe_text import distinct, one_line, safe_label, safe_labels
from queries.runner import BENEFIT_MEASURES

# How much of a milestone's id and title a page names (TITLE_LIMIT) and a chart shows
# (LABEL_TITLE_LIMIT): the row label stays readable and the plot keeps its width whatever the
# register holds, on a phone too (a 390 px screen has room for about 50 characters of label
# beside a plot); the hover and the table keep the whole.
ID_LIMIT = 16
TITLE_LIMIT = 56
LABEL_TITLE_LIMIT = 28

# The delivery-confidence ratings, best first, as they read, as a short mark written beside each
# marker (so nobody has to read the colour), and in colours from GOV.UK's palette that also
# step in lightness: dark green, olive, yellow, orange, red.  Markers get a dark outline so the
# yellow stands out on white.
DCA_MARKS = {
    "green": "G",
    "amber_green": "A/G",
    "amber": "A",
    "amber_red": "A/R",
    "red": "R",
    "unknown": "NR",
}
DCA_COLOURS = {
    "green": "#00703C",
    "amber_green": "#85994B",
    "amber": "#FFDD00",
    "amber_red": "#F47738",
    "red": "#D4351C",
    "unknown": "#B1B4B6",
}
OUTLINE = "#0B0C0C"
# The stages, account categories and benefit measures as a reader says them: the one list of
# plain names is dashboard.glossary.
PLANNED, ACTUAL = PALETTE[0], PALETTE[1]


def _empty(figure: go.Figure, frame: pl.DataFrame) -> go.Figure:
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


def milestone_label(row: dict) -> str:
    """How a milestone reads on the timeline: ``SYNERGY · X1 Go-live``, escaped and cut short
    (:func:`dashboard.safe_text.safe_label`)."""
    name = milestone_name(row, LABEL_TITLE_LIMIT)
    return safe_label(f"{one_line(row['cluster'], ID_LIMIT)} · {name}")


def milestone_name(row: dict, limit: int = TITLE_LIMIT) -> str:
    """``X1 Go-live``, the id and the title each cut short (not yet escaped)."""
    return f"{one_line(row['milestone_id'], ID_LIMIT)} {one_line(row['title'], limit)}"


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


HOVER = (  # under 200 characters, as every text a figure draws
    "%{customdata[0]}<br>Stage: %{customdata[1]}<br>Rating: %{customdata[2]}"
    "<br>Baseline: %{customdata[3]}<br>Forecast: %{customdata[4]}<br>Actual: %{customdata[5]}"
    "<br>%{customdata[6]}<extra></extra>"
)


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
    _layout(figure, title, "Date", "Milestone")
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
    return _empty(figure, milestones)


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
    _layout(figure, title, "Register delivery (extract date)", "Slip against baseline (days)")
    figure.update_xaxes(tickformat="%-d %b %Y")
    figure.update_yaxes(tickformat=",", zeroline=True, zerolinecolor="#3D3D3D")
    return _empty(figure, slippage)


def dca_chart(ratings: pl.DataFrame, title: str) -> go.Figure:
    """Milestones by delivery-confidence rating, best first: one bar per rating in its colour,
    labelled with the rating and the count.  ``ratings`` has ``dca_rating`` and ``milestones``."""
    counts = dict(
        ratings.group_by("dca_rating").agg(pl.col("milestones").sum()).iter_rows()
        if not ratings.is_empty()
        else []
    )
    order = [r for r in DCA_LABELS if counts.get(r)]
    labels = [DCA_LABELS[r] for r in order]
    values = [counts[r] for r in order]
    figure = go.Figure(
        go.Bar(
            x=labels,
            y=values,
            marker={"color": [DCA_COLOURS[r] for r in order]},
            text=[f"{label}: {value:,}" for label, value in zip(labels, values, strict=True)],
            textposition="outside",
            hovertemplate="%{x}: %{y:,} milestones<extra></extra>",
            showlegend=False,
        )
    )
    _layout(figure, title, "Delivery confidence rating", "Milestones (count)")
    figure.update_yaxes(tickformat=",d", rangemode="tozero")
    return _empty(figure, ratings)


def planned_actual_chart(frame: pl.DataFrame, title: str, y_title: str) -> go.Figure:
    """Planned and realised £ side by side in each financial year.  ``frame`` has
    ``financial_year``, ``planned_gbp`` and ``actual_gbp`` (null: nothing realised yet), and
    may have ``measure``: its rows are added up by year, so benefits and programme cost in
    one frame are refused (one meaning per number, :data:`queries.runner.KEPT_APART`)."""
    if "measure" in frame.columns:
        held = set(frame["measure"].unique().to_list())
        if held & BENEFIT_MEASURES and held - BENEFIT_MEASURES:
            raise ValueError("one chart of benefits and programme cost: never added together")
    if not frame.is_empty():
        frame = (
            frame.group_by("financial_year")
            .agg(
                pl.col("planned_gbp").sum(),
                pl.when(pl.col("actual_gbp").is_null().all())
                .then(None)
                .otherwise(pl.col("actual_gbp").sum())
                .alias("actual_gbp"),
            )
            .sort("financial_year")
        )
    years = [safe_label(y) for y in frame["financial_year"]] if not frame.is_empty() else []
    columns = ("planned_gbp", "actual_gbp")
    axis = money_axis(v for c in columns for v in (frame[c] if years else []))
    figure = go.Figure()
    for column, name, colour in (
        ("planned_gbp", "Planned", PLANNED),
        ("actual_gbp", "Realised", ACTUAL),
    ):
        figure.add_trace(
            go.Bar(
                x=years,
                y=axis.scale(frame[column].to_list()) if years else [],
                name=name,
                marker={"color": colour},
                hovertemplate=f"%{{x}} {name.lower()}: {axis.hover('y')}<extra></extra>",
            )
        )
    _layout(figure, axis.titled(title, add=False), "Financial year", axis.titled(y_title))
    figure.update_layout(barmode="group")
    figure.update_yaxes(tickformat=",", rangemode="tozero")
    return _empty(figure, frame)


def bar_chart(
    frame: pl.DataFrame,
    category: str,
    measures: Sequence[tuple[str, str]],
    title: str,
    titles: tuple[str, str],
    number_format: str = ",.1f",
    references: Sequence[tuple[float, str]] = (),
    prefix: str = "",
) -> go.Figure:
    """Bars of each ``(column, name)`` measure per value of ``category``, side by side, with a
    dashed line at each ``(value, label)`` reference (a target or benchmark).  ``titles`` are
    the (category axis title, value axis title); with ``prefix="£"`` the values are drawn in
    £m or £bn when that large, the unit named in the titles."""
    figure = go.Figure()
    values = frame[category].cast(pl.String).to_list() if not frame.is_empty() else []
    names = safe_labels(values)
    columns = [frame[column].to_list() if values else [] for column, _ in measures]
    axis = money_axis(v for c in columns for v in c) if prefix == "£" else None
    value = axis.hover("y") if axis else f"{prefix}%{{y:{number_format}}}"
    for i, ((_, name), drawn) in enumerate(zip(measures, columns, strict=True)):
        colour = COLOURS[i % len(COLOURS)]
        if len(measures) == 1:
            colour = [CLUSTER_COLOURS.get(v, COLOURS[0]) for v in values]
        figure.add_trace(
            go.Bar(
                x=names,
                y=axis.scale(drawn) if axis else drawn,
                name=safe_label(name),
                marker={"color": colour},
                hovertemplate=f"%{{x}}: {value}<extra>%{{fullData.name}}</extra>",
            )
        )
    for j, (value, label) in enumerate(references):
        figure.add_hline(
            y=value,
            line={"color": ("#D4351C", "#3D3D3D", "#801650")[j % 3], "dash": "dash", "width": 2},
            annotation_text=label,
            annotation_position="top left",
        )
    if axis is not None:  # money in £m or £bn, the unit in the titles rather than on each tick
        title, titles = axis.titled(title, add=False), (titles[0], axis.titled(titles[1]))
    _layout(figure, title, *titles)
    figure.update_layout(barmode="group", showlegend=len(measures) > 1)
    figure.update_xaxes(type="category")
    figure.update_yaxes(tickformat=",", tickprefix="" if axis else prefix, rangemode="tozero")
    return _empty(figure, frame)
