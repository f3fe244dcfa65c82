"""The register's versions as the warehouse holds them, and the rows of one.

Each PROGRAMME delivery loaded is a version: its extract date, the load that put it in place,
when it was generated and by what (a delivery's ``source_system``; a save from the app writes
:data:`EDITOR` and the editor's email there, so a refused save can say who saved before).  A
second save on one day restates that day's delivery: the version is then the later load.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from core.contract import PROGRAMME
from core.errors import printable
from core.warehouse import connect_readonly, current_path

EDITOR = "Workforce Picture register editor: "
MILESTONE_COLUMNS = (
    "milestone_id", "cluster", "title", "stage", "baseline_date", "forecast_date",
    "actual_date", "dca_rating", "dca_scale", "owner",
)  # fmt: skip
BENEFIT_COLUMNS = (
    "cluster", "financial_year", "measure", "planned_gbp", "actual_gbp", "hours_released",
)  # fmt: skip


@dataclass(frozen=True)
class Version:
    extract_date: date
    load_id: int
    generated_at: datetime | None
    source_system: str | None

    @property
    def editor(self) -> str | None:
        """The email of whoever saved this version in the app; None for a delivery."""
        text = self.source_system or ""
        return text.removeprefix(EDITOR) if text.startswith(EDITOR) else None

    def describe(self) -> str:
        """Who and when, in words: "saved by a@b.gov.uk at 14:02 UTC on 2026-11-30"."""
        when = (
            f"at {self.generated_at:%H:%M} UTC on {self.generated_at:%Y-%m-%d}"
            if self.generated_at
            else f"for {self.extract_date.isoformat()}"
        )
        if self.editor is not None:
            return f"saved by {printable(self.editor)} {when}"
        return f"delivered by {printable(self.source_system or 'the PROGRAMME feed')} {when}"


@dataclass
class Register:
    """One version's rows (dicts with the contract's columns), or an empty register."""

    milestones: list[dict[str, Any]] = field(default_factory=list)
    benefits: list[dict[str, Any]] = field(default_factory=list)
    version: Version | None = None
    based_on: int | None = None  # an uploaded workbook's: the load it was downloaded from


def versions(con: duckdb.DuckDBPyConnection) -> list[Version]:
    """Every version in force, oldest first (one per extract date)."""
    rows = con.execute(
        """SELECT s.extract_date, s.load_id, l.generated_at, l.source_system
        FROM snapshots AS s JOIN load_log AS l USING (load_id)
        WHERE s.feed = $feed ORDER BY s.extract_date""",
        {"feed": PROGRAMME},
    ).fetchall()
    return [Version(*row) for row in rows]


def read(con: duckdb.DuckDBPyConnection, version: Version | None) -> Register:
    """The rows of ``version`` (the empty register for None), in a stable order."""
    if version is None:
        return Register()
    key = {"d": version.extract_date}

    def rows(table: str, columns: tuple[str, ...], order: str) -> list[dict[str, Any]]:
        found = con.execute(
            f"SELECT {', '.join(columns)} FROM {table} WHERE extract_date = $d ORDER BY {order}",
            key,
        ).fetchall()
        return [dict(zip(columns, row, strict=True)) for row in found]

    return Register(
        rows("milestone_snapshots", MILESTONE_COLUMNS, "milestone_id"),
        rows("benefit_snapshots", BENEFIT_COLUMNS, "cluster, financial_year, measure"),
        version,
    )


def read_current(con: duckdb.DuckDBPyConnection | None) -> Register:
    """The register in force on ``con``, a connection to the published warehouse (None before
    the first load: the empty register).  The dashboard passes its own connection: a process
    may hold a DuckDB file open in one configuration only."""
    if con is None:
        return Register()
    found = versions(con)
    return read(con, found[-1] if found else None)


def current(warehouse: Path) -> Register:
    """The register in force in the published warehouse (empty before any version)."""
    if current_path(warehouse) is None:
        return Register()
    with contextlib.closing(connect_readonly(warehouse)) as con:
        return read_current(con)
