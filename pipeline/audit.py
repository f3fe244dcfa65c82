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
the one normalised form (``pipeline.access.normalise_email``).  Pure: no Streamlit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import polars as pl

from pipeline.access import normalise_email
from pipeline.locks import exclusive
from pipeline.settings import get_settings

Event = Literal["view", "shown", "download", "denied"]
EVENTS: tuple[str, ...] = ("view", "shown", "download", "denied")
Alarm = Literal["missing", "empty", "legacy", "unreadable", "tampered"]
GENESIS = "0" * 64
VERSION = 2  # PRAGMA user_version: 0 was the unkeyed SHA-256 chain
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
# Bounds on what one entry stores, so a junk query parameter cannot grow the log (issue 11).
MAX_EMAIL, MAX_ROLE, MAX_PAGE, MAX_WHAT = 254, 32, 64, 256
MAX_KEY, MAX_VALUE, MAX_FILTERS = 64, 256, 4096
CUT_NOTE = "_audit_cut"  # the note of what was cut from the filters

SCHEMA = f"""
CREATE TABLE audit_log (
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
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
PRAGMA user_version = {VERSION};
"""


class AuditError(RuntimeError):
    """The log cannot be written or trusted; the message is one line, ``alarm`` says why."""

    def __init__(self, message: str, alarm: Alarm = "tampered") -> None:
        super().__init__(message)
        self.alarm = alarm


@dataclass(frozen=True)
class Entry:
    """One look or download.

    Attributes:
        user_email: who (the signed-in or demo email; "anonymous" when nobody is signed in).
        role: their role, or None when they have none (a refused visit).
        event: view (before a page draws), shown (after), download or denied.
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


@dataclass(frozen=True)
class Head:
    """An entry's number and hash, ``SEQ:HASH``: what an operator records to check later."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Head:
        seq, _, digest = text.strip().partition(":")
        digest = digest.lower()
        if not (seq.isascii() and seq.isdigit() and int(seq) > 0 and len(digest) == 64):
            raise ValueError(f"not a head SEQ:HASH (a number, then 64 hex digits): {text!r}")
        if any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(f"not a head SEQ:HASH (a number, then 64 hex digits): {text!r}")
        return cls(int(seq), digest)


# --- what is stored ---------------------------------------------------------------------------


def stored_email(raw: str) -> str:
    """The form an email is stored (and searched) in: normalised, or marked as invalid with its
    characters escaped (a look-alike stays visible and never folds onto someone else)."""
    try:
        return _cap(normalise_email(raw), MAX_EMAIL)
    except ValueError:
        return _cap(f"invalid email {raw.strip()!a}", MAX_EMAIL)


def _cap(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how many were cut; a lone surrogate (not
    storable in SQLite) escaped."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…[{len(text) - limit} characters cut]"


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))


def _bounded_filters(filters: Mapping[str, object] | None) -> str:
    """The filters as JSON, bounded: names and values cut to a few hundred characters (a long
    string kept as its start, any other value as the start of its JSON text), keys beyond the
    budget dropped, and a note (``_audit_cut``) of what was cut."""
    kept: dict[str, object] = {}
    cut: dict[str, int] = {}
    dropped, size = 0, 0
    for raw, value in (filters or {}).items():
        name, text = _cap(str(raw), MAX_KEY), _json(value)
        whole = len(text)
        if whole > MAX_VALUE:  # a string cut to its start, anything else to its JSON's
            value = (value if isinstance(value, str) else text)[:MAX_VALUE]
            text = _json(value)
        if str(raw) == CUT_NOTE or name in kept or size + len(name) + len(text) > MAX_FILTERS:
            dropped += 1
            continue
        if whole > MAX_VALUE:
            cut[name] = whole
        kept[name], size = value, size + len(name) + len(text)
    if dropped or cut:
        kept[CUT_NOTE] = {"keys_dropped": dropped, "values_cut": cut}
    return _json(kept)


def _count(value: int | None) -> int | None:
    return None if value is None else int(value)


