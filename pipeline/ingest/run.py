"""One ``workforce ingest`` run: plan, load into a new warehouse version, publish.

Under the writer lock: discover the landing zone; compare it with what the published version
holds (nothing is opened read-write for that); and only if something is to be done — a new
or restated delivery, one refused before that now has new bytes, a changed register, an older
warehouse schema (upgraded in the copy) or no warehouse at all — copy the current version,
load each delivery oldest first in its own transaction, checkpoint, close and publish.  A run
with nothing to do leaves the warehouse byte for byte as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date

import duckdb

from pipeline import warehouse as wh
from pipeline.contract import PROGRAMME
from pipeline.ingest.discover import Delivery, discover
from pipeline.ingest.errors import DeliveryRefused
from pipeline.ingest.load import load_delivery
from pipeline.ingest.log import REFUSED, LoadedState, LogEntry, read_state, utc_now, write_log
from pipeline.ingest.marts import refresh_month_end_groups
from pipeline.ingest.report import Reporter, summary
from pipeline.ingest.schema import (
    SCHEMA_VERSION,
    create_schema,
    has_schema,
    refresh_organisations,
    register_changed,
    schema_version,
    upgrade_schema,
)
from pipeline.ingest.verify import check_delivery
from pipeline.reference import organisations_by_cluster
from pipeline.settings import Settings

INCOMPLETE, UNCHANGED, REFUSED_AGAIN, PROCESS = "incomplete", "unchanged", "refused again", "load"


@dataclass
class Plan:
    delivery: Delivery
    action: str
    reason: str | None = None  # REFUSED_AGAIN: the reason given last time
    fingerprint: str | None = None
    bytes_fingerprint: str | None = None


def plan(delivery: Delivery, state: LoadedState, register_sha: str) -> Plan:
    key = (delivery.feed, delivery.extract_date)
    if not delivery.complete:
        return Plan(delivery, INCOMPLETE)
    fingerprint = delivery.manifest_fingerprint()
    if fingerprint is not None and state.loaded.get(key) == fingerprint:
        return Plan(delivery, UNCHANGED, fingerprint=fingerprint)
    try:
        on_disk = delivery.bytes_fingerprint()
    except OSError:  # unreadable: verification says so, as a refusal
        return Plan(delivery, PROCESS, None, fingerprint, None)
    refusal = state.last_refusal.get(key)
    # Same bytes, same register (the rules' only outside input): the same verdict.
    if refusal and refusal[0] == on_disk and state.register_sha256 == register_sha:
        return Plan(delivery, REFUSED_AGAIN, refusal[1], fingerprint, on_disk)
    return Plan(delivery, PROCESS, None, fingerprint, on_disk)


def _published_state(settings: Settings) -> tuple[LoadedState, bool, bool, bool]:
    """What the current version holds; whether it exists; whether it is worth compacting;
    whether its schema is older (or newer) than this program's."""
    current = wh.current_path(settings.warehouse)
    if current is None:
        return read_state(None), False, False, False
    with contextlib.closing(duckdb.connect(str(current), read_only=True)) as con:
        outdated = schema_version(con) != SCHEMA_VERSION
        return read_state(con), True, wh.is_loose(con), outdated


def run_ingest(settings: Settings, reporter: Reporter) -> int:
    began = time.perf_counter()
    if not settings.landing.is_dir():
        from pipeline.cli import UsageError

        raise UsageError(f"landing zone {settings.landing} does not exist or is not a folder")
    with wh.ingest_lock(settings.warehouse):
        deliveries, notes = discover(settings.landing)
        for note in notes:
            reporter.line(note)
        state, exists, loose, outdated = _published_state(settings)
        register_sha = hashlib.sha256(settings.organisations_csv.read_bytes()).hexdigest()
        plans = [plan(d, state, register_sha) for d in deliveries]
        todo = [p for p in plans if p.action == PROCESS]
        write = bool(todo) or not exists or outdated or state.register_sha256 != register_sha
        tally: Counter[str] = Counter()
        reporter.begin(len(todo))
        if not write:
            for p in plans:
                tally[_report_planned(p, reporter)] += 1
            version = "warehouse unchanged"
        else:
            version = _load_new_version(settings, plans, reporter, tally, compact=loose)
    refused = tally[REFUSED] + tally[REFUSED_AGAIN]
    order = ("loaded", "loaded_with_quarantine", "restated", UNCHANGED, INCOMPLETE)
    parts = [f"{tally[k]} {k.replace('_', ' ')}" for k in order] + [f"{refused} refused"]
    reporter.line(
        f"ingest: {len(deliveries)} deliveries: {', '.join(parts)}; {version}"
        f" ({time.perf_counter() - began:.1f} s)"
    )
    return 1 if refused else 0


