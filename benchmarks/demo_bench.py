"""Demo generation speed and memory (issue 2's targets).

Targets: scale 1.0 with the default 24 month-ends and 7 days in under 3 minutes with peak memory
under 4 GB; scale 0.01 in under 10 seconds.  Each run is a whole `workforce demo` process.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.measure import Run, measure

WORKFORCE = [sys.executable, "-m", "pipeline.cli"]
TARGETS = {0.01: (10.0, None), 1.0: (180.0, 4096.0)}


def run_demo(scale: float, landing: Path, end: str = "2026-11-24") -> Run:
    return measure([*WORKFORCE, "demo", "--landing", str(landing), "--scale", str(scale),
                    "--end", end, "--seed", "2026"])  # fmt: skip


def bench(scales: tuple[float, ...] = (0.01, 1.0), keep: Path | None = None) -> list[dict]:
    """Rows of (scale, seconds, peak MiB, deliveries, size on disk, target met)."""
    rows = []
    for scale in scales:
        folder = Path(tempfile.mkdtemp(prefix=f"demo-{scale}-"))
        landing = folder / "landing"
        run = run_demo(scale, landing)
        size = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file())
        max_seconds, max_mib = TARGETS.get(scale, (None, None))
        met = (max_seconds is None or run.seconds <= max_seconds) and (
            max_mib is None or run.peak_mib <= max_mib
        )
        rows.append({
            "scale": scale, "seconds": run.seconds, "peak_mib": run.peak_mib,
            "deliveries": len(list(landing.glob("*/*/manifest.json"))),
            "employees_last_night": _employees(landing), "landing_mib": size / 2**20,
            "target": _target_text(max_seconds, max_mib), "met": met,
        })  # fmt: skip
        if keep is not None and scale == max(scales):
            shutil.rmtree(keep, ignore_errors=True)
            shutil.move(str(landing), keep)
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def _employees(landing: Path) -> int:
    import pyarrow.parquet as pq

    last = max(p.parent.name for p in landing.glob("SYNERGY/*/manifest.json"))
    return sum(pq.read_metadata(p).num_rows for p in landing.glob(f"*/{last}/employees.parquet"))


def _target_text(seconds: float | None, mib: float | None) -> str:
    parts = [f"< {seconds:g} s" if seconds else "", f"< {mib / 1024:g} GB" if mib else ""]
    return ", ".join(p for p in parts if p) or "-"


if __name__ == "__main__":
    for row in bench():
        print(row)
