"""`workforce query` writes money to the penny and FTE to 2 decimals, never float noise (issue 14).

One SYNERGY delivery and one programme register, loaded by the real ingest, whose sums are
chosen by hand: float sums that carry binary noise (0.1 + 0.1 + 0.1 FTE), and values exactly
half a penny (or half a hundredth of an FTE) from two neighbours, where the rule chosen (half
away from zero on the decimal value) differs from DuckDB's ROUND on a DOUBLE (binary: 1.345 is
1.3449999..., so ROUND gives 1.34).  Disclosure control is untouched: cli.md's "unrounded" means
no rounding to 5 or £10, and only the representation changes.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core.contract import BenefitRow, ContingentRow, EmployeeRow, LedgerRow, arrow_schema
from core.delivery import write_delivery
from core.settings import Settings
from core.warehouse import current_path
from pipeline.ingest import ingest_main
from pipeline.query_cli import fixed_precision
from queries.catalogue import METRICS
from tests.tiny_warehouse import REFERENCE, milestone_table

REPO = Path(__file__).resolve().parents[1]
AS_AT = date(2026, 1, 31)

# (key, grade, fte, salary): per grade, the sums the CSV must show.
PEOPLE = [
    # EO: FTE 0.1 × 3 sums to 0.30000000000000004, paybill 3333.333 × 3 to 9999.999.
    ("p01", "EO", 0.1, 33_333.33),
    ("p02", "EO", 0.1, 33_333.33),
    ("p03", "EO", 0.1, 33_333.33),
    # AO: FTE 1.345 exactly half a hundredth: 1.35 (ROUND on the DOUBLE gives 1.34).
    ("p04", "AO", 1.0, 20_000.0),
    ("p05", "AO", 0.345, 20_000.0),
    # HEO: paybill 10,000.01 × 0.5 = 5,000.005 (binary 5000.00499...), half a penny: 5000.01.
    ("p06", "HEO", 0.5, 10_000.01),
]
EXPECTED_BY_GRADE = {
    "AO": ["2", "1.35", "26900.00"],
    "EO": ["3", "0.30", "10000.00"],
    "HEO": ["1", "0.50", "5000.01"],
}


def _employees() -> pa.Table:
    rows = [
        {
            "person_key": key,
            "employee_id": f"SYN-{key}",
            "organisation_code": "DWP",
            "grade": grade,
            "profession": "operational_delivery",
            "region": "TLD",
            "employment_type": "permanent",
            "fte": fte,
            "annual_salary_gbp": salary,
            "civil_service_start_date": date(2010, 1, 1),
            "organisation_start_date": date(2015, 1, 1),
            "manager_employee_id": None,
            "sex": "female",
            "ethnicity": "white",
            "disability": "not_declared",
            "age_band": "40-49",
        }
        for key, grade, fte, salary in PEOPLE
    ]
    return pa.Table.from_pylist(rows, schema=arrow_schema(EmployeeRow))


def _contingent() -> pa.Table:
    # 100.01 a day × 0.125 FTE × 220 days = 2,750.275: half a penny, and FTE 0.125 half too.
    row = {
        "worker_id": "W1",
        "organisation_code": "DWP",
        "category": "agency_admin",
        "fte": 0.125,
        "day_rate_gbp": 100.01,
        "engagement_start_date": date(2025, 6, 1),
        "engagement_end_date": None,
    }
    return pa.Table.from_pylist([row], schema=arrow_schema(ContingentRow))


def _ledger() -> pa.Table:
    row = {
        "journal_id": "J1",
        "line_number": 1,
        "posting_date": AS_AT,
        "period": "2026-01",
        "organisation_code": "DWP",
        "cost_centre": "CC1",
        "account_category": "consultancy",
        "amount_gbp": Decimal("-250.50"),
        "description": None,
    }
    return pa.Table.from_pylist([row], schema=arrow_schema(LedgerRow))


def _benefits() -> pa.Table:
    # planned 100.005 (half a penny), actual 0.1 + 0.2 (noise), hours 10.125 (half).
    rows = [
        ("SYNERGY", "2025-26", "cashable_saving", 100.005, 0.1, 10.125),
        ("SYNERGY", "2024-25", "cashable_saving", 0.0, 0.2, None),
    ]
    keys = ("cluster", "financial_year", "measure", "planned_gbp", "actual_gbp", "hours_released")
    return pa.Table.from_pylist(
        [dict(zip(keys, r, strict=True)) for r in rows], schema=arrow_schema(BenefitRow)
    )


def _milestones() -> pa.Table:
    # Slips of 1, 0, 0, 0 days: a mean of 0.25, written 0.3 (one decimal, half away from zero).
    base = date(2025, 12, 1)
    late = date(2025, 12, 2)
    return milestone_table(
        [(f"M{n}", "SYNERGY", "other", base, None, late if n == 1 else base) for n in range(1, 5)]
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rounding")
    settings = Settings(landing=root / "landing", warehouse=root / "warehouse", reference=REFERENCE)
    files = {
        "employees.parquet": _employees(),
        "contingent_labour.parquet": _contingent(),
        "ledger.parquet": _ledger(),
    }
    stamp = datetime(2026, 1, 31, 23, 0)
    write_delivery(
        settings.landing, "SYNERGY", AS_AT, files, generated_at=stamp, source_system="test"
    )
    programme = {"milestones.parquet": _milestones(), "benefits.parquet": _benefits()}
    write_delivery(settings.landing, "PROGRAMME", AS_AT, programme, generated_at=stamp)
    assert ingest_main(settings) == 0
    return settings.warehouse


def query(warehouse: Path, *args: str, code: int = 0) -> subprocess.CompletedProcess:
    run = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "query", *args, "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert run.returncode == code, run.stderr
    return run


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_money_to_the_penny_and_fte_to_2_decimals(warehouse: Path) -> None:
    run = query(warehouse, "workforce", "--as-at", "2026-01-31", "--by", "grade")
    header, *body = rows(run.stdout)
    assert header == ["grade", "headcount", "fte", "paybill_gbp"]
    assert {r[0]: r[1:] for r in body} == EXPECTED_BY_GRADE


def test_half_a_penny_rounds_away_from_zero_not_as_the_binary_double(warehouse: Path) -> None:
    # The rule chosen, and why: DuckDB's ROUND on a DOUBLE rounds the binary value.
    con = duckdb.connect()
    assert con.execute("SELECT round(1.345::DOUBLE, 2), round(1.005::DOUBLE, 2)").fetchone() == (
        1.34,
        1.0,
    )
    run = query(warehouse, "contingent", "--as-at", "2026-01-31")
    assert rows(run.stdout) == [["workers", "fte", "annualised_cost_gbp"], ["1", "0.13", "2750.28"]]


def test_json_carries_the_same_digits(warehouse: Path) -> None:
    run = query(
        warehouse, "workforce", "--as-at", "2026-01-31", "--by", "grade", "--format", "json"
    )
    assert '"fte":0.30,"paybill_gbp":10000.00' in run.stdout
    records = json.loads(run.stdout, parse_float=Decimal)
    shown = {
        r["grade"]: [str(r["headcount"]), str(r["fte"]), str(r["paybill_gbp"])] for r in records
    }
    assert shown == EXPECTED_BY_GRADE
    assert all(isinstance(r["headcount"], int) for r in records)  # counts stay whole numbers


def test_parquet_columns_are_decimals_to_the_penny(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "workforce.parquet"
    query(warehouse, "workforce", "--as-at", "2026-01-31", "--by", "grade", "--format", "parquet",
          "--output", str(out))  # fmt: skip
    table = pq.read_table(out)
    assert table.schema.field("fte").type == pa.decimal128(38, 2)
    assert table.schema.field("paybill_gbp").type == pa.decimal128(38, 2)
    assert pa.types.is_integer(table.schema.field("headcount").type)
    by_grade = {r["grade"]: (r["fte"], r["paybill_gbp"]) for r in table.to_pylist()}
    assert by_grade["HEO"] == (Decimal("0.50"), Decimal("5000.01"))
    assert by_grade["AO"] == (Decimal("1.35"), Decimal("26900.00"))


def test_benefits_hours_and_mean_slip_have_their_own_fixed_places(warehouse: Path) -> None:
    run = query(warehouse, "benefits", "--as-at", "2026-01-31", "--by", "measure")
    assert rows(run.stdout) == [
        ["measure", "planned_gbp", "actual_gbp", "hours_released"],
        ["cashable_saving", "100.01", "0.30", "10.13"],
    ]
    run = query(warehouse, "milestones", "--as-at", "2026-01-31")
    assert rows(run.stdout)[1][-1] == "0.3"


def test_spend_already_decimal_keeps_its_pence_and_sign(warehouse: Path) -> None:
    run = query(warehouse, "spend", "--from", "2026-01", "--to", "2026-01")
    assert rows(run.stdout) == [["amount_gbp"], ["-250.50"]]


def test_disclosure_control_still_rounds_to_10_pounds(warehouse: Path) -> None:
    run = query(
        warehouse, "benefits", "--as-at", "2026-01-31", "--by", "measure", "--disclosure-control"
    )
    assert rows(run.stdout) == [  # the published rule's £10, no pence (no population: kept)
        ["measure", "planned_gbp", "actual_gbp", "hours_released"],
        ["cashable_saving", "100", "0", "10"],
    ]


EVERY_METRIC = [
    ("workforce", ["--as-at", "2026-01-31"], "grade"),
    ("flows", ["--from", "2025-12-31", "--to", "2026-01-31"], "cluster"),
    ("contingent", ["--as-at", "2026-01-31"], "category"),
    ("spend", ["--from", "2026-01", "--to", "2026-01"], "account_category"),
    ("milestones", ["--as-at", "2026-01-31"], "stage"),
    ("benefits", ["--as-at", "2026-01-31"], "measure"),
]


def test_every_cli_metric_is_checked() -> None:
    assert tuple(metric for metric, _, _ in EVERY_METRIC) == METRICS


@pytest.mark.parametrize(("metric", "dates", "by"), EVERY_METRIC)
def test_no_measure_is_written_as_a_binary_float(
    warehouse: Path, tmp_path: Path, metric: str, dates: list[str], by: str
) -> None:
    """A new float measure without a precision in queries.catalogue fails here."""
    out = tmp_path / f"{metric}.parquet"
    query(warehouse, metric, *dates, "--by", by, "--format", "parquet", "--output", str(out))
    schema = pq.read_schema(out)
    floats = [f.name for f in schema if pa.types.is_floating(f.type)]
    assert floats == []


def test_fixed_precision_on_a_hand_made_relation() -> None:
    con = duckdb.connect()
    rel = con.sql(
        "SELECT * FROM (VALUES"
        " ('a', 3, 500000036.2999996::DOUBLE, 12.3456::DOUBLE, -2.675::DOUBLE,"
        "  1.005::DECIMAL(38, 3), 0.123456::DOUBLE),"
        " ('b', NULL, NULL, 0.005::DOUBLE, -0.005::DOUBLE, -1.005::DECIMAL(38, 3), NULL))"
        " t(grade, headcount, paybill_gbp, fte, variance_gbp, amount_gbp, some_ratio)"
    )
    shown = fixed_precision(rel)
    assert [str(t) for t in shown.types] == [
        "VARCHAR", "INTEGER", "DECIMAL(38,2)", "DECIMAL(38,2)", "DECIMAL(38,2)",
        "DECIMAL(38,2)", "DOUBLE",
    ]  # fmt: skip
    assert shown.fetchall() == [
        ("a", 3, Decimal("500000036.30"), Decimal("12.35"), Decimal("-2.68"), Decimal("1.01"),
         0.123456),
        ("b", None, None, Decimal("0.01"), Decimal("-0.01"), Decimal("-1.01"), None),
    ]  # fmt: skip


def test_a_value_that_is_not_a_number_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """The ingest now refuses inf and NaN in the benefits' floats, but a warehouse loaded
    before it did can hold one, and no number of decimal places can write it."""
    settings = Settings(
        landing=tmp_path / "landing", warehouse=tmp_path / "warehouse", reference=REFERENCE
    )
    keys = ("cluster", "financial_year", "measure", "planned_gbp", "actual_gbp", "hours_released")
    row = ("SYNERGY", "2025-26", "cashable_saving", 5.0, 1.0, None)
    benefits = pa.Table.from_pylist(
        [dict(zip(keys, row, strict=True))], schema=arrow_schema(BenefitRow)
    )
    files = {"milestones.parquet": _milestones(), "benefits.parquet": benefits}
    write_delivery(settings.landing, "PROGRAMME", AS_AT, files, generated_at=datetime(2026, 2, 1))
    assert ingest_main(settings) == 0
    with contextlib.closing(duckdb.connect(str(current_path(settings.warehouse)))) as con:
        con.execute("UPDATE benefit_snapshots SET planned_gbp = 'inf'::DOUBLE")
    run = query(settings.warehouse, "benefits", "--as-at", "2026-01-31", "--by", "measure", code=2)
    assert run.stderr.splitlines() == [
        "workforce query: planned_gbp holds 1 value(s) that are not finite numbers (inf or NaN),"
        " which cannot be written to 2 decimal places: the delivery needs correcting"
    ]
    assert run.stdout == ""
