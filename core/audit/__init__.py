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

A missing or empty log is an alarm, not "intact".  A log written by the previous version
(an unkeyed SHA-256 chain) is neither verified nor appended to: it is evidence to keep aside.
What is stored is bounded (:func:`_bounded_filters`, :func:`_cap`) and emails are stored in
the one normalised form (``core.access.normalise_email``).  Pure: no Streamlit.
"""

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
from core.audit.log import append, read, start
from core.audit.verify import Verification, verify

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
