"""The Cost page's tables and sums: spend by the chart's groups, the average of the complete
months, each kind of spend's total, and the reader's tables of the ledger metrics with their
columns named and their money and shares rounded as read."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from dashboard.glossary import ACCOUNT_LABELS, OTHER_SPEND_GROUP, SPEND_GROUPS
from dashboard.periods import LedgerPeriods, partial_label


def labelled(frame: pl.DataFrame, status: LedgerPeriods) -> pl.DataFrame:
    """Spend rows with each period as it reads, a partial one marked (``2026-11 (to 29 Nov,
    partial)``)."""
    labels = {p: partial_label(p, status) for p in frame["period"].unique().to_list()}
    return frame.with_columns(pl.col("period").replace_strict(labels, return_dtype=pl.String))


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


RECONCILIATION_FLAG = "⚠ Over tolerance"
WITHIN_TOLERANCE = "Within tolerance"


OFF_PAYROLL = ("contingent_labour", "consultancy")  # the ledger's categories of contingent spend


def year_rows(spend: pl.DataFrame, first: str, last: str | None) -> pl.DataFrame:
    """The spend rows of the periods ``first`` to ``last`` (a complete year, or as much of one
    as there is); none when no month is complete yet (``last`` None)."""
    if last is None:
        return spend.clear()
    return spend.filter(pl.col("period").is_between(pl.lit(first), pl.lit(last)))


def since(spend: pl.DataFrame, first: str) -> pl.DataFrame:
    """The spend rows from period ``first`` on (a chart's months)."""
    return spend.filter(pl.col("period") >= pl.lit(first))


def off_payroll(spend: pl.DataFrame) -> pl.DataFrame:
    """The spend rows of contingent labour and consultancy."""
    return spend.filter(pl.col("account_category").is_in(OFF_PAYROLL))


def total(frame: pl.DataFrame, column: str) -> float:
    """The sum of ``column`` (0 for no rows): a tile's amount."""
    return float(frame[column].cast(pl.Float64).sum()) if not frame.is_empty() else 0.0


def category_spend(spend: pl.DataFrame, kind: str) -> float:
    """Spend rows' total for ``kind``: ``pay`` (every ``payroll_*`` account) or one account
    category."""
    rows = spend.filter(
        pl.col("account_category").str.starts_with("payroll_")
        if kind == "pay"
        else pl.col("account_category") == kind
    )
    return total(rows, "amount_gbp")


def spend_table(rows: pl.DataFrame) -> pl.DataFrame:
    """The spend chart's numbers: each account category by its name, with the group the chart
    draws it in (:data:`dashboard.glossary.SPEND_GROUPS`)."""
    return rows.sort("period", "account_category").select(
        pl.col("period").alias("Period"),
        pl.col("account_category").replace(ACCOUNT_LABELS).alias("Account category"),
        pl.col("account_category")
        .replace_strict(SPEND_GROUPS, default=OTHER_SPEND_GROUP, return_dtype=pl.String)
        .alias("In the chart as"),
        pl.col("amount_gbp").alias("Spend (£)"),
    )


def cost_per_fte_table(per_fte: pl.DataFrame) -> pl.DataFrame:
    """A ``cost_per_fte`` frame as the reader's table: the ledger's parts and the result."""
    return per_fte.select(
        pl.col("cluster").alias("Cluster"),
        pl.col("organisation_code").alias("Organisation"),
        pl.col("payroll_gbp").alias("Pay spend (£)"),
        pl.col("contingent_gbp").alias("Contingent labour (£)"),
        pl.col("average_fte").alias("Average payroll FTE"),
        pl.col("months").alias("Months"),
        pl.col("annual_cost_per_fte_gbp").alias("Cost per FTE (£ a year)"),
    )


def reconciliation_table(recon: pl.DataFrame) -> pl.DataFrame:
    """A ``reconciliation`` frame as the reader's table: each organisation's flag (in words,
    :data:`RECONCILIATION_FLAG` or :data:`WITHIN_TOLERANCE`) first, money to the penny and the
    variance as a percentage to one place."""
    return recon.select(
        pl.when(pl.col("flagged"))
        .then(pl.lit(RECONCILIATION_FLAG))
        .otherwise(pl.lit(WITHIN_TOLERANCE))
        .alias("Flag"),
        pl.col("cluster").alias("Cluster"),
        pl.col("organisation_code").alias("Organisation"),
        pl.col("headcount").alias("Headcount"),
        pl.col("hr_paybill_gbp").round(2).alias("HR pay cost (£)"),
        pl.col("ledger_paybill_gbp").round(2).alias("Ledger pay spend (£)"),
        pl.col("variance_gbp").round(2).alias("Variance (£)"),
        (pl.col("variance_pct") * 100).round(1).alias("Variance (%)"),
    )


def ratio_table(ratio: pl.DataFrame) -> pl.DataFrame:
    """An ``hr_finance_ratio`` frame as the reader's table, the ratios to one place."""
    return ratio.select(
        pl.col("cluster").alias("Cluster"),
        pl.col("headcount").alias("Headcount"),
        pl.col("hr_staff").alias("HR staff"),
        pl.col("finance_staff").alias("Finance staff"),
        pl.col("hr_per_100").round(1).alias("HR per 100"),
        pl.col("finance_per_100").round(1).alias("Finance per 100"),
    )


def spans_table(spans: pl.DataFrame) -> pl.DataFrame:
    """A ``spans_layers`` frame as the reader's table, the share of small spans in %."""
    return spans.select(
        pl.col("cluster").alias("Cluster"),
        pl.col("organisation_code").alias("Organisation"),
        pl.col("headcount").alias("Headcount"),
        pl.col("managers").alias("Managers"),
        pl.col("mean_span").round(1).alias("Mean span"),
        pl.col("median_span").alias("Median span"),
        (pl.col("share_small_spans") * 100).round(1).alias("Managers with under 3 reports (%)"),
        pl.col("layers").alias("Layers"),
    )
