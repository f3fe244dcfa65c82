"""The load log: one row per delivery attempt that changed the warehouse (table ``load_log``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import duckdb

LOADED, LOADED_WITH_QUARANTINE, RESTATED, REFUSED = (
    "loaded",
    "loaded_with_quarantine",
    "restated",
    "refused",
)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class LogEntry:
    feed: str
    extract_date: date
    outcome: str
    started_at: datetime
    source_system: str | None = None
    generated_at: datetime | None = None
    files: list[dict] = field(default_factory=list)  # name, sha256, rows, extra_columns
    fingerprint: str | None = None
    bytes_fingerprint: str | None = None
    rows_loaded: int = 0
    rows_quarantined: int = 0
    resent_skipped: int = 0
    conflicts: int = 0
    replaces_load_id: int | None = None
    reason: str | None = None
    load_id: int | None = None
    mapping: str | None = None  # native deliveries: the mapping file, its system and sha256
    mapping_system: str | None = None
    mapping_sha256: str | None = None


def next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM load_log").fetchone()[0]


def write_log(con: duckdb.DuckDBPyConnection, entry: LogEntry) -> int:
    """Append the entry (inside the caller's transaction); returns its load_id."""
    if entry.load_id is None:
        entry.load_id = next_load_id(con)
    finished = utc_now()
    generated = entry.generated_at
    if generated is not None and generated.tzinfo is not None:
        generated = generated.astimezone(UTC).replace(tzinfo=None)
    con.execute(
        """INSERT INTO load_log VALUES ($load_id, $feed, $extract_date, $source_system,
        $generated_at, $files, $fingerprint, $bytes_fingerprint, $rows_loaded,
        $rows_quarantined, $resent_skipped, $conflicts, $outcome, $replaces_load_id, $reason,
        $started_at, $finished_at, $duration_ms, $mapping, $mapping_system, $mapping_sha256)""",
        {
            "load_id": entry.load_id,
            "feed": entry.feed,
            "extract_date": entry.extract_date,
            "source_system": entry.source_system,
            "generated_at": generated,
            "files": entry.files or None,
            "fingerprint": entry.fingerprint,
            "bytes_fingerprint": entry.bytes_fingerprint,
            "rows_loaded": entry.rows_loaded,
            "rows_quarantined": entry.rows_quarantined,
            "resent_skipped": entry.resent_skipped,
            "conflicts": entry.conflicts,
            "outcome": entry.outcome,
            "replaces_load_id": entry.replaces_load_id,
            "reason": entry.reason,
            "started_at": entry.started_at,
            "finished_at": finished,
            "duration_ms": int((finished - entry.started_at).total_seconds() * 1000),
            "mapping": entry.mapping,
            "mapping_system": entry.mapping_system,
            "mapping_sha256": entry.mapping_sha256,
        },
    )
    return entry.load_id


@dataclass(frozen=True)
class LoadedState:
    """What the published warehouse already holds, for planning a run."""

    loaded: dict[tuple[str, date], str]  # (feed, date) → manifest fingerprint in effect
    last_refusal: dict[tuple[str, date], tuple[str, str]]  # → (bytes fingerprint, reason)
    register_sha256: str | None
    headcounts: dict[tuple[str, date], int | None] = field(default_factory=dict)  # employees


def read_state(con: duckdb.DuckDBPyConnection | None) -> LoadedState:
    if con is None:
        return LoadedState({}, {}, None)
    snapshots = con.execute(
        "SELECT feed::VARCHAR, extract_date, fingerprint, employees FROM snapshots"
    ).fetchall()
    loaded = {(feed, when): fp for feed, when, fp, _ in snapshots}
    last_refusal = {
        (feed, when): (fp, reason)
        for feed, when, fp, reason in con.execute(
            """SELECT feed::VARCHAR, extract_date, bytes_fingerprint, reason FROM load_log
            QUALIFY row_number() OVER (PARTITION BY feed, extract_date ORDER BY load_id DESC) = 1
                AND outcome = 'refused'"""
        ).fetchall()
    }
    row = con.execute("SELECT value FROM warehouse_meta WHERE key = 'register_sha256'").fetchone()
    headcounts = {(feed, when): n for feed, when, _, n in snapshots}
    return LoadedState(loaded, last_refusal, row[0] if row else None, headcounts)
