"""Walking the whole audit log on PostgreSQL (:mod:`core.audit.postgres`): the same check as
the SQLite log's, with the head row in place of the anchor file.

The head and the entries are read in one snapshot (a read-only, repeatable-read transaction),
so servers appending meanwhile never make an intact log look cut.
"""

from __future__ import annotations

import psycopg
from psycopg import errors

from core.audit.entries import AuditError, Head
from core.audit.postgres import (
    MISSING,
    NOT_STARTED,
    SELECT,
    describe,
    own_connection,
    secret,
    url_of,
)
from core.audit.seal import anchor_mac, matches
from core.audit.verify import Verification, walk_chain
from core.settings import DatabaseURL


def verify(
    target: str, *, key: bytes | str | None = None, expect_head: Head | None = None
) -> Verification:
    """Walk the whole log: numbers contiguous from 1, each entry following the one before and
    matching its keyed hash, the head sealed with the key and on the last entry, and
    ``expect_head`` still there.  A log not started, empty or out of reach is an alarm too.
    Never raises for what it finds."""
    url = url_of(target)
    try:
        sealing_key = secret(url, key)
        with own_connection(url) as con:  # a long walk holds up no append of this process
            return _walk(con, url, sealing_key, expect_head)
    except AuditError as error:
        return Verification(0, reason=str(error), alarm=error.alarm, path=url)
    except errors.UndefinedTable:
        reason = f"no audit log in {url}: {MISSING}"
        return Verification(0, reason=reason, alarm="missing", path=url)
    except psycopg.Error as error:
        return Verification(0, reason=describe(error, url), alarm="unreadable", path=url)


def _walk(
    con: psycopg.Connection, url: DatabaseURL, key: bytes, expect: Head | None
) -> Verification:
    def fault(seq: int | None, reason: str, count: int) -> Verification:
        return Verification(count, seq, reason, alarm="tampered", path=url)

    with con.transaction():
        con.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        row = con.execute("SELECT seq, hash, mac FROM audit.head").fetchone()
        if row is None:
            return fault(None, "its head row is missing", 0)
        head, mac = Head(int(row[0]), str(row[1])), row[2]
        if mac is None:
            if head.seq == 0 and con.execute("SELECT count(*) FROM audit.log").fetchone()[0] == 0:
                return Verification(
                    0, reason=f"no audit log in {url}: {NOT_STARTED}", alarm="missing", path=url
                )
            return fault(None, "its head is not sealed, yet entries were written", 0)
        if not matches(anchor_mac(key, head.seq, head.hash), mac):
            why = "its head was not sealed with this key (forged, or the key changed)"
            return fault(None, why, 0)
        with con.cursor(name="audit_walk") as cursor:
            cursor.itersize = 5000
            cursor.execute(f"{SELECT} ORDER BY seq")
            chain = walk_chain(cursor, key)
        if chain.fault is not None:
            return fault(*chain.fault, chain.count)
        found = _found(con, expect)
    last, count = chain.last, chain.count
    if head.seq > last:
        why = f"the log ends at entry {last} but its head records {head.seq}"
        return fault(last + 1, f"{why}: entries were removed or the log was replaced", count)
    if head.seq < last:
        why = f"entries after {head.seq}, the last its head records, were added around it"
        return fault(head.seq + 1, why, count)
    if head.hash != chain.prev:
        why = f"entry {last} is not the one its head records: the log was replaced"
        return fault(last, why, count)
    if count == 0:
        reason = "it has no entries (a log in use has at least the view of whoever looks)"
        return Verification(0, None, reason, alarm="empty", path=url)
    if expect is not None and found != expect.hash:
        why = "is not in the log: the log and its head were rolled back or rewritten"
        return fault(expect.seq, f"the recorded head {expect} {why}", count)
    return Verification(count, head=Head(last, chain.prev), path=url)


def _found(con: psycopg.Connection, expect: Head | None) -> str | None:
    if expect is None:
        return None
    row = con.execute("SELECT hash FROM audit.log WHERE seq = %s", (expect.seq,)).fetchone()
    return None if row is None else str(row[0])
