"""``workforce query METRIC ...`` (shared/contract/cli.md): a metric's rows as CSV, JSON or Parquet.

The CLI reads the published warehouse read-only, so it keeps answering while a load runs.  It
has no signed-in user: whoever can read the warehouse files can read every cluster, so its
scope is all five clusters.  Notes on stale or absent clusters go to standard error, keeping
standard output for the data.

Bad input exits 2 with one line before any row is written: a date that is not exactly
``YYYY-MM-DD``, an ``--output`` whose folder does not exist or cannot be written, and a
``--where`` value that its dimension never takes (``cluster=ATLANTIS`` would otherwise print a
header and no rows, as if ATLANTIS had nobody).  The code lists are the contract's
(:mod:`core.contract`, imported only when ``--where`` is given); organisations and
departments are the register as loaded into the warehouse, the table the metrics join.
``unknown`` (the group of null values) is always valid.  ``benefits`` without ``measure`` in
``--by`` exits 2 too: benefits and programme cost are never added together (the runner refuses
it for every caller, :data:`queries.runner.KEPT_APART`).

Numbers are written at a fixed precision in every format (issue 14): money to the penny, FTE
to 2 decimals, means to their own places (:func:`queries.catalogue.written_decimals`), as
DECIMAL columns, so a CSV carries ``500000036.30``, not the float sum ``500000036.2999996``.
That is no disclosure rounding (cli.md's "unrounded" stands): only the binary noise goes.

CSV cells a spreadsheet would run as a formula are prefixed with ``'``
(:mod:`core.spreadsheet`); JSON and Parquet are written as they are.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from core.dates import ACCOUNTING_PERIOD, ISO_DATE
from core.errors import UsageError, printable
from core.warehouse import WarehouseMissing, connect_readonly
from queries.catalogue import METRICS, written_decimals
from queries.runner import (
    CLUSTERS,
    KEPT_APART,
    QueryError,
    Request,
    load_sql,
    prepare,
    quote,
    relation,
)

_PERIOD = re.compile(ACCOUNTING_PERIOD)
UNKNOWN = "unknown"  # the group of null values (runner.render)
SHOWN = 6  # valid values listed in a message


def _date(text: str, option: str) -> date:
    try:
        if not ISO_DATE.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {printable(repr(text))} is not a date (YYYY-MM-DD)") from None


def _period(text: str, option: str) -> str:
    if not _PERIOD.fullmatch(text):
        raise UsageError(f"{option} {text!r} is not an accounting period (YYYY-MM)")
    return text


def _params(metric: str, as_at: str | None, start: str | None, end: str | None) -> dict:
    wanted = load_sql(metric).params
    if "as_at" in wanted:
        if as_at is None or start or end:
            raise UsageError(f"{metric} takes --as-at YYYY-MM-DD (not --from/--to)")
        return {"as_at": _date(as_at, "--as-at")}
    if as_at is not None or start is None or end is None:
        raise UsageError(f"{metric} takes --from and --to (not --as-at)")
    if "period_from" in wanted:
        params = {"period_from": _period(start, "--from"), "period_to": _period(end, "--to")}
        low, high = params["period_from"], params["period_to"]
    else:
        params = {"date_from": _date(start, "--from"), "date_to": _date(end, "--to")}
        low, high = params["date_from"], params["date_to"]
    if high < low:
        raise UsageError(f"--to {end} is before --from {start}")
    return params


def _where(items: Sequence[str]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for item in items:
        dim, sep, value = item.partition("=")
        if not sep or not dim or not value:
            raise UsageError(f"--where {item!r} is not DIM=VALUE")
        out[dim] = (*out.get(dim, ()), value)
    return out


@dataclass(frozen=True)
class _Values:
    """The values a dimension takes: a test, and how a message describes them."""

    accepts: Callable[[str], bool]
    described: str


def _codes(codes: Sequence[str]) -> _Values:
    more = f" and {len(codes) - SHOWN} more" if len(codes) > SHOWN else ""
    return _Values(frozenset(codes).__contains__, f"valid: {', '.join(codes[:SHOWN])}{more}")


def _values(cursor: duckdb.DuckDBPyConnection, metric: str, dim: str) -> _Values | None:
    """What ``dim`` can be in ``metric``'s rows, or None when it has no fixed list."""
    if dim in ("organisation_code", "department"):
        column = "parent_department_code" if dim == "department" else dim
        rows = cursor.execute(f"SELECT DISTINCT {quote(column)} FROM organisations ORDER BY 1")
        return _codes([code for (code,) in rows.fetchall() if code is not None])
    from core import contract  # pydantic and pyarrow: only for a --where

    models = {
        "workforce": contract.EmployeeRow,
        "flows": contract.EmployeeRow,
        "contingent": contract.ContingentRow,
        "spend": contract.LedgerRow,
        "milestones": contract.MilestoneRow,
        "benefits": contract.BenefitRow,
    }
    spec = next((s for s in contract.column_specs(models[metric]) if s.name == dim), None)
    if spec is None:
        return _codes(contract.CLUSTERS) if dim == "cluster" else None
    if spec.allowed:
        return _codes(spec.allowed)
    if spec.financial_year:
        return _Values(contract.is_financial_year, "a financial year like 2024-25")
    if spec.pattern:
        pattern = re.compile(spec.pattern)
        return _Values(lambda v: bool(pattern.match(v)), "a period like 2026-10 (YYYY-MM)")
    return None


