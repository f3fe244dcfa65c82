"""The tables whose counts of people go through disclosure control, and the count of the cells
that control hid (for the audit).

:func:`diversity_table` and :func:`moves_table` protect their counts with
:func:`queries.disclosure.protect` (rounded to 5, small cells ``[c]``), a share recomputed from
the protected counts only where neither is suppressed; :func:`suppressed_cells` counts the
``[c]`` a page shows.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dashboard.formatting import format_count, format_percent
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
