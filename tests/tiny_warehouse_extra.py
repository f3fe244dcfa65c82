"""Sixteen people over three month-ends, with line managers, payroll journals and a programme
register whose forecasts move: hand-made data for the efficiency and programme metrics,
loaded by the real ingest.

Month-ends M1 = 30 November 2025, M2 = 31 December 2025, M3 = 31 January 2026.  SYNERGY,
UNITY and PROGRAMME deliver on all three.  Salaries are £ a year; ``fte`` 1 unless shown.

=====  ==================  ===============  =============================  ==================
who    org, grade          line manager     profession, sex, ethnicity     M1 → M2 → M3
=====  ==================  ===============  =============================  ==================
s01    DWP  SCS2           (top)            policy, F, white               96k, then 100k
s02    DWP  G6   70k       s01              human_resources, M, minority   in all three
s03    DWP  G7   60k       s01              finance, F, not_declared       in all three
s04    DWP  HEO  31k       s02              -, F, (unknown)                in all three
s05    DWP  EO   30k       s02              -, M, white                    leaves after M2
s06    DWP  EO   30k 0.5   s02              -, (not recorded), minority    in all three
s07    DWP  AO   24k       s03              finance, F, white              leaves after M1
s08    DWP  AO   24k       s03              -, M, white                    joins at M2
h01    HO   SEO  45k       s01 (in DWP)     finance, M, white              in all three
h02    HO   EO   30k       h01              -, F, minority                 to UNITY HMRC at M3
u01    HMRC G7   60k       (top)            policy, F, white               in all three
u02    HMRC HEO  36k       u01              -, M, white                    in all three
u03    HMRC EO   30k       u01              human_resources, F, minority   in all three
u04    HMRC EO   30k       u01              -, M, (unknown)                in all three
u05    HMRC AO   24k       u01              -, F, white                    leaves after M1
u06    DVLA AO   24k 0.5   (top; itself     (unknown), M, not_declared     in all three
                           at M2 only)
=====  ==================  ===============  =============================  ==================

(``-`` is operational_delivery.)  At M3 h02 reports to u01.

Ledger (SYNERGY and UNITY; £): period 2025-11 (posted at M1): DWP payroll_salary 25,500.
Period 2025-12 (at M2), DWP only: payroll_salary 26,000, payroll_allowances 1,200 and a
reversal of -200, employer pension 7,000, employer NI 3,600, contingent_labour 2,200,
consultancy 999.  Period 2026-01 (at M3): DWP salary 25,000, allowances 750, pension 6,750,
NI 3,500, contingent_labour 2,200, consultancy 1,000; HO salary 4,000, pension 1,012.50, NI
525; MOJ salary 500 (no staff); HMRC salary 15,600, pension 4,185, NI 2,170; DVLA nothing.

Programme register (milestone: baseline; forecast or actual at M1 / M2 / M3):

* X1 SYNERGY go_live, baseline 1 Mar 2026: forecast 1 Mar, 15 Apr, 1 May 2026.
* X2 UNITY contract_award, baseline 15 Dec 2025: forecast 20 Dec; achieved 18 Dec 2025 (M2, M3).
* X3 ALL other, baseline 30 Jun 2026: forecast 30 Jun 2026 throughout.
* X4 SYNERGY SOC, first in M2, baseline 1 Feb 2026: forecast 1 Feb, then 10 Feb 2026 (M3).

Benefits (planned / actual, £), the same at every delivery except that M1 reported SYNERGY's
2024-25 cashable saving as 70 (later 90):

=======  =======  ===============  =======================  ==============
cluster  year     cashable_saving  non_cashable_efficiency  programme_cost
=======  =======  ===============  =======================  ==============
SYNERGY  2024-25  100 / 90         50 / 60                  200 / 210
SYNERGY  2025-26  200 / -          100 / -                  150 / -
SYNERGY  2026-27  300 / -          100 / -                  50 / -
UNITY    2024-25                                            80 / 80
UNITY    2025-26  40 / -                                    100 / -
=======  =======  ===============  =======================  ==============
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
    arrow_schema,
)
from core.delivery import write_delivery
from core.settings import Settings
from pipeline.ingest import ingest_main
from tests.tiny_warehouse import milestone_table

M1, M2, M3 = date(2025, 11, 30), date(2025, 12, 31), date(2026, 1, 31)
MONTH_ENDS = (M1, M2, M3)
REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"

# key: (cluster, org, grade, fte, salary, manager, profession, sex, ethnicity)
_OPS, _HR, _EM = "operational_delivery", "human_resources", "ethnic_minority"
PEOPLE = {
    "s01": ("SYNERGY", "DWP", "SCS2", 1.0, 100_000, None, "policy", "female", "white"),
    "s02": ("SYNERGY", "DWP", "G6", 1.0, 70_000, "s01", _HR, "male", _EM),
    "s03": ("SYNERGY", "DWP", "G7", 1.0, 60_000, "s01", "finance", "female", "not_declared"),
    "s04": ("SYNERGY", "DWP", "HEO", 1.0, 31_000, "s02", _OPS, "female", None),
    "s05": ("SYNERGY", "DWP", "EO", 1.0, 30_000, "s02", _OPS, "male", "white"),
    "s06": ("SYNERGY", "DWP", "EO", 0.5, 30_000, "s02", _OPS, None, _EM),
    "s07": ("SYNERGY", "DWP", "AO", 1.0, 24_000, "s03", "finance", "female", "white"),
    "s08": ("SYNERGY", "DWP", "AO", 1.0, 24_000, "s03", _OPS, "male", "white"),
    "h01": ("SYNERGY", "HO", "SEO", 1.0, 45_000, "s01", "finance", "male", "white"),
    "h02": ("SYNERGY", "HO", "EO", 1.0, 30_000, "h01", _OPS, "female", _EM),
    "u01": ("UNITY", "HMRC", "G7", 1.0, 60_000, None, "policy", "female", "white"),
    "u02": ("UNITY", "HMRC", "HEO", 1.0, 36_000, "u01", _OPS, "male", "white"),
    "u03": ("UNITY", "HMRC", "EO", 1.0, 30_000, "u01", _HR, "female", _EM),
    "u04": ("UNITY", "HMRC", "EO", 1.0, 30_000, "u01", _OPS, "male", None),
    "u05": ("UNITY", "HMRC", "AO", 1.0, 24_000, "u01", _OPS, "female", "white"),
    "u06": ("UNITY", "DVLA", "AO", 0.5, 24_000, None, None, "male", "not_declared"),
}  # fmt: skip
JOINS = {"s08": M2}  # in post from this month-end on
LEAVES = {"s07": M2, "u05": M2, "s05": M3}  # gone by this month-end


def in_post(key: str, when: date) -> bool:
    return JOINS.get(key, M1) <= when < LEAVES.get(key, date.max)


def _person(key: str, when: date) -> dict:
    cluster, org, grade, fte, salary, manager, profession, sex, ethnicity = PEOPLE[key]
    org_start = date(2015, 1, 1)
    if key == "s01" and when == M1:
        salary = 96_000
    if key == "s08":
        org_start = date(2025, 12, 1)
    if key == "h02" and when == M3:  # moved to HMRC on 15 January
        cluster, org, manager, org_start = "UNITY", "HMRC", "u01", date(2026, 1, 15)
    if key == "u06" and when == M2:  # a data error: manages itself
        manager = "u06"
    return {
        "cluster": cluster,
        "person_key": key,
        "employee_id": f"E-{key}",
        "organisation_code": org,
        "grade": grade,
        "profession": profession,
        "region": "TLD",
        "employment_type": "permanent",
        "fte": fte,
        "annual_salary_gbp": float(salary),
        "civil_service_start_date": date(2010, 1, 1),
        "organisation_start_date": org_start,
        "manager_employee_id": None if manager is None else f"E-{manager}",
        "sex": sex,
        "ethnicity": ethnicity,
        "disability": "not_declared",
        "age_band": "40-49",
    }


def _employees(cluster: str, when: date) -> pa.Table:
    rows = [_person(key, when) for key in PEOPLE if in_post(key, when)]
    return pa.Table.from_pylist(
        [r for r in rows if r.pop("cluster") == cluster], schema=arrow_schema(EmployeeRow)
    )


# (period, org, account_category, amount) per month-end delivery.
LEDGER = {
    M1: [("2025-11", "DWP", "payroll_salary", "25500.00")],
    M2: [
        ("2025-12", "DWP", "payroll_salary", "26000.00"),
        ("2025-12", "DWP", "payroll_allowances", "1200.00"),
        ("2025-12", "DWP", "payroll_allowances", "-200.00"),
        ("2025-12", "DWP", "payroll_employer_pension", "7000.00"),
        ("2025-12", "DWP", "payroll_employer_ni", "3600.00"),
        ("2025-12", "DWP", "contingent_labour", "2200.00"),
        ("2025-12", "DWP", "consultancy", "999.00"),
    ],
    M3: [
        ("2026-01", "DWP", "payroll_salary", "25000.00"),
        ("2026-01", "DWP", "payroll_allowances", "750.00"),
        ("2026-01", "DWP", "payroll_employer_pension", "6750.00"),
        ("2026-01", "DWP", "payroll_employer_ni", "3500.00"),
        ("2026-01", "DWP", "contingent_labour", "2200.00"),
        ("2026-01", "DWP", "consultancy", "1000.00"),
        ("2026-01", "HO", "payroll_salary", "4000.00"),
        ("2026-01", "HO", "payroll_employer_pension", "1012.50"),
        ("2026-01", "HO", "payroll_employer_ni", "525.00"),
        ("2026-01", "MOJ", "payroll_salary", "500.00"),
        ("2026-01", "HMRC", "payroll_salary", "15600.00"),
        ("2026-01", "HMRC", "payroll_employer_pension", "4185.00"),
        ("2026-01", "HMRC", "payroll_employer_ni", "2170.00"),
    ],
}
ORG_CLUSTER = {
    "DWP": "SYNERGY",
    "HO": "SYNERGY",
    "MOJ": "SYNERGY",
    "HMRC": "UNITY",
    "DVLA": "UNITY",
}


def _ledger(cluster: str, when: date) -> pa.Table:
    lines = [line for line in LEDGER[when] if ORG_CLUSTER[line[1]] == cluster]
    return pa.Table.from_pylist(
        [
            {
                "journal_id": f"J-{period}-{org}",
                "line_number": n,
                "posting_date": when,
                "period": period,
                "organisation_code": org,
                "cost_centre": "CC1",
                "account_category": category,
                "amount_gbp": Decimal(amount),
                "description": None,
            }
            for n, (period, org, category, amount) in enumerate(lines, start=1)
        ],
        schema=arrow_schema(LedgerRow),
    )


def _milestones(when: date) -> pa.Table:
    x1 = {M1: date(2026, 3, 1), M2: date(2026, 4, 15), M3: date(2026, 5, 1)}[when]
    rows = [
        ("X1", "SYNERGY", "go_live", date(2026, 3, 1), x1, None),
        (
            "X2",
            "UNITY",
            "contract_award",
            date(2025, 12, 15),
            date(2025, 12, 20) if when == M1 else None,
            None if when == M1 else date(2025, 12, 18),
        ),
        ("X3", "ALL", "other", date(2026, 6, 30), date(2026, 6, 30), None),
    ]
    if when != M1:
        x4 = date(2026, 2, 1) if when == M2 else date(2026, 2, 10)
        rows.append(("X4", "SYNERGY", "SOC", date(2026, 2, 1), x4, None))
    return milestone_table(rows)


def _benefits(when: date) -> pa.Table:
    rows = [
        ("SYNERGY", "2024-25", "cashable_saving", 100.0, 70.0 if when == M1 else 90.0),
        ("SYNERGY", "2024-25", "non_cashable_efficiency", 50.0, 60.0),
        ("SYNERGY", "2024-25", "programme_cost", 200.0, 210.0),
        ("SYNERGY", "2025-26", "cashable_saving", 200.0, None),
        ("SYNERGY", "2025-26", "non_cashable_efficiency", 100.0, None),
        ("SYNERGY", "2025-26", "programme_cost", 150.0, None),
        ("SYNERGY", "2026-27", "cashable_saving", 300.0, None),
        ("SYNERGY", "2026-27", "non_cashable_efficiency", 100.0, None),
        ("SYNERGY", "2026-27", "programme_cost", 50.0, None),
        ("UNITY", "2024-25", "programme_cost", 80.0, 80.0),
        ("UNITY", "2025-26", "cashable_saving", 40.0, None),
        ("UNITY", "2025-26", "programme_cost", 100.0, None),
    ]
    keys = ("cluster", "financial_year", "measure", "planned_gbp", "actual_gbp")
    return pa.Table.from_pylist(
        [{**dict(zip(keys, r, strict=True)), "hours_released": None} for r in rows],
        schema=arrow_schema(BenefitRow),
    )


def build(root: Path) -> Settings:
    """Write the landing zone under ``root``, ingest it, and return the settings to read it."""
    settings = Settings(landing=root / "landing", warehouse=root / "warehouse", reference=REFERENCE)
    empty_contingent = pa.Table.from_pylist([], schema=arrow_schema(ContingentRow))
    for when in MONTH_ENDS:
        for cluster in ("SYNERGY", "UNITY"):
            write_delivery(
                settings.landing,
                cluster,
                when,
                {
                    "employees.parquet": _employees(cluster, when),
                    "contingent_labour.parquet": empty_contingent,
                    "ledger.parquet": _ledger(cluster, when),
                },
                generated_at=datetime(when.year, when.month, when.day, 23, 0),
                source_system="test",
            )
        write_delivery(
            settings.landing,
            "PROGRAMME",
            when,
            {"milestones.parquet": _milestones(when), "benefits.parquet": _benefits(when)},
            generated_at=datetime(when.year, when.month, when.day, 23, 30),
        )
    assert ingest_main(settings) == 0
    return settings
