"""``workforce query METRIC ...`` (shared/contract/cli.md): a metric's rows as CSV, JSON or Parquet.

The CLI reads the published warehouse read-only, so it keeps answering while a load runs.  It
has no signed-in user: whoever can read the warehouse files can read every cluster, so its
scope is all five clusters.  Notes on stale or absent clusters go to standard error, keeping
standard output for the data.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import polars as pl

from pipeline.errors import UsageError
from pipeline.settings import Settings
from pipeline.warehouse import WarehouseMissing, connect_readonly
from queries.catalogue import METRICS, disclosure_rule
from queries.disclosure import protect, render
from queries.runner import CLUSTERS, QueryError, Request, feed_status, load_sql, run

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


def _write(frame: pl.DataFrame, fmt: str, output: Path | None) -> None:
    if fmt == "parquet":
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        data = buffer.getvalue()
        if output:
            output.write_bytes(data)
        else:
            sys.stdout.buffer.write(data)
        return
    text = frame.write_csv() if fmt == "csv" else frame.write_json() + "\n"
    if output:
        output.write_text(text)
    else:
        sys.stdout.write(text)


def query_main(settings: Settings, args) -> int:
    if args.metric not in METRICS:
        raise UsageError(f"unknown metric {args.metric!r} (known: {', '.join(METRICS)})")
    params = _params(args.metric, args.as_at, args.date_from, args.date_to)
    by = tuple(d.strip() for d in (args.by or "").split(",") if d.strip())
    request = Request(args.metric, CLUSTERS, params, by, _where(args.where or []))
    try:
        con = connect_readonly(settings.warehouse)
    except WarehouseMissing as error:
        raise UsageError(str(error)) from None
    with con:
        try:
            frame = run(con, request)
        except QueryError as error:
            raise UsageError(str(error)) from None
        if "as_at" in params and args.metric not in ("milestones", "benefits"):
            status = feed_status(con, params["as_at"], CLUSTERS)
            lagging = status.filter(pl.col("status") != "current")
            for cluster, extract_date, state in lagging.iter_rows():
                since = f" (latest snapshot {extract_date})" if extract_date else ""
                print(f"note: {cluster} is {state} as at {params['as_at']}{since}", file=sys.stderr)
    rule = disclosure_rule(args.metric)
    if args.disclosure_control and rule is not None:
        frame = render(protect(frame, by, rule))
    _write(frame, args.format, args.output)
    return 0
