"""SQL for each contract column of a native file, built from :mod:`.systems` (sources.md §3).

:func:`derive` turns one :class:`~core.systems.Derived` into an SQL expression over
the file's trimmed text columns (alias ``t``), and records on the :class:`Build` what the
statement also needs: the mapping joins, the parse of each value (computed once, in a layer
below: a value and its check both read it), the checks whose failure refuses the delivery and
the reasons that quarantine a row.  Only names from this project are written into the SQL;
every value (patterns, formats, the secret's pads) is a bound parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core import systems as sy
from pipeline.sources import person_key as pk
from pipeline.sources.mapping import MappingFile
from pipeline.sql import Params, ident

NUMBER_RE = r"[+-]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]*)?|[+-]?\.[0-9]+"
INTEGER_RE = r"[+-]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)"
ISO_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


class Unparseable(ValueError):
    """A value that cannot be read as its column's type: refuses the delivery."""


@dataclass
class Check:
    column: str  # the native column
    expected: str  # what it should have been, for the message
    flag: str  # SQL, true when the row's value is bad
    sensitive: bool = False


@dataclass
class Build:
    """The pieces of the one statement, collected column by column."""

    mapping: MappingFile
    p: Params
    sensitive: frozenset[str]
    select: list[str] = field(default_factory=list)
    joins: list[str] = field(default_factory=list)
    checks: dict[tuple[str, str], Check] = field(default_factory=dict)
    whys: list[tuple[str, str]] = field(default_factory=list)  # (reason SQL, nulled column)
    middle: dict[str, str] = field(default_factory=dict)  # parse expression -> its alias
    literals: dict[str, str] = field(default_factory=dict)

    def v(self, column: str) -> str:
        return f"t.{ident(column)}"

    def check(self, column: str, expected: str, flag: str) -> None:
        key = (column, expected)
        if key not in self.checks:
            self.checks[key] = Check(column, expected, flag, column in self.sensitive)

    def parsed(self, expr: str) -> str:
        """``expr`` computed once per row, in the layer below the contract columns (a value
        and its check both read it); returns how to refer to it."""
        if expr not in self.middle:
            self.middle[expr] = f"_p{len(self.middle)}"
        return f"t.{self.middle[expr]}"

    def number(self, column: str, decimal: bool = False) -> str:
        v = self.v(column)
        # money: exact, and narrow enough that debit - credit cannot overflow DuckDB's 38 digits
        kind = "DECIMAL(30, 10)" if decimal else "DOUBLE"
        value = self.parsed(
            f"CASE WHEN regexp_full_match({v}, {self.lit(NUMBER_RE)})"
            f" THEN TRY_CAST(replace({v}, ',', '') AS {kind}) END"
        )
        self.check(column, "a number", f"{value} IS NULL")
        return value

    def integer(self, column: str) -> str:
        v = self.v(column)
        value = self.parsed(
            f"CASE WHEN regexp_full_match({v}, {self.lit(INTEGER_RE)})"
            f" THEN TRY_CAST(replace({v}, ',', '') AS BIGINT) END"
        )
        self.check(column, "a whole number", f"{value} IS NULL")
        return value

    def date(self, column: str, *formats: str) -> str:
        v = self.v(column)
        fmts = [*formats, self.mapping.spec.date_format]
        tries = [f"try_strptime({v}, {self.lit(f)})::DATE" for f in dict.fromkeys(fmts)]
        iso = f"CASE WHEN regexp_full_match({v}, {self.lit(ISO_RE)}) THEN TRY_CAST({v} AS DATE) END"
        value = self.parsed(f"coalesce({iso}, {', '.join(tries)})")  # ISO first: cheap, common
        self.check(column, f"a date ({' or '.join(dict.fromkeys(fmts))} or YYYY-MM-DD)",
                   f"{value} IS NULL")  # fmt: skip
        return value

    def lit(self, value: object) -> str:
        """A bound value, one placeholder per distinct value (so equal SQL is equal text)."""
        key = repr(value)
        if key not in self.literals:
            self.literals[key] = self.p(value)
        return self.literals[key]

    def why(self, condition: str, reason: str, nulled: str) -> None:
        self.whys.append((f"CASE WHEN {condition} THEN {reason} END", nulled))


def sql_text(value: str) -> str:
    """SQL string literal (only for names from this project: columns, files, tables)."""
    return "'" + value.replace("'", "''") + "'"


