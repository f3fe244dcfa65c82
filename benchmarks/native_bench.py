"""Native deliveries against contract ones (issue 13's targets), side by side in one run.

The same demo (scale, seed, window) is written twice, contract-shaped and in the clusters'
native export shapes (``workforce demo --native``), and each is loaded by whole ``workforce
ingest`` processes: first every night but the last into an empty warehouse, then the last
night on top of a copy of that warehouse, :data:`NIGHTS` times, the two kinds in turn.
Targets: one native night at most 1.5x the contract night; the whole native history (the
first run and a night) at most 1.2x the contract's, with peak memory at most 1.5 GiB.  Then
:func:`floor`: the least any native ingest must do beyond the contract's, against the budget
the history's target leaves.

Run alone: ``python -m benchmarks.native_bench [--scale 1.0]`` prints the section.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.ingest_bench import link_folder
from benchmarks.measure import Run, measure

WORKFORCE = [sys.executable, "-m", "pipeline.cli"]
SECRET = "benchmark-person-key-secret"
NIGHT_TARGET, HISTORY_TARGET, PEAK_TARGET_MIB = 1.5, 1.2, 1.5 * 1024
NIGHTS = 3  # the last night, loaded this many times from copies


def _demo(landing: Path, scale: float, native: bool) -> Run:
    command = [*WORKFORCE, "demo", "--landing", str(landing), "--scale", str(scale),
               "--end", "2026-11-24", "--seed", "2026"]  # fmt: skip
    return measure([*command, "--native"] if native else command)


def _ingest(landing: Path, warehouse: Path) -> Run:
    run = measure([*WORKFORCE, "ingest", "--landing", str(landing), "--warehouse", str(warehouse)])
    if run.returncode != 0:
        raise RuntimeError(f"ingest of {landing} refused a delivery: {run.stdout[-500:]}")
    return run


def _last(source: Path) -> str:
    return max(p.parent.name for p in source.glob("*/*/manifest.json"))


def history(source: Path, work: Path) -> Run:
    """Every night but the last into an empty warehouse (``work/before``), one process."""
    last, before = _last(source), work / "before"
    for folder in sorted(source.glob("*/*")):
        if folder.name != last:
            link_folder(folder, before / "landing")
    return _ingest(before / "landing", before / "warehouse")


def night(source: Path, work: Path) -> Run:
    """The last night on top of a copy of the history's warehouse, one process."""
    before, trial = work / "before", work / "night"
    shutil.rmtree(trial, ignore_errors=True)
    shutil.copytree(before / "warehouse", trial / "warehouse")
    shutil.copytree(before / "landing", trial / "landing", copy_function=os.link)
    for folder in sorted(source.glob(f"*/{_last(source)}")):
        link_folder(folder, trial / "landing")
    return _ingest(trial / "landing", trial / "warehouse")


def floor(root: Path) -> dict[str, float]:
    """What any design of the native ingest must do beyond the contract's, timed alone in this
    process: every native CSV parsed into a DuckDB table (no encoding check, trimming or
    conforming) against every contract parquet file read into one, and the HMAC-SHA256 of
    every NI number (sources.md §4), on both cores."""
    import duckdb
    import polars as pl

    from core import systems as sy
    from pipeline.sources import person_key as pk
    from pipeline.sources.csvfile import in_batches

    ni_columns = {d.source[0] for files in sy.COLUMNS.values() for ds in files.values()
                  for d in ds if d.how == sy.PERSON_KEY}  # fmt: skip
    con = duckdb.connect()
    began = time.perf_counter()
    for path in sorted((root / "contract" / "source").glob("*/*/*.parquet")):
        con.execute("CREATE OR REPLACE TEMP TABLE s AS FROM read_parquet($p)", {"p": str(path)})
    parquet = time.perf_counter() - began
    numbers, rows = [], 0
    began = time.perf_counter()
    for path in sorted((root / "native" / "source").glob("*/*/*.csv")):
        frame = pl.read_csv(path.read_bytes(), infer_schema=False, encoding="utf8-lossy")
        frame = frame.rename(lambda c: c.removeprefix("\ufeff"))
        con.register("csv", in_batches(frame.to_arrow()))
        con.execute("CREATE OR REPLACE TEMP TABLE s AS FROM csv")
        con.unregister("csv")
        rows += frame.height
        numbers += [frame[c] for c in ni_columns & set(frame.columns)]
    csv = time.perf_counter() - began
    con.register("ni", in_batches(pl.DataFrame({"n": pl.concat(numbers)}).to_arrow()))
    ipad, opad = pk.hmac_pads(SECRET)
    began = time.perf_counter()
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE k AS SELECT {pk.hmac_sql('n', '$i', '$o')} FROM ni",
        {"i": ipad, "o": opad},
    )
    keyed = time.perf_counter() - began
    count = sum(len(n) for n in numbers)
    con.close()
    return {"parquet_s": parquet, "csv_s": csv, "csv_rows": rows, "hmac_s": keyed, "ni": count}


