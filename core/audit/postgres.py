"""The audit log on PostgreSQL, for several app servers appending to one log (``WORKFORCE_AUDIT``
a ``postgresql://`` URL; SQLite stays the default for one machine).

The same entries, columns and keyed chain as the SQLite log (:func:`core.audit.seal.seal` from
:data:`GENESIS`), so a log moved from one to the other verifies the same.  What differs:

* the tables and triggers are ``deploy/postgres/schema.sql``, owned by an owner role; the app
  connects as a role granted only INSERT and SELECT on ``audit.log`` and what moving the head
  needs (``deploy/postgres/grants.sql``).  The database refuses UPDATE, DELETE and TRUNCATE of
  an entry, and an entry anywhere but at the end of the chain, whoever asks;
* instead of an anchor file, the one-row ``audit.head`` holds the last number and hash sealed
  with the key (:func:`core.audit.seal.anchor_mac`); its trigger only lets it move forward by
  one, to an entry that exists.  The key never enters the database and, for a URL, comes from
  ``WORKFORCE_AUDIT_KEY`` only (there is no "beside the log");
* servers appending at once keep one chain: an append locks the head row (``SELECT ... FOR
  UPDATE``) inside its transaction, so appends are serialised by the database.

Every failure (server down, refused, timed out, tables missing, rights missing) is an
:class:`AuditError` in one line naming the log with its password masked, so a download is
refused rather than leave unaudited.  A connection is kept per process and dropped on any
error: the next append connects again, so the app recovers once the server is back.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import polars as pl
import psycopg
from psycopg import errors

from core.audit.entries import COLUMNS, GENESIS, AuditError, Entry, Head, stored_email, values_of
from core.audit.log import READ_SCHEMA
from core.audit.seal import anchor_mac, matches, seal
from core.settings import DatabaseURL, get_settings

SCHEMA_SQL = Path(__file__).resolve().parents[2] / "deploy" / "postgres" / "schema.sql"
CONNECT_TIMEOUT = 3  # seconds: a server that is down refuses a download quickly
STATEMENT_TIMEOUT_MS = 10_000  # a server that hangs, or a head locked too long
SELECT = f"SELECT seq, {', '.join(COLUMNS)}, prev_hash, hash FROM audit.log"
INSERT = (
    f"INSERT INTO audit.log (seq, {', '.join(COLUMNS)}, prev_hash, hash)"
    f" VALUES ({', '.join(['%s'] * (len(COLUMNS) + 3))})"
)
MISSING = "its tables are missing (apply deploy/postgres/schema.sql then grants.sql as the owner)"
NOT_STARTED = "it was not started: run `workforce audit init` (with WORKFORCE_AUDIT_KEY set)"
T = TypeVar("T")

_lock = threading.Lock()  # one connection per process and URL, used by one thread at a time
_connections: dict[str, psycopg.Connection] = {}
_inherited: list[psycopg.Connection] = []  # a parent's, after fork: kept, never used or closed


def _forget_after_fork() -> None:
    # A forked child must not use, nor close (which would end the parent's session), the
    # parent's connections: it keeps them untouched and connects on its own.
    _inherited.extend(_connections.values())
    _connections.clear()


os.register_at_fork(after_in_child=_forget_after_fork)


def url_of(target: str) -> DatabaseURL:
    return target if isinstance(target, DatabaseURL) else DatabaseURL(target)


def secret(url: DatabaseURL, key: bytes | str | None) -> bytes:
    """The key: given, else ``WORKFORCE_AUDIT_KEY`` (never a file, for a log on a server)."""
    source = "the key given"
    if key is None and (configured := get_settings().audit_key) is not None:
        key, source = configured.get_secret_value(), "WORKFORCE_AUDIT_KEY"
    if key is None:
        raise AuditError(
            f"the audit log {url} is on PostgreSQL and WORKFORCE_AUDIT_KEY is not set (its key "
            "is never a file beside a URL)",
            "unreadable",
        )
    if len(key) < 32:
        raise AuditError(f"{source} is too short (at least 32 characters)", "unreadable")
    return key if isinstance(key, bytes) else key.encode("utf-8")


# --- connections --------------------------------------------------------------------------------


def _connect(url: DatabaseURL) -> psycopg.Connection:
    return psycopg.connect(
        url.unmasked(),
        autocommit=True,  # transactions are explicit: con.transaction()
        connect_timeout=CONNECT_TIMEOUT,
        options=f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
        application_name="workforce-audit",
        # A server gone without a word (a network cut) is noticed in seconds, not minutes.
        tcp_user_timeout=STATEMENT_TIMEOUT_MS,
        keepalives=1,
        keepalives_idle=30,
        keepalives_interval=5,
        keepalives_count=3,
    )


def with_connection(url: DatabaseURL, work: Callable[[psycopg.Connection], T]) -> T:
    """``work`` on this process's connection to ``url``; on an error the connection is
    dropped.  A kept connection the server closed while idle (a restart) is tried once more on
    a new one, so the first append after the server is back does not fail.  (Were the first
    try's commit done but its answer lost, the entry is written twice: one entry too many,
    never one missing.)"""
    with _lock:
        con = _connections.pop(url.unmasked(), None)
        for attempt in (1, 2):
            reused = con is not None and not con.closed
            if con is None or con.closed:
                con = _connect(url)
            try:
                result = work(con)
            except psycopg.OperationalError as error:
                con.close()
                con = None
                if reused and attempt == 1 and not isinstance(error, errors.QueryCanceled):
                    continue
                raise
            except BaseException:
                con.close()
                raise
            _connections[url.unmasked()] = con
            return result
    raise AssertionError("unreachable")


@contextmanager
def own_connection(url: DatabaseURL) -> Iterator[psycopg.Connection]:
    """A connection of its own, closed after use: for a long walk (:func:`verify`) that must
    not hold up this process's appends."""
    with _connect(url) as con:
        yield con


