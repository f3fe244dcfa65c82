"""What an ingest run prints: one summary line per delivery, a total line, and a rich
progress bar while it works — the bar only when stdout is a terminal.

Every line goes through :func:`~core.errors.printable` on its way out: the names and
reasons in it come from the landing zone, and must not move the cursor or forge a line."""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from core.errors import printable
from pipeline.ingest.log import LOADED, LOADED_WITH_QUARANTINE, RESTATED, LogEntry


class Reporter:
    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stdout
        self.console = Console(file=self.stream, highlight=False, soft_wrap=True)
        self.progress: Progress | None = None
        self.task = None

    def __enter__(self) -> Reporter:
        if self.console.is_terminal:
            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self.progress.start()
        return self

    def __exit__(self, kind: type | None, error: BaseException | None, tb: TracebackType | None):
        if self.progress:
            self.progress.stop()

    def begin(self, total: int) -> None:
        if self.progress and total:
            self.task = self.progress.add_task("ingest", total=total)

    def working_on(self, text: str) -> None:
        if self.progress and self.task is not None:
            self.progress.update(self.task, description=text)

    def advance(self) -> None:
        if self.progress and self.task is not None:
            self.progress.advance(self.task)

    def line(self, text: str) -> None:
        text = printable(text)
        if self.progress:
            self.console.print(text, markup=False)
        else:
            print(text, file=self.stream, flush=True)

    def waiting(self, lock: Path) -> None:
        """Say, on standard error, that another ingest holds the lock (then the run waits)."""
        print(
            f"waiting for another ingest to finish (lock held on {printable(lock)})",
            file=sys.stderr,
            flush=True,
        )


def summary(entry: LogEntry, label: str, seconds: float) -> str:
    """The one line for a delivery that was loaded, restated or refused."""
    if entry.outcome not in (LOADED, LOADED_WITH_QUARANTINE, RESTATED):
        return f"refused: {entry.reason}"
    head = {
        LOADED: "loaded",
        LOADED_WITH_QUARANTINE: f"loaded with {entry.rows_quarantined:,} rows quarantined",
        RESTATED: f"restated (replaces load {entry.replaces_load_id})",
    }[entry.outcome]
    notes = [f"{entry.rows_loaded:,} rows", f"{seconds:.1f} s"]
    if entry.outcome == RESTATED and entry.rows_quarantined:
        notes.append(f"{entry.rows_quarantined:,} rows quarantined")
    if entry.resent_skipped:
        notes.append(f"{entry.resent_skipped:,} re-sent ledger lines skipped")
    if entry.conflicts:
        notes.append(f"{entry.conflicts:,} conflicting ledger lines quarantined")
    extra = [
        f"{f['name']}: {', '.join(f['extra_columns'])}" for f in entry.files if f["extra_columns"]
    ]
    if extra:
        notes.append("extra columns ignored: " + "; ".join(extra))
    return f"{head}: {label} ({'; '.join(notes)})"
