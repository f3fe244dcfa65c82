"""`workforce query` and `workforce demo` given bad input, and CSV that a spreadsheet would
run (issue 11): exit 2 with one line naming what is wrong, and formulas neutralised."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from ingest_factories import REFERENCE, cluster_delivery, employees, ledger

from core.settings import Settings
from pipeline.ingest import ingest_main
from pipeline.query_cli import spreadsheet_safe
from tests.tiny_warehouse import build

ROOT = Path(__file__).resolve().parents[1]
OCT = date(2026, 10, 31)
FORMULA, DEPARTMENT = "=1+2", "@SUM(A1)"


def workforce(*args: str, warehouse: Path | None = None) -> subprocess.CompletedProcess:
    where = ["--warehouse", str(warehouse)] if warehouse else []
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args, *where],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def one_line(run: subprocess.CompletedProcess) -> str:
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""
    return run.stderr.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("cli")).warehouse


@pytest.fixture(scope="module")
def formulas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse whose register (so its organisation and department codes) holds formulas:
    a register edited by hand, or a cluster's code taken into it unchecked."""
    root = tmp_path_factory.mktemp("formulas")
    reference = root / "reference"
    reference.mkdir()
    register = (REFERENCE / "organisations.csv").read_text()
    register += f"{FORMULA},Formula Agency,executive_agency,{DEPARTMENT},SYNERGY,10,10,30000\n"
    (reference / "organisations.csv").write_text(register)
    settings = Settings(landing=root / "landing", warehouse=root / "warehouse", reference=reference)
    people = employees(20)
    for row in people[:10]:
        row["organisation_code"] = FORMULA
    lines = ledger(20, when=OCT)
    for row in lines[:10]:
        row["organisation_code"] = FORMULA
        row["amount_gbp"] = Decimal("-1234.56")  # a credit: its protected figure reads "-1230"
    cluster_delivery(settings.landing, "SYNERGY", OCT, employees_rows=people, ledger_rows=lines)
    assert ingest_main(settings) == 0
    return settings.warehouse


# --- item 15: bad input, one line, exit 2 ---------------------------------------------------

WHERE = "workforce query: --where"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["workforce", "--as-at", "20260228"],
            "workforce query: --as-at '20260228' is not a date (YYYY-MM-DD)",
        ),
        (
            ["workforce", "--as-at", "2026-W09-6"],
            "workforce query: --as-at '2026-W09-6' is not a date (YYYY-MM-DD)",
        ),
        (
            ["flows", "--from", "20260131", "--to", "2026-02-28"],
            "workforce query: --from '20260131' is not a date (YYYY-MM-DD)",
        ),
        (
            ["workforce", "--as-at", "2026-02-28", "--where", "cluster=ATLANTIS"],
            f"{WHERE} cluster=ATLANTIS: no cluster 'ATLANTIS' (valid: DEFENCE, OVERSEAS, MATRIX,"
            " SYNERGY, UNITY, or unknown)",
        ),
        (
            ["workforce", "--as-at", "2026-02-28", "--where", "grade=G8"],
            f"{WHERE} grade=G8: no grade 'G8' (valid: AA, AO, EO, HEO, SEO, G7 and 5 more,"
            " or unknown)",
        ),
        (
            ["contingent", "--as-at", "2026-02-28", "--where", "category=freelance"],
            f"{WHERE} category=freelance: no category 'freelance' (valid: agency_admin,"
            " interim_manager, specialist_contractor, consultant, or unknown)",
        ),
        (
            ["spend", "--from", "2026-01", "--to", "2026-02", "--where", "period=2026-13"],
            f"{WHERE} period=2026-13: no period '2026-13' (a period like 2026-10 (YYYY-MM),"
            " or unknown)",
        ),
        (
            [
                "benefits",
                "--as-at",
                "2026-02-28",
                "--by",
                "measure",
                "--where",
                "financial_year=2026-28",
            ],
            f"{WHERE} financial_year=2026-28: no financial_year '2026-28' (a financial year like"
            " 2024-25, or unknown)",
        ),
        (
            ["milestones", "--as-at", "2026-02-28", "--where", "stage=launch"],
            f"{WHERE} stage=launch: no stage 'launch' (valid: SOC, OBC, FBC, procurement,"
            " contract_award, go_live and 2 more, or unknown)",
        ),
        (
            ["workforce", "--as-at", "2026-02-28", "--where", "sex=\x1b[2J"],
            f"{WHERE} sex=\\x1b[2J: no sex '\\x1b[2J' (valid: female, male, or unknown)",
        ),
        (
            ["workforce", "--as-at", "2026-02-28", "--output", "/no/such/folder/out.csv"],
            "workforce query: --output /no/such/folder/out.csv: the folder /no/such/folder does"
            " not exist",
        ),
        (
            ["workforce", "--as-at", "2026-02-28", "--output", "/tmp"],
            "workforce query: --output /tmp is a folder, not a file",
        ),
        (
            ["workforce", "--as-at", "2026-02-28", "--output", "/dev/full"],
            'workforce query: cannot write /dev/full: Could not write file "/dev/full": No space'
            " left on device",
        ),
    ],
)
def test_bad_input_exits_2_naming_it(warehouse: Path, args: list[str], message: str) -> None:
    assert one_line(workforce("query", *args, warehouse=warehouse)) == message


