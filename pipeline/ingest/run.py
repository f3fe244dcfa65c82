"""One ``workforce ingest`` run: plan, load into a new warehouse version, publish.

Under the writer lock: discover the landing zone; compare it with what the published version
holds (nothing is opened read-write for that: :mod:`.plan`); and only if something is to be
done — a new or restated delivery, one refused before that now has new bytes, a changed
register, an older warehouse schema (upgraded in the copy) or no warehouse at all — copy the
current version, load each delivery oldest first in its own transaction, checkpoint, close and
publish.  A run with nothing to do leaves the warehouse byte for byte as it was.

A run that cannot write the warehouse (a full disk, a read-only folder, a path through a file)
stops with one line and exit 2, the code for a command that cannot do its job with what it was
given: exit 1 would say that a delivery was refused and the others loaded, and neither is true.
The published version is untouched and no unpublished version is left behind.  A second run
while one holds the lock says that it is waiting (or, with ``wait=False``, stops at once).

``today`` is the machine's date unless a test gives one: deliveries dated after it are refused.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from core import warehouse as wh
from core.contract import PROGRAMME
from core.errors import UsageError, printable
from core.hashing import sha256_file
from core.locks import LockHeld
from core.reference import organisations_by_cluster
from core.settings import Settings
from pipeline.ingest.discover import discover
from pipeline.ingest.errors import DeliveryRefused
from pipeline.ingest.load import load_delivery
from pipeline.ingest.log import REFUSED, LogEntry, utc_now, write_log
from pipeline.ingest.marts import refresh_month_end_groups
from pipeline.ingest.native import Sources
from pipeline.ingest.plan import (
    INCOMPLETE,
    PROCESS,
    REFUSED_AGAIN,
    UNCHANGED,
    DeliveryKey,
    Plan,
    plan,
    published,
    rejudge_behind_loads,
)
from pipeline.ingest.report import Reporter, summary
from pipeline.ingest.schema import (
    SCHEMA_VERSION,
    create_schema,
    has_schema,
    refresh_organisations,
    register_changed,
    upgrade_schema,
)
from pipeline.ingest.shrink import previous_snapshot
from pipeline.ingest.verify import check_delivery
from pipeline.sql import transaction

# What a write that fails because of the machine raises: the OS, or DuckDB writing its file,
# spilling to disk, or committing (its write-ahead log); after a failed write DuckDB may
# refuse further statements with a fatal error.
MACHINE_ERRORS = (OSError, duckdb.IOException, duckdb.FatalException, duckdb.OutOfMemoryException)


def machine_failure(error: BaseException) -> bool:
    """Whether the error is the machine's (disk, memory, permissions), not the program's."""
    if isinstance(error, MACHINE_ERRORS):
        return True
    return isinstance(error, duckdb.TransactionException) and "Failed to commit" in str(error)


def run_ingest(
    settings: Settings,
    reporter: Reporter,
    *,
    today: date | None = None,
    allow_empty: Collection[DeliveryKey] = (),
    wait: bool = True,
) -> int:
    """Load every complete delivery not yet loaded; 0, or 1 when any was refused.
    ``allow_empty``: the (cluster, date) deliveries whose employees file may have no rows, or
    fewer than half the previous snapshot's (``--allow-empty``, also named ``--allow-shrink``)."""
    began = time.perf_counter()
    if not settings.landing.is_dir():
        raise UsageError(
            f"landing zone {printable(settings.landing)} does not exist or is not a folder"
        )
    register = settings.organisations_csv
    try:
        register_sha = sha256_file(register)
    except OSError as error:
        raise UsageError(f"cannot read {printable(register)}: {error.strerror}") from None
    run = _Run(settings, reporter, today or date.today(), frozenset(allow_empty), register_sha)
    try:
        with wh.ingest_lock(settings.warehouse, wait=wait, on_wait=reporter.waiting):
            run.go()
    except LockHeld as held:
        raise UsageError(printable(held)) from None
    except Exception as error:
        if not machine_failure(error):
            raise
        raise UsageError(stopped(settings.warehouse, error)) from None
    tally = run.tally
    refused = tally[REFUSED] + tally[REFUSED_AGAIN]
    order = ("loaded", "loaded_with_quarantine", "restated", UNCHANGED, INCOMPLETE)
    parts = [f"{tally[k]} {k.replace('_', ' ')}" for k in order] + [f"{refused} refused"]
    reporter.line(
        f"ingest: {run.deliveries} deliveries: {', '.join(parts)}; {run.version}"
        f" ({time.perf_counter() - began:.1f} s)"
    )
    return 1 if refused else 0


def stopped(warehouse: Path, error: BaseException) -> str:
    """One line for a load the machine stopped: what failed, on which file, and that
    nothing changed."""
    while (
        error.__context__ and not error.__suppress_context__ and machine_failure(error.__context__)
    ):
        error = error.__context__  # the first failure, not what failed after it
    if isinstance(error, OSError):
        where = f" ({printable(error.filename)})" if error.filename else ""
        detail = f"{error.strerror or error}{where}"
    else:
        lines = str(error).strip().splitlines()
        detail = printable(lines[0] if lines else type(error).__name__)
    return (
        f"could not write the warehouse {printable(warehouse)}: {detail}; nothing was"
        " published and the warehouse is as it was"
    )


