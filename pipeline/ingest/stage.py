"""Staging one delivery's files and finding their faulty rows, inside the load transaction.

Each file is read once into a temp table ``stage_<file>`` (its contract columns and ``_row``,
the 0-based row of the file); the row rules then run as one query per file into
``faults_<file>`` (``_row``, ``reasons``).  The ledger is also compared with the lines already
stored: identical re-sends are counted and skipped, different content is a conflict fault.

A native delivery's file (sources.md) is conformed instead of read
(:func:`pipeline.sources.conform.conform_file`): ``stage_<file>`` then has the same contract
columns, its conforming faults are folded into ``faults_<file>``, and the quarantine keeps the
row as delivered (``raw_<file>``: its native columns, never the NI number or date of birth).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from core.contract import COMPOSITE_KEYS, column_specs
from core.systems import native_columns
from pipeline.ingest.checked import CheckedDelivery, CheckedFile
from pipeline.ingest.errors import DeliveryRefused
from pipeline.ingest.rules import faults_sql, row_rules
from pipeline.ingest.schema import ENUM_COLUMNS
from pipeline.sources import conform, csvfile
from pipeline.sources.mapping import TABLE_COLUMNS
from pipeline.sql import Params, bound, ident, idents, sql_type

QUARANTINE_LIMIT = 0.005  # more than 0.5% of a file's rows faulty refuses the delivery
ROW = "_row"
CONFLICT = "(journal_id, line_number) was loaded before with different content"


def stem(file: str) -> str:
    return file.removesuffix(".parquet")


@dataclass
class LedgerCheck:
    resent_skipped: int = 0
    conflicts: int = 0


def stage_file(con: duckdb.DuckDBPyConnection, checked: CheckedDelivery, f: CheckedFile) -> None:
    """Read the file into ``stage_<file>``; an unreadable page refuses the delivery."""
    if f.source:
        stage_native(con, checked, f)
        return
    names = [s.name for s in column_specs(f.model)]
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {ident('stage_' + stem(f.name))} AS"
            f" SELECT file_row_number AS {ROW}, {idents(names)}"
            " FROM read_parquet($path, file_row_number = true)",
            {"path": str(f.path)},
        )
    except duckdb.Error as error:
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DeliveryRefused(
            f"{checked.delivery.label} {f.name}: not a readable parquet file ({detail})"
        ) from None


def stage_native(con: duckdb.DuckDBPyConnection, checked: CheckedDelivery, f: CheckedFile) -> None:
    """Conform a native CSV into ``stage_<file>`` (and its conforming faults, raw rows)."""
    mapping, label = checked.mapping, f"{checked.delivery.label} {f.shown}"
    assert mapping is not None and checked.secret is not None and f.source is not None
    try:  # the bytes the checks read and hashed (read again only if they were not kept)
        data = f.data if f.data is not None else csvfile.read_bytes(f.path, mapping.spec.encoding)
        f.data = None
        rows = csvfile.read_rows(data, native_columns(mapping.spec.system, f.source))
    except (OSError, UnicodeDecodeError):
        raise DeliveryRefused(f"{label}: changed or unreadable while being loaded") from None
    except csvfile.MalformedCsv as error:
        raise DeliveryRefused(f"{label}: not a well-formed CSV ({error})") from None
    del data
    if rows.height != f.rows:
        raise DeliveryRefused(f"{label}: has {rows.height} rows but the manifest says {f.rows}")
    conform.create_mapping_tables(con, mapping, f.source)
    try:
        conform.conform_file(
            con,
            rows,
            native=f.source,
            stem=stem(f.name),
            mapping=mapping,
            extract_date=checked.delivery.extract_date,
            secret=checked.secret.get_secret_value(),
        )
    except conform.Unparseable as error:
        raise DeliveryRefused(f"{label}: {error}") from None
    except (duckdb.IOException, duckdb.FatalException, duckdb.OutOfMemoryException):
        raise  # the machine's failure, not the delivery's: the run stops (run.py)
    except duckdb.Error as error:  # its text may quote a value (an NI number): not shown
        raise DeliveryRefused(
            f"{label}: could not be conformed ({type(error).__name__}; values not shown)"
        ) from None


def find_faults(
    con: duckdb.DuckDBPyConnection,
    checked: CheckedDelivery,
    f: CheckedFile,
    organisations: list[str],
) -> None:
    """``faults_<file>``: (_row, reasons) for every row that breaks a rule of the contract."""
    d = checked.delivery
    p = Params(extract_date=d.extract_date)
    table = "stage_" + stem(f.name)
    rules = row_rules(f.model, f.name, table, p, d.feed, organisations)
    query = faults_sql(rules, table, p, ROW)
    sql = f"CREATE OR REPLACE TEMP TABLE {ident('faults_' + stem(f.name))} AS {query}"
    con.execute(sql, bound(sql, p.values))
    if f.source:
        conform.merge_faults(con, stem(f.name))


def typed(f: CheckedFile, alias: str, skip: tuple[str, ...] = ()) -> str:
    """The file's contract columns (but ``skip``) cast to the warehouse's types."""
    return ", ".join(
        f"CAST({alias}.{ident(s.name)} AS {sql_type(s, ENUM_COLUMNS)}) AS {ident(s.name)}"
        for s in column_specs(f.model)
        if s.name not in skip
    )


def good_rows(f: CheckedFile) -> str:
    """FROM-clause of the staged rows without faults, aliased ``s``."""
    return (
        f"{ident('stage_' + stem(f.name))} AS s"
        f" ANTI JOIN {ident('faults_' + stem(f.name))} AS f USING ({ROW})"
    )


def typed_ok_rows(con: duckdb.DuckDBPyConnection, f: CheckedFile) -> str:
    """``ok_<file>``: the rows without faults, cast to the warehouse's types; returns its name."""
    name = "ok_" + stem(f.name)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {ident(name)} AS"
        f" SELECT s.{ROW}, {typed(f, 's')} FROM {good_rows(f)}"
    )
    return name