def _values(entry: Entry, at: datetime | None) -> tuple[object, ...]:
    if entry.event not in EVENTS:
        raise ValueError(f"audit event {entry.event!r} is not one of {', '.join(EVENTS)}")
    stamp = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="milliseconds")
    return (
        stamp,
        stored_email(entry.user_email),
        None if entry.role is None else _cap(entry.role, MAX_ROLE),
        entry.event,
        _cap(entry.page, MAX_PAGE),
        None if entry.what is None else _cap(entry.what, MAX_WHAT),
        _bounded_filters(entry.filters),
        _count(entry.rows),
        _count(entry.cells_suppressed),
    )


# --- the key, the anchor and the seals --------------------------------------------------------


@dataclass(frozen=True)
class _Files:
    log: Path
    anchor: Path
    key_file: Path
    lock: Path


def _files(path: Path, anchor: Path | None) -> _Files:
    if anchor is None:
        # WORKFORCE_AUDIT_ANCHOR belongs to the configured log; any other log keeps its own.
        settings = get_settings()
        configured = settings.audit_anchor
        if configured is None or path.resolve() != settings.audit.resolve():
            configured = path.with_suffix(".anchor")
        anchor = configured
    return _Files(path, anchor, path.with_suffix(".key"), path.with_suffix(".lock"))


def _secret(files: _Files, key: bytes | str | None) -> bytes:
    """The key: given, else ``WORKFORCE_AUDIT_KEY``, else the key file beside the log."""
    source = "the key given"
    if key is None and (configured := get_settings().audit_key) is not None:
        key, source = configured.get_secret_value(), "WORKFORCE_AUDIT_KEY"
    if key is None:
        try:
            key, source = files.key_file.read_text().strip(), f"the key file {files.key_file}"
        except FileNotFoundError:
            raise AuditError(
                f"no audit key: set WORKFORCE_AUDIT_KEY or restore {files.key_file}", "unreadable"
            ) from None
    if len(key) < 32:
        raise AuditError(f"{source} is too short (at least 32 characters)", "unreadable")
    return key if isinstance(key, bytes) else key.encode("utf-8")


def _make_key_file(files: _Files) -> None:
    """A new random key, readable by its owner only; an existing key file is kept."""
    if get_settings().audit_key is not None:
        return
    try:
        fd = os.open(files.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(32) + "\n")


def _seal(key: bytes, seq: int, prev_hash: str, values: tuple[object, ...]) -> str:
    payload = json.dumps(["workforce-audit/2", seq, prev_hash, *values], separators=(",", ":"))
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def _matches(expected: str, stored: object) -> bool:
    """A seal against what the file holds, in constant time (which may be anything: an
    attacker can store a BLOB or non-ASCII text in the column)."""
    return isinstance(stored, str) and stored.isascii() and hmac.compare_digest(expected, stored)


def _anchor_mac(key: bytes, seq: int, digest: str) -> str:
    payload = f"workforce-audit-anchor/2:{seq}:{digest}".encode()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def _write_anchor(files: _Files, key: bytes, head: Head) -> None:
    """Replace the anchor atomically (a new file, synced, renamed over the old one)."""
    text = _json({"seq": head.seq, "hash": head.hash, "mac": _anchor_mac(key, head.seq, head.hash)})
    files.anchor.parent.mkdir(parents=True, exist_ok=True)
    temporary = files.anchor.with_name(f".{files.anchor.name}.{os.getpid()}.tmp")
    with open(temporary, "w") as out:
        out.write(text + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, files.anchor)


def _read_anchor(files: _Files, key: bytes) -> Head:
    try:
        saved = json.loads(files.anchor.read_text())
        head = Head(int(saved["seq"]), str(saved["hash"]))
        mac = str(saved["mac"])
    except FileNotFoundError:
        raise AuditError(f"its anchor {files.anchor} is missing") from None
    except (OSError, ValueError, KeyError, TypeError):
        raise AuditError(f"its anchor {files.anchor} cannot be read") from None
    if not _matches(_anchor_mac(key, head.seq, head.hash), mac):
        raise AuditError(
            f"its anchor {files.anchor} was not sealed with this key (forged, or the key changed)"
        )
    return head


