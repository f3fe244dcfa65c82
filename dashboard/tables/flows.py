"""The Flows page's tables: the waterfall's steps, the moves between clusters as read (under
disclosure control, :func:`dashboard.tables.moves_table`), and turnover by grade and by
organisation with the rate as a percentage."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dashboard.formatting import format_percent
from dashboard.tables.workforce import in_grade_order


def steps_table(steps: Sequence[tuple[str, int]]) -> pl.DataFrame:
    """The waterfall's steps (:func:`dashboard.charts.waterfall.flow_steps`: each label with
    its signed count, leavers and transfers out negative) as ``step`` and ``people``."""
    return pl.DataFrame(list(steps), schema=["step", "people"], orient="row")


def moves_shown(moves: pl.DataFrame) -> pl.DataFrame:
    """A :func:`dashboard.tables.moves_table` as the reader's table: the count as read
    (``[c]`` where suppressed), never the rounded number beside it."""
    return moves.select("from_cluster", "to_cluster", "moves_text")


def turnover_by_grade(frame: pl.DataFrame) -> pl.DataFrame:
    """A ``turnover`` frame by grade, AA first and PS last, a grade not recorded after them."""
    return in_grade_order(frame)


def highest_turnover(frame: pl.DataFrame) -> pl.DataFrame:
    """A ``turnover`` frame by organisation, the highest rate first (ties by code)."""
    return frame.sort(["turnover_rate", "organisation_code"], descending=[True, False])


def turnover_table(frame: pl.DataFrame, dim: str) -> pl.DataFrame:
    """Turnover by ``dim`` as its chart's table: leavers, average headcount to one place and
    the rate as a percentage (``12.5%``; a rate with no average headcount stays empty)."""
    return frame.select(
        dim,
        "leavers",
        pl.col("average_headcount").round(1),
        pl.col("turnover_rate").map_elements(format_percent, return_dtype=pl.String),
    )