def check_ledger(con: duckdb.DuckDBPyConnection, f: CheckedFile, cluster: str) -> LedgerCheck:
    """Classify the ledger's good rows against the stored lines of the cluster.

    ``ok_ledger`` gets a ``status``: ``new`` (first copy of a line not stored: to insert),
    ``resent`` (stored with identical content, or a further copy within the file: skipped) or
    ``conflict`` (stored with different content: added to ``faults_ledger``)."""
    key = COMPOSITE_KEYS[f.name]
    rest = tuple(s.name for s in column_specs(f.model) if s.name not in key)
    same = " AND ".join(f"o.{ident(c)} IS NOT DISTINCT FROM l.{ident(c)}" for c in rest)
    on = " AND ".join(f"o.{ident(c)} = l.{ident(c)}" for c in key)
    typed_ok_rows(con, f)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE ok_ledger AS
        SELECT o.*, CASE
            WHEN l.{ident(key[0])} IS NULL THEN
                CASE WHEN row_number() OVER (PARTITION BY {idents(key, "o")} ORDER BY o.{ROW}) = 1
                THEN 'new' ELSE 'resent' END
            WHEN {same} THEN 'resent' ELSE 'conflict' END AS status
        FROM ok_ledger AS o
        LEFT JOIN (SELECT * FROM ledger_lines WHERE cluster = $cluster) AS l ON {on}""",
        {"cluster": cluster},
    )
    con.execute(
        f"INSERT INTO faults_ledger SELECT {ROW}, [$reason] FROM ok_ledger"
        " WHERE status = 'conflict'",
        {"reason": CONFLICT},
    )
    counts = dict(con.execute("SELECT status, count(*) FROM ok_ledger GROUP BY 1").fetchall())
    con.execute("DELETE FROM ok_ledger WHERE status = 'conflict'")
    return LedgerCheck(resent_skipped=counts.get("resent", 0), conflicts=counts.get("conflict", 0))


def enforce_limit(con: duckdb.DuckDBPyConnection, checked: CheckedDelivery, f: CheckedFile) -> int:
    """The number of faulty rows of the file; refuses the delivery above the 0.5% limit."""
    faults = ident("faults_" + stem(f.name))
    bad = con.execute(f"SELECT count(*) FROM {faults}").fetchone()[0]
    if bad and bad > QUARANTINE_LIMIT * f.rows:
        counts = con.execute(
            f"SELECT reason, count(*) AS n FROM (SELECT unnest(reasons) AS reason FROM {faults})"
            " GROUP BY reason ORDER BY n DESC, reason"
        ).fetchall()
        detail = ", ".join(f"{n} × {reason}" for reason, n in counts)
        raise DeliveryRefused(
            f"{checked.delivery.label} {f.shown}: {bad} of {f.rows} rows"
            f" ({100 * bad / f.rows:.3g}%) broke rules"
            f" (limit {100 * QUARANTINE_LIMIT:g}%): {detail}"
        )
    return bad


def quarantine(
    con: duckdb.DuckDBPyConnection, checked: CheckedDelivery, f: CheckedFile, load_id: int
) -> None:
    """Hold back the file's faulty rows as delivered, each with its reasons."""
    if f.source:  # a native row as delivered, less what is never kept (raw_<file>)
        found = con.execute(f"SELECT * FROM {ident('raw_' + stem(f.name))} LIMIT 0").description
        names = [column[0] for column in found if column[0] != ROW]
        rows = "raw_"
    else:
        names, rows = [s.name for s in column_specs(f.model)], "stage_"
    row = ", ".join(f"{ident(n)} := s.{ident(n)}" for n in names)
    con.execute(
        f"""INSERT INTO quarantine
        SELECT $load_id, $feed, $extract_date, $file, f.{ROW}, array_to_string(f.reasons, '; '),
            to_json(struct_pack({row}))
        FROM {ident("faults_" + stem(f.name))} AS f
        JOIN {ident(rows + stem(f.name))} AS s USING ({ROW}) ORDER BY f.{ROW}""",
        {
            "load_id": load_id,
            "feed": checked.delivery.feed,
            "extract_date": checked.delivery.extract_date,
            "file": f.shown,
        },
    )


def drop_temp(con: duckdb.DuckDBPyConnection, files: list[str]) -> None:
    """Free the delivery's working tables (staging, faults, and the history's own)."""
    views = {v for (v,) in con.execute("SELECT view_name FROM duckdb_views() WHERE temporary")
             .fetchall()}  # fmt: skip
    for name in ("raw_" + stem(f) for f in files):  # native rows as delivered: a view
        if name in views:
            con.unregister(name)
    prefixes = ("stage_", "faults_", "ok_", "conform_faults_")
    names = [prefix + stem(f) for f in files for prefix in prefixes]
    names += ["map_" + table for table in TABLE_COLUMNS]
    for name in [*names, "new_employees", "new_managers", "hist_chg", "hist_merge"]:
        con.execute(f"DROP TABLE IF EXISTS temp.{ident(name)}")
