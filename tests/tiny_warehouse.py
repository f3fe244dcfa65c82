"""A dozen people whose every flow can be counted by hand, loaded by the real ingest.

Two month-ends, A = 31 January 2026 and B = 28 February 2026.  SYNERGY and UNITY deliver on
both; MATRIX delivers on A only, so as at B it is stale.  The PROGRAMME register delivers on
both dates.

====  =====================  ======================  =========================================
who   as at A                as at B                 what happened
====  =====================  ======================  =========================================
p01   SYNERGY DWP  EO        SYNERGY DWP  EO         stayed
p02   SYNERGY DWP  AO        -                       left
p03   -                      SYNERGY MOJ  AO         joined
p04   SYNERGY DWP  HEO       UNITY HMRC  HEO         moved cluster (started 10 Feb)
p05   SYNERGY DWP  SEO       SYNERGY MOJ  SEO        moved department within the cluster
p06   UNITY HMRC   (none)    UNITY HMRC  (none)      stayed; grade unknown
p07   UNITY HMRC   EO        -                       left
p08   MATRIX CO    G7        UNITY HMRC  G7          moved; MATRIX's stale A snapshot still
                                                     holds p08, UNITY's B snapshot wins (later
                                                     organisation start)
p09   MATRIX CO    G6        (MATRIX stale: as A)    counted from MATRIX's A snapshot
p10   -                      UNITY DVLA  AO 0.5 FTE  joined
p11   SYNERGY HO   EO 0.6    SYNERGY HO  EO 0.6      stayed
p12   SYNERGY DWP  G7        SYNERGY DWP  G7         stayed; pay award on B
====  =====================  ======================  =========================================
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from core.contract import (
    BenefitRow,
    ContingentRow,
    EmployeeRow,
    LedgerRow,
    MilestoneRow,
    arrow_schema,
)
from core.delivery import write_delivery
from core.settings import Settings
from pipeline.ingest import ingest_main

A, B = date(2026, 1, 31), date(2026, 2, 28)
REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"

# (key, cluster, org, grade, fte, salary, organisation start) per snapshot.
PEOPLE_A = [
    ("p01", "SYNERGY", "DWP", "EO", 1.0, 30_000, date(2015, 1, 1)),
    ("p02", "SYNERGY", "DWP", "AO", 1.0, 25_000, date(2016, 1, 1)),
    ("p04", "SYNERGY", "DWP", "HEO", 1.0, 36_000, date(2017, 1, 1)),
    ("p05", "SYNERGY", "DWP", "SEO", 1.0, 44_000, date(2018, 1, 1)),
    ("p06", "UNITY", "HMRC", None, 1.0, 31_000, date(2019, 1, 1)),
    ("p07", "UNITY", "HMRC", "EO", 1.0, 29_000, date(2019, 6, 1)),
    ("p08", "MATRIX", "CO", "G7", 1.0, 58_000, date(2020, 1, 1)),
    ("p09", "MATRIX", "CO", "G6", 1.0, 72_000, date(2020, 6, 1)),
    ("p11", "SYNERGY", "HO", "EO", 0.6, 30_000, date(2021, 1, 1)),
    ("p12", "SYNERGY", "DWP", "G7", 1.0, 60_000, date(2022, 1, 1)),
]
PEOPLE_B = [
    ("p01", "SYNERGY", "DWP", "EO", 1.0, 30_000, date(2015, 1, 1)),
    ("p03", "SYNERGY", "MOJ", "AO", 1.0, 24_000, date(2026, 2, 2)),
    ("p04", "UNITY", "HMRC", "HEO", 1.0, 36_000, date(2026, 2, 10)),
    ("p05", "SYNERGY", "MOJ", "SEO", 1.0, 44_000, date(2026, 2, 1)),
    ("p06", "UNITY", "HMRC", None, 1.0, 31_000, date(2019, 1, 1)),
    ("p08", "UNITY", "HMRC", "G7", 1.0, 58_000, date(2026, 2, 15)),
    ("p10", "UNITY", "DVLA", "AO", 0.5, 24_000, date(2026, 2, 20)),
    ("p11", "SYNERGY", "HO", "EO", 0.6, 30_000, date(2021, 1, 1)),
    ("p12", "SYNERGY", "DWP", "G7", 1.0, 63_000, date(2022, 1, 1)),
]


def _employees(people: list[tuple], cluster: str) -> pa.Table:
    rows = [
        {
            "person_key": key,
            "employee_id": f"{cluster[:3]}-{key}",
            "organisation_code": org,
            "grade": grade,
            "profession": "human_resources" if key in ("p05", "p12") else "operational_delivery",
            "region": "TLI" if key in ("p08", "p09", "p12") else "TLD",
            "employment_type": "permanent",
            "fte": fte,
            "annual_salary_gbp": float(salary),
            "civil_service_start_date": date(2010, 1, 1),
            "organisation_start_date": started,
            "manager_employee_id": None,
            "sex": "female" if int(key[1:]) % 2 else "male",
            "ethnicity": "ethnic_minority" if key in ("p03", "p05") else "white",
            "disability": "not_declared",
            "age_band": "40-49",
        }
        for key, c, org, grade, fte, salary, started in people
        if c == cluster
    ]
    return pa.Table.from_pylist(rows, schema=arrow_schema(EmployeeRow))


def _contingent(cluster: str, when: date) -> pa.Table:
    rows = []
    if cluster == "SYNERGY":
        rows.append(("W1", "DWP", "agency_admin", 1.0, 200.0, date(2025, 6, 1)))
        if when == B:
            rows.append(("W2", "MOJ", "consultant", 0.5, 1_000.0, date(2026, 2, 1)))
    keys = ("worker_id", "organisation_code", "category", "fte", "day_rate_gbp")
    return pa.Table.from_pylist(
        [
            {
                **dict(zip(keys, r[:5], strict=True)),
                "engagement_start_date": r[5],
                "engagement_end_date": None,
            }
            for r in rows
        ],
        schema=arrow_schema(ContingentRow),
    )


def _ledger(cluster: str, when: date) -> pa.Table:
    jan = [
        ("J-JAN", 1, A, "2026-01", "DWP", "payroll_salary", "1000.00"),
        ("J-JAN", 2, A, "2026-01", "DWP", "consultancy", "250.50"),
    ]
    feb = [("J-FEB", 1, B, "2026-02", "MOJ", "payroll_salary", "2000.00")]
    if cluster != "SYNERGY":
        lines = []
    elif when == A:
        lines = jan
    else:  # February re-sends January's first line, unchanged
        lines = [*feb, jan[0]]
    return pa.Table.from_pylist(
        [
            {
                "journal_id": j,
                "line_number": n,
                "posting_date": p,
                "period": period,
                "organisation_code": org,
                "cost_centre": "CC1",
                "account_category": cat,
                "amount_gbp": Decimal(amount),
                "description": None,
            }
            for j, n, p, period, org, cat, amount in lines
        ],
        schema=arrow_schema(LedgerRow),
    )


def _milestones(when: date) -> pa.Table:
    forecast_m2 = date(2026, 3, 15) if when == A else date(2026, 3, 31)
    rows = [
        (
            "M1",
            "SYNERGY",
            "go_live",
            date(2026, 1, 15),
            None if when == B else date(2026, 2, 1),
            date(2026, 2, 1) if when == B else None,
        ),
        ("M2", "UNITY", "contract_award", date(2026, 2, 10), forecast_m2, None),
        ("M3", "ALL", "other", date(2026, 2, 1), None, None),
    ]
    return milestone_table(rows)


def milestone_table(rows: list[tuple]) -> pa.Table:
    """(id, cluster, stage, baseline, forecast, actual) tuples as a milestones.parquet table."""
    return pa.Table.from_pylist(
        [
            {
                "milestone_id": m,
                "cluster": c,
                "title": f"Milestone {m}",
                "stage": stage,
                "baseline_date": base,
                "forecast_date": forecast,
                "actual_date": actual,
                "dca_rating": "amber",
                "dca_scale": "three_point",
                "owner": None,
            }
            for m, c, stage, base, forecast, actual in rows
        ],
        schema=arrow_schema(MilestoneRow),
    )


def _benefits() -> pa.Table:
    rows = [
        ("SYNERGY", "2025-26", "cashable_saving", 100.0, 80.0, None),
        ("UNITY", "2025-26", "non_cashable_efficiency", 50.0, None, 10.0),
    ]
    keys = ("cluster", "financial_year", "measure", "planned_gbp", "actual_gbp", "hours_released")
    return pa.Table.from_pylist(
        [dict(zip(keys, r, strict=True)) for r in rows], schema=arrow_schema(BenefitRow)
    )


def build(root: Path) -> Settings:
    """Write the landing zone under ``root``, ingest it, and return the settings to read it."""
    settings = Settings(landing=root / "landing", warehouse=root / "warehouse", reference=REFERENCE)
    for when in (A, B):
        for cluster in ("SYNERGY", "UNITY", "MATRIX") if when == A else ("SYNERGY", "UNITY"):
            snapshot = PEOPLE_A if when == A else PEOPLE_B
            write_delivery(
                settings.landing,
                cluster,
                when,
                {
                    "employees.parquet": _employees(snapshot, cluster),
                    "contingent_labour.parquet": _contingent(cluster, when),
                    "ledger.parquet": _ledger(cluster, when),
                },
                generated_at=datetime(when.year, when.month, when.day, 23, 0),
                source_system="test",
            )
        write_delivery(
            settings.landing,
            "PROGRAMME",
            when,
            {"milestones.parquet": _milestones(when), "benefits.parquet": _benefits()},
            generated_at=datetime(when.year, when.month, when.day, 23, 30),
        )
    assert ingest_main(settings) == 0
    return settings
