"""``workforce demo``: a synthetic landing zone that obeys the contract.

Simulates the population forward through the delivery dates (every month-end from start to end,
then each of the 7 days ending at end) and writes, for every date, each cluster's three files and
the PROGRAMME register.  One random stream, seeded once: the same seed and options give the same
bytes.  With ``--native`` the same tables are written in each cluster's own system's shape
(``native.py``): the same random draws, so the same figures.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import numpy as np
import pyarrow as pa
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from core.contract import CLUSTERS, PROGRAMME
from core.dates import add_months, is_month_end, month_end, month_ends
from core.delivery import write_delivery
from core.errors import UsageError
from core.reference import load_organisations
from core.settings import Settings
from pipeline.demo import calibration as cal
from pipeline.demo.contingent import ContingentWorkforce
from pipeline.demo.ledger import cost_centre_count, ledger_table
from pipeline.demo.native import People, write_native_delivery
from pipeline.demo.organisations import load_register
from pipeline.demo.population import Population, day_number
from pipeline.demo.programme import programme_tables
from pipeline.demo.snapshot import employees_snapshot

DEFAULT_MONTH_ENDS = 24
DAILY_DELIVERIES = 7
MAX_SCALE = 5.0
LEAD_ORGANISATION = {
    "DEFENCE": "MOD",
    "OVERSEAS": "FCDO",
    "MATRIX": "DSIT",
    "SYNERGY": "DWP",
    "UNITY": "HMRC",
}


def default_start(end: date, count: int = DEFAULT_MONTH_ENDS) -> date:
    """The ``count``-th month-end counting back from ``end`` (``end`` itself counts if one)."""
    last = end if is_month_end(end) else month_end(add_months(end.replace(day=1), -1))
    return add_months(last, 1 - count)


def delivery_dates(start: date, end: date) -> list[date]:
    daily = [end - timedelta(days=i) for i in range(DAILY_DELIVERIES)]
    return sorted(set(month_ends(start, end)) | {d for d in daily if d >= start})


def _check_options(landing: Path, scale: float, start: date, end: date) -> None:
    if not scale > 0 or scale > MAX_SCALE:
        raise UsageError(f"--scale must be greater than 0 and at most {MAX_SCALE:g}, got {scale:g}")
    if end < start:
        raise UsageError(f"--end {end} is before --start {start}")
    try:
        landing.mkdir(parents=True, exist_ok=True)
        probe = landing / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise UsageError(f"cannot write to landing folder {landing}: {error.strerror}") from None


def _generated_at(extract_date: date, feed_index: int) -> datetime:
    """Deliveries arrive in the small hours after the business date, a few minutes apart."""
    return datetime.combine(extract_date + timedelta(days=1), dtime(2, 0)) + timedelta(
        minutes=7 * feed_index
    )


def _programme_cost_by_cluster(extract_date: date, seed: int) -> dict[str, float]:
    """Each cluster's planned programme cost for the financial year of the date, a month."""
    fy_start = extract_date.year if extract_date.month >= 4 else extract_date.year - 1
    fy = f"{fy_start}-{(fy_start + 1) % 100:02d}"
    benefits = programme_tables(extract_date, seed)["benefits.parquet"].to_pylist()
    return {
        row["cluster"]: row["planned_gbp"] / 12
        for row in benefits
        if row["financial_year"] == fy and row["measure"] == "programme_cost"
    }