@pytest.mark.parametrize(
    ("dim", "register_column"),
    [("organisation_code", "organisation_code"), ("department", "parent_department_code")],
)
def test_organisations_and_departments_come_from_the_register(
    warehouse: Path, dim: str, register_column: str
) -> None:
    line = one_line(
        workforce("query", "workforce", "--as-at", "2026-02-28", "--where", f"{dim}=NOPE",
                  warehouse=warehouse)
    )  # fmt: skip
    with duckdb.connect() as con:
        codes = [
            code
            for (code,) in con.execute(
                f"SELECT DISTINCT {register_column} FROM read_csv($p) ORDER BY 1",
                {"p": str(REFERENCE / "organisations.csv")},
            ).fetchall()
        ]
    assert line == (
        f"workforce query: --where {dim}=NOPE: no {dim} 'NOPE' (valid: {', '.join(codes[:6])}"
        f" and {len(codes) - 6} more, or unknown)"
    )
    ok = workforce("query", "workforce", "--as-at", "2026-02-28", "--where", f"{dim}={codes[0]}",
                   warehouse=warehouse)  # fmt: skip
    assert ok.returncode == 0, ok.stderr


def test_unknown_and_strategy_wide_values_are_valid(warehouse: Path) -> None:
    run = workforce("query", "workforce", "--as-at", "2026-02-28", "--by", "grade",
                    "--where", "grade=unknown", warehouse=warehouse)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert list(csv.DictReader(io.StringIO(run.stdout))) == [
        {"grade": "unknown", "headcount": "1", "fte": "1.00", "paybill_gbp": "31000.00"}
    ]
    run = workforce("query", "milestones", "--as-at", "2026-02-28", "--by", "cluster",
                    "--where", "cluster=ALL", warehouse=warehouse)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert [r["cluster"] for r in csv.DictReader(io.StringIO(run.stdout))] == ["ALL"]


def test_demo_dates_are_strict_and_not_in_the_future(tmp_path: Path) -> None:
    landing = ["--landing", str(tmp_path / "landing")]
    run = workforce("demo", *landing, "--start", "20260930")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.splitlines()[-1] == (
        "workforce demo: error: argument --start: not a date (YYYY-MM-DD): '20260930'"
    )
    run = workforce("demo", *landing, "--end", "2099-01-01")
    assert one_line(run) == f"workforce demo: --end 2099-01-01 is after today {date.today()}"
    assert not (tmp_path / "landing").exists()


# --- CSV a spreadsheet would run --------------------------------------------------------------


def test_formulas_in_csv_cells_are_neutralised(formulas: Path) -> None:
    args = ["workforce", "--as-at", "2026-10-31", "--by", "organisation_code,department"]
    run = workforce("query", *args, "--where", f"organisation_code={FORMULA}", warehouse=formulas)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "organisation_code,department,headcount,fte,paybill_gbp",
        "'=1+2,'@SUM(A1),10,8.80,268020.00",  # numbers as they are (to 2 places)
    ]
    # JSON and Parquet carry the text as it is: no program reads a JSON string as a formula
    run = workforce("query", *args, "--format", "json", warehouse=formulas)
    rows = {r["organisation_code"]: r for r in json.loads(run.stdout)}
    assert rows[FORMULA]["department"] == DEPARTMENT


def test_protected_negative_figures_stay_numbers(formulas: Path) -> None:
    run = workforce("query", "spend", "--from", "2026-10", "--to", "2026-10", "--by",
                    "organisation_code", "--disclosure-control", warehouse=formulas)  # fmt: skip
    assert run.returncode == 0, run.stderr
    rows = {
        r["organisation_code"]: r["amount_gbp"] for r in csv.DictReader(io.StringIO(run.stdout))
    }
    assert rows["'=1+2"] == "-12350"  # text in the protected output, yet a number: no quote


def test_spreadsheet_safe_on_a_hand_made_relation() -> None:
    texts = ["=1+2", "+44 20 7946 0000", "-120", "-1,234.5", "@x", "\tx", "\rx", "\nx", "plain",
             None, "1e5"]  # fmt: skip
    with duckdb.connect() as con:
        rel = con.sql(
            "SELECT unnest($t) AS label, unnest($n) AS n",
            params={"t": texts, "n": list(range(-5, 6))},
        )
        rows = spreadsheet_safe(rel).fetchall()
    assert [label for label, _ in rows] == [
        "'=1+2", "'+44 20 7946 0000", "-120", "-1,234.5", "'@x", "'\tx", "'\rx", "'\nx", "plain",
        None, "1e5",
    ]  # fmt: skip
    assert [n for _, n in rows] == list(range(-5, 6))  # numbers untouched, negatives included
