"""The ledger's spend as the Cost page charts it: frames in, Plotly figures out, no Streamlit.

Twelve account categories are too many colours to tell apart, so the chart stacks them in six
groups (:data:`dashboard.glossary.SPEND_GROUPS`: the payroll accounts are one, IT systems and
estates another), each with a colour of its own from the Government Analysis Function's
palette and the other non-pay the only grey; the table beside the chart keeps every category
by its name.  Money is drawn in £m or £bn, named in the axis title, never with Plotly's SI
suffixes.  A month still being posted (a *partial* period, :mod:`dashboard.periods`) is
hatched, labelled partial by the page, and left out of the dashed average of the complete
months: half a month never reads as a fall in spend.
"""

from __future__ import annotations

from collections.abc import Iterable

import plotly.graph_objects as go
import polars as pl

from dashboard.charts import COLOURS, GREY, _layout, mark_partial
from dashboard.formatting import money_axis
from dashboard.glossary import OTHER_SPEND_GROUP, SPEND_GROUPS
from dashboard.safe_text import safe_label


def spend_groups(spend: pl.DataFrame) -> pl.DataFrame:
    """``spend`` (``period``, ``account_category``, ``amount_gbp``) added up by period and the
    chart's group of each category (:data:`dashboard.glossary.SPEND_GROUPS`; a category the
    list does not know goes with the other non-pay), as ``period``, ``group``, ``amount_gbp``."""
    return (
        spend.with_columns(
            pl.col("account_category")
            .replace_strict(SPEND_GROUPS, default=OTHER_SPEND_GROUP, return_dtype=pl.String)
            .alias("group")
        )
        .group_by("period", "group")
        .agg(pl.col("amount_gbp").cast(pl.Float64).sum())
        .sort("period", "group")
    )


def complete_average(spend: pl.DataFrame, partial: Iterable[str] = ()) -> float | None:
    """The mean of the periods' totals, the ``partial`` periods left out: a month still being
    posted is not a month's spend.  None without a complete period."""
    left_out = set(partial)
    totals = (
        spend.filter(~pl.col("period").is_in(list(left_out)))
        .group_by("period")
        .agg(pl.col("amount_gbp").cast(pl.Float64).sum())
    )
    return None if totals.is_empty() else float(totals["amount_gbp"].mean())  # type: ignore[arg-type]


def spend_chart(spend: pl.DataFrame, title: str, partial: Iterable[str] = ()) -> go.Figure:
    """Ledger spend stacked by group of account categories in each period (YYYY-MM, or a
    period's label), in £m or £bn: each group its own colour of the palette and the other
    non-pay the only grey; the ``partial`` periods (labels) hatched, and left out of the
    dashed average of the complete months.  ``spend`` has ``period``, ``account_category`` and
    ``amount_gbp``."""
    partial = set(partial)
    grouped = spend_groups(spend) if not spend.is_empty() else spend
    stacks = (
        grouped.group_by("period").agg(pl.col("amount_gbp").abs().sum())
        if grouped.height
        else grouped
    )
    axis = money_axis(stacks["amount_gbp"] if stacks.height else [])
    named = list(dict.fromkeys(g for g in SPEND_GROUPS.values() if g != OTHER_SPEND_GROUP))
    present = set(grouped["group"].to_list()) if grouped.height else set()
    figure = go.Figure()
    for group in [*named, OTHER_SPEND_GROUP]:
        if group not in present:
            continue
        rows = grouped.filter(pl.col("group") == group).sort("period")
        figure.add_trace(
            go.Bar(
                x=[safe_label(period) for period in rows["period"]],
                y=axis.scale(rows["amount_gbp"].to_list()),
                name=group,
                marker={
                    "color": GREY if group == OTHER_SPEND_GROUP else COLOURS[named.index(group)]
                },
                hovertemplate=f"%{{x}} %{{fullData.name}}: {axis.hover('y')}<extra></extra>",
            )
        )
    average = complete_average(spend, partial) if spend.height else None
    if average is not None:
        figure.add_hline(
            y=average / axis.divisor,
            line={"color": "#0b0c0c", "dash": "dash", "width": 2},
            annotation_text="Average of the complete months",
            annotation_position="top left",
        )
    _layout(
        figure,
        axis.titled(title, add=False),
        "Accounting period (month)",
        axis.titled("Spend (£ in the month)"),
    )
    # Taller than the default: on a phone the key takes six lines below the plot.
    figure.update_layout(barmode="relative", height=520)
    figure.update_xaxes(type="category")
    figure.update_yaxes(tickformat=",")
    mark_partial(figure, partial)
    if spend.is_empty():
        figure.add_annotation(
            text="No data for these filters", showarrow=False, xref="paper", yref="paper",
            x=0.5, y=0.5,
        )  # fmt: skip
    return figure