# --- appending --------------------------------------------------------------------------------


def _connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    con.execute("PRAGMA busy_timeout=30000")
    return con


def _require_current(con: sqlite3.Connection) -> None:
    """Refuse a log of another version, or a file that is not an audit log at all."""
    if con.execute("PRAGMA user_version").fetchone()[0] == VERSION:
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


def _create(files: _Files, key: bytes | str | None) -> None:
    """A new log: its key (unless one is set), an anchor at entry 0, then the database, made
    aside and renamed into place.  Refused while an anchor records entries: the log was
    deleted, and a new one is not started over the evidence."""
    if files.anchor.exists():
        recorded = _read_anchor(files, _secret(files, key))
        if recorded.seq > 0:
            raise AuditError(
                f"it is missing, but its anchor {files.anchor} records {recorded.seq} entries: "
                "the log was deleted or moved",
                "missing",
            )
    if key is None:
        _make_key_file(files)
    _write_anchor(files, _secret(files, key), Head(0, GENESIS))
    fresh = files.log.with_name(f".{files.log.name}.{os.getpid()}.new")
    fresh.unlink(missing_ok=True)
    with closing(sqlite3.connect(fresh, isolation_level=None)) as con:
        con.execute("PRAGMA journal_mode=WAL")
        con.executescript(SCHEMA)
    os.replace(fresh, files.log)


_SELECT = f"SELECT seq, {', '.join(COLUMNS)}, prev_hash, hash FROM audit_log"


def _checked_head(con: sqlite3.Connection, files: _Files, key: bytes) -> Head:
    """The log's last entry, after the cheap checks an append makes (the full walk is
    :func:`verify`'s): the anchor's entry is in the log, nothing was cut after the last entry
    and the last entry's seal holds."""
    anchor = _read_anchor(files, key)
    last = con.execute(f"{_SELECT} ORDER BY seq DESC LIMIT 1").fetchone()
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
    if last and not _matches(_seal(key, last[0], last[-2], last[1:-2]), last[-1]):
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
    values = _values(entry, at)
    files = _files(path, anchor)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with exclusive(files.lock):
            head = _append_locked(files, key, values)
    except AuditError as error:
        raise AuditError(f"cannot add to the audit log {path}: {error}", error.alarm) from None
    except sqlite3.Error as error:  # not a database, or a broken one
        raise AuditError(f"cannot add to the audit log {path}: {error}", "unreadable") from None
    return head.seq


def _append_locked(files: _Files, key: bytes | str | None, values: tuple[object, ...]) -> Head:
    if not files.log.exists():
        _create(files, key)
    with closing(_connect(files.log)) as con:
        _require_current(con)
        secret = _secret(files, key)
        con.execute("BEGIN IMMEDIATE")
        try:
            prev = _checked_head(con, files, secret)
            head = Head(prev.seq + 1, _seal(secret, prev.seq + 1, prev.hash, values))
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
    _write_anchor(files, secret, head)
    return head


# --- reading and verifying --------------------------------------------------------------------


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
    try:
        with closing(_connect(path)) as con:
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


@dataclass(frozen=True)
class Verification:
    """The outcome of :func:`verify`: ``entries`` checked, ``head`` the last entry when the
    log is intact; otherwise ``alarm`` (what kind), ``reason`` and ``broken_at`` (the first
    entry at fault, when there is one)."""

    entries: int
    broken_at: int | None = None
    reason: str = ""
    head: Head | None = None
    alarm: Alarm | None = None
    path: Path | None = None

    @property
    def intact(self) -> bool:
        return self.alarm is None

    @property
    def message(self) -> str:
        """One line saying what was found."""
        if self.alarm is None:
            return f"the audit log {self.path} is intact: {self.entries} entries, head {self.head}"
        if self.alarm == "missing" and self.reason.startswith("no audit log"):
            return self.reason
        return f"the audit log {self.path} {_LABELS[self.alarm]}: {self.reason}"