def _check_where(cursor: duckdb.DuckDBPyConnection, request: Request) -> None:
    """Every ``--where`` value is one its dimension takes (dimensions the metric does not
    have are left to the runner, which names the allowed ones)."""
    dimensions = load_sql(request.metric).dimensions
    for dim, values in request.where.items():
        allowed = _values(cursor, request.metric, dim) if dim in dimensions else None
        for value in values:
            if allowed is None or value == UNKNOWN or allowed.accepts(value):
                continue
            raise UsageError(
                f"--where {dim}={printable(value)}: no {dim} {printable(repr(value))}"
                f" ({allowed.described}, or {UNKNOWN})"
            )


def _check_output(output: Path | None) -> None:
    """A file can be written at ``output``: its folder exists and it is not a folder."""
    if output is None:
        return
    if output.is_dir():
        raise UsageError(f"--output {printable(output)} is a folder, not a file")
    if not output.parent.is_dir():
        raise UsageError(
            f"--output {printable(output)}: the folder {printable(output.parent)} does not exist"
        )


_COPY_OPTIONS = {
    "csv": "(FORMAT csv, HEADER true)",
    "json": "(FORMAT json, ARRAY true)",
    "parquet": "(FORMAT parquet)",
}


def _io_detail(error: Exception) -> str:
    """The operating system's words for a failed write (DuckDB wraps them in JSON)."""
    text = str(error).strip()
    found = re.search(r'"exception_message":"((?:[^"\\]|\\.)*)"', text)
    if found:
        text = found.group(1).replace('\\"', '"')
    lines = text.splitlines()
    return printable(lines[0] if lines else type(error).__name__)


def _write(cursor: duckdb.DuckDBPyConnection, rel: duckdb.DuckDBPyRelation, fmt: str,
           output: Path | None) -> None:  # fmt: skip
    """DuckDB writes the rows itself: no data frame library on the CLI's path.

    Standard output goes through a temporary file: DuckDB's JSON writer cannot write to a pipe.
    Numbers are written at their fixed precision (:func:`fixed_precision`) in every format.
    """
    written = fixed_precision(rel)
    if fmt == "csv":
        written = spreadsheet_safe(written)
    try:
        cursor.execute("CREATE TEMP TABLE query_result AS SELECT * FROM written")
    except duckdb.ConversionException:  # inf or NaN has no decimal places: say where it is
        raise UsageError(_not_finite(rel)) from None
    with tempfile.TemporaryDirectory() as scratch:
        target = output or Path(scratch) / f"result.{fmt}"
        literal = "'" + str(target).replace("'", "''") + "'"  # COPY takes no bound parameters
        try:
            cursor.execute(f"COPY query_result TO {literal} {_COPY_OPTIONS[fmt]}")
        except (duckdb.IOException, duckdb.PermissionException, OSError) as error:
            if output is not None and output.is_file():  # what was written is not the result
                output.unlink(missing_ok=True)
            raise UsageError(f"cannot write {printable(target)}: {_io_detail(error)}") from None
        if output is None:
            sys.stdout.flush()
            sys.stdout.buffer.write(target.read_bytes())
            sys.stdout.flush()


