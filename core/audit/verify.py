"""Walking the whole audit log: the check behind the admins' Audit log page and
``workforce audit verify``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from core.audit.entries import GENESIS, Alarm, AuditError, Head
from core.audit.log import SELECT, connect, require_current
from core.audit.seal import Files, files_for, matches, read_anchor, seal, secret


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
    path: Path | str | None = None  # a log on PostgreSQL: its URL, which prints masked

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


@dataclass
class Chain:
    """What walking the entries in order found: how many, the last number and hash, the hash
    of the entry ``watch``, and the first fault (its entry and why), if any."""

    count: int = 0
    last: int = 0
    prev: str = GENESIS
    at_watch: str = GENESIS
    fault: tuple[int, str] | None = None


def walk_chain(rows: Iterable[Sequence[object]], key: bytes, watch: int = 0) -> Chain:
    """Walk ``rows`` (seq, the values, prev_hash, hash, by seq): numbers from 1 without a gap,
    each entry following the one before and matching its keyed hash.  Shared by the SQLite and
    the PostgreSQL logs."""
    chain = Chain()
    for seq, *rest in rows:
        values, prev_hash, digest = tuple(rest[:-2]), rest[-2], rest[-1]
        last = chain.last
        chain.count += 1
        if seq != last + 1:
            gap = f"entry {last + 1} is" if seq == last + 2 else f"entries {last + 1}-{seq - 1} are"
            chain.fault = (last + 1, f"{gap} missing (the log jumps from {last} to {seq})")
            return chain
        if prev_hash != chain.prev:
            chain.fault = (seq, f"entry {seq} does not follow the entry before it")
            return chain
        if not matches(seal(key, seq, chain.prev, values), digest):
            why = "changed after it was written, or the key is not the one it was written with"
            chain.fault = (seq, f"entry {seq} does not match its keyed hash ({why})")
            return chain
        chain.prev, chain.last = str(digest), seq
        chain.at_watch = chain.prev if seq == watch else chain.at_watch
    return chain


def _walk(con: sqlite3.Connection, files: Files, key: bytes, expect: Head | None) -> Verification:
    def fault(seq: int | None, reason: str, count: int) -> Verification:
        return Verification(count, seq, reason, alarm="tampered", path=files.log)

    try:
        anchor = read_anchor(files, key)
    except AuditError as error:
        return fault(None, str(error), 0)
    chain = walk_chain(con.execute(f"{SELECT} ORDER BY seq"), key, anchor.seq)
    if chain.fault is not None:
        return fault(*chain.fault, chain.count)
    prev, last, count, at_anchor = chain.prev, chain.last, chain.count, chain.at_watch
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
    files = files_for(path, anchor)
    if not path.exists():
        reason = f"no audit log at {path}"
        if files.anchor.exists():
            reason += f" (its anchor {files.anchor} is still there: the log was deleted or moved)"
        return Verification(0, reason=reason, alarm="missing", path=path)
    try:
        if path.stat().st_size == 0:
            reason = "the file is empty (0 bytes): it was emptied or replaced"
            return Verification(0, reason=reason, alarm="empty", path=path)
        with closing(connect(path)) as con:
            require_current(con)
            return _walk(con, files, secret(files, key), expect_head)
    except AuditError as error:
        return Verification(0, reason=str(error), alarm=error.alarm, path=path)
    except (sqlite3.Error, OSError) as error:
        return Verification(0, reason=str(error), alarm="unreadable", path=path)