def bench(scale: float = 1.0, work: Path | None = None, nights: int = NIGHTS) -> dict[str, dict]:
    """Each kind's history, then its last night ``nights`` times, the two kinds in turn (the
    medians are compared: one night on this shared machine varies by 10%), then the floor."""
    os.environ["WORKFORCE_PERSON_KEY_SECRET"] = SECRET  # the children inherit it
    root = work or Path(tempfile.mkdtemp(prefix="native-bench-"))
    figures: dict[str, dict] = {}
    kinds = ("contract", "native")
    try:
        runs: dict[str, list[Run]] = {kind: [] for kind in kinds}
        for kind in kinds:
            source = root / kind / "source"
            _demo(source, scale, native=kind == "native")
            runs[kind].append(history(source, root / kind))
            figures[kind] = {"deliveries": len(list(source.glob("*/*/manifest.json")))}
        for _ in range(nights):
            for kind in kinds:
                runs[kind].append(night(root / kind / "source", root / kind))
        for kind in kinds:
            first, *later = runs[kind]
            each = [r.seconds for r in later]
            figures[kind] |= {
                "night_s": statistics.median(each),
                "nights": each,
                "history_s": first.seconds + statistics.median(each),
                "peak_mib": max(r.peak_mib for r in runs[kind]),
            }
        figures["floor"] = floor(root)
    finally:
        if work is None:
            shutil.rmtree(root, ignore_errors=True)
    return figures


def section(figures: dict[str, dict], scale: float) -> list[str]:
    contract, native = figures["contract"], figures["native"]
    night = native["night_s"] / contract["night_s"]
    history = native["history_s"] / contract["history_s"]

    def met(ok: bool) -> str:
        return "yes" if ok else "**no**"

    low = figures["floor"]
    budget = (HISTORY_TARGET - 1) * contract["history_s"]
    must = low["csv_s"] - low["parquet_s"] + low["hmac_s"]

    def times(kind: dict) -> str:
        return ", ".join(f"{x:.2f}" for x in kind["nights"])

    return [
        "## Native deliveries (`workforce demo --native`, then `workforce ingest`)",
        "",
        f"The scale-{scale:g} demo written twice, contract-shaped and in the clusters' native "
        f"export shapes ({native['deliveries']:.0f} deliveries each), each loaded by whole "
        "`workforce ingest` processes: every night but the last into an empty warehouse, then "
        f"the last night on top of a copy of that warehouse, {len(native['nights'])} times, the "
        "two kinds in turn; medians (`benchmarks/native_bench.py`).",
        "",
        "| what | contract | native | ratio | target | met |",
        "|---|---:|---:|---:|---|---|",
        f"| the last night | {contract['night_s']:.2f} s ({times(contract)}) | "
        f"{native['night_s']:.2f} s ({times(native)}) | "
        f"{night:.2f}x | <= {NIGHT_TARGET}x | {met(night <= NIGHT_TARGET)} |",
        f"| the whole history | {contract['history_s']:.0f} s | {native['history_s']:.0f} s | "
        f"{history:.2f}x | <= {HISTORY_TARGET}x | {met(history <= HISTORY_TARGET)} |",
        f"| peak memory of an ingest | {contract['peak_mib']:,.0f} MiB | "
        f"{native['peak_mib']:,.0f} MiB | | <= 1.5 GiB | "
        f"{met(native['peak_mib'] <= PEAK_TARGET_MIB)} |",
        "",
        "**The least any native ingest must do more**, timed alone in one process on both cores "
        "(`floor`): nothing checked, trimmed, mapped or stored, only the two things sources.md "
        "cannot do without, against the history's budget "
        f"({HISTORY_TARGET - 1:.1f} x the contract history, {budget:.1f} s):",
        "",
        "| what | seconds |",
        "|---|---:|",
        f"| every native CSV ({low['csv_rows']:,.0f} rows) parsed into a DuckDB table | "
        f"{low['csv_s']:.1f} |",
        f"| every contract parquet file read into a DuckDB table | {low['parquet_s']:.1f} |",
        f"| the HMAC-SHA256 of every NI number ({low['ni']:,.0f}) | {low['hmac_s']:.1f} |",
        f"| more than the contract: parsing less reading, plus the HMAC | {must:.1f} "
        f"({'within' if must <= budget else 'over'} the {budget:.1f} s budget) |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--work", type=Path, help="scratch folder, kept (default: temporary)")
    args = parser.parse_args()
    print("\n".join(section(bench(args.scale, args.work), args.scale)))


if __name__ == "__main__":
    main()
