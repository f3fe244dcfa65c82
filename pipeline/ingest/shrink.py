"""A snapshot that would make more than half a cluster's workforce leave at once (issue 11).

An employees file is a full snapshot: whoever is missing from it has left.  A file with no rows
is refused (:mod:`.verify`); so is one with fewer than half the rows of the cluster's latest
snapshot dated before it, when that snapshot had at least :data:`MIN_PREVIOUS` people (below
that a few leavers are half, and tiny test warehouses would trip it).  A cluster that really
lost half its people in a night is loaded with ``--allow-shrink CLUSTER/YYYY-MM-DD`` (a second
name of ``--allow-empty``: one precise override for an empty or a shrunk snapshot).

The previous count is ``snapshots.employees`` of the warehouse being loaded: one row per
(feed, date), the load now in effect, so a restatement is measured against the snapshot before
its date (not its own earlier load), a late delivery against the one before *its* date, and a
delivery loaded earlier in the same run is already there.  It counts the people in post (the
rows loaded, quarantine excluded): those are who would "leave".  The new count is the file's
rows (for a native delivery, ``workers.csv``'s, which conform one to one).

The refusal rests on the warehouse as well as the bytes, so :mod:`.plan` re-judges it when the
snapshot it names is no longer the one before it, and :func:`measured_against` reads which
snapshot that was back from the remembered reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import duckdb

from pipeline.ingest.discover import Delivery

MIN_PREVIOUS = 100  # a smaller previous snapshot is not checked
RULE = "more than half the workforce would leave at once"


@dataclass(frozen=True)
class Previous:
    """The cluster's latest loaded snapshot dated before a delivery: its date and people."""

    extract_date: date
    employees: int


def previous_snapshot(con: duckdb.DuckDBPyConnection, feed: str, day: date) -> Previous | None:
    """The latest snapshot of ``feed`` dated before ``day`` in the warehouse being loaded."""
    row = con.execute(
        """SELECT extract_date, employees FROM snapshots
        WHERE feed = $feed AND extract_date < $d AND employees IS NOT NULL
        ORDER BY extract_date DESC LIMIT 1""",
        {"feed": feed, "d": day},
    ).fetchone()
    return None if row is None else Previous(row[0], row[1])


def previous_in(
    headcounts: Mapping[tuple[str, date], int | None], delivery: Delivery
) -> Previous | None:
    """The same, from the published warehouse's snapshot counts (for planning a run)."""
    before = [
        (day, n)
        for (feed, day), n in headcounts.items()
        if feed == delivery.feed and day < delivery.extract_date and n is not None
    ]
    return Previous(*max(before)) if before else None


def shrinks(rows: int, previous: Previous | None) -> bool:
    """Whether ``rows`` is under half a previous snapshot big enough to be judged."""
    if previous is None or previous.employees < MIN_PREVIOUS:
        return False
    return 2 * rows < previous.employees  # 50% loads, 49% is refused


def _override(delivery: Delivery) -> str:
    return f"--allow-shrink {delivery.feed}/{delivery.extract_date.isoformat()}"


def shrink_reason(delivery: Delivery, file: str, rows: int, previous: Previous) -> str:
    """The refusal of an employees file of ``rows`` rows against ``previous`` (one line)."""
    counted = f"{rows} row" if rows == 1 else f"{rows} rows"
    return (
        f"{delivery.label} {file}: has {counted} against {previous.employees} on"
        f" {previous.extract_date.isoformat()}: {RULE}; if that is real, load it with"
        f" {_override(delivery)}"
    )


def measured_against(reason: str, delivery: Delivery) -> Previous | None:
    """The snapshot a shrink refusal of ``delivery`` was measured against; None when
    ``reason`` is not such a refusal of that delivery."""
    pattern = (
        re.escape(f"{delivery.label} ")
        + r"(?:employees\.parquet|workers\.csv): has \d+ rows? against (\d+) on"
        + r" (\d{4}-\d{2}-\d{2})"
        + re.escape(f": {RULE}; if that is real, load it with {_override(delivery)}")
    )
    match = re.fullmatch(pattern, reason)
    if match is None:
        return None
    return Previous(date.fromisoformat(match[2]), int(match[1]))
