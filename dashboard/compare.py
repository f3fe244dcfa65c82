"""Two dates compared for one breakdown: headcount, FTE and paybill at each date, the change
and the % change.  Pure polars, no Streamlit, so every figure is tested on its own
(``tests/test_compare.py``).

No metric of its own: the numbers are the one ``workforce`` metric's rows run at both dates,
joined here on the breakdown.  A group present at only one date had nobody at the other, so
it reads 0 there and its change is all of it; its % change is *not available* when it had
nobody at the first date (a rate from nothing), never infinity.

Paybill is the HR figure (annualised basic pay, salary × FTE), not the ledger's pay spend.

Files leave under disclosure control for every role but admin (:func:`protected_compare`):
each date's rows are protected first, by the published ``workforce`` rule, and the change is
worked out from the protected figures.  A change or % change beside a suppressed figure is
suppressed too, so nothing hidden can be recovered by subtraction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import polars as pl

from core.contract import REGIONS
from dashboard import glossary
from dashboard.formatting import format_short_date
from queries.disclosure import SUPPRESSED, DisclosureRule, protect

# The breakdowns two dates can be compared by (a fixed list: a key is checked against it).
KEYS: dict[str, str] = {
    "cluster": "Cluster",
    "department": "Department",
    "organisation_code": "Organisation",
    "grade": "Grade",
    "profession": "Profession",
    "region": "Region",
}
NAMED = ("department", "organisation_code", "region", "profession")  # names beside the codes
MEASURES: dict[str, str] = {"headcount": "Headcount", "fte": "FTE", "paybill_gbp": "Paybill"}
NOT_AVAILABLE = "not available"
NOT_RECORDED = glossary.NOT_RECORDED  # the name of the "unknown" group, as everywhere
UNKNOWN = "unknown"


def _check(key: str) -> None:
    if key not in KEYS:
        raise ValueError(f"cannot compare by {key!r} (allowed: {', '.join(KEYS)})")


def compare_dates(at_a: pl.DataFrame, at_b: pl.DataFrame, key: str) -> pl.DataFrame:
    """The ``workforce`` rows by ``key`` at the first date (``at_a``) and the second (``at_b``)
    side by side, one row per group found at either date, by group.

    Columns: ``key``, then for each measure ``<m>_a``, ``<m>_b``, ``<m>_change`` (b − a) and
    ``<m>_change_pct`` (the change as a ratio of a; null when a is 0 or null).  A group
    missing from one date reads 0 there; a null figure (suppressed) stays null, and so does
    every change worked out from it."""
    _check(key)

    def side(frame: pl.DataFrame, suffix: str) -> pl.DataFrame:
        return frame.select(
            pl.col(key).cast(pl.String),
            *(pl.col(m).alias(f"{m}_{suffix}") for m in MEASURES),
            pl.lit(True).alias(f"_at_{suffix}"),
        )

    joined = side(at_a, "a").join(side(at_b, "b"), on=key, how="full", coalesce=True)
    filled = joined.with_columns(
        pl.when(pl.col(f"_at_{s}").is_null())
        .then(0)
        .otherwise(pl.col(f"{m}_{s}"))
        .alias(f"{m}_{s}")
        for m in MEASURES
        for s in ("a", "b")
    )
    columns = [pl.col(key)]
    for m in MEASURES:
        a, b = pl.col(f"{m}_a"), pl.col(f"{m}_b")
        change = b - a
        pct = pl.when(a != 0).then(change.cast(pl.Float64) / a).otherwise(None)
        columns += [a, b, change.alias(f"{m}_change"), pct.alias(f"{m}_change_pct")]
    return filled.select(columns).sort(key)


def protected_compare(
    at_a: pl.DataFrame, at_b: pl.DataFrame, key: str, rule: DisclosureRule
) -> tuple[pl.DataFrame, int]:
    """:func:`compare_dates` of the two dates' rows each under ``rule`` (suppressed figures
    null, the others rounded), and the cells suppressed at both dates together."""
    _check(key)
    shown_a = protect(at_a.select(key, *MEASURES), [key], rule)
    shown_b = protect(at_b.select(key, *MEASURES), [key], rule)
    table = compare_dates(shown_a.values, shown_b.values, key)
    return table, shown_a.cells_suppressed + shown_b.cells_suppressed


def largest_movers(table: pl.DataFrame, measure: str, n: int = 10) -> pl.DataFrame:
    """The ``n`` rows of :func:`compare_dates` whose ``measure`` changed most either way
    (by absolute change, then by group), largest first; unchanged and suppressed rows left out."""
    change = pl.col(f"{measure}_change")
    key = table.columns[0]
    moved = table.filter(change.is_not_null() & (change != 0))
    return moved.sort(change.abs(), pl.col(key), descending=[True, False]).head(n)


def group_names(
    key: str,
    codes: list[str],
    organisations: Mapping[str, str],
    departments: Mapping[str, str],
) -> dict[str, str]:
    """Code → name for the groups of ``key``: organisations and departments from the register,
    regions from the contract's code list (extracts.md §8), professions in words; the null
    group reads "Not recorded"; a code with no name keeps its code."""
    _check(key)
    lookup: Mapping[str, str] = {
        "organisation_code": organisations,
        "department": departments,
        "region": REGIONS,
    }.get(key, {})
    names = {}
    for code in codes:
        if code == UNKNOWN:
            names[code] = NOT_RECORDED
        elif key == "profession":
            names[code] = glossary.PROFESSIONS.get(code, code.replace("_", " ").capitalize())
        else:
            names[code] = lookup.get(code, code)
    return names


def screen_rows(
    table: pl.DataFrame, key: str, names: Mapping[str, str], first: date
) -> pl.DataFrame:
    """The rows as the page's table shows them: the group (and its name, for named
    breakdowns), the figures with each % change in percent, and a note on a group new since
    the ``first`` date (its % change not available) or gone by the second."""
    new = pl.col("headcount_a") == 0
    note = (
        pl.when(new)
        .then(pl.lit(f"New since {format_short_date(first)}: % change {NOT_AVAILABLE}"))
        .when(pl.col("headcount_b") == 0)
        .then(pl.lit("Nobody at the second date"))
        .otherwise(pl.lit(""))
        .alias("note")
    )
    group = _group(key, names)
    if key == "profession":  # the code is the name in snake case: on screen, the name alone
        group = [pl.col(key).replace_strict(names, default=pl.col(key))]
    return table.select(
        *group,
        *(
            (pl.col(c) * 100).alias(c) if c.endswith("_pct") else pl.col(c)
            for c in table.columns
            if c != key
        ),
        note,
    )


def _group(key: str, names: Mapping[str, str]) -> list[pl.Expr]:
    if key not in NAMED:
        return [pl.col(key)]
    return [pl.col(key), pl.col(key).replace_strict(names, default=pl.col(key)).alias("name")]


def download_rows(
    table: pl.DataFrame, key: str, names: Mapping[str, str], dates: tuple[date, date]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows of a download, typed, and where they are suppressed.

    Rows: the group (and its name, for named breakdowns), then per measure the figure at each
    date (the date in the column's name), the change and the % change (in percent, one
    decimal; null when not available).  The mask has a column per measure column, True where
    the cell is suppressed: a figure that is null in ``table`` (:func:`protected_compare`), and
    the change and % change worked out from it."""
    a, b = (d.isoformat() for d in dates)
    columns, hidden = [], []
    for m in MEASURES:
        gone = pl.col(f"{m}_a").is_null() | pl.col(f"{m}_b").is_null()
        for column, name in (
            (pl.col(f"{m}_a"), f"{m}_{a}"),
            (pl.col(f"{m}_b"), f"{m}_{b}"),
            (pl.col(f"{m}_change"), f"{m}_change"),
            ((pl.col(f"{m}_change_pct") * 100).round(1), f"{m}_change_pct"),
        ):
            columns.append(column.alias(name))
            hidden.append((column.is_null() & gone).alias(name))
    return table.select(*_group(key, names), *columns), table.select(hidden)


def as_text(rows: pl.DataFrame, suppressed: pl.DataFrame) -> pl.DataFrame:
    """Typed :func:`download_rows` as a protected CSV reads, like every protected extract:
    ``[c]`` where suppressed, "not available" for a % change from nobody, whole numbers (and
    % changes to one decimal) as plain text."""
    return rows.with_columns(
        pl.when(pl.lit(suppressed[c]))
        .then(pl.lit(SUPPRESSED))
        .when(pl.col(c).is_null())
        .then(pl.lit(NOT_AVAILABLE))
        .otherwise(
            pl.col(c).cast(pl.String)
            if c.endswith("_pct")
            else pl.col(c).cast(pl.Int64).cast(pl.String)
        )
        .alias(c)
        for c in suppressed.columns
    )
