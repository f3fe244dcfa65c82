"""`workforce query` as an analyst scripts it: columns, formats, disclosure control, exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from tests.tiny_warehouse import build

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("cli")).warehouse


def workforce(*args: str, warehouse: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "query", *args, "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


def test_csv_has_the_by_columns_in_order_then_the_measures(warehouse: Path) -> None:
    run = workforce(
        "workforce", "--as-at", "2026-02-28", "--by", "grade,cluster", warehouse=warehouse
    )
    assert run.returncode == 0, run.stderr
    table = list(csv.DictReader(io.StringIO(run.stdout)))
    assert list(table[0]) == ["grade", "cluster", "headcount", "fte", "paybill_gbp"]
    assert sum(int(r["headcount"]) for r in table) == 10
    assert "note: MATRIX is stale as at 2026-02-28 (latest snapshot 2026-01-31)" in run.stderr
    assert "note: DEFENCE is absent" in run.stderr


def test_json_and_parquet_carry_the_same_rows(warehouse: Path, tmp_path: Path) -> None:
    as_json = workforce(
        "flows",
        "--from",
        "2026-01-31",
        "--to",
        "2026-02-28",
        "--by",
        "cluster",
        "--format",
        "json",
        warehouse=warehouse,
    )
    assert as_json.returncode == 0, as_json.stderr
    records = json.loads(as_json.stdout)
    out = tmp_path / "flows.parquet"
    as_parquet = workforce(
        "flows",
        "--from",
        "2026-01-31",
        "--to",
        "2026-02-28",
        "--by",
        "cluster",
        "--format",
        "parquet",
        "--output",
        str(out),
        warehouse=warehouse,
    )
    assert as_parquet.returncode == 0 and as_parquet.stdout == ""
    assert pl.read_parquet(out).to_dicts() == records
    assert list(records[0]) == [
        "cluster",
        "headcount_start",
        "joiners",
        "leavers",
        "transfers_in",
        "transfers_out",
        "headcount_end",
    ]


def test_where_filters_and_unknown_group(warehouse: Path) -> None:
    run = workforce(
        "workforce",
        "--as-at",
        "2026-02-28",
        "--by",
        "grade",
        "--where",
        "cluster=UNITY",
        "--where",
        "cluster=MATRIX",
        warehouse=warehouse,
    )
    table = {r["grade"]: r["headcount"] for r in csv.DictReader(io.StringIO(run.stdout))}
    assert table == {"AO": "1", "G6": "1", "G7": "1", "HEO": "1", "unknown": "1"}


def test_disclosure_control_suppresses_small_counts(warehouse: Path) -> None:
    run = workforce(
        "workforce",
        "--as-at",
        "2026-02-28",
        "--by",
        "cluster",
        "--disclosure-control",
        warehouse=warehouse,
    )
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    shown = {r["cluster"]: r["headcount"] for r in rows}
    assert shown["MATRIX"] == "[c]"  # 1 person
    assert all(v == "[c]" or int(v) % 5 == 0 for v in shown.values())
    assert sum(v == "[c]" for v in shown.values()) >= 2  # never one suppressed cell alone


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["headcounts", "--as-at", "2026-02-28"], "unknown metric 'headcounts'"),
        (["workforce", "--as-at", "2026-02-31"], "--as-at '2026-02-31' is not a date"),
        (
            ["workforce", "--as-at", "2026-02-28", "--by", "shoe_size"],
            "workforce cannot be grouped or filtered by 'shoe_size'",
        ),
        (
            ["flows", "--from", "2026-01-31", "--to", "2026-02-28", "--by", "grade"],
            "flows cannot be grouped or filtered by 'grade'",
        ),
        (["flows", "--as-at", "2026-02-28"], "flows takes --from and --to"),
        (["spend", "--from", "2026-1", "--to", "2026-02"], "--from '2026-1' is not an accounting"),
        (  # other scripts' digits are \d too, but no period: refused, not an empty result
            ["spend", "--from", "\u0662\u0660\u0662\u0666-01", "--to", "2026-02"],
            "--from '\u0662\u0660\u0662\u0666-01' is not an accounting",
        ),
        (["workforce", "--as-at", "2026-02-28", "--where", "grade"], "is not DIM=VALUE"),
        (["flows", "--from", "2026-02-28", "--to", "2026-01-31"], "--to 2026-01-31 is before"),
        (["workforce", "--as-at", "2026-02-28", "--format", "xml"], "invalid choice: 'xml'"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(warehouse: Path, args: list[str], message: str) -> None:
    run = workforce(*args, warehouse=warehouse)
    assert run.returncode == 2
    assert message in run.stderr.strip().splitlines()[-1]
    assert "Traceback" not in run.stderr
    assert run.stdout == ""


def test_missing_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    run = workforce("workforce", "--as-at", "2026-02-28", warehouse=tmp_path / "none")
    assert run.returncode == 2
    assert "run `workforce ingest` first" in run.stderr


@pytest.mark.parametrize(
    ("metric", "dates"),
    [
        ("workforce", ["--as-at", "2026-02-28"]),
        ("flows", ["--from", "2026-01-31", "--to", "2026-02-28"]),
        ("contingent", ["--as-at", "2026-02-28"]),
        ("spend", ["--from", "2026-01", "--to", "2026-02"]),
        ("milestones", ["--as-at", "2026-02-28"]),
        ("benefits", ["--as-at", "2026-02-28"]),
    ],
)
def test_every_metric_runs_under_disclosure_control(
    warehouse: Path, metric: str, dates: list[str]
) -> None:
    by = "cluster,measure" if metric == "benefits" else "cluster"  # benefits: never cost too
    run = workforce(metric, *dates, "--by", by, "--disclosure-control", warehouse=warehouse)
    assert run.returncode == 0, run.stderr
    assert len(list(csv.DictReader(io.StringIO(run.stdout)))) >= 1


BENEFITS_APART = (
    "benefits needs --by to include measure: benefits and programme cost are never added together"
)


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["--by", "cluster"],
        ["--by", "cluster,financial_year"],
        ["--by", "cluster", "--where", "measure=cashable_saving"],  # the contract: --by, always
    ],
)
def test_benefits_without_measure_exit_2_saying_so(warehouse: Path, options: list[str]) -> None:
    run = workforce("benefits", "--as-at", "2026-02-28", *options, warehouse=warehouse)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [f"workforce query: {BENEFITS_APART}"]
    assert run.stdout == ""


def test_benefits_by_measure_keep_each_measure_apart(warehouse: Path) -> None:
    run = workforce(
        "benefits", "--as-at", "2026-02-28", "--by", "cluster,measure", warehouse=warehouse
    )
    assert run.returncode == 0, run.stderr
    rows = [
        (r["cluster"], r["measure"], r["planned_gbp"])
        for r in csv.DictReader(io.StringIO(run.stdout))
    ]
    assert rows == [
        ("SYNERGY", "cashable_saving", "100.00"),
        ("UNITY", "non_cashable_efficiency", "50.00"),
    ]
