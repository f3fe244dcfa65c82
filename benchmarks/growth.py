"""How ingest and query cost grow with rows and with months of history (issue 7).

Two series of demo landing zones, all ending 2026-11-24:

* by scale: each of ``scales`` at 24 months of history;
* by history: each of ``months`` at one scale (``months_scale``).

A point shared by both series (e.g. scale 0.25 x 24 months) is generated and measured once.
For every point, as whole processes (``benchmarks.measure``): the ingest of every delivery
into an empty warehouse (seconds, peak memory), and the median of 3 runs of each query.  The
rules checked afterwards:

* linear in rows: in each series, ingest (and each query's) seconds per million employees rows
  at the largest point are at most ``LINEAR_SLACK`` times those at the smallest point;
* not growing with nights: the ``workforce --as-at <latest>`` query at the longest history
  takes at most ``NIGHTS_SLACK`` times as long as at the shortest.

    .venv/bin/python -m benchmarks.growth --work DIR [--scales ...] [--months ...]
        [--months-scale S]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path

from benchmarks.measure import Run, measure
from core.dates import month_end
from core.warehouse import current_path
from pipeline.demo.generate import default_start, delivery_dates

WORKFORCE = [sys.executable, "-m", "pipeline.cli"]
END = date(2026, 11, 24)
SEED = "2026"
SCALE_SERIES_MONTHS = 24
QUERY_REPEATS = 3
LINEAR_SLACK = 1.25
NIGHTS_SLACK = 1.25


# --- one point: generate, ingest, query ---------------------------------------------------


def _checked(run: Run, what: str) -> Run:
    """A run that must have succeeded (``measure`` lets exit code 1 through)."""
    if run.returncode != 0:
        raise RuntimeError(f"{what} exited {run.returncode}: {run.stderr}")
    return run


def generate(landing: Path, scale: float, months: int) -> tuple[date, Run]:
    """Write the demo landing zone: ``months`` month-ends to END, then END's last 7 days."""
    start = default_start(END, months)
    window = ["--start", start.isoformat(), "--end", END.isoformat()]
    run = measure([*WORKFORCE, "demo", "--landing", str(landing), "--scale", str(scale),
                   *window, "--seed", SEED])  # fmt: skip
    return start, _checked(run, f"demo at scale {scale:g}, {months} months")


def employees_rows(landing: Path) -> int:
    """Employees rows across every delivery: what the history tables are built from."""
    import pyarrow.parquet as pq

    return sum(pq.read_metadata(p).num_rows for p in landing.glob("*/*/employees.parquet"))


def parquet_bytes(landing: Path) -> int:
    return sum(p.stat().st_size for p in landing.rglob("*.parquet"))


def ingest(landing: Path, warehouse: Path) -> Run:
    """One ``workforce ingest`` of the whole landing zone into an empty warehouse.

    Exit code 1 (some delivery refused) is accepted: the demo may carry deliberate faults,
    and the refused deliveries still cost their checks.
    """
    return measure([*WORKFORCE, "ingest", "--landing", str(landing),
                    "--warehouse", str(warehouse)])  # fmt: skip


