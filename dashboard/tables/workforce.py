"""The Workforce page's tables: each breakdown's rows as read (names beside codes, grades from
AA up to PS), the diversity table under disclosure control, the largest groups charted, and
the about sheet of the two dates compared as a file.

The grades' order is :func:`grade_rank`'s, which the grade pyramid
(:mod:`dashboard.charts.pyramid`) draws in too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

import polars as pl

from core.contract import GRADES
from dashboard.compare import KEYS

UNKNOWN = "unknown"  # how the metrics report a missing grade (queries.runner)
GRADE_ORDER = (*GRADES, UNKNOWN)
MEASURE_COLUMNS = ("headcount", "fte", "paybill_gbp")


def grade_rank(grade: str) -> int:
    """AA first, PS last, then ``unknown``, then anything else."""
    return GRADE_ORDER.index(grade) if grade in GRADE_ORDER else len(GRADE_ORDER)


def in_grade_order(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame``'s rows by ``grade``, AA first and PS last, a grade not recorded after them."""
    return frame.sort(pl.col("grade").map_elements(grade_rank, return_dtype=pl.Int64))


def with_codes(names: Mapping[str, str]) -> dict[str, str]:
    """Each code's name with the code after it, ``Home Office (HO)``: how charts and tables
    name a department or an organisation."""
    return {code: f"{name} ({code})" for code, name in names.items()}


def mover_labels(names: Mapping[str, str], key: str) -> dict[str, str]:
    """The movers chart's labels by code: the name with its code after it, or the name alone
    where it is its code (a cluster, a grade) or for professions, whose codes are their names
    in snake case."""
    coded = key == "profession"
    return {
        code: name if name == code or coded else f"{name} ({code})" for code, name in names.items()
    }


def most_first(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """``frame``'s rows by ``column``, the most first: the order a bar chart and its table
    read in."""
    return frame.sort(column, descending=True)


def largest(frame: pl.DataFrame, column: str, top: int) -> pl.DataFrame:
    """The ``top`` rows of ``frame`` with the most ``column``, the most first."""
    return most_first(frame, column).head(top)


def groups_table(
    groups: pl.DataFrame, level: str, heading: str, names: Mapping[str, str]
) -> pl.DataFrame:
    """A ``workforce`` frame by ``level`` as the reader's table: each group by its name
    (``names``; a code not there as it is) under ``heading``, then headcount, FTE, paybill."""
    return groups.with_columns(pl.col(level).replace(names).alias(heading)).select(
        heading, *MEASURE_COLUMNS
    )


def regions_table(by_region: pl.DataFrame) -> pl.DataFrame:
    """A ``workforce`` frame by region as the reader's table: the regions are their names."""
    return by_region.select("region", *MEASURE_COLUMNS)


def headcount_outside(frame: pl.DataFrame, column: str, shown: Sequence[str]) -> int:
    """The headcount of ``frame``'s groups of ``column`` not among ``shown`` (the people a map
    has no place for)."""
    return int(frame.filter(~pl.col(column).is_in(list(shown)))["headcount"].sum())


def diversity_grades_table(diversity: pl.DataFrame) -> pl.DataFrame:
    """A :func:`dashboard.tables.diversity_table` by grade as the reader's table, AA first:
    the protected headcount and shares as read (``[c]`` where suppressed)."""
    return in_grade_order(diversity).select(
        pl.col("grade").alias("Grade"),
        pl.col("headcount_text").alias("Headcount"),
        pl.col("women_share_text").alias("Women"),
        pl.col("ethnic_minority_share_text").alias("Ethnic minority"),
    )


def filters_text(where: Mapping[str, Sequence[str]]) -> str:
    """The filters applied, as a file's about sheet says them: ``grade in EO, HEO``, or
    ``none``."""
    return "; ".join(f"{d} in {', '.join(v)}" for d, v in where.items()) or "none"


def comparison_about(
    key: str,
    dates: tuple[date, date],
    clusters: Sequence[str],
    where: Mapping[str, Sequence[str]],
    *,
    definition: str,
    paybill: str,
    rule_said: str,
    cells: int,
    rows: int,
    extracted_by: str,
    extracted_at: datetime,
    version: str | None,
) -> dict[str, str]:
    """The about sheet of the two dates compared as a file: what it is, how it is defined and
    filtered, the disclosure rule and what it hid, who took it, when, from which warehouse."""
    return {
        "What": f"Workforce at two dates compared, by {KEYS[key].lower()}",
        "Definition": definition,
        "Paybill": paybill,
        "First date": dates[0].isoformat(),
        "Second date": dates[1].isoformat(),
        "Clusters": ", ".join(clusters) or "none",
        "Filters": filters_text(where),
        "Disclosure rule": rule_said,
        "Cells suppressed": str(cells),
        "Rows": str(rows),
        "Extracted by": extracted_by,
        "Extracted at (UTC)": extracted_at.strftime("%Y-%m-%d %H:%M:%S"),
        "Warehouse version": version if version is not None else "unknown",
    }
