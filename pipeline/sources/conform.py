"""Native rows to the contract's columns, in DuckDB (sources.md §3–§4).

One statement per file builds ``stage_<file>``: the contract's columns (as the contract ingest
stages them, so the contract's row rules then run unchanged) plus helper columns: one
``_bad<i>`` flag per value that could not be parsed and one ``_why<i>`` reason per value that
could not be conformed.  Coded columns are looked up by LEFT JOINs against the mapping's
tables (temp tables ``map_<table>``); nothing runs per row in Python.  Then:

* a value that cannot be parsed (a date, a number, a period) refuses the delivery, naming the
  file, the column, the first row (rows counted from 1 after the header) and, unless it is a
  date of birth, the value: the export is not what the mapping says;
* a value the mapping does not know, a malformed NI number, an unknown salary basis or a
  birth date giving an age under 16 quarantines the row: ``conform_faults_<file>`` holds
  (``_row``, ``reasons``, ``nulled``: the contract columns left null by it);
* ``raw_<file>`` (a registered view) keeps the rows as delivered, for the quarantine,
  without the NI number and date of birth columns, which are read only inside the statement
  that derives ``person_key`` and ``age_band``.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from core import systems as sy
from pipeline.sources import person_key as pk
from pipeline.sources.csvfile import ROW, in_batches
from pipeline.sources.derive import Build, Check, Unparseable, derive, sql_text
from pipeline.sources.mapping import MappingFile
from pipeline.sql import Params, bound, ident


def create_mapping_tables(
    con: duckdb.DuckDBPyConnection, mapping: MappingFile, native: str
) -> None:
    """``map_<table>`` (k, v) for each table the native file uses ("" kept: it means null)."""
    used = dict.fromkeys(d.table for d in sy.COLUMNS[mapping.spec.system][native] if d.table)
    for table in used:
        entries = mapping.table(table)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {ident('map_' + table)} AS"
            " SELECT unnest($k::VARCHAR[]) AS k, unnest($v::VARCHAR[]) AS v",
            {"k": list(entries), "v": list(entries.values())},
        )


def conform_file(
    con: duckdb.DuckDBPyConnection,
    rows: pl.DataFrame,
    *,
    native: str,
    stem: str,
    mapping: MappingFile,
    extract_date: date,
    secret: str,
) -> None:
    """``stage_<stem>``, ``conform_faults_<stem>`` and ``raw_<stem>`` from the native rows
    (text columns and ``_row``); :class:`Unparseable` for a value that cannot be read."""
    system = mapping.spec.system
    sensitive = sy.sensitive_columns(system, native)
    p = Params(extract_date=extract_date)
    ipad, opad = pk.hmac_pads(secret)
    b = Build(mapping, p, sensitive)
    columns = sy.native_columns(system, native)
    # Values are matched after trimming spaces, and a blank is null: done by polars (faster
    # than DuckDB's trim here); Arrow string views hand both frames over without copying.
    trimmed = rows.with_columns(pl.col(c).str.strip_chars(" ").replace("", None) for c in columns)
    newest = pl.CompatLevel.newest()
    source, table = f"csv_{stem}", rows.to_arrow(compat_level=newest)
    con.register(source, in_batches(trimmed.to_arrow(compat_level=newest)))
    try:
        for i, d in enumerate(sy.COLUMNS[system][native]):
            expr = derive(b, d, i, "$extract_date", (p(ipad), p(opad)))
            b.select.append(f"{expr} AS {ident(d.column)}")
        # three layers: trimmed text; each value parsed once; the contract columns and checks
        below = f"{ident(source)} AS t"
        middle = "".join(f", {expr} AS {alias}" for expr, alias in b.middle.items())
        checks = list(b.checks.values())
        helpers = [f"coalesce({c.flag}, false) AND t.{ident(c.column)} IS NOT NULL AS _bad{i}"
                   for i, c in enumerate(checks)]  # fmt: skip
        helpers += [f"{sql} AS _why{i}" for i, (sql, _) in enumerate(b.whys)]
        sql = (
            f"CREATE OR REPLACE TEMP TABLE {ident('stage_' + stem)} AS"
            f" SELECT t.{ROW}, {', '.join(b.select + helpers)}"
            f" FROM (SELECT t.*{middle} FROM {below}) AS t {' '.join(b.joins)}"
        )
        con.execute(sql, bound(sql, p.values))
    finally:
        con.unregister(source)
    # The rows as delivered, for the quarantine: a view of the Arrow table without the NI
    # number and date of birth columns (no copy); dropped with the delivery's temp tables.
    con.register("raw_" + stem, table.drop_columns(sorted(sensitive)))
    _refuse_unparseable(con, stem, checks, rows)
    _conform_faults(con, stem, b.whys)


def _refuse_unparseable(
    con: duckdb.DuckDBPyConnection, stem: str, checks: list[Check], rows: pl.DataFrame
) -> None:
    if not checks:
        return
    parts = ", ".join(f"count_if(_bad{i}), min({ROW}) FILTER (_bad{i})" for i in range(len(checks)))
    found = con.execute(f"SELECT {parts} FROM {ident('stage_' + stem)}").fetchone()
    for i, check in enumerate(checks):
        count, row = found[2 * i], found[2 * i + 1]
        if not count:
            continue
        value = "" if check.sensitive else f" {rows[row, check.column].strip()!r}"
        more = f" ({count} rows like it)" if count > 1 else ""
        raise Unparseable(
            f"column {check.column}, row {row + 1}:{value} is not {check.expected}{more}"
        )


def _conform_faults(con: duckdb.DuckDBPyConnection, stem: str, whys: list[tuple[str, str]]) -> None:
    table = ident("conform_faults_" + stem)
    if not whys:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table}"
            f" ({ROW} BIGINT, reasons VARCHAR[], nulled VARCHAR[])"
        )
        return
    reasons = ", ".join(f"_why{i}" for i in range(len(whys)))
    nulled = ", ".join(
        f"CASE WHEN _why{i} IS NOT NULL THEN {sql_text(column + ' must not be null')} END"
        for i, (_, column) in enumerate(whys)
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS"
        f" SELECT {ROW}, list_filter([{reasons}], lambda x: x IS NOT NULL) AS reasons,"
        f" list_filter([{nulled}], lambda x: x IS NOT NULL) AS nulled"
        f" FROM {ident('stage_' + stem)}"
        f" WHERE {' OR '.join(f'_why{i} IS NOT NULL' for i in range(len(whys)))}"
    )


def merge_faults(con: duckdb.DuckDBPyConnection, stem: str) -> None:
    """Fold the conforming faults into ``faults_<stem>`` (the contract rules' faults): a row's
    conforming reasons first, then the contract's, less the "must not be null" that only
    repeats a conforming fault (an unmapped employment type left the column null)."""
    faults, conform = ident("faults_" + stem), ident("conform_faults_" + stem)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {faults} AS
        SELECT {ROW}, list_concat(coalesce(c.reasons, []), list_filter(coalesce(f.reasons, []),
            lambda r: NOT list_contains(coalesce(c.nulled, []), r))) AS reasons
        FROM {conform} AS c FULL JOIN {faults} AS f USING ({ROW})"""
    )
