"""``workforce query METRIC ...`` (shared/contract/cli.md): a metric's rows as CSV, JSON or Parquet.

The CLI reads the published warehouse read-only, so it keeps answering while a load runs.  It
has no signed-in user: whoever can read the warehouse files can read every cluster, so its
scope is all five clusters.  Notes on stale or absent clusters go to standard error, keeping
standard output for the data.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb

from pipeline.errors import UsageError
from pipeline.warehouse import WarehouseMissing, connect_readonly
from queries.catalogue import METRICS
from queries.runner import CLUSTERS, QueryError, Request, load_sql, prepare, relation

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


def _period(text: str, option: str) -> str:
    if not _PERIOD.match(text):
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


_COPY_OPTIONS = {
    "csv": "(FORMAT csv, HEADER true)",
    "json": "(FORMAT json, ARRAY true)",
    "parquet": "(FORMAT parquet)",
}


def _write(cursor: duckdb.DuckDBPyConnection, rel: duckdb.DuckDBPyRelation, fmt: str,
           output: Path | None) -> None:  # fmt: skip
    """DuckDB writes the rows itself: no data frame library on the CLI's path.

    Standard output goes through a temporary file: DuckDB's JSON writer cannot write to a pipe.
    """
    cursor.execute("CREATE TEMP TABLE query_result AS SELECT * FROM rel")
    with tempfile.TemporaryDirectory() as scratch:
        target = output or Path(scratch) / f"result.{fmt}"
        literal = "'" + str(target).replace("'", "''") + "'"  # COPY takes no bound parameters
        cursor.execute(f"COPY query_result TO {literal} {_COPY_OPTIONS[fmt]}")
        if output is None:
            sys.stdout.flush()
            sys.stdout.buffer.write(target.read_bytes())
            sys.stdout.flush()


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
    request = Request(args.metric, CLUSTERS, params, by, _where(args.where or []))
    try:
        con = connect_readonly(warehouse)
    except WarehouseMissing as error:
        raise UsageError(str(error)) from None
    with con, prepare(con, load_sql(request.metric).text, _NOTES_SQL) as cursor:
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
