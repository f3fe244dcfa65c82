"""What one audit entry holds, and the bounded, normalised form it is stored in.

An entry's text comes partly from outside (query parameters, file names, an identity
provider's email), so what one entry stores is bounded (a junk parameter cannot grow the log)
and emails are stored in the one normalised form (``core.access.normalise_email``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from core.access import normalise_email

Event = Literal["view", "shown", "download", "denied", "change"]
EVENTS: tuple[str, ...] = ("view", "shown", "download", "denied", "change")
Alarm = Literal["missing", "empty", "legacy", "unreadable", "tampered"]
GENESIS = "0" * 64
VERSION = 3  # PRAGMA user_version: 0 was the unkeyed SHA-256 chain; 2 had no "change"
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
        event: view (before a page draws), shown (after), download, denied, or change (an
            edit of the programme register: ``what`` names the row and field, ``filters``
            hold the old and new values and the reason).
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
        return cap(normalise_email(raw), MAX_EMAIL)
    except ValueError:
        return cap(f"invalid email {raw.strip()!a}", MAX_EMAIL)


def cap(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how many were cut; a lone surrogate (not
    storable in SQLite) and a NUL (not storable in PostgreSQL's text) escaped."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…[{len(text) - limit} characters cut]"


def as_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))


def bounded_filters(filters: Mapping[str, object] | None) -> str:
    """The filters as JSON, bounded: names and values cut to a few hundred characters (a long
    string kept as its start, any other value as the start of its JSON text), keys beyond the
    budget dropped, and a note (``_audit_cut``) of what was cut."""
    kept: dict[str, object] = {}
    cut: dict[str, int] = {}
    dropped, size = 0, 0
    for raw, value in (filters or {}).items():
        name, text = cap(str(raw), MAX_KEY), as_json(value)
        whole = len(text)
        if whole > MAX_VALUE:  # a string cut to its start, anything else to its JSON's
            value = (value if isinstance(value, str) else text)[:MAX_VALUE]
            text = as_json(value)
        if str(raw) == CUT_NOTE or name in kept or size + len(name) + len(text) > MAX_FILTERS:
            dropped += 1
            continue
        if whole > MAX_VALUE:
            cut[name] = whole
        kept[name], size = value, size + len(name) + len(text)
    if dropped or cut:
        kept[CUT_NOTE] = {"keys_dropped": dropped, "values_cut": cut}
    return as_json(kept)


def _count(value: int | None) -> int | None:
    return None if value is None else int(value)


def values_of(entry: Entry, at: datetime | None) -> tuple[object, ...]:
    if entry.event not in EVENTS:
        raise ValueError(f"audit event {entry.event!r} is not one of {', '.join(EVENTS)}")
    stamp = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="milliseconds")
    return (
        stamp,
        stored_email(entry.user_email),
        None if entry.role is None else cap(entry.role, MAX_ROLE),
        entry.event,
        cap(entry.page, MAX_PAGE),
        None if entry.what is None else cap(entry.what, MAX_WHAT),
        bounded_filters(entry.filters),
        _count(entry.rows),
        _count(entry.cells_suppressed),
    )
