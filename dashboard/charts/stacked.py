"""Stacked bars: the ledger's spend by group of account categories in each period.

Twelve account categories are too many colours to tell apart, so the chart stacks them in six
groups (:data:`dashboard.glossary.SPEND_GROUPS`: the payroll accounts are one, IT systems and
estates another), each with a colour of its own from the palette and the other non-pay the only
grey; the table beside the chart keeps every category by its name.  A month still being posted
(a *partial* period, :mod:`dashboard.periods`) is hatched, labelled partial by the page, and
left out of the dashed average of the complete months: half a month never reads as a fall.
"""

from __future__ import annotations

from collections.abc import Iterable

import plotly.graph_objects as go
import polars as pl

from dashboard.charts.bar import mark_partial
from dashboard.charts.template import COLOURS, GREY, layout, no_data
from dashboard.formatting import money_axis
from dashboard.glossary import OTHER_SPEND_GROUP, SPEND_GROUPS
from dashboard.safe_text import safe_label
from dashboard.tables import complete_average, spend_groups


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
    layout(
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
    return no_data(figure, spend.is_empty())