def generate(
    landing: Path,
    organisations_csv: Path,
    *,
    scale: float,
    start: date,
    end: date,
    seed: int,
    native: bool = False,
    progress: Progress | None = None,
) -> list[Path]:
    """Write the landing zone; returns the delivery folders written.

    With ``native`` the clusters' deliveries are written in their systems' own shapes
    (``pipeline/demo/native.py``) from the very same tables, so the figures do not change.
    """
    register = load_register(organisations_csv, scale)
    names = dict(
        load_organisations(organisations_csv)
        .select("organisation_code", "organisation_name")
        .iter_rows()
    )
    rng = np.random.default_rng(seed)
    population = Population(register, rng)
    contingent = ContingentWorkforce(register.cluster, rng)
    n_cc = {
        code: cost_centre_count(size * scale)
        for code, size in zip(register.code, register.headcount_2023, strict=True)
    }
    dates = delivery_dates(start, end)
    ends = [d for d in dates if is_month_end(d)]
    migration = ends[len(ends) // 2] if ends else dates[len(dates) // 2]
    task = progress.add_task("demo", total=len(dates) * (len(CLUSTERS) + 1)) if progress else None
    previous_ledger: dict[str, pa.Table] = {}
    written = []
    population.start(dates[0])
    mid_day = (day_number(dates[0]) + day_number(dates[-1])) // 2
    for when in dates:
        population.step(when)
        payroll_fte = np.bincount(
            population["org"][population["active"]],
            weights=population["fte"][population["active"]],
            minlength=register.size,
        )
        contingent.step(when, payroll_fte)
        programme_cost = _programme_cost_by_cluster(when, seed)
        for index, cluster in enumerate(CLUSTERS):
            migrated = cluster == "OVERSEAS" and when >= migration
            employees, people = employees_snapshot(population, when, cluster, migrated)
            workers = contingent.table(when, cluster, register.code)
            ledger = ledger_table(
                cluster=cluster,
                when=when,
                employees=employees,
                contingent=workers,
                n_cc=n_cc,
                programme_monthly=programme_cost.get(cluster, 0.0) * scale,
                lead_org=LEAD_ORGANISATION[cluster],
                previous=previous_ledger.get(cluster),
                rng=rng,
            )
            previous_ledger[cluster] = ledger
            tables = {
                "employees.parquet": employees,
                "contingent_labour.parquet": workers,
                "ledger.parquet": ledger,
            }
            if native:
                folder = write_native_delivery(
                    landing,
                    cluster,
                    when,
                    tables,
                    people=People(people, population["birth_day"], mid_day, names),
                    migrated=migrated,
                    generated_at=_generated_at(when, index),
                )
            else:
                system = cal.OVERSEAS_MIGRATED_SYSTEM if migrated else cal.SOURCE_SYSTEMS[cluster]
                folder = write_delivery(
                    landing,
                    cluster,
                    when,
                    tables,
                    generated_at=_generated_at(when, index),
                    source_system=system,
                )
            written.append(folder)
            if progress:
                progress.advance(task)
        written.append(
            write_delivery(
                landing,
                PROGRAMME,
                when,
                programme_tables(when, seed),
                generated_at=_generated_at(when, len(CLUSTERS)),
                source_system="Cabinet Office shared services portfolio register",
            )
        )
        if progress:
            progress.advance(task)
    return written


def run_demo(
    settings: Settings,
    *,
    scale: float,
    start: date | None,
    end: date | None,
    seed: int,
    native: bool = False,
) -> int:
    end = end or date.today() - timedelta(days=1)
    start = start or default_start(end)
    _check_options(settings.landing, scale, start, end)
    console = Console(stderr=True)
    began = time.perf_counter()
    if console.is_terminal:
        columns = (
            TextColumn("demo data"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=True) as progress:
            written = generate(
                settings.landing,
                settings.organisations_csv,
                scale=scale,
                start=start,
                end=end,
                seed=seed,
                native=native,
                progress=progress,
            )
    else:
        written = generate(
            settings.landing,
            settings.organisations_csv,
            scale=scale,
            start=start,
            end=end,
            seed=seed,
            native=native,
        )
    dates = len({p.name for p in written})
    elapsed = time.perf_counter() - began
    print(
        f"wrote {len(written)} deliveries ({dates} dates, {start} to {end}, scale {scale:g}, "
        f"seed {seed}{', native' if native else ''}) to {settings.landing} in {elapsed:.1f} s"
    )
    return 0
