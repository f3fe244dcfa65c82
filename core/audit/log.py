"""Appending to the audit log and reading it back (SQLite: WAL, ``BEGIN IMMEDIATE``, and a
file lock so that the anchor moves with the log)."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

import polars as pl

from core.audit.entries import (
    COLUMNS,
    EVENTS,
    GENESIS,
    VERSION,
    AuditError,
    Entry,
    Head,
    stored_email,
    values_of,
)
from core.audit.seal import (
    Files,
    files_for,
    make_key_file,
    matches,
    read_anchor,
    seal,
    secret,
    write_anchor,
)
from core.locks import exclusive
from core.settings import get_settings


def _table_sql(name: str) -> str:
    return f"""CREATE TABLE {name} (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user_email TEXT NOT NULL,
    role TEXT,
    event TEXT NOT NULL CHECK (event IN ({", ".join(f"'{e}'" for e in EVENTS)})),
    page TEXT NOT NULL,
    what TEXT,
    filters TEXT NOT NULL,
    rows INTEGER,
    cells_suppressed INTEGER,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
"""


TRIGGERS = tuple(
    f"CREATE TRIGGER audit_log_no_{what} BEFORE {what.upper()} ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    for what in ("update", "delete")
)
SCHEMA = f"{_table_sql('audit_log')}{chr(10).join(TRIGGERS)}\nPRAGMA user_version = {VERSION};\n"
# A log of version 2 differs only in the events its table accepts ("change" came with the
# register kept in the app): it is read as it is and rebuilt, rows and hashes unchanged, by the
# first append (under the appenders' lock).
UPGRADABLE = 2


# --- appending --------------------------------------------------------------------------------


def connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    con.execute("PRAGMA busy_timeout=30000")
    return con


def require_current(con: sqlite3.Connection, *, upgrade: bool = False) -> None:
    """Refuse a log of another version, or a file that is not an audit log at all; a log of
    version :data:`UPGRADABLE` is read as it is, and with ``upgrade`` (an appender, holding the
    lock) rebuilt to this version first."""
    version = con.execute("PRAGMA user_version").fetchone()[0]
    if version == VERSION:
        return
    if version == UPGRADABLE:
        if upgrade:
            _upgrade(con)
        return
    has_table = con.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'"
    ).fetchone()
    if has_table:
        raise AuditError(
            "it was written by an earlier version (an unkeyed SHA-256 chain) and can be neither "
            "verified nor added to; keep it aside as evidence and start a new log",
            "legacy",
        )
    raise AuditError("it is not an audit log (it has no entries table)", "unreadable")


def _upgrade(con: sqlite3.Connection) -> None:
    """The version-2 table rebuilt to accept this version's events, in one transaction: the
    same rows, numbers and hashes (the chain seals the values, not the table).  Dropping the
    old table runs no row trigger, so the append-only triggers are made again on the new one."""
    con.execute("BEGIN IMMEDIATE")
    try:
        if con.execute("PRAGMA user_version").fetchone()[0] != UPGRADABLE:
            con.execute("ROLLBACK")  # another appender upgraded it first
            return
        before = con.execute("SELECT count(*), max(seq) FROM audit_log").fetchone()
        con.execute(_table_sql("audit_log_next"))
        con.execute("INSERT INTO audit_log_next SELECT * FROM audit_log")
        con.execute("DROP TABLE audit_log")
        con.execute("ALTER TABLE audit_log_next RENAME TO audit_log")
        for trigger in TRIGGERS:
            con.execute(trigger)
        after = con.execute("SELECT count(*), max(seq) FROM audit_log").fetchone()
        if after != before:
            raise AuditError(f"upgrading it moved {before} entries to {after}", "tampered")
        con.execute(f"PRAGMA user_version = {VERSION}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _create(files: Files, key: bytes | str | None, *, on_purpose: bool = False) -> None:
    """A new log: its key (unless one is set), an anchor at entry 0, then the database, made
    aside and renamed into place.

    Never over the evidence of an earlier log: refused while an anchor records entries.  And
    unless ``on_purpose`` (``workforce audit init``, :func:`start`), refused when a key file
    from an earlier log is still there (the log was deleted with its anchor), or when the key
    is ``WORKFORCE_AUDIT_KEY`` (nothing on disk would show that a log had been deleted)."""
    if files.anchor.exists():
        recorded = read_anchor(files, secret(files, key))
        if recorded.seq > 0:
            raise AuditError(
                f"it is missing, but its anchor {files.anchor} records {recorded.seq} entries: "
                "the log was deleted or moved",
                "missing",
            )
    if not on_purpose and files.key_file.exists() and get_settings().audit_key is None:
        raise AuditError(
            f"it is missing, but the key file {files.key_file} of an earlier log is there: the "
            "log was deleted or moved with its anchor; to start a new log on purpose, run "
            "`workforce audit init`",
            "missing",
        )
    if not on_purpose and key is None and get_settings().audit_key is not None:
        raise AuditError(
            "it does not exist yet and its key is WORKFORCE_AUDIT_KEY: start it on purpose with "
            "`workforce audit init`, so that a deleted log is never started over unnoticed",
            "missing",
        )
    if key is None:
        make_key_file(files)
    write_anchor(files, secret(files, key), Head(0, GENESIS))
    fresh = files.log.with_name(f".{files.log.name}.{os.getpid()}.new")
    fresh.unlink(missing_ok=True)
    with closing(sqlite3.connect(fresh, isolation_level=None)) as con:
        con.execute("PRAGMA journal_mode=WAL")
        con.executescript(SCHEMA)
    os.replace(fresh, files.log)


SELECT = f"SELECT seq, {', '.join(COLUMNS)}, prev_hash, hash FROM audit_log"


def _checked_head(con: sqlite3.Connection, files: Files, key: bytes) -> Head:
    """The log's last entry, after the cheap checks an append makes (the full walk is
    :func:`verify`'s): the anchor's entry is in the log, nothing was cut after the last entry
    and the last entry's seal holds."""
    anchor = read_anchor(files, key)
    last = con.execute(f"{SELECT} ORDER BY seq DESC LIMIT 1").fetchone()
    issued = con.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").fetchone()
    head = Head(last[0], last[-1]) if last else Head(0, GENESIS)
    if issued and issued[0] > head.seq:
        raise AuditError(f"entries after {head.seq} were removed (up to {issued[0]} were made)")
    if anchor.seq > head.seq:
        raise AuditError(f"the log ends at entry {head.seq} but its anchor records {anchor.seq}")
    if anchor.seq > 0:
        found = con.execute("SELECT hash FROM audit_log WHERE seq = ?", (anchor.seq,)).fetchone()
        if found is None or found[0] != anchor.hash:
            raise AuditError(f"entry {anchor.seq} is not the one its anchor records")
    if last and not matches(seal(key, last[0], last[-2], last[1:-2]), last[-1]):
        raise AuditError(f"entry {head.seq} does not match its keyed hash")
    return head


def append(
    path: Path,
    entry: Entry,
    at: datetime | None = None,
    *,
    key: bytes | str | None = None,
    anchor: Path | None = None,
) -> int:
    """Append ``entry`` (stamped now, UTC, unless ``at`` is given); returns its number.

    The first append makes the log (and its key file, unless ``WORKFORCE_AUDIT_KEY`` is set).
    Raises :class:`AuditError` (one line) rather than add to a log that is not intact at its
    end, was deleted, or is of the earlier version; nothing is archived or started over."""
    values = values_of(entry, at)
    files = files_for(path, anchor)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with exclusive(files.lock):
            head = _append_locked(files, key, values)
    except AuditError as error:
        raise AuditError(f"cannot add to the audit log {path}: {error}", error.alarm) from None
    except sqlite3.Error as error:  # not a database, or a broken one
        raise AuditError(f"cannot add to the audit log {path}: {error}", "unreadable") from None
    return head.seq


def start(path: Path, *, key: bytes | str | None = None, anchor: Path | None = None) -> None:
    """Start a new, empty log at ``path`` on purpose (``workforce audit init``): with
    ``WORKFORCE_AUDIT_KEY`` set, the one way a log is made; otherwise after an earlier log's
    key file was kept.  Raises FileExistsError when a log is already there, and
    :class:`AuditError` when an anchor still records entries."""
    files = files_for(path, anchor)
    path.parent.mkdir(parents=True, exist_ok=True)
    with exclusive(files.lock):
        if path.exists():
            raise FileExistsError(f"an audit log already exists at {path}")
        _create(files, key, on_purpose=True)


def _append_locked(files: Files, key: bytes | str | None, values: tuple[object, ...]) -> Head:
    if not files.log.exists():
        _create(files, key)
    with closing(connect(files.log)) as con:
        require_current(con, upgrade=True)
        sealing_key = secret(files, key)
        con.execute("BEGIN IMMEDIATE")
        try:
            prev = _checked_head(con, files, sealing_key)
            head = Head(prev.seq + 1, seal(sealing_key, prev.seq + 1, prev.hash, values))
            con.execute(
                f"INSERT INTO audit_log (seq, {', '.join(COLUMNS)}, prev_hash, hash)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (head.seq, *values, prev.hash, head.hash),
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    # After the commit, under the lock: a crash in between leaves the anchor one entry behind,
    # which verify accepts (the anchored entry is still there, sealed).
    write_anchor(files, sealing_key, head)
    return head


# --- reading and verifying --------------------------------------------------------------------


READ_SCHEMA = {
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


def read(
    path: Path,
    *,
    user: str | None = None,
    event: str | None = None,
    limit: int = 1000,
) -> pl.DataFrame:
    """The latest entries, newest first, optionally of one user (matched in stored form, so
    any case of an email finds it) or one event.  Raises :class:`AuditError` (one line) when
    the file cannot be read."""
    schema = READ_SCHEMA
    if not path.exists():
        return pl.DataFrame(schema=schema)
    try:
        with closing(connect(path)) as con:
            if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'audit_log'").fetchone():
                return pl.DataFrame(schema=schema)
            rows = con.execute(
                f"SELECT seq, {', '.join(COLUMNS)} FROM audit_log WHERE (:user IS NULL OR"
                " user_email = :user) AND (:event IS NULL OR event = :event)"
                " ORDER BY seq DESC LIMIT :limit",
                {"user": user and stored_email(user), "event": event, "limit": limit},
            ).fetchall()
    except sqlite3.Error as error:
        raise AuditError(f"the audit log {path} cannot be read: {error}", "unreadable") from None
    return pl.DataFrame(rows, schema=schema, orient="row")
