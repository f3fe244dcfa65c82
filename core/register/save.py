"""A register version saved: written as a PROGRAMME delivery and loaded at once.

:func:`save` checks the register (:mod:`.check`: nothing is written while any fault remains),
then, holding the register's lock (one save at a time, across the app's servers on one
landing zone), compares the version in force with the one the editor started from.  If
someone else saved in between, the save is refused naming who and when, and nothing is
written: the editor's change is still theirs to apply again.  Otherwise the register is
written as ``<landing>/PROGRAMME/<today>/`` the way a delivery is (data files, then the
manifest with their checksums; an earlier save of the day has its manifest removed first, so
no run ever reads a half-written folder) and the normal ingest loads it, as it would load the
nightly feed: so slippage history, the load log and ``workforce status`` all see it.  The
ingest of a register-only delivery does not rebuild the workforce marts.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

import pyarrow as pa

from core.audit import Entry
from core.contract import PROGRAMME, BenefitRow, MilestoneRow, arrow_schema
from core.delivery import write_delivery
from core.locks import exclusive
from core.register.check import Fault, check
from core.register.edits import Change
from core.register.versions import EDITOR, Register, Version, current
from core.settings import Settings

LOCK = "register.lock"  # beside the warehouse's own lock


class RegisterInvalid(ValueError):
    """The register has faults; nothing was written."""

    def __init__(self, faults: list[Fault]):
        self.faults = faults
        more = f" (and {len(faults) - 1} more)" if len(faults) > 1 else ""
        super().__init__(f"{faults[0].line()}{more}")


class SaveConflict(RuntimeError):
    """Someone saved a newer version since the editor opened theirs; nothing was written."""


class NotLoaded(RuntimeError):
    """The saved delivery was written but the ingest did not put it in force."""


def _tables(register: Register) -> dict[str, pa.Table]:
    out = {}
    for name, model, rows in (
        ("milestones.parquet", MilestoneRow, register.milestones),
        ("benefits.parquet", BenefitRow, register.benefits),
    ):
        schema = arrow_schema(model)
        out[name] = pa.Table.from_pylist(
            [{c: row.get(c) for c in schema.names} for row in rows], schema=schema
        )
    return out


def load_in_a_process_of_its_own(settings: Settings, today: date) -> None:
    """The ingest as ``workforce ingest`` in a process of its own, as the nightly load runs:
    for the dashboard, whose process holds the published warehouse open read-only in its own
    configuration (DuckDB allows one configuration per file per process).  It takes this
    process's settings (the same environment, the landing zone and warehouse named); a refusal
    or failure is :class:`NotLoaded`, in one line."""
    run = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "ingest", "--landing", str(settings.landing),
         "--warehouse", str(settings.warehouse)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    said = [line for line in run.stdout.splitlines() + run.stderr.splitlines() if line.strip()]
    refused = [line for line in said if line.startswith(f"refused: {PROGRAMME} {today}")]
    if refused or run.returncode not in (0, 1):
        raise NotLoaded((refused or said or [f"workforce ingest exited {run.returncode}"])[0])


def _same(a: Version | None, b: Version | None) -> bool:
    return (a.load_id if a else None) == (b.load_id if b else None)


def change_entry(change: Change, email: str, role: str) -> Entry:
    """The audit entry of one changed field: who, which row and field, old, new, reason."""
    return Entry(
        email, role, "change", "programme", what=f"{change.row}: {change.column}",
        filters={"old": _plain(change.old), "new": _plain(change.new), "reason": change.reason},
    )  # fmt: skip


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def save(
    settings: Settings,
    register: Register,
    *,
    editor: str,
    started_from: Version | None,
    changes: Sequence[Change] = (),
    record: Callable[[Change], None] | None = None,
    now: datetime | None = None,
    in_force: Callable[[], Register] | None = None,
    load: Callable[[Settings, date], None] = load_in_a_process_of_its_own,
) -> Register:
    """Save ``register`` as the new version (module docstring); returns the register now in
    force.  :class:`RegisterInvalid`, :class:`SaveConflict` or :class:`NotLoaded` otherwise.

    ``record`` is called for each of ``changes`` once the save is allowed and before anything
    is written (the caller's audit log: :func:`change_entry`); if it raises, nothing is saved,
    so no change is made that the log does not hold.  ``in_force`` reads the register in force
    (by default on a connection of its own); ``load`` runs the ingest (by default as
    ``workforce ingest`` in a process of its own; :mod:`pipeline.register.save` loads here)."""
    reader = in_force or (lambda: current(settings.warehouse))
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    today: date = now.date()
    faults = check(register, today)
    if faults:
        raise RegisterInvalid(faults)
    settings.warehouse.mkdir(parents=True, exist_ok=True)
    with exclusive(settings.warehouse / LOCK):
        found = reader().version
        if not _same(found, started_from):
            assert found is not None  # a version was there or appeared: one is in force
            raise SaveConflict(
                f"the register was replaced after you opened it ({found.describe()}):"
                " nothing was saved; your change is still on screen to apply again"
            )
        for change in changes:
            if record is not None:
                record(change)
        folder = settings.landing / PROGRAMME / today.isoformat()
        (folder / "manifest.json").unlink(missing_ok=True)
        write_delivery(
            settings.landing,
            PROGRAMME,
            today,
            _tables(register),
            generated_at=now.replace(tzinfo=None),
            source_system=f"{EDITOR}{editor}",
        )
        load(settings, today)
        saved = reader()
    version = saved.version
    if (
        version is None
        or version.editor != editor
        or version.generated_at != now.replace(tzinfo=None)
    ):
        raise NotLoaded(
            f"the register was written to {folder} but not loaded: see workforce status"
        )
    return saved