def query_commands(warehouse: Path, start: date) -> dict[str, list[str]]:
    """The three timed queries.

    The as-at dates are the latest night and the middle delivery date; flows runs over the
    12 months to the latest night (from the month-end a year back, or the first delivery when
    the history is shorter).
    """
    dates = delivery_dates(start, END)
    middle = dates[len(dates) // 2]
    year_back = max(month_end(date(END.year - 1, END.month, 1)), start)
    wh = ["--warehouse", str(warehouse)]
    by = ["--by", "organisation_code,grade"]
    return {
        "as-at latest": [*WORKFORCE, "query", "workforce", "--as-at", END.isoformat(), *by, *wh],
        "as-at middle": [*WORKFORCE, "query", "workforce", "--as-at", middle.isoformat(), *by, *wh],
        "flows 12 months": [*WORKFORCE, "query", "flows", "--from", year_back.isoformat(),
                            "--to", END.isoformat(), "--by", "cluster", *wh],
    }  # fmt: skip


def time_query(argv: list[str]) -> float:
    """Median wall time of ``QUERY_REPEATS`` whole ``workforce query`` processes."""
    runs = [_checked(measure(argv), " ".join(argv[2:5])) for _ in range(QUERY_REPEATS)]
    return statistics.median(r.seconds for r in runs)


def measure_point(work: Path, scale: float, months: int) -> dict:
    """Every figure for one (scale, months) point; its landing zone and warehouse are removed."""
    folder = Path(tempfile.mkdtemp(prefix=f"growth-{scale:g}-{months}-", dir=work))
    landing, warehouse = folder / "landing", folder / "warehouse"
    try:
        start, demo = generate(landing, scale, months)
        loaded = ingest(landing, warehouse)
        current = current_path(warehouse)
        if current is None:
            raise RuntimeError(f"ingest published nothing: {loaded.stderr}")
        commands = query_commands(warehouse, start)
        queries = {name: time_query(argv) for name, argv in commands.items()}
        return {
            "scale": scale,
            "months": months,
            "deliveries": len(list(landing.glob("*/*/manifest.json"))),
            "rows": employees_rows(landing),
            "parquet_bytes": parquet_bytes(landing),
            "warehouse_bytes": current.stat().st_size,
            "demo_seconds": demo.seconds,
            "ingest_seconds": loaded.seconds,
            "ingest_exit": loaded.returncode,
            "ingest_mib": loaded.peak_mib,
            "queries": queries,
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- the series and the rules ---------------------------------------------------------------


def run(
    work: Path,
    scales: tuple[float, ...] = (0.25, 0.5, 1.0),
    months: tuple[int, ...] = (12, 24, 48),
    months_scale: float = 0.25,
) -> dict:
    """Measure both series (shared points once) and check the rules."""
    work.mkdir(parents=True, exist_ok=True)
    by_scale = [(s, SCALE_SERIES_MONTHS) for s in sorted(scales)]
    by_months = [(months_scale, m) for m in sorted(months)]
    points = {key: measure_point(work, *key) for key in dict.fromkeys(by_scale + by_months)}
    series = {"scale": [points[k] for k in by_scale], "months": [points[k] for k in by_months]}
    return {
        "points": points,
        "series": series,
        "months_scale": months_scale,
        "linear": {name: linear_check(rows) for name, rows in series.items()},
        "nights": nights_check(series["months"]),
    }


def per_million(seconds: float, rows: int) -> float:
    return seconds / (rows / 1e6)


def costs(point: dict) -> dict[str, float]:
    """Seconds of ingest and of each query, by name."""
    return {"ingest": point["ingest_seconds"], **point["queries"]}


def linear_check(rows: list[dict]) -> dict[str, dict]:
    """For ingest and each query: seconds per million rows, smallest vs largest point.

    Also the marginal cost (extra seconds per extra million rows) of the first and last step:
    whole-process times carry a fixed start-up cost that flatters the per-row ratio at larger
    points, and a rising marginal cost is the sharper sign of worse-than-linear growth.
    """
    first, last = rows[0], rows[-1]
    out = {}
    for name in costs(first):
        before = per_million(costs(first)[name], first["rows"])
        after = per_million(costs(last)[name], last["rows"])
        out[name] = {
            "first": before,
            "last": after,
            "ratio": after / before,
            "met": after <= LINEAR_SLACK * before,
            "marginal": _marginal(rows, name),
        }
    return out


def _marginal(rows: list[dict], name: str) -> tuple[float, float] | None:
    """Extra seconds per extra million rows over the first and the last step, if 3+ points."""
    if len(rows) < 3:
        return None

    def step(a: dict, b: dict) -> float:
        return (costs(b)[name] - costs(a)[name]) / ((b["rows"] - a["rows"]) / 1e6)

    return step(rows[0], rows[1]), step(rows[-2], rows[-1])


def nights_check(rows: list[dict]) -> dict:
    """The as-at query at the longest history against the shortest (same scale)."""
    first, last = rows[0]["queries"], rows[-1]["queries"]
    ratio = last["as-at latest"] / first["as-at latest"]
    return {
        "first": first["as-at latest"],
        "last": last["as-at latest"],
        "ratio": ratio,
        "middle_ratio": last["as-at middle"] / first["as-at middle"],
        "met": ratio <= NIGHTS_SLACK,
    }


# --- markdown ---------------------------------------------------------------------------------


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f}"


def _rows_m(n: int) -> str:
    return f"{n / 1e6:.2f}M"


def points_table(points: dict) -> list[str]:
    lines = [
        "| scale | months | deliveries | employees rows | parquet MB | warehouse MB | warehouse"
        " / parquet | demo s | ingest s | ingest peak MiB | as-at latest s | as-at middle s"
        " | flows s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in sorted(points.values(), key=lambda p: (p["scale"], p["months"])):
        q = p["queries"]
        refused = "" if p["ingest_exit"] == 0 else " (exit 1)"
        lines.append(
            f"| {p['scale']:g} | {p['months']} | {p['deliveries']} | {p['rows']:,} | "
            f"{_mb(p['parquet_bytes'])} | {_mb(p['warehouse_bytes'])} | "
            f"{p['warehouse_bytes'] / p['parquet_bytes']:.2f}x | {p['demo_seconds']:.1f} | "
            f"{p['ingest_seconds']:.1f}{refused} | {p['ingest_mib']:,.0f} | "
            f"{q['as-at latest']:.2f} | {q['as-at middle']:.2f} | {q['flows 12 months']:.2f} |"
        )
    return lines


def per_million_table(result: dict) -> list[str]:
    lines = [
        "| series | point | employees rows | ingest s/M rows | as-at latest s/M rows"
        " | as-at middle s/M rows | flows s/M rows |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, rows in result["series"].items():
        for p in rows:
            c = {k: per_million(v, p["rows"]) for k, v in costs(p).items()}
            lines.append(
                f"| {name} | {_label(p)} | {p['rows']:,} | {c['ingest']:.2f} | "
                f"{c['as-at latest']:.2f} | {c['as-at middle']:.2f} | {c['flows 12 months']:.2f} |"
            )
    return lines


def _label(point: dict) -> str:
    return f"scale {point['scale']:g}, {point['months']} months"


def ingest_chart(points: dict) -> list[str]:
    """Bars: measured ingest seconds by rows; line: linear growth from the smallest point."""
    ordered = sorted(points.values(), key=lambda p: p["rows"])
    measured = [p["ingest_seconds"] for p in ordered]
    base = ordered[0]
    linear = [base["ingest_seconds"] * p["rows"] / base["rows"] for p in ordered]
    return _chart(
        "Ingest seconds by employees rows",
        "employees rows (every delivery)",
        [f"{_rows_m(p['rows'])} ({p['scale']:g} × {p['months']} mo)" for p in ordered],
        [("bar", measured), ("line", linear)],
    )


def query_chart(rows: list[dict]) -> list[str]:
    """Bars: as-at (latest) query seconds by months of history; line: flows over 12 months."""
    return _chart(
        "Query seconds by months of history",
        "months of history",
        [str(p["months"]) for p in rows],
        [
            ("bar", [p["queries"]["as-at latest"] for p in rows]),
            ("line", [p["queries"]["flows 12 months"] for p in rows]),
        ],
    )


def _chart(title: str, x_title: str, labels: list[str], data: list[tuple[str, list]]) -> list[str]:
    """A Mermaid ``xychart-beta`` block (GitHub renders it); the y axis starts at zero."""
    top = max(v for _, values in data for v in values) * 1.15
    x = ", ".join(f'"{label}"' for label in labels)
    return [
        "```mermaid",
        "xychart-beta",
        f'    title "{title}"',
        f'    x-axis "{x_title}" [{x}]',
        f'    y-axis "seconds" 0 --> {top:.3g}',
        *(f"    {kind} [{', '.join(f'{v:.3g}' for v in values)}]" for kind, values in data),
        "```",
    ]


def _verdict(met: bool) -> str:
    return "met" if met else "**missed**"


def rule_lines(result: dict) -> list[str]:
    lines = []
    for name, checks in result["linear"].items():
        rows = result["series"][name]
        span = f"{_label(rows[0])} to {_label(rows[-1])}"
        for cost, c in checks.items():
            marginal = ""
            if c["marginal"]:
                a, b = c["marginal"]
                marginal = f"; marginal {a:.2f} then {b:.2f} s per extra M rows"
            lines.append(
                f"- Linear, {cost} by {name} ({span}): {c['first']:.2f} → {c['last']:.2f} s/M rows"
                f" ({c['ratio']:.2f}x, rule ≤ {LINEAR_SLACK:g}x){marginal}: "
                f"{_verdict(c['met'])}."
            )
    n, rows = result["nights"], result["series"]["months"]
    lines.append(
        f"- Not growing with nights, `workforce --as-at` latest at {rows[-1]['months']} vs"
        f" {rows[0]['months']} months (scale {result['months_scale']:g}): {n['first']:.2f} →"
        f" {n['last']:.2f} s ({n['ratio']:.2f}x, rule ≤ {NIGHTS_SLACK:g}x; the middle date"
        f" {n['middle_ratio']:.2f}x): {_verdict(n['met'])}."
    )
    return lines


def section(result: dict) -> list[str]:
    """Markdown for docs/benchmarks.md."""
    scales = ", ".join(f"{p['scale']:g}" for p in result["series"]["scale"])
    months = ", ".join(str(p["months"]) for p in result["series"]["months"])
    return [
        "## Growth",
        "",
        f"Demo landing zones ending {END} (seed {SEED}): scales {scales} at"
        f" {SCALE_SERIES_MONTHS} months of history, and {months} months at scale"
        f" {result['months_scale']:g}; each has a delivery for every month-end in its history"
        " and for each of the last 7 days. For each, as whole processes: one `workforce ingest`"
        " of every delivery into an empty warehouse, then the median of"
        f" {QUERY_REPEATS} runs of `workforce query workforce --as-at D --by"
        " organisation_code,grade` at the latest night and at the middle delivery date, and of"
        " `workforce query flows --by cluster` over the 12 months to the latest night. Rows are"
        " the employees rows across every delivery. Process times include a fixed start-up"
        " cost, which makes the per-row cost of small points look high.",
        "",
        f"Rules: in each series, seconds per million rows at the largest point at most"
        f" {LINEAR_SLACK:g}x those at the smallest (no faster than linear); the as-at query at"
        f" the longest history at most {NIGHTS_SLACK:g}x its time at the shortest (not growing"
        " with the number of nights).",
        "",
        *points_table(result["points"]),
        "",
        *per_million_table(result),
        "",
        "Ingest: bars are measured seconds, the line is linear growth from the smallest point"
        " (bars at or under the line: no faster than linear).",
        "",
        *ingest_chart(result["points"]),
        "",
        f"Queries at scale {result['months_scale']:g}: bars are `workforce --as-at` the latest"
        " night, the line is flows over 12 months.",
        "",
        *query_chart(result["series"]["months"]),
        "",
        *rule_lines(result),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    parser.add_argument("--scales", type=float, nargs="+", default=[0.25, 0.5, 1.0])
    parser.add_argument("--months", type=int, nargs="+", default=[12, 24, 48])
    parser.add_argument("--months-scale", type=float, default=0.25)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="growth-"))
    try:
        result = run(work, tuple(args.scales), tuple(args.months), args.months_scale)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print("\n".join(section(result)))


if __name__ == "__main__":
    main()