def describe(error: psycopg.Error, url: DatabaseURL) -> str:
    """One line saying what went wrong, never with the password."""
    if isinstance(error, errors.UndefinedTable | errors.InvalidSchemaName):
        return MISSING
    diag = getattr(error, "diag", None)
    text = (diag.message_primary if diag is not None else None) or str(error)
    text = " ".join(text.split()) or type(error).__name__
    try:
        password = psycopg.conninfo.conninfo_to_dict(url.unmasked()).get("password")
    except psycopg.Error:  # not even a URL libpq reads: its text is in no message
        password = None
    if password:
        text = text.replace(str(password), "***")
    if isinstance(error, errors.InsufficientPrivilege):
        return f"{text} (the app's role needs the rights of deploy/postgres/grants.sql)"
    if isinstance(error, psycopg.OperationalError) and not isinstance(error, errors.QueryCanceled):
        return f"PostgreSQL cannot be reached or refused the connection ({text})"
    return text


def _failure(prefix: str, url: DatabaseURL, error: Exception) -> AuditError:
    if isinstance(error, AuditError):
        return AuditError(f"{prefix}: {error}", error.alarm)
    alarm = "missing" if isinstance(error, errors.UndefinedTable) else "unreadable"
    return AuditError(f"{prefix}: {describe(error, url)}", alarm)  # type: ignore[arg-type]


# --- appending ----------------------------------------------------------------------------------


def append(
    target: str, entry: Entry, at: datetime | None = None, *, key: bytes | str | None = None
) -> int:
    """Append ``entry`` (stamped now, UTC, unless ``at`` is given); returns its number.  Raises
    :class:`AuditError` (one line) when the server cannot be reached, the log was not started
    or is not intact at its end; nothing is written then."""
    url = url_of(target)
    values = values_of(entry, at)
    try:
        sealing_key = secret(url, key)
        return with_connection(url, lambda con: _append_in(con, sealing_key, values))
    except (AuditError, psycopg.Error) as error:
        raise _failure(f"cannot add to the audit log {url}", url, error) from None


def _append_in(con: psycopg.Connection, key: bytes, values: tuple[object, ...]) -> int:
    with con.transaction():
        # The head row's lock serialises the servers: the next appender waits here.
        row = con.execute("SELECT seq, hash, mac FROM audit.head FOR UPDATE").fetchone()
        prev = _checked_head(con, key, row)
        head = Head(prev.seq + 1, seal(key, prev.seq + 1, prev.hash, values))
        con.execute(INSERT, (head.seq, *values, prev.hash, head.hash))
        con.execute(
            "UPDATE audit.head SET seq = %s, hash = %s, mac = %s",
            (head.seq, head.hash, anchor_mac(key, head.seq, head.hash)),
        )
    return head.seq