def spreadsheet_safe(rel: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """``rel`` with every text cell a spreadsheet could run as a formula prefixed with ``'``
    (:func:`core.spreadsheet.neutral_sql`, in SQL over whole columns); other columns, and
    text that is a plain number such as a protected "-120", as they are."""
    from core.spreadsheet import neutral_sql

    columns = [
        duckdb.SQLExpression(f"{neutral_sql(name)} AS {quote(name)}")
        if str(kind) == "VARCHAR"
        else quote(name)
        for name, kind in zip(rel.columns, rel.types, strict=True)
    ]
    return rel.select(*columns)


_BINARY = ("DOUBLE", "FLOAT")


def fixed_precision(rel: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """``rel`` with each money, FTE and mean column as DECIMAL at its written precision.

    Rounding is half away from zero on the decimal the float stands for: a DOUBLE is cast to
    its shortest round-trip text first (1.345, not the binary 1.3449999...), then to DECIMAL,
    which DuckDB rounds half away from zero: 1.35 (ROUND on the DOUBLE gives 1.34, and 1.00 for
    1.005).  A DECIMAL column is rounded the same way by its cast.  Whole-number and text
    columns, and protected cells (text, "[c]"), are left as they are.  All of it in SQL over
    whole columns, not row by row.
    """
    columns = []
    for name, kind in zip(rel.columns, rel.types, strict=True):
        places, type_name = written_decimals(name), str(kind)
        if places is None or not (type_name in _BINARY or type_name.startswith("DECIMAL")):
            columns.append(quote(name))
            continue
        value = f"{quote(name)}::VARCHAR" if type_name in _BINARY else quote(name)
        columns.append(
            duckdb.SQLExpression(f"CAST({value} AS DECIMAL(38, {places})) AS {quote(name)}")
        )
    return rel.select(*columns)


def _not_finite(rel: duckdb.DuckDBPyRelation) -> str:
    """Which column holds a value (inf, NaN) that no number of decimal places can write.

    Only on that failure, which a warehouse loaded before the ingest refused non-finite floats
    can still meet (a benefits profile's planned_gbp): the query is run a second time to say
    which column.
    """
    binary = [
        (name, written_decimals(name))
        for name, kind in zip(rel.columns, rel.types, strict=True)
        if str(kind) in _BINARY and written_decimals(name) is not None
    ]
    counts = rel.aggregate(
        ", ".join(f"count(*) FILTER (WHERE NOT isfinite({quote(name)}))" for name, _ in binary)
    ).fetchall()[0]
    for (name, places), count in zip(binary, counts, strict=True):
        if count:
            return (
                f"{name} holds {count} value(s) that are not finite numbers (inf or NaN), which"
                f" cannot be written to {places} decimal places: the delivery needs correcting"
            )
    return "a value is not a finite number and cannot be written to fixed decimal places"


_NOTES_SQL = (
    "SELECT cluster, extract_date, status FROM feed_status($as_at) "
    "WHERE status <> 'current' ORDER BY cluster"
)


def _notes(cursor: duckdb.DuckDBPyConnection, as_at: date) -> None:
    """Say on standard error which clusters are stale or absent as at the date."""
    lagging = cursor.execute(_NOTES_SQL, {"as_at": as_at}).fetchall()
    for cluster, extract_date, state in lagging:
        since = f" (latest snapshot {extract_date})" if extract_date else ""
        print(f"note: {cluster} is {state} as at {as_at}{since}", file=sys.stderr)


def _protected(cursor: duckdb.DuckDBPyConnection, rel: duckdb.DuckDBPyRelation,
               request: Request) -> duckdb.DuckDBPyRelation:  # fmt: skip
    """The rows under the published disclosure rule, as strings ("[c]" where suppressed)."""
    from queries.catalogue import disclosure_rule
    from queries.disclosure import protect, render

    rule = disclosure_rule(request.metric)
    if rule is None:
        return rel
    shown = render(protect(rel.pl(), request.by, rule))
    return cursor.from_arrow(shown.to_arrow())


def query_main(warehouse: Path, args) -> int:
    if args.metric not in METRICS:
        raise UsageError(f"unknown metric {args.metric!r} (known: {', '.join(METRICS)})")
    params = _params(args.metric, args.as_at, args.date_from, args.date_to)
    by = tuple(d.strip() for d in (args.by or "").split(",") if d.strip())
    if args.metric in KEPT_APART and KEPT_APART[args.metric][0] not in by:
        # The contract: --by must include measure, even with a --where that picks one side.
        raise UsageError(
            f"{args.metric} needs --by to include measure: benefits and programme cost are"
            " never added together"
        )
    request = Request(args.metric, CLUSTERS, params, by, _where(args.where or []))
    _check_output(args.output)
    try:
        con = connect_readonly(warehouse)
    except WarehouseMissing as error:
        raise UsageError(str(error)) from None
    with con, prepare(con, load_sql(request.metric).text, _NOTES_SQL) as cursor:
        _check_where(cursor, request)
        try:
            rel = relation(cursor, request)
        except (QueryError, duckdb.BinderException) as error:
            raise UsageError(str(error).splitlines()[0]) from None
        if "as_at" in params and args.metric not in ("milestones", "benefits"):
            _notes(cursor, params["as_at"])
        if args.disclosure_control:
            rel = _protected(cursor, rel, request)
        _write(cursor, rel, args.format, args.output)
    return 0
