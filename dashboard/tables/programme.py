"""The Programme page's tables: milestones by delivery confidence rating, each milestone's
slippage and the benefits planned and realised, their columns named as read."""

from __future__ import annotations

import polars as pl

from dashboard.glossary import DCA_LABELS
from queries.runner import BENEFIT_MEASURES, COST_MEASURES

# The measures of benefits_cumulative in the order the page shows them: the benefits, then cost.
MEASURE_ORDER: tuple[str, ...] = (*sorted(BENEFIT_MEASURES), *sorted(COST_MEASURES))


def benefits_and_cost(rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``benefits_cumulative`` rows split into the benefit measures, which add up together, and
    programme cost, which is never added to them (:data:`queries.runner.KEPT_APART`)."""
    return (
        rows.filter(pl.col("measure").is_in(sorted(BENEFIT_MEASURES))),
        rows.filter(pl.col("measure").is_in(sorted(COST_MEASURES))),
    )


def sum_or_none(frame: pl.DataFrame, column: str) -> float | None:
    """The column's sum, or None when the frame holds no value for it: a figure not yet
    available, not a zero."""
    if frame.is_empty() or frame[column].null_count() == frame.height:
        return None
    return float(frame[column].sum())


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
