"""`make bench`: run every benchmark and write the figures to docs/benchmarks.md.

Each section is measured side by side in this one run, on this machine; the page says when and
where.  Figures are never edited by hand.
"""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import demo_bench

DOCS = Path("docs/benchmarks.md")


def _machine() -> str:
    cores = os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.machine()}, {cores} cores, {memory:.0f} GiB, Python {platform.python_version()}"
    )


def demo_section() -> list[str]:
    rows = demo_bench.bench()
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


def main() -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Benchmarks", "", f"Measured by `make bench` on {stamp}; {_machine()}.", ""]
    lines += demo_section()
    DOCS.parent.mkdir(exist_ok=True)
    DOCS.write_text("\n".join(lines) + "\n")
    print(f"wrote {DOCS}")


if __name__ == "__main__":
    main()
