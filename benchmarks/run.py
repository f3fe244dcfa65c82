"""`make bench`: run every benchmark and write the figures to docs/benchmarks.md.

Each section is measured side by side in this one run, on this machine; the page says when and
where.  Figures are never edited by hand.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import (
    browser_bench,
    cluster_load,
    demo_bench,
    growth,
    load_test,
    native_bench,
    page_bench,
    query_bench,
    register_bench,
)
from benchmarks.measure import measure

DOCS = Path("docs/benchmarks.md")


def _machine() -> str:
    cores = os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.machine()}, {cores} cores, {memory:.0f} GiB, Python {platform.python_version()}"
    )


def demo_section(keep: Path) -> list[str]:
    rows = demo_bench.bench(keep=keep)
    lines = [
        "## Demo generation (`workforce demo`)",
        "",
        "Whole processes, default window (24 month-ends and the 7 days to 2026-11-24), seed 2026.",
        "",
        "| scale | deliveries | employees, last night | seconds | peak memory | landing zone "
        "| target | met |",
        "|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['scale']:g} | {r['deliveries']} | {r['employees_last_night']:,} | "
            f"{r['seconds']:.1f} | {r['peak_mib']:,.0f} MiB | {r['landing_mib']:,.0f} MiB | "
            f"{r['target']} | {'yes' if r['met'] else '**no**'} |"
        )
    return lines


def ingest_section(landing: Path, warehouse: Path) -> list[str]:
    whole = measure(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "ingest",
            "--landing",
            str(landing),
            "--warehouse",
            str(warehouse),
        ]
    )
    night = subprocess.run(
        [sys.executable, "-m", "benchmarks.ingest_bench", "--landing", str(landing)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return [
        "## Ingest (`workforce ingest`)",
        "",
        f"All 186 deliveries of the scale-1.0 demo into an empty warehouse: {whole.seconds:.0f} s,"
        f" peak memory {whole.peak_mib:,.0f} MiB.",
        "",
        "One night against a bare DuckDB `CREATE TABLE ... AS SELECT * FROM read_parquet(...)` of"
        " the same files, measured side by side (`benchmarks/ingest_bench.py`; targets: ingest"
        " at most 3x the bare load, employee history at most 3x the night's employees files):",
        "",
        "```",
        night,
        "```",
    ]


def query_section(landing: Path, warehouse: Path) -> list[str]:
    rows = query_bench.bench(landing, warehouse)
    lines = [
        "## Queries (`workforce query`)",
        "",
        "Whole processes, median of 5 runs each, on the scale-1.0 demo: `workforce query` on the"
        " warehouse, a bare Python process running the same DuckDB SQL straight over the landing"
        " zone's parquet files, and a pandas script over the same files (targets: at most 1.5x"
        " bare DuckDB and 0.2x pandas). All three print the same rows.",
        "",
        "| metric | workforce query | bare DuckDB | pandas | vs DuckDB | vs pandas |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['metric']} | {r['workforce']:.2f} s | {r['duckdb']:.2f} s | "
            f"{r['pandas']:.2f} s | {r['vs_duckdb']:.2f}x | {r['vs_pandas']:.2f}x |"
        )
    lines += [
        "",
        "In-process, as a page asks: the workforce metric by organisation and grade through"
        " `queries.runner.run` on one open read-only connection, 20 warm runs per as-at date, the"
        " macros' definition on a fresh cursor included (target: under 100 ms as at any date).",
        "",
        "| as at | median | slowest | headcount | met |",
        "|---|---:|---:|---:|---|",
    ]
    for r in query_bench.in_process(warehouse):
        lines.append(
            f"| {r['as_at']} | {r['median_ms']:.0f} ms | {r['max_ms']:.0f} ms | "
            f"{r['headcount']:,} | {'yes' if r['median_ms'] < 100 else '**no**'} |"
        )
    return lines


def main() -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Benchmarks", "", f"Measured by `make bench` on {stamp}; {_machine()}.", ""]
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    landing, warehouse = work / "landing", work / "warehouse"
    lines += [*demo_section(keep=landing), ""]
    lines += [*ingest_section(landing, warehouse), ""]
    lines += [*native_bench.section(native_bench.bench(1.0, work / "native"), 1.0), ""]
    lines += [*query_section(landing, warehouse), ""]
    lines += [*page_bench.section(warehouse), ""]
    lines += [*register_bench.section(register_bench.bench(landing, warehouse)), ""]
    reference = Path("data/reference").resolve()
    lines += [*load_test.section(load_test.run(warehouse, reference)), ""]
    clusters = [cluster_load.run(warehouse, n) for n in (1, 2)]  # issue 16: through nginx
    lines += [*cluster_load.section(clusters), ""]
    browser = browser_bench.run(warehouse)  # issue 14: pages in a new tab, beside a bare page
    lines += [*browser_bench.section(browser, "the scale-1.0 demo"), ""]
    lines += growth.section(growth.run(work / "growth"))
    DOCS.parent.mkdir(exist_ok=True)
    DOCS.write_text("\n".join(lines) + "\n")
    print(f"wrote {DOCS} (data kept in {work})")


if __name__ == "__main__":
    main()
