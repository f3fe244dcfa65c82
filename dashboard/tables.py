"""Table shaping: frames from the metrics in, the frames a reader's table (or a chart) shows.

Pure polars functions, no Streamlit and no Plotly, so each is unit-tested and the pages only
lay out what these return (issue 17: they were mixed into the chart modules).

Counts a page shows people go through disclosure control here: :func:`diversity_table` and
:func:`moves_table` protect them with :func:`queries.disclosure.protect` (rounded to 5, small
cells ``[c]``), a share recomputed from the protected counts only where neither is suppressed;
:func:`suppressed_cells` counts the ``[c]`` for the audit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl

from dashboard.formatting import format_count, format_percent
from dashboard.glossary import ACCOUNT_LABELS, DCA_LABELS, OTHER_SPEND_GROUP, SPEND_GROUPS
from queries.disclosure import SUPPRESSED, DisclosureRule, protect

DIVERSITY_RULE = DisclosureRule(
    population="headcount",
    counts=("headcount", "women", "sex_recorded", "ethnic_minority", "ethnicity_known"),
)
DIVERSITY_SHARES = {  # share column: (numerator, denominator)
    "women_share": ("women", "sex_recorded"),
    "ethnic_minority_share": ("ethnic_minority", "ethnicity_known"),
}

MOVES_RULE = DisclosureRule(population=None, counts=("moves",))
MOVES_DIMS = ("from_cluster", "to_cluster")


def diversity_table(frame: pl.DataFrame, dims: Sequence[str]) -> pl.DataFrame:
    """A ``representation`` frame under disclosure control: the counts protected (rounded to
    5, small cells ``[c]``) and each share recomputed from the protected counts, null where
    either count is suppressed.  Adds ``*_text`` columns: the counts and shares as read."""
    counts = frame.drop([c for c in DIVERSITY_SHARES if c in frame.columns])
    protected = protect(counts, list(dims), DIVERSITY_RULE)
    values, hidden = protected.values, protected.suppressed
    shares = []
    texts = []
    for share, (top, bottom) in DIVERSITY_SHARES.items():
        shown = ~(pl.lit(hidden[top]) | pl.lit(hidden[bottom]))
        ratio = pl.col(top) / pl.when(pl.col(bottom) > 0).then(pl.col(bottom))
        shares.append(pl.when(shown).then(ratio).otherwise(None).alias(share))
    out = values.with_columns(shares)
    for column in DIVERSITY_RULE.count_columns:
        texts.append(
            pl.Series(
                f"{column}_text",
                [
                    SUPPRESSED if h else format_count(v)
                    for v, h in zip(out[column], hidden[column], strict=True)
                ],
            )
        )
    for share, (top, bottom) in DIVERSITY_SHARES.items():
        texts.append(
            pl.Series(
                f"{share}_text",
                [
                    SUPPRESSED if (ht or hb) else format_percent(v)
                    for v, ht, hb in zip(out[share], hidden[top], hidden[bottom], strict=True)
                ],
            )
        )
    return out.with_columns(texts)


def suppressed_cells(table: pl.DataFrame) -> int:
    """The cells shown as ``[c]`` in a protected table's ``*_text`` columns (for the audit)."""
    return sum(
        int((table[c] == SUPPRESSED).sum())
        for c in table.columns
        if c.endswith("_text") and table.schema[c] == pl.String
    )


def moves_table(frame: pl.DataFrame) -> pl.DataFrame:
    """A ``cluster_moves`` frame under disclosure control: ``moves`` rounded to 5 (null where
    suppressed) and ``moves_text``, the count as read (``[c]`` where suppressed)."""
    protected = protect(frame.select(*MOVES_DIMS, "moves"), list(MOVES_DIMS), MOVES_RULE)
    hidden = protected.suppressed["moves"]
    text = [
        SUPPRESSED if h else format_count(v)
        for v, h in zip(protected.values["moves"], hidden, strict=True)
    ]
    return protected.values.with_columns(pl.Series("moves_text", text, dtype=pl.String))


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


# --- the Cost page's tables ---------------------------------------------------------------------

RECONCILIATION_FLAG = "⚠ Over tolerance"
WITHIN_TOLERANCE = "Within tolerance"


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


# --- the Programme page's tables ---------------------------------------------------------------


def ratings_table(ratings: pl.DataFrame) -> pl.DataFrame:
    """Milestones by delivery confidence rating (the ratings chart's numbers), each rating by
    its name."""
    return ratings.select(
        pl.col("dca_rating")
        .replace_strict(DCA_LABELS, default="Other rating", return_dtype=pl.String)
        .alias("Rating"),
        pl.col("milestones").alias("Milestones"),
        pl.col("achieved").alias("Achieved"),
        pl.col("overdue").alias("Overdue"),
        pl.col("slipped").alias("Slipped"),
    )


def slippage_table(slips: pl.DataFrame) -> pl.DataFrame:
    """One cluster's ``milestone_slippage`` rows: each milestone's slip at each delivery."""
    return slips.select(
        pl.col("milestone_id").alias("Milestone"),
        pl.col("title").alias("Title"),
        pl.col("extract_date").alias("Register delivery"),
        pl.col("slip_days").alias("Slip (days)"),
        pl.col("slip_change_days").alias("Change since the previous delivery (days)"),
    )


def benefits_table(rows: pl.DataFrame) -> pl.DataFrame:
    """One measure's ``benefits_cumulative`` rows: planned and realised, each year and to date."""
    return rows.select(
        pl.col("cluster").alias("Cluster"),
        pl.col("financial_year").alias("Financial year"),
        pl.col("planned_gbp").alias("Planned (£)"),
        pl.col("actual_gbp").alias("Realised (£)"),
        pl.col("cumulative_planned_gbp").alias("Planned to date (£)"),
        pl.col("cumulative_actual_gbp").alias("Realised to date (£)"),
    )