def derive(b: Build, d: sy.Derived, i: int, extract_date: str, secret: tuple[str, str]) -> str:
    """SQL for the contract column ``d.column``; records checks and reasons on ``b``."""
    src = d.source
    v = b.v(src[0])
    if d.how == sy.TEXT:
        return v
    if d.how == sy.MAPPED:
        m = f"m{i}"
        b.joins.append(f"LEFT JOIN {ident('map_' + d.table)} AS {m} ON {m}.k = {v}")
        reason = (
            f"{sql_text(d.column + ' ')} || '''' || {v} || '''' ||"
            f" {sql_text(f' is not in {b.mapping.file} [{d.table}]')}"
        )
        b.why(f"{v} IS NOT NULL AND {m}.k IS NULL", reason, d.column)
        return f"nullif({m}.v, '')"
    if d.how == sy.NUMBER:
        return b.number(src[0])
    if d.how == sy.INTEGER:
        return b.integer(src[0])
    if d.how in (sy.DATE, sy.COMPACT_DATE):
        return b.date(src[0], *(("%Y%m%d",) if d.how == sy.COMPACT_DATE else ()))
    if d.how == sy.PERSON_KEY:
        valid = b.parsed(pk.valid_sql(pk.normalised_sql(v)))
        reason = sql_text(f"{src[0]} is not a national insurance number (2 letters, 6 digits, A-D)")
        b.why(f"{v} IS NOT NULL AND NOT {valid}", reason, d.column)
        ni = b.parsed(pk.normalised_sql(v))
        return f"CASE WHEN {valid} THEN {pk.hmac_sql(ni, *secret)} END"
    if d.how == sy.AGE_BAND:
        age = pk.age_sql(b.date(src[0]), extract_date)
        reason = sql_text(f"{src[0]} gives an age under 16 on the extract date")
        b.why(f"{age} < 16", reason, d.column)
        return pk.age_band_sql(age)
    if d.how == sy.SALARY_BASIS:
        amount, basis = b.number(src[0]), f"upper({b.v(src[1])})"
        reason = (
            f"{sql_text(src[1] + ' ')} || coalesce('''' || {b.v(src[1])} || '''', 'empty') ||"
            f" {sql_text(' is not ANNUAL or MONTHLY')}"
        )
        b.why(f"{v} IS NOT NULL AND {basis} IS DISTINCT FROM 'ANNUAL'"
              f" AND {basis} IS DISTINCT FROM 'MONTHLY'", reason, d.column)  # fmt: skip
        return (
            f"CASE {basis} WHEN 'MONTHLY' THEN round({amount} * 12, 2)"
            f" WHEN 'ANNUAL' THEN {amount} END"
        )
    if d.how == sy.FTE_HOURS:
        hours = b.p(float(b.mapping.spec.standard_weekly_hours or 0))
        return f"round({b.number(src[0])} / {hours}, 6)"
    if d.how == sy.DEBIT_CREDIT:
        dr, cr = (b.number(c, decimal=True) for c in src)
        return f"coalesce({dr}, 0) - coalesce({cr}, 0)"
    if d.how == sy.AMOUNT:
        return b.number(src[0], decimal=True)
    if d.how == sy.PERIOD_MON_YY:
        month = f"list_position({b.p(MONTHS)}, upper(left({v}, 3)))"
        flag = f"NOT (regexp_full_match({v}, '[A-Za-z]{{3}}-[0-9]{{2}}') AND {month} > 0)"
        b.check(src[0], "a period MON-YY like OCT-26", flag)
        return f"printf('%04d-%02d', 2000 + TRY_CAST(right({v}, 2) AS INTEGER), {month})"
    if d.how == sy.PERIOD_OF_DATE:
        return f"strftime({b.date(src[0])}, '%Y-%m')"
    if d.how == sy.PERIOD_FISCAL:
        year, period = b.integer(src[0]), b.integer(src[1])
        b.check(src[1], "a posting period 001 to 012", f"NOT ({period} BETWEEN 1 AND 12)")
        start = b.p(int(b.mapping.spec.financial_year_start_month or 1))
        m0 = f"({start} - 1 + {period} - 1)"
        return f"printf('%04d-%02d', {year} + {m0} // 12, {m0} % 12 + 1)"
    raise ValueError(f"unknown derivation {d.how}")  # pragma: no cover: systems.py is fixed
