"""Bar charts: a value per category, one bar or several side by side.

:func:`bar_chart` is the one builder of plain bars (issue 17: there were two), given either a
:class:`~dashboard.charts.measures.Measure` (one series in the house's blue, its unit and format
from the measure; horizontal if asked, the frame's first row at the top) or several
``(column, name)`` series side by side, each its own colour (a single such series coloured by
cluster), with a dashed line at each reference.  The ratings' bars and the planned-against-
realised bars have builders of their own, as their colours and grouping say something.

Money is drawn in £m or £bn, the unit named in the titles, never with Plotly's SI suffixes; a
partial accounting period's bars are hatched (:func:`mark_partial`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.measures import Measure
from dashboard.charts.milestones import DCA_COLOURS, DCA_LABELS
from dashboard.charts.template import CLUSTER_COLOURS, COLOURS, PALETTE, layout, no_data
from dashboard.formatting import money_axis
from dashboard.safe_text import safe_label, safe_labels
from queries.runner import BENEFIT_MEASURES

PLANNED, ACTUAL = PALETTE[0], PALETTE[1]
REFERENCE_COLOURS = ("#D4351C", "#3D3D3D", "#801650")  # targets and benchmarks, dashed


def bar_chart(
    frame: pl.DataFrame,
    category: str,
    measures: Measure | Sequence[tuple[str, str]],
    title: str,
    titles: tuple[str, str] = ("", ""),
    number_format: str = ",.1f",
    references: Sequence[tuple[float, str]] = (),
    prefix: str = "",
    *,
    labels: Mapping[str, str] | None = None,
    horizontal: bool = False,
    category_title: str = "",
) -> go.Figure:
    """A bar per row of ``frame``, in its order: ``category`` (named by ``labels`` where given)
    against ``measures``.

    With one :class:`Measure`: one series in the palette's first colour, the value axis titled
    with the measure's unit (``category_title`` on the other), horizontal if asked (the frame's
    first row at the top).  With ``(column, name)`` series: each side by side in its own colour
    (one series coloured by cluster), ``titles`` the (category, value) axis titles,
    ``number_format`` and ``prefix`` the hover's; ``prefix="£"`` draws money in £m or £bn.
    Either way a dashed line marks each ``(value, label)`` reference."""
    single = isinstance(measures, Measure)
    if isinstance(measures, Measure):
        series = [(measures.column, measures.label)]
        number_format, money = measures.number_format, measures.money
        titles, tick, prefix = (category_title, measures.title), measures.tick, ""
    else:
        series, money, tick = list(measures), prefix == "£", ","
    raw = [str(v) for v in frame[category].to_list()]
    names = safe_labels((labels or {}).get(v, v) for v in raw)
    columns = [frame[column].to_list() for column, _ in series]
    axis = money_axis(v for c in columns for v in c) if money else None
    along, across = ("x", "y") if horizontal else ("y", "x")  # the value axis, the category's
    value = axis.hover(along) if axis else f"{prefix}%{{{along}:{number_format}}}"
    # One measure is named by its axis; side-by-side series by the hover's box.
    extra = "" if single else "%{fullData.name}"
    figure = go.Figure()
    for i, ((_, name), drawn) in enumerate(zip(series, columns, strict=True)):
        colour: str | list[str] = PALETTE[0] if single else COLOURS[i % len(COLOURS)]
        if not single and len(series) == 1:
            colour = [CLUSTER_COLOURS.get(v, COLOURS[0]) for v in raw]
        bars = (names, axis.scale(drawn) if axis else drawn)
        figure.add_trace(
            go.Bar(
                x=bars[1] if horizontal else bars[0],
                y=bars[0] if horizontal else bars[1],
                orientation="h" if horizontal else None,
                name=safe_label(name),
                marker={"color": colour},
                hovertemplate=f"%{{{across}}}: {value}<extra>{extra}</extra>",
            )
        )
    for j, (reference, label) in enumerate(references):
        figure.add_hline(
            y=reference,
            line={"color": REFERENCE_COLOURS[j % 3], "dash": "dash", "width": 2},
            annotation_text=label,
            annotation_position="top left",
        )
    if axis is not None:  # money in £m or £bn, the unit in the titles rather than on each tick
        title, titles = axis.titled(title, add=False), (titles[0], axis.titled(titles[1]))
    _bar_axes(
        figure,
        title,
        titles,
        names,
        tick,
        horizontal,
        grouped=not single,
        prefix="" if axis else prefix,
    )
    figure.update_layout(showlegend=len(series) > 1)
    return no_data(figure, frame.is_empty())


def _bar_axes(
    figure: go.Figure,
    title: str,
    titles: tuple[str, str],
    names: list[str],
    tick: str,
    horizontal: bool,
    *,
    grouped: bool,
    prefix: str,
) -> None:
    """The category axis in the frame's order (top down when horizontal) and the value axis
    from zero; series side by side are grouped."""
    category_title, value_title = titles
    if horizontal:
        layout(figure, title, value_title, category_title)
        figure.update_yaxes(categoryorder="array", categoryarray=names[::-1], autorange=True)
        figure.update_xaxes(tickformat=tick, rangemode="tozero")
        return
    layout(figure, title, category_title, value_title)
    if grouped:
        figure.update_layout(barmode="group")
        figure.update_xaxes(type="category")
        figure.update_yaxes(tickprefix=prefix)
    else:
        figure.update_xaxes(categoryorder="array", categoryarray=names)
    figure.update_yaxes(tickformat=tick, rangemode="tozero")


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
    layout(figure, title, "Delivery confidence rating", "Milestones (count)")
    figure.update_yaxes(tickformat=",d", rangemode="tozero")
    return no_data(figure, ratings.is_empty())


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
    layout(figure, axis.titled(title, add=False), "Financial year", axis.titled(y_title))
    figure.update_layout(barmode="group")
    figure.update_yaxes(tickformat=",", rangemode="tozero")
    return no_data(figure, frame.is_empty())


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
