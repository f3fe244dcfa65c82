"""Ingest speed and history size, measured on a landing zone (a script, not a test).

    .venv/bin/python -m benchmarks.ingest_bench --landing data/landing [--date YYYY-MM-DD]

For one night (default: the landing zone's latest extract date) it times

* the baseline: a bare DuckDB ``CREATE TABLE AS SELECT * FROM read_parquet(...)`` of that
  night's cluster files into a new database file, checkpointed;
* our ingest of the same night into a warehouse already holding every earlier delivery
  (the nightly case), and into an empty warehouse.

The earlier deliveries are loaded as in production, one ``workforce ingest`` run per extract
date, so the warehouse file carries what nightly loads leave behind.  It then reports the
stored employee history (persons and the employee, salary and manager history tables) in the
file, and rewritten into a fresh file, against that night's employees.parquet files.
The issue's targets: ingest <= 3x the baseline; history <= 3x the night's employees files.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

from core.contract import CLUSTERS
from core.settings import Settings
from core.warehouse import connect_writable, current_path
from pipeline.ingest.report import Reporter
from pipeline.ingest.run import run_ingest

HISTORY_TABLES = ("persons", "employee_history", "salary_history", "manager_history")


def night_folders(landing: Path, night: date) -> list[Path]:
    return [
        landing / c / night.isoformat()
        for c in CLUSTERS
        if (landing / c / night.isoformat()).is_dir()
    ]


def bare_ctas(folders: list[Path], work: Path) -> float:
    path = work / "ctas.duckdb"
    began = time.perf_counter()
    with contextlib.closing(duckdb.connect(str(path))) as con:
        for folder in folders:
            for file in sorted(folder.glob("*.parquet")):
                table = f"{folder.parent.name}_{file.stem}".lower()
                con.execute(
                    f'CREATE TABLE "{table}" AS SELECT * FROM read_parquet($p)', {"p": str(file)}
                )
        con.execute("CHECKPOINT")
    return time.perf_counter() - began


def link_folder(folder: Path, target: Path) -> None:
    """Put the delivery ``folder`` into the landing zone ``target`` as real folders of hard
    links (the ingest refuses symbolic links; a hard link is the same file, copied in no time),
    manifest last, as a cluster would write it."""
    into = target / folder.parent.name / folder.name
    into.mkdir(parents=True, exist_ok=True)
    files = sorted(folder.iterdir(), key=lambda f: f.name == "manifest.json")
    for file in files:
        try:
            os.link(file, into / file.name)
        except OSError:  # another file system: a copy
            shutil.copy2(file, into / file.name)


def link_night(landing: Path, target: Path, night: date) -> None:
    """Add the deliveries of ``night`` to the landing zone ``target``."""
    for feed in sorted(landing.iterdir()):
        folder = feed / night.isoformat()
        if folder.is_dir():
            link_folder(folder, target)


def timed_ingest(settings: Settings) -> float:
    began = time.perf_counter()
    code = run_ingest(settings, Reporter(io.StringIO()))
    if code:
        raise SystemExit(f"ingest exited {code}")
    return time.perf_counter() - began


def table_bytes(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Bytes a table occupies in its database file: each segment up to the next segment of the
    same block (or the block's end), so the unused tail of a block counts as stored."""
    block = con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0]
    return con.execute(
        """SELECT coalesce(sum(extra * $block + coalesce(nxt, $block) - block_offset), 0)
        FROM (
            SELECT block_offset, len(additional_block_ids) AS extra,
                lead(block_offset) OVER (PARTITION BY block_id ORDER BY block_offset) AS nxt
            FROM pragma_storage_info($t) WHERE block_id >= 0
        )""",
        {"t": table, "block": block},
    ).fetchone()[0]


def history_file_bytes(warehouse_file: Path, work: Path) -> int:
    """Size of a fresh database (the warehouse's block size) holding only the history tables,
    less an empty database."""
    sizes = []
    for tables in ((), HISTORY_TABLES):
        path = work / f"history-{len(tables)}.duckdb"
        with contextlib.closing(connect_writable(path)) as con:
            con.execute("ATTACH $p AS wh (READ_ONLY)", {"p": str(warehouse_file)})
            for t in tables:
                con.execute(f"CREATE TABLE {t} AS SELECT * FROM wh.{t}")
            con.execute("CHECKPOINT")
        sizes.append(path.stat().st_size)
    return sizes[1] - sizes[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, default=Path("data/landing"))
    parser.add_argument("--date", type=date.fromisoformat, help="the night (default: latest)")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    args = parser.parse_args()
    landing = args.landing.resolve()
    night = args.date or max(
        date.fromisoformat(f.name) for c in CLUSTERS for f in (landing / c).glob("????-??-??")
    )
    folders = night_folders(landing, night)
    employees_bytes = sum((f / "employees.parquet").stat().st_size for f in folders)
    work = args.work or Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        ctas = min(bare_ctas(folders, Path(tempfile.mkdtemp(dir=work))) for _ in range(3))
        # the nightly case: every earlier date loaded by its own run, then the night arrives
        settings = Settings(landing=work / "landing", warehouse=work / "wh")
        settings.landing.mkdir()
        earlier = sorted(
            {date.fromisoformat(f.name) for feed in landing.iterdir() for f in feed.iterdir()}
            - {night}
        )
        began = time.perf_counter()
        for when in earlier:
            link_night(landing, settings.landing, when)
            timed_ingest(settings)
        history_run = time.perf_counter() - began
        link_night(landing, settings.landing, night)
        nightly = timed_ingest(settings)
        # the same night into an empty warehouse
        alone = work / "alone"
        for folder in folders:
            link_folder(folder, alone)
        empty = timed_ingest(Settings(landing=alone, warehouse=work / "wh-empty"))
        current = current_path(settings.warehouse)
        assert current is not None
        with contextlib.closing(duckdb.connect(str(current), read_only=True)) as con:
            in_place = sum(table_bytes(con, t) for t in HISTORY_TABLES)
            versions = {
                t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in HISTORY_TABLES
            }
            deliveries = con.execute("SELECT count(*) FROM snapshots").fetchone()[0]
        fresh = history_file_bytes(current, work)
        whole = current.stat().st_size
        with contextlib.closing(duckdb.connect(str(current), read_only=True)) as con:
            total_blocks, free_blocks = con.execute(
                "SELECT total_blocks, free_blocks FROM pragma_database_size()"
            ).fetchone()
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    mb = 1e6
    lines = [
        f"night {night}: {len(folders)} cluster deliveries,"
        f" employees files {employees_bytes / mb:.1f} MB",
        f"bare CTAS of the night's files (best of 3): {ctas:.2f} s",
        f"ingest of the night into the loaded warehouse: {nightly:.2f} s"
        f" ({nightly / ctas:.2f}x CTAS)",
        f"ingest of the night into an empty warehouse: {empty:.2f} s ({empty / ctas:.2f}x CTAS)",
        f"loading the {deliveries - len(folders)} earlier deliveries, one run per date"
        f" ({len(earlier)} runs), took {history_run:.1f} s",
        f"history rows: {versions}",
        f"employee history after {deliveries} deliveries: {in_place / mb:.1f} MB in place"
        f" ({in_place / employees_bytes:.2f}x the night's employees files),"
        f" {fresh / mb:.1f} MB copied fresh ({fresh / employees_bytes:.2f}x);"
        f" whole warehouse file {whole / mb:.1f} MB ({free_blocks} of {total_blocks} blocks free)",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
