"""The audit log: every page view and download, appended to an SQLite file nobody can edit
unnoticed.

Who looked at what, when, with which filters, how many rows and how many suppressed cells
(``shared/contract/access.md``).  SQLite is embedded, needs no server and takes concurrent
appends from the dashboard's sessions (WAL, ``BEGIN IMMEDIATE``, and a file lock so that the
anchor moves with the log).

Append-only, and checkable from outside the file:

* the application has no code path that updates or deletes an entry, and triggers make the
  database itself refuse ``UPDATE`` and ``DELETE``;
* entries are numbered 1, 2, 3... without a gap, and each carries an HMAC-SHA256 over its
  number, its values and the previous entry's hash, keyed with a secret the database does not
  hold (``WORKFORCE_AUDIT_KEY``, else ``audit.key`` beside the log).  Without the key nobody
  can recompute the chain after an edit, a removal or an insertion;
* an **anchor** outside the database (``audit.anchor``, or ``WORKFORCE_AUDIT_ANCHOR``) holds
  the last number and hash, sealed with the key, rewritten after every append.  A tail cut
  off, or the database deleted, emptied or replaced, no longer matches it;
* :func:`verify` checks all of it (the admins' Audit log page, ``workforce audit verify``); a
  head it reports (``SEQ:HASH``) and recorded elsewhere catches a rollback of log and anchor
  together (``expect_head``).

With ``WORKFORCE_AUDIT`` a ``postgresql://`` URL, the same log lives in PostgreSQL for several
app servers (:mod:`core.audit.postgres`): the same entries and chain, append-only enforced by
the database (``deploy/postgres/``), a sealed head row in place of the anchor file, and the key
from ``WORKFORCE_AUDIT_KEY`` only.  :func:`append`, :func:`read`, :func:`start` and
:func:`verify` take either target; psycopg is imported only for a URL.

A missing or empty log is an alarm, not "intact".  A log written by the previous version
(an unkeyed SHA-256 chain) is neither verified nor appended to: it is evidence to keep aside.
What is stored is bounded (:func:`_bounded_filters`, :func:`_cap`) and emails are stored in
the one normalised form (``core.access.normalise_email``).  Pure: no Streamlit.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl

from core.audit import log as _sqlite
from core.audit import verify as _sqlite_verify
from core.audit.entries import (
    COLUMNS,
    EVENTS,
    GENESIS,
    VERSION,
    Alarm,
    AuditError,
    Entry,
    Event,
    Head,
    stored_email,
)
from core.audit.verify import Verification
from core.settings import is_database_url

__all__ = [
    "COLUMNS",
    "EVENTS",
    "GENESIS",
    "VERSION",
    "Alarm",
    "AuditError",
    "Entry",
    "Event",
    "Head",
    "Verification",
    "append",
    "read",
    "start",
    "stored_email",
    "verify",
]


# --- one API, two stores: a Path is an SQLite file, a postgresql:// URL a PostgreSQL log ----------


def append(
    path: Path | str,
    entry: Entry,
    at: datetime | None = None,
    *,
    key: bytes | str | None = None,
    anchor: Path | None = None,
) -> int:
    """Append ``entry``; returns its number (see :func:`core.audit.log.append`).  Raises
    :class:`AuditError` (one line) when the entry cannot be written."""
    if is_database_url(path):
        from core.audit import postgres

        _no_anchor(anchor)
        return postgres.append(path, entry, at, key=key)
    return _sqlite.append(Path(path), entry, at, key=key, anchor=anchor)


def read(
    path: Path | str, *, user: str | None = None, event: str | None = None, limit: int = 1000
) -> pl.DataFrame:
    """The latest entries, newest first (see :func:`core.audit.log.read`)."""
    if is_database_url(path):
        from core.audit import postgres

        return postgres.read(path, user=user, event=event, limit=limit)
    return _sqlite.read(Path(path), user=user, event=event, limit=limit)


def start(path: Path | str, *, key: bytes | str | None = None, anchor: Path | None = None) -> None:
    """Start a new, empty log on purpose (``workforce audit init``)."""
    if is_database_url(path):
        from core.audit import postgres

        _no_anchor(anchor)
        return postgres.start(path, key=key)
    return _sqlite.start(Path(path), key=key, anchor=anchor)


def verify(
    path: Path | str,
    *,
    key: bytes | str | None = None,
    anchor: Path | None = None,
    expect_head: Head | None = None,
) -> Verification:
    """Walk the whole log (see :func:`core.audit.verify.verify`); never raises for what it
    finds."""
    if is_database_url(path):
        from core.audit import postgres_verify

        _no_anchor(anchor)
        return postgres_verify.verify(path, key=key, expect_head=expect_head)
    return _sqlite_verify.verify(Path(path), key=key, anchor=anchor, expect_head=expect_head)


def _no_anchor(anchor: Path | None) -> None:
    if anchor is not None:
        raise ValueError("an anchor file belongs to an SQLite log: a PostgreSQL log has its head")
