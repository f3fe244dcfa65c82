"""``workforce status``: the load log, per feed and for refused deliveries (table or JSON).

Reasons name files and values from the landing zone: the table prints them through
:func:`~core.errors.printable`, and JSON escapes control characters itself."""

from __future__ import annotations

import contextlib
import json
import sys
from datetime import date, datetime

from rich.console import Console
from rich.table import Table

from core.errors import printable
from core.settings import Settings
from core.warehouse import WarehouseMissing, connect_readonly, current_path

# Per feed: the latest loaded date and what its load did; quarantined rows now held back.
FEEDS_SQL = """
WITH latest AS (
    SELECT feed, max(extract_date) AS extract_date, count(*) AS snapshots
    FROM snapshots GROUP BY feed
)
SELECT l.feed::VARCHAR AS feed, l.extract_date AS latest_extract_date, l.snapshots,
    g.finished_at AS loaded_at, g.outcome, g.rows_loaded, g.rows_quarantined,
    (SELECT count(*) FROM quarantine AS q WHERE q.feed = l.feed) AS quarantined_in_effect
FROM latest AS l
JOIN snapshots AS s USING (feed, extract_date)
JOIN load_log AS g ON g.load_id = s.load_id
ORDER BY l.feed
"""
# Deliveries whose latest attempt was refused (still outstanding until new bytes load).
REFUSED_SQL = """
SELECT feed::VARCHAR AS feed, extract_date, finished_at AS refused_at, reason
FROM load_log
QUALIFY row_number() OVER (PARTITION BY feed, extract_date ORDER BY load_id DESC) = 1
    AND outcome = 'refused'
ORDER BY extract_date, feed
"""
LOG_SQL = """
SELECT load_id, feed::VARCHAR AS feed, extract_date, source_system, generated_at, files,
    rows_loaded, rows_quarantined, resent_skipped, conflicts, outcome, replaces_load_id, reason,
    started_at, finished_at, duration_ms
FROM load_log ORDER BY load_id
"""


def _rows(con, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def print_status(settings: Settings, fmt: str) -> int:
    try:
        con = connect_readonly(settings.warehouse)
    except WarehouseMissing as missing:
        print(f"workforce status: {printable(missing)}", file=sys.stderr)
        return 2
    with contextlib.closing(con):
        feeds, refused, log = _rows(con, FEEDS_SQL), _rows(con, REFUSED_SQL), _rows(con, LOG_SQL)
    version = current_path(settings.warehouse)
    if fmt == "json":
        payload = {
            "warehouse": str(version),
            "feeds": feeds,
            "refused": refused,
            "load_log": log,
        }
        print(json.dumps(payload, default=_plain, indent=2))
        return 0
    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:  # piped or captured: no terminal width to fit, so don't wrap
        console = Console(highlight=False, soft_wrap=True, width=200)
    table = Table(title=f"Workforce Picture load log ({version})")
    for column in ("feed", "latest", "dates", "loaded (UTC)", "outcome", "rows", "held back"):
        numeric = column in ("dates", "rows", "held back")
        table.add_column(column, justify="right" if numeric else "left", no_wrap=not numeric)
    for f in feeds:
        table.add_row(
            f["feed"],
            str(f["latest_extract_date"]),
            f"{f['snapshots']:,}",
            f"{f['loaded_at']:%Y-%m-%d %H:%M}",
            f["outcome"],
            f"{f['rows_loaded']:,}",
            f"{f['rows_quarantined']:,}",
        )
    console.print(table)
    total = sum(f["quarantined_in_effect"] for f in feeds)
    console.print(f"quarantined rows held back (all loaded dates): {total:,}", markup=False)
    if refused:
        console.print(f"refused deliveries ({len(refused)}):", markup=False)
        for r in refused:
            console.print(f"  {printable(r['reason'])}", markup=False)
    else:
        console.print("refused deliveries: none", markup=False)
    return 0