def _report_planned(p: Plan, reporter: Reporter) -> str:
    label = p.delivery.label
    if p.action == INCOMPLETE:
        reporter.line(f"skipped (incomplete): {label}: no manifest.json yet")
    elif p.action == UNCHANGED:
        reporter.line(f"unchanged: {label}")
    else:
        reporter.line(f"refused: {p.reason}")
    return p.action


def _load_new_version(
    settings: Settings, plans: list[Plan], reporter: Reporter, tally: Counter[str], compact: bool
) -> str:
    path, previous = wh.new_version(settings.warehouse, compact=compact)
    con = wh.connect_writable(path)
    try:
        con.execute("BEGIN TRANSACTION")
        rebuild_marts = True  # whole, unless only snapshots changed (below)
        if has_schema(con):
            found = upgrade_schema(con)
            if found != SCHEMA_VERSION:
                reporter.line(f"warehouse schema upgraded from version {found} to {SCHEMA_VERSION}")
            else:
                rebuild_marts = register_changed(con, settings.organisations_csv)
        else:
            create_schema(con)
        refresh_organisations(con, settings.organisations_csv)
        con.execute("COMMIT")
        changed: list[date] = []
        by_cluster = organisations_by_cluster(settings.organisations_csv)
        for p in plans:
            if p.action != PROCESS:
                tally[_report_planned(p, reporter)] += 1
                continue
            reporter.working_on(p.delivery.label)
            organisations = sorted(by_cluster.get(p.delivery.feed, frozenset()))
            entry = _process(con, p, organisations, reporter)
            tally[entry.outcome] += 1
            if entry.outcome != REFUSED and entry.feed != PROGRAMME:
                changed.append(entry.extract_date)
            reporter.advance()
        if rebuild_marts or changed:
            refresh_month_end_groups(con, None if rebuild_marts else min(changed))
        con.execute("CHECKPOINT")
        con.close()
    except BaseException:
        con.close()
        wh.discard(path)
        raise
    wh.publish(settings.warehouse, path, previous)
    return f"published {path.name}" + (" (rewritten compactly)" if compact else "")


def _process(
    con: duckdb.DuckDBPyConnection, p: Plan, organisations: list[str], reporter: Reporter
) -> LogEntry:
    d, started, clock = p.delivery, utc_now(), time.perf_counter()

    def entry() -> LogEntry:
        files = [
            {"name": n, "sha256": d.hashes.get(n), "rows": None, "extra_columns": []}
            for n in d.parquet_names()
        ]
        return LogEntry(
            d.feed, d.extract_date, REFUSED, started, files=files,
            fingerprint=p.fingerprint, bytes_fingerprint=p.bytes_fingerprint,
        )  # fmt: skip

    try:
        checked = check_delivery(d)
        loading = entry()
        loading.source_system = checked.manifest.source_system
        loading.generated_at = checked.manifest.generated_at
        loading.files = [
            {"name": f.name, "sha256": f.sha256, "rows": f.rows, "extra_columns": f.extra_columns}
            for f in checked.files.values()
        ]
        result = load_delivery(con, checked, loading, organisations)
    except DeliveryRefused as refusal:
        result = entry()
        result.reason = refusal.reason
        con.execute("BEGIN TRANSACTION")
        write_log(con, result)
        con.execute("COMMIT")
    reporter.line(summary(result, d.label, time.perf_counter() - clock))
    return result
