"""Small hand-made deliveries for the ingest tests, written with the project's own writer.

Rows are plain dicts so a test can break exactly one value; :func:`cluster_delivery` and
:func:`programme_delivery` write them through :func:`core.delivery.write_delivery`
(``conform=False`` for files that must stay broken).  Organisation codes come from the
committed register (``data/reference/organisations.csv``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from core.contract import PROGRAMME, arrow_schema, files_for
from core.delivery import write_delivery
from core.settings import Settings
from core.warehouse import CURRENT, connect_readonly, current_path
from pipeline.ingest import ingest_main

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"
ORGS = {
    "SYNERGY": ("DWP", "MOJ", "HO"),
    "UNITY": ("HMRC", "DVLA"),
    "DEFENCE": ("MOD", "DES"),
    "MATRIX": ("CO", "DFE"),
    "OVERSEAS": ("FCDO_SERVICES",),
}
GRADES = ("AO", "EO", "HEO", "SEO", "G7")
Rows = list[dict[str, Any]]


def make_settings(tmp_path: Path) -> Settings:
    return Settings(
        landing=tmp_path / "landing", warehouse=tmp_path / "warehouse", reference=REFERENCE
    )


def employees(n: int = 400, cluster: str = "SYNERGY", *, first: int = 0) -> Rows:
    """``n`` valid employees: person i has key PK<cluster><i> and id E<i>; teams of ten report
    to their first member, who reports to employee ``first`` (the top: no manager)."""
    orgs, rows = ORGS[cluster], []
    for i in range(first, first + n):
        head = first + (i - first) // 10 * 10
        manager = None if i == first else f"E{first if i == head else head:05d}"
        rows.append(
            {
                "person_key": f"PK{cluster}{i:05d}",
                "employee_id": f"E{i:05d}",
                "organisation_code": orgs[i % len(orgs)],
                "grade": GRADES[i % len(GRADES)],
                "profession": "policy" if i % 3 else None,
                "region": "TLI" if i % 2 else "TLD",
                "employment_type": "permanent" if i % 7 else "fixed_term",
                "fte": 1.0 if i % 4 else 0.6,
                "annual_salary_gbp": 30_000.0 + 100 * i,
                "civil_service_start_date": date(2010, 1, 1) + timedelta(days=i),
                "organisation_start_date": date(2015, 1, 1) + timedelta(days=i),
                "manager_employee_id": manager,
                "sex": "female" if i % 2 else "male",
                "ethnicity": "white",
                "disability": "not_disabled",
                "age_band": "30-39",
            }
        )
    return rows


def contingent(n: int = 400, cluster: str = "SYNERGY") -> Rows:
    orgs = ORGS[cluster]
    return [
        {
            "worker_id": f"W{i:05d}",
            "organisation_code": orgs[i % len(orgs)],
            "category": "agency_admin",
            "fte": 1.0,
            "day_rate_gbp": 200.0 + i,
            "engagement_start_date": date(2025, 1, 1),
            "engagement_end_date": None if i % 2 else date(2027, 1, 1),
        }
        for i in range(n)
    ]


def ledger(
    n: int = 400,
    cluster: str = "SYNERGY",
    when: date = date(2026, 10, 31),
    *,
    journal: str | None = None,
) -> Rows:
    """``n`` lines of journal J<date> (or ``journal``), line numbers 1..n."""
    orgs = ORGS[cluster]
    return [
        {
            "journal_id": journal or f"J{when:%Y%m%d}",
            "line_number": i + 1,
            "posting_date": when,
            "period": f"{when:%Y-%m}",
            "organisation_code": orgs[i % len(orgs)],
            "cost_centre": f"CC{i % 7:03d}",
            "account_category": "payroll_salary" if i % 2 else "consultancy",
            "amount_gbp": Decimal(f"{100 + i}.{i % 100:02d}"),
            "description": None if i % 3 else "monthly",
        }
        for i in range(n)
    ]


def milestones(n: int = 10) -> Rows:
    return [
        {
            "milestone_id": f"M{i:03d}",
            "cluster": ("SYNERGY", "UNITY", "ALL")[i % 3],
            "title": f"Milestone {i}",
            "stage": "go_live",
            "baseline_date": date(2026, 1, 1) + timedelta(days=30 * i),
            "forecast_date": date(2026, 2, 1) + timedelta(days=30 * i),
            "actual_date": None,
            "dca_rating": "amber",
            "dca_scale": "three_point" if i % 2 else "five_point",
            "owner": None,
        }
        for i in range(n)
    ]


def benefits() -> Rows:
    return [
        {
            "cluster": cluster,
            "financial_year": year,
            "measure": "cashable_saving",
            "planned_gbp": 1_000_000.0,
            "actual_gbp": None,
            "hours_released": None,
        }
        for cluster in ("SYNERGY", "UNITY")
        for year in ("2025-26", "2026-27")
    ]


def table(rows: Rows, file: str, feed: str = "SYNERGY") -> pa.Table:
    """Rows as an Arrow table of the contract's types for ``file`` (every column nullable, so
    a test can put a null where the contract forbids one)."""
    schema = arrow_schema(files_for(feed)[file])
    return pa.Table.from_pylist(rows, schema=pa.schema([f.with_nullable(True) for f in schema]))


def cluster_delivery(
    landing: Path,
    cluster: str = "SYNERGY",
    when: date = date(2026, 10, 31),
    *,
    employees_rows: Rows | None = None,
    contingent_rows: Rows | None = None,
    ledger_rows: Rows | None = None,
    tables: dict[str, pa.Table] | None = None,
    generated_at: datetime | None = None,
) -> Path:
    """A complete cluster delivery; ``tables`` replaces files wholesale (e.g. broken ones).
    Files are written as given (``conform=False``): the tables already have the contract's
    types, and a test's broken value must reach the file unaltered."""
    files = {
        "employees.parquet": table(
            employees(cluster=cluster) if employees_rows is None else employees_rows,
            "employees.parquet",
        ),
        "contingent_labour.parquet": table(
            contingent(cluster=cluster) if contingent_rows is None else contingent_rows,
            "contingent_labour.parquet",
        ),
        "ledger.parquet": table(
            ledger(cluster=cluster, when=when) if ledger_rows is None else ledger_rows,
            "ledger.parquet",
        ),
    }
    files.update(tables or {})
    return write_delivery(
        landing,
        cluster,
        when,
        files,
        conform=False,
        source_system="Test HR",
        generated_at=generated_at
        or datetime.combine(when + timedelta(days=1), datetime.min.time()),
    )


