"""Native deliveries against contract ones (issue 13's targets), side by side in one run.

The same demo (scale, seed, window) is written twice, contract-shaped and in the clusters'
native export shapes (``workforce demo --native``), and each is loaded by whole ``workforce
ingest`` processes: first every night but the last into an empty warehouse, then the last
night on top.  Targets: one native night at most 1.5x the contract night; the whole native
history (both runs) at most 1.2x the contract's, with peak memory at most 1.5 GiB.

Run alone: ``python -m benchmarks.native_bench [--scale 1.0]`` prints the section.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.ingest_bench import link_folder
from benchmarks.measure import Run, measure

WORKFORCE = [sys.executable, "-m", "pipeline.cli"]
SECRET = "benchmark-person-key-secret"
NIGHT_TARGET, HISTORY_TARGET, PEAK_TARGET_MIB = 1.5, 1.2, 1.5 * 1024


def _demo(landing: Path, scale: float, native: bool) -> Run:
    command = [*WORKFORCE, "demo", "--landing", str(landing), "--scale", str(scale),
               "--end", "2026-11-24", "--seed", "2026"]  # fmt: skip
    return measure([*command, "--native"] if native else command)


def _ingest(landing: Path, warehouse: Path) -> Run:
    run = measure([*WORKFORCE, "ingest", "--landing", str(landing), "--warehouse", str(warehouse)])
    if run.returncode != 0:
        raise RuntimeError(f"ingest of {landing} refused a delivery: {run.stdout[-500:]}")
    return run


def load(source: Path, work: Path) -> dict[str, float]:
    """Every night but the last, then the last, each a whole ingest process."""
    last = max(p.parent.name for p in source.glob("*/*/manifest.json"))
    landing, warehouse = work / "landing", work / "warehouse"
    for folder in sorted(source.glob("*/*")):
        if folder.name != last:
            link_folder(folder, landing)
    history = _ingest(landing, warehouse)
    for folder in sorted(source.glob(f"*/{last}")):
        link_folder(folder, landing)
    night = _ingest(landing, warehouse)
    return {
        "history_s": history.seconds + night.seconds,
        "night_s": night.seconds,
        "peak_mib": max(history.peak_mib, night.peak_mib),
        "deliveries": len(list(source.glob("*/*/manifest.json"))),
    }


def bench(scale: float = 1.0, work: Path | None = None) -> dict[str, dict[str, float]]:
    os.environ["WORKFORCE_PERSON_KEY_SECRET"] = SECRET  # the children inherit it
    root = work or Path(tempfile.mkdtemp(prefix="native-bench-"))
    figures = {}
    try:
        for kind in ("contract", "native"):
            source = root / kind / "source"
            _demo(source, scale, native=kind == "native")
            figures[kind] = load(source, root / kind)
    finally:
        if work is None:
            shutil.rmtree(root, ignore_errors=True)
    return figures


def section(figures: dict[str, dict[str, float]], scale: float) -> list[str]:
    contract, native = figures["contract"], figures["native"]
    night = native["night_s"] / contract["night_s"]
    history = native["history_s"] / contract["history_s"]

    def met(ok: bool) -> str:
        return "yes" if ok else "**no**"

    return [
        "## Native deliveries (`workforce demo --native`, then `workforce ingest`)",
        "",
        f"The scale-{scale:g} demo written twice, contract-shaped and in the clusters' native "
        f"export shapes ({native['deliveries']:.0f} deliveries each), each loaded by whole "
        "`workforce ingest` processes: every night but the last into an empty warehouse, then "
        "the last night (`benchmarks/native_bench.py`).",
        "",
        "| what | contract | native | ratio | target | met |",
        "|---|---:|---:|---:|---|---|",
        f"| the last night | {contract['night_s']:.1f} s | {native['night_s']:.1f} s | "
        f"{night:.2f}x | <= {NIGHT_TARGET}x | {met(night <= NIGHT_TARGET)} |",
        f"| the whole history | {contract['history_s']:.0f} s | {native['history_s']:.0f} s | "
        f"{history:.2f}x | <= {HISTORY_TARGET}x | {met(history <= HISTORY_TARGET)} |",
        f"| peak memory of an ingest | {contract['peak_mib']:,.0f} MiB | "
        f"{native['peak_mib']:,.0f} MiB | | <= 1.5 GiB | "
        f"{met(native['peak_mib'] <= PEAK_TARGET_MIB)} |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--work", type=Path, help="scratch folder, kept (default: temporary)")
    args = parser.parse_args()
    print("\n".join(section(bench(args.scale, args.work), args.scale)))


if __name__ == "__main__":
    main()
