"""The audit log: every page view and download, appended to an SQLite file nobody can edit.

Who looked at what, when, with which filters, how many rows and how many suppressed cells
(``shared/contract/access.md``).  SQLite is embedded, needs no server and takes concurrent
appends from the dashboard's sessions (WAL, ``BEGIN IMMEDIATE``).

Append-only, three ways:

* the application has no code path that updates or deletes an entry;
* triggers make the database itself refuse ``UPDATE`` and ``DELETE`` on the table;
* each entry carries a SHA-256 over its content and the previous entry's hash (a chain), so an
  entry changed or removed with other tools (the triggers dropped first) breaks the chain, and
  :func:`verify` says where.

Pure: no Streamlit.  The dashboard writes through ``dashboard.trail``; admins read it on the
audit log page.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import polars as pl

Event = Literal["view", "download", "denied"]
EVENTS: tuple[str, ...] = ("view", "download", "denied")
GENESIS = "0" * 64
COLUMNS = (
    "at",
    "user_email",
    "role",
    "event",
    "page",
    "what",
    "filters",
    "rows",
    "cells_suppressed",
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user_email TEXT NOT NULL,
    role TEXT,
    event TEXT NOT NULL CHECK (event IN ('view', 'download', 'denied')),
    page TEXT NOT NULL,
    what TEXT,
    filters TEXT NOT NULL,
    rows INTEGER,
    cells_suppressed INTEGER,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


@dataclass(frozen=True)
class Entry:
    """One look or download.

    Attributes:
        user_email: who (the signed-in or demo email; "anonymous" when nobody is signed in).
        role: their role, or None when they have none (a refused visit).
        event: view, download or denied.
        page: the page's key (``overview``, ``extracts``, ...).
        what: what was downloaded or viewed beyond the page (a metric, a file name).
        filters: the filters and choices in force, as a mapping of plain values.
        rows: rows shown or downloaded.
        cells_suppressed: cells disclosure control suppressed in what was shown or downloaded.
    """

    user_email: str
    role: str | None
    event: Event
    page: str
    what: str | None = None
    filters: Mapping[str, object] | None = None
    rows: int | None = None
    cells_suppressed: int | None = None


def _filters_text(filters: Mapping[str, object] | None) -> str:
    return json.dumps(filters or {}, sort_keys=True, default=str, separators=(",", ":"))


def _digest(prev_hash: str, values: tuple[object, ...]) -> str:
    payload = json.dumps([prev_hash, *values], default=str, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA busy_timeout=30000")
    con.executescript(SCHEMA)
    return con


@contextmanager
def _open(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(_connect(path)) as con:
        yield con


def append(path: Path, entry: Entry, at: datetime | None = None) -> int:
    """Append ``entry`` (stamped now, UTC, unless ``at`` is given); returns its sequence number.

    Appends from many threads and processes are serialised by SQLite (``BEGIN IMMEDIATE``), so
    the chain stays one line."""
    stamp = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="milliseconds")
    values = (
        stamp,
        entry.user_email,
        entry.role,
        entry.event,
        entry.page,
        entry.what,
        _filters_text(entry.filters),
        entry.rows,
        entry.cells_suppressed,
    )
    if entry.event not in EVENTS:
        raise ValueError(f"audit event {entry.event!r} is not one of {', '.join(EVENTS)}")
    with _open(path) as con:
        con.execute("BEGIN IMMEDIATE")
        try:
            row = con.execute("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
            prev = row[0] if row else GENESIS
            cursor = con.execute(
                f"INSERT INTO audit_log ({', '.join(COLUMNS)}, prev_hash, hash)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, prev, _digest(prev, values)),
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return int(cursor.lastrowid or 0)


def read(
    path: Path,
    *,
    user: str | None = None,
    event: str | None = None,
    limit: int = 1000,
) -> pl.DataFrame:
    """The latest entries, newest first, optionally of one user or one event."""
    schema = {
        "seq": pl.Int64,
        "at": pl.String,
        "user_email": pl.String,
        "role": pl.String,
        "event": pl.String,
        "page": pl.String,
        "what": pl.String,
        "filters": pl.String,
        "rows": pl.Int64,
        "cells_suppressed": pl.Int64,
    }
    if not path.exists():
        return pl.DataFrame(schema=schema)
    with _open(path) as con:
        rows = con.execute(
            f"SELECT seq, {', '.join(COLUMNS)} FROM audit_log"
            " WHERE (:user IS NULL OR user_email = :user) AND (:event IS NULL OR event = :event)"
            " ORDER BY seq DESC LIMIT :limit",
            {"user": user, "event": event, "limit": limit},
        ).fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")


@dataclass(frozen=True)
class Verification:
    """Whether the chain holds: ``entries`` checked; ``broken_at`` the first bad entry's seq."""

    entries: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify(path: Path) -> Verification:
    """Recompute the chain from the first entry; the first entry that does not match breaks it
    (an entry edited, removed or inserted out of line); entries removed from the end show as
    sequence numbers issued but missing."""
    if not path.exists():
        return Verification(0)
    with _open(path) as con:
        rows = con.execute(
            f"SELECT seq, {', '.join(COLUMNS)}, prev_hash, hash FROM audit_log ORDER BY seq"
        ).fetchall()
        issued = con.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").fetchone()
    prev = GENESIS
    for count, (seq, *rest) in enumerate(rows, start=1):
        values, prev_hash, digest = tuple(rest[:-2]), rest[-2], rest[-1]
        if prev_hash != prev:
            return Verification(count, seq, f"entry {seq} does not follow the entry before it")
        if _digest(prev, values) != digest:
            return Verification(count, seq, f"entry {seq} was changed after it was written")
        prev = digest
    last = rows[-1][0] if rows else 0
    if issued and issued[0] > last:
        return Verification(len(rows), issued[0], f"entries after {last} were removed")
    return Verification(len(rows))