def _checked_head(con: psycopg.Connection, key: bytes, row: tuple | None) -> Head:
    """The head, after the cheap checks an append makes (the full walk is :func:`verify`'s):
    sealed with this key, the log's last entry is the head's and its seal holds."""
    if row is None:
        raise AuditError("its head row is missing", "tampered")
    head, mac = Head(int(row[0]), str(row[1])), row[2]
    if mac is None:
        raise AuditError(NOT_STARTED, "missing")
    if not matches(anchor_mac(key, head.seq, head.hash), mac):
        raise AuditError("its head was not sealed with this key (forged, or the key changed)")
    last = con.execute(f"{SELECT} ORDER BY seq DESC LIMIT 1").fetchone()
    found = Head(last[0], last[-1]) if last else Head(0, GENESIS)
    if found.seq < head.seq:
        raise AuditError(f"the log ends at entry {found.seq} but its head records {head.seq}")
    if found != head:
        raise AuditError(f"entry {found.seq} is not the one its head records")
    if last and not matches(seal(key, last[0], last[-2], tuple(last[1:-2])), last[-1]):
        raise AuditError(f"entry {head.seq} does not match its keyed hash")
    return head


def start(target: str, *, key: bytes | str | None = None) -> None:
    """Start the log on purpose (``workforce audit init``): seal its head at entry 0 with the
    key.  Run as the owner, the tables are made first when missing (``schema.sql``; then apply
    ``grants.sql``).  Raises FileExistsError when the log was started already, and
    :class:`AuditError` (one line) when the tables are missing and this role cannot make them,
    or the server cannot be reached."""
    url = url_of(target)
    try:
        sealing_key = secret(url, key)
        with_connection(url, lambda con: _start_in(con, sealing_key, url))
    except (AuditError, psycopg.Error) as error:
        raise _failure(f"cannot start the audit log {url}", url, error) from None


def _start_in(con: psycopg.Connection, key: bytes, url: DatabaseURL) -> None:
    with con.transaction():
        present = con.execute("SELECT to_regclass('audit.log'), to_regclass('audit.head')")
        if None in present.fetchone():
            _create_tables(con)
        row = con.execute("SELECT seq, hash, mac FROM audit.head FOR UPDATE").fetchone()
        if row is None or row[2] is not None:
            raise FileExistsError(f"an audit log already exists at {url}")
        con.execute("UPDATE audit.head SET mac = %s", (anchor_mac(key, 0, GENESIS),))


def _create_tables(con: psycopg.Connection) -> None:
    if con.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'audit'").fetchone():
        who = con.info.user
        raise AuditError(
            f"the role {who} cannot use its tables (apply deploy/postgres/grants.sql)", "unreadable"
        )
    if not SCHEMA_SQL.exists():
        raise AuditError(MISSING, "missing")
    try:
        with con.transaction():  # a savepoint: refused rights leave a clear message
            con.execute(SCHEMA_SQL.read_text())
    except errors.InsufficientPrivilege:
        who = con.info.user
        raise AuditError(f"{MISSING}; the role {who} may not make them", "missing") from None


# --- reading and verifying ----------------------------------------------------------------------


def read(
    target: str, *, user: str | None = None, event: str | None = None, limit: int = 1000
) -> pl.DataFrame:
    """The latest entries, newest first, as :func:`core.audit.log.read` gives them; no tables
    yet is no entries.  Raises :class:`AuditError` (one line) when the log cannot be read."""
    url = url_of(target)
    query = (
        f"SELECT seq, {', '.join(COLUMNS)} FROM audit.log WHERE (%(user)s::text IS NULL OR"
        " user_email = %(user)s) AND (%(event)s::text IS NULL OR event = %(event)s)"
        " ORDER BY seq DESC LIMIT %(limit)s"
    )
    params = {"user": user and stored_email(user), "event": event, "limit": limit}
    try:
        rows = with_connection(url, lambda con: con.execute(query, params).fetchall())
    except errors.UndefinedTable:
        return pl.DataFrame(schema=READ_SCHEMA)
    except psycopg.Error as error:
        raise _failure(f"the audit log {url} cannot be read", url, error) from None
    return pl.DataFrame(rows, schema=READ_SCHEMA, orient="row")
