"""Text that a spreadsheet would run: neutralised before rows leave as CSV or Excel.

Deliveries carry free text (a milestone's title and owner, a ledger line's cost centre and
description) and URL filters reach the files' "about" sheet.  A spreadsheet opening a CSV file
reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, so a title such as
``=HYPERLINK("https://evil.example","click")`` or ``+cmd|' /C calc'!A0`` would run on the
reader's machine (CSV or formula injection).  OWASP's guidance: prefix such a cell with a single
quote, which every spreadsheet reads as "this is text".  A leading tab, carriage return or line
feed is treated the same (some spreadsheets skip it and read the formula behind it), and so are
the full-width ``＝＋－＠``, which some convert to their ASCII forms.

A plain number written as text (``-120``, ``-1,234.5``: the measures of a protected extract are
text) is not a formula and is left alone, so a negative figure still reads as a number.

One pattern serves both the dashboard (polars) and the CLI (DuckDB): both use RE2-style regular
expressions.  No Streamlit or Plotly here: ``pipeline`` may import this module.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from core.sqltext import quote

if TYPE_CHECKING:  # polars only where a frame is neutralised: the CLI's CSV path needs none
    import polars as pl

PREFIX = "'"

# A cell a spreadsheet could take for a formula: its first character.
FORMULA_START = "^[=+\\-@\t\r\n＝＋－＠]"
# A number as text: optional sign, digits (grouped by commas or not), decimals, an exponent.
# ASCII digits only: ``\d`` would also match other scripts' digits, which are not numbers to a
# spreadsheet.
PLAIN_NUMBER = "^[+-]?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$"

_FORMULA = re.compile(FORMULA_START)
_NUMBER = re.compile(PLAIN_NUMBER)


def neutral_text(value: str) -> str:
    """One cell's text, prefixed with ``'`` if a spreadsheet could run it."""
    if _FORMULA.match(value) and not _NUMBER.match(value):
        return PREFIX + value
    return value


def neutral_column(name: str) -> pl.Expr:
    """The text column ``name`` with each cell a spreadsheet could run prefixed with ``'``
    (vectorised; nulls stay null)."""
    import polars as pl

    text = pl.col(name).cast(pl.String)
    risky = text.str.contains(FORMULA_START) & ~text.str.contains(PLAIN_NUMBER)
    return pl.when(risky).then(pl.lit(PREFIX) + text).otherwise(text).alias(name)


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text column neutralised (:func:`neutral_column`); numbers, dates
    and the other typed columns are left as they are."""
    import polars as pl

    kinds = (pl.String, pl.Categorical, pl.Enum)
    text = [name for name, dtype in frame.schema.items() if isinstance(dtype, kinds)]
    return frame.with_columns(neutral_column(name) for name in text) if text else frame


def neutral_sql(column: str) -> str:
    """A DuckDB expression: the text column ``column`` (an SQL identifier, quoted here)
    neutralised as :func:`neutral_column` does, for writers that never leave SQL."""
    ident = quote(column)
    start = FORMULA_START.replace("'", "''")
    number = PLAIN_NUMBER.replace("'", "''")
    return (
        f"CASE WHEN regexp_matches({ident}, '{start}') "
        f"AND NOT regexp_matches({ident}, '{number}') "
        f"THEN '{PREFIX}{PREFIX}' || {ident} ELSE {ident} END"
    )