def programme_delivery(
    landing: Path,
    when: date,
    *,
    milestone_rows: Rows | None = None,
    benefit_rows: Rows | None = None,
) -> Path:
    files = {
        "milestones.parquet": table(
            milestones() if milestone_rows is None else milestone_rows,
            "milestones.parquet",
            PROGRAMME,
        ),
        "benefits.parquet": table(
            benefits() if benefit_rows is None else benefit_rows, "benefits.parquet", PROGRAMME
        ),
    }
    return write_delivery(
        landing,
        PROGRAMME,
        when,
        files,
        conform=False,
        source_system="Register",
        generated_at=datetime.combine(when + timedelta(days=1), datetime.min.time()),
    )


def edit_manifest(folder: Path, change: Callable[[dict], None]) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest, indent=2))


def reseal(folder: Path, name: str) -> None:
    """Make the manifest's sha256 and rows for ``name`` match the file as it now is (a
    cluster that computed its manifest over a broken file)."""
    import pyarrow.parquet as pq

    data = (folder / name).read_bytes()
    try:
        rows = pq.ParquetFile(folder / name).metadata.num_rows
    except Exception:  # an unreadable file keeps the rows it claimed
        rows = None

    def change(manifest: dict) -> None:
        manifest["files"][name]["sha256"] = hashlib.sha256(data).hexdigest()
        if rows is not None:
            manifest["files"][name]["rows"] = rows

    edit_manifest(folder, change)


def ingest(settings: Settings, capsys: Any) -> tuple[int, str]:
    """Run the ingest in-process; (exit code, printed output)."""
    code = ingest_main(settings)
    return code, capsys.readouterr().out


def query(settings: Settings, sql: str, params: dict | None = None) -> list[tuple]:
    with contextlib.closing(connect_readonly(settings.warehouse)) as con:
        return con.execute(sql, params or {}).fetchall()


def warehouse_state(settings: Settings) -> tuple[str | None, str | None]:
    """(CURRENT's text, sha256 of the published file): equal before and after = unchanged."""
    pointer = settings.warehouse / CURRENT
    path = current_path(settings.warehouse)
    return (
        pointer.read_text() if pointer.exists() else None,
        hashlib.sha256(path.read_bytes()).hexdigest() if path else None,
    )


DATA_TABLES = (
    "snapshots",
    "persons",
    "mover_history",
    "employee_history",
    "salary_history",
    "manager_history",
    "contingent_history",
    "ledger_lines",
    "milestone_snapshots",
    "benefit_snapshots",
    "quarantine",
)


def data_contents(settings: Settings) -> dict[str, list[tuple]]:
    """Every row of every data table (not the load log), sorted: equal = nothing loaded."""
    with contextlib.closing(connect_readonly(settings.warehouse)) as con:
        return {
            t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in DATA_TABLES
        }