_LABELS: dict[str, str] = {
    "missing": "is missing",
    "empty": "is empty",
    "legacy": "cannot be verified",
    "unreadable": "cannot be read",
    "tampered": "has been tampered with",
}


def _walk(con: sqlite3.Connection, files: _Files, key: bytes, expect: Head | None) -> Verification:
    def fault(seq: int | None, reason: str, count: int) -> Verification:
        return Verification(count, seq, reason, alarm="tampered", path=files.log)

    try:
        anchor = _read_anchor(files, key)
    except AuditError as error:
        return fault(None, str(error), 0)
    prev, last, count, at_anchor = GENESIS, 0, 0, GENESIS
    for seq, *rest in con.execute(f"{_SELECT} ORDER BY seq"):
        values, prev_hash, digest = tuple(rest[:-2]), rest[-2], rest[-1]
        count += 1
        if seq != last + 1:
            gap = f"entry {last + 1} is" if seq == last + 2 else f"entries {last + 1}-{seq - 1} are"
            return fault(last + 1, f"{gap} missing (the log jumps from {last} to {seq})", count)
        if prev_hash != prev:
            return fault(seq, f"entry {seq} does not follow the entry before it", count)
        if not _matches(_seal(key, seq, prev, values), digest):
            why = "changed after it was written, or the key is not the one it was written with"
            return fault(seq, f"entry {seq} does not match its keyed hash ({why})", count)
        prev, last = digest, seq
        at_anchor = digest if seq == anchor.seq else at_anchor
    issued = con.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").fetchone()
    if issued and issued[0] > last:
        return fault(last + 1, f"entries after {last} were removed (up to {issued[0]})", count)
    if anchor.seq > last:
        why = f"the log ends at entry {last} but its anchor {files.anchor} records {anchor.seq}"
        return fault(last + 1, f"{why}: entries were removed or the log was replaced", count)
    if at_anchor != anchor.hash:
        why = f"entry {anchor.seq} is not the one its anchor records: the log was replaced"
        return fault(anchor.seq, why, count)
    if count == 0:
        reason = "it has no entries (a log in use has at least the view of whoever looks)"
        return Verification(0, None, reason, alarm="empty", path=files.log)
    if expect is not None:
        found = con.execute("SELECT hash FROM audit_log WHERE seq = ?", (expect.seq,)).fetchone()
        if found is None or found[0] != expect.hash:
            why = "is not in the log: the log and its anchor were rolled back or rewritten"
            return fault(expect.seq, f"the recorded head {expect} {why}", count)
    return Verification(count, head=Head(last, prev), path=files.log)


def verify(
    path: Path,
    *,
    key: bytes | str | None = None,
    anchor: Path | None = None,
    expect_head: Head | None = None,
) -> Verification:
    """Walk the whole log: numbers contiguous from 1, each entry following the one before and
    matching its keyed hash, nothing cut after the last, the anchor's entry in place, and
    ``expect_head`` (a head recorded earlier) still there.  A missing, empty, unreadable or
    earlier-version log is an alarm too.  Never raises for what it finds."""
    files = _files(path, anchor)
    if not path.exists():
        reason = f"no audit log at {path}"
        if files.anchor.exists():
            reason += f" (its anchor {files.anchor} is still there: the log was deleted or moved)"
        return Verification(0, reason=reason, alarm="missing", path=path)
    try:
        if path.stat().st_size == 0:
            reason = "the file is empty (0 bytes): it was emptied or replaced"
            return Verification(0, reason=reason, alarm="empty", path=path)
        with closing(_connect(path)) as con:
            _require_current(con)
            return _walk(con, files, _secret(files, key), expect_head)
    except AuditError as error:
        return Verification(0, reason=str(error), alarm=error.alarm, path=path)
    except (sqlite3.Error, OSError) as error:
        return Verification(0, reason=str(error), alarm="unreadable", path=path)