@dataclass
class _Run:
    """One run under the lock: discover, plan, and load if anything is to be done."""

    settings: Settings
    reporter: Reporter
    today: date
    allow_empty: frozenset[DeliveryKey]
    register_sha: str
    tally: Counter[str] = field(default_factory=Counter)
    deliveries: int = 0
    version: str = "warehouse unchanged"
    sources: Sources | None = None  # set once the register is read (native deliveries)

    def go(self) -> None:
        try:
            deliveries, notes = discover(self.settings.landing, self.settings.mappings)
        except OSError as error:
            raise UsageError(
                f"cannot read the landing zone: {error.strerror} ({printable(error.filename)})"
            ) from None
        self.deliveries = len(deliveries)
        for note in notes:
            self.reporter.line(note)
        found = {(d.feed, d.extract_date) for d in deliveries}
        for feed, day in sorted(self.allow_empty - found):
            self.reporter.line(f"note: --allow-empty {feed}/{day}: no such delivery found")
        now = published(self.settings.warehouse)
        secret = self.settings.person_key_secret
        has_secret = secret is not None and bool(secret.get_secret_value())
        plans = [
            plan(d, now.state, self.register_sha, self.today, self.allow_empty, has_secret)
            for d in deliveries
        ]
        rejudge_behind_loads(plans)
        todo = [p for p in plans if p.action == PROCESS]
        self.reporter.begin(len(todo))
        if todo or not now.exists or now.outdated or now.state.register_sha256 != self.register_sha:
            self.version = self.load_new_version(plans, compact=now.loose)
        else:
            for p in plans:
                self.report_planned(p)

    def report_planned(self, p: Plan) -> None:
        label = p.delivery.label
        if p.action == INCOMPLETE:
            self.reporter.line(f"skipped (incomplete): {label}: no manifest.json yet")
        elif p.action == UNCHANGED:
            self.reporter.line(f"unchanged: {label}")
        else:
            self.reporter.line(f"refused: {p.reason}")
        self.tally[p.action] += 1

    def load_new_version(self, plans: list[Plan], compact: bool) -> str:
        settings, reporter = self.settings, self.reporter
        path, previous = wh.new_version(settings.warehouse, compact=compact)
        con = wh.connect_writable(path)
        try:
            rebuild_marts = True  # whole, unless only snapshots changed (below)
            with transaction(con):
                if has_schema(con):
                    found = upgrade_schema(con)
                    if found != SCHEMA_VERSION:
                        reporter.line(
                            f"warehouse schema upgraded from version {found} to {SCHEMA_VERSION}"
                        )
                    else:
                        rebuild_marts = register_changed(con, settings.organisations_csv)
                else:
                    create_schema(con)
                refresh_organisations(con, settings.organisations_csv)
            changed: list[date] = []
            by_cluster = organisations_by_cluster(settings.organisations_csv)
            register = frozenset().union(*by_cluster.values())
            self.sources = Sources(settings.mappings, settings.person_key_secret, register)
            for p in plans:
                if p.action != PROCESS:
                    self.report_planned(p)
                    continue
                reporter.working_on(p.delivery.label)
                organisations = sorted(by_cluster.get(p.delivery.feed, frozenset()))
                entry = self.process(con, p, organisations)
                self.tally[entry.outcome] += 1
                if entry.outcome != REFUSED and entry.feed != PROGRAMME:
                    changed.append(entry.extract_date)
                reporter.advance()
            if rebuild_marts or changed:
                refresh_month_end_groups(con, None if rebuild_marts else min(changed))
            con.execute("CHECKPOINT")
            con.close()
        except BaseException:
            with contextlib.suppress(duckdb.Error):  # keep the error that stopped the load
                con.close()
            with contextlib.suppress(OSError):
                wh.discard(path)
            raise
        wh.publish(settings.warehouse, path, previous)
        return f"published {path.name}" + (" (rewritten compactly)" if compact else "")

    def process(
        self, con: duckdb.DuckDBPyConnection, p: Plan, organisations: list[str]
    ) -> LogEntry:
        d, started, clock = p.delivery, utc_now(), time.perf_counter()
        allow_empty = (d.feed, d.extract_date) in self.allow_empty

        def entry() -> LogEntry:
            files = [  # names as found in the folder: printable, storable whatever their bytes
                {"name": printable(n), "sha256": d.hashes.get(n), "rows": None, "extra_columns": []}
                for n in d.data_names()
            ]
            name = d.mapping_name() if d.native else None
            return LogEntry(
                d.feed, d.extract_date, REFUSED, started, files=files,
                fingerprint=p.fingerprint, bytes_fingerprint=p.bytes_fingerprint,
                mapping=None if name is None else printable(f"{name}.toml"),
            )  # fmt: skip

        try:
            previous = previous_snapshot(con, d.feed, d.extract_date)  # loaded before it
            checked = check_delivery(
                d, self.today, allow_empty=allow_empty, sources=self.sources, previous=previous
            )
            loading = entry()
            source = checked.manifest.source_system  # the cluster's words: stored printable
            loading.source_system = None if source is None else printable(source)
            loading.generated_at = checked.manifest.generated_at
            if checked.mapping is not None:
                loading.mapping_system = checked.mapping.spec.system
                loading.mapping_sha256 = checked.mapping.sha256
            loading.files = [
                {
                    "name": f.shown,
                    "sha256": f.sha256,
                    "rows": f.rows,
                    "extra_columns": [printable(c) for c in f.extra_columns],
                }
                for f in checked.files.values()
            ]
            result = load_delivery(con, checked, loading, organisations)
        except DeliveryRefused as refusal:
            result = entry()
            result.reason = refusal.reason
            with transaction(con):
                write_log(con, result)
        self.reporter.line(summary(result, d.label, time.perf_counter() - clock))
        return result
