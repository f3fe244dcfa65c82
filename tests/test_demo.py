"""`workforce demo`: the landing zone it writes obeys the contract and is calibrated.

One demo landing zone at scale 0.02 (about 10,000 people, the default 31 deliveries) is written
once per test session and checked from several sides; determinism and bad options use smaller
runs of their own.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from core.contract import (
    CLUSTERS,
    PROGRAMME,
    DeliveryContext,
    Manifest,
    arrow_schema,
    files_for,
)
from core.reference import organisations_by_cluster
from pipeline.demo.generate import default_start, delivery_dates, generate

REPO = Path(__file__).resolve().parents[1]
REGISTER = REPO / "data" / "reference" / "organisations.csv"
END = date(2026, 11, 24)
WORKFORCE = [sys.executable, "-m", "pipeline.cli"]


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "landing"
    generate(root, REGISTER, scale=0.02, start=default_start(END), end=END, seed=7)
    return root


@pytest.fixture(scope="module")
def con(landing: Path) -> duckdb.DuckDBPyConnection:
    """Views over every delivery's files, with the cluster and date parsed from the path."""
    connection = duckdb.connect()
    for name in ("employees", "contingent_labour", "ledger"):
        glob = str(landing / "*" / "*" / f"{name}.parquet")
        connection.read_parquet(glob, filename=True).create_view(f"{name}_files")
        connection.execute(
            f"""create view {name} as select * exclude (filename),
                  split_part(filename, '/', -3) as cluster,
                  cast(split_part(filename, '/', -2) as date) as extract_date
                from {name}_files"""
        )
    return connection


def test_default_window_is_24_month_ends_and_7_days() -> None:
    dates = delivery_dates(default_start(END), END)
    assert len(dates) == 31
    assert dates[0] == date(2024, 11, 30)
    assert dates[23] == date(2026, 10, 31)
    assert dates[-7:] == [date(2026, 11, d) for d in range(18, 25)]


def test_every_delivery_has_a_valid_manifest_matching_its_files(landing: Path) -> None:
    folders = sorted(landing.glob("*/*"))
    assert len(folders) == 31 * (len(CLUSTERS) + 1)
    for folder in folders:
        manifest = Manifest.model_validate_json((folder / "manifest.json").read_text())
        assert manifest.cluster == folder.parent.name
        assert manifest.extract_date.isoformat() == folder.name
        assert set(manifest.files) == set(files_for(manifest.cluster))
        for name, entry in manifest.files.items():
            data = (folder / name).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry.sha256
            meta = pq.read_metadata(folder / name)
            assert meta.num_rows == entry.rows
            assert pq.read_schema(folder / name).remove_metadata() == arrow_schema(
                files_for(manifest.cluster)[name]
            )


def test_latest_deliveries_validate_row_by_row_against_the_contract_models(landing: Path) -> None:
    """Every row of the last night's files passes the pydantic row models with its delivery."""
    orgs = organisations_by_cluster(REGISTER)
    for feed in (*CLUSTERS, PROGRAMME):
        folder = landing / feed / END.isoformat()
        context = DeliveryContext(feed, END, orgs.get(feed, frozenset()))
        for name, model in files_for(feed).items():
            rows = pq.read_table(folder / name).to_pylist()
            assert rows, f"{feed} {name} is empty"
            for row in rows:
                model.model_validate(row, context=context)


def test_whole_file_rules_hold_in_every_delivery(con: duckdb.DuckDBPyConnection) -> None:
    broken = con.execute(
        """
        select cluster, extract_date,
               count(*) - count(distinct person_key) as dup_person,
               count(*) - count(distinct employee_id) as dup_employee,
               count(*) filter (where civil_service_start_date > extract_date
                                   or organisation_start_date > extract_date
                                   or organisation_start_date < civil_service_start_date)
                 as bad_dates
        from employees group by all
        having dup_person + dup_employee + bad_dates > 0
        """
    ).fetchall()
    assert broken == []
    dangling = con.execute(
        """
        select count(*) from employees e
        where manager_employee_id is not null and not exists (
            select 1 from employees m
            where m.cluster = e.cluster and m.extract_date = e.extract_date
              and m.employee_id = e.manager_employee_id)
        """
    ).fetchone()[0]
    assert dangling == 0
    orgs = organisations_by_cluster(REGISTER)
    for (cluster,) in con.execute("select distinct cluster from employees").fetchall():
        codes = {
            r[0]
            for r in con.execute(
                "select distinct organisation_code from employees where cluster = $c "
                "union select distinct organisation_code from ledger where cluster = $c "
                "union select distinct organisation_code from contingent_labour where cluster = $c",
                {"c": cluster},
            ).fetchall()
        }
        assert codes <= orgs[cluster]


def test_calibration_matches_civil_service_statistics(con: duckdb.DuckDBPyConnection) -> None:
    stats = (
        con.sql(
            """
        select count(*) as headcount,
               sum(fte) / count(*) as fte_ratio,
               sum(fte) filter (where sex = 'female')
                 / count(*) filter (where sex = 'female') as fte_f,
               avg((sex = 'female')::int) as female,
               avg((region = 'TLI')::int) as london,
               avg((grade is null)::int) as grade_unknown,
               avg((grade = 'AO')::int) as ao,
               avg((grade = 'EO')::int) as eo,
               avg((grade = 'G7')::int) as g7,
               avg((grade like 'SCS%' or grade = 'PS')::int) as scs,
               avg((profession = 'operational_delivery')::int) as op_delivery,
               avg((profession = 'human_resources')::int) as hr,
               avg((profession = 'finance')::int) as finance,
               count(*) filter (where ethnicity = 'ethnic_minority')
                 / count(*) filter (where ethnicity in ('white', 'ethnic_minority')) as em_of_known,
               avg((ethnicity is null or ethnicity = 'not_declared')::int) as ethnicity_missing,
               avg((age_band = '50-59')::int) as age_50s
        from employees where extract_date = date '2026-10-31'
        """
        )
        .pl()
        .row(0, named=True)
    )
    # Scale 0.02 of ~540,000 in post by late 2026.
    assert 9_500 < stats["headcount"] < 12_000
    expected = {
        "fte_ratio": (0.938, 0.015),
        "fte_f": (0.913, 0.02),
        "female": (0.546, 0.025),
        "london": (0.20, 0.025),
        "grade_unknown": (0.05, 0.015),
        "ao": (0.23, 0.03),
        "eo": (0.25, 0.03),
        "g7": (0.105, 0.025),
        "scs": (0.014, 0.008),
        "op_delivery": (0.53, 0.05),
        "hr": (0.025, 0.01),
        "finance": (0.02, 0.01),
        "em_of_known": (0.154, 0.03),
        "ethnicity_missing": (0.185, 0.03),
        "age_50s": (0.272, 0.04),
    }
    off = {
        k: round(stats[k], 4) for k, (want, tol) in expected.items() if abs(stats[k] - want) > tol
    }
    assert off == {}


def test_median_pay_by_grade_follows_the_published_medians_with_pay_awards(
    con: duckdb.DuckDBPyConnection,
) -> None:
    medians = dict(
        con.execute(
            "select grade, median(annual_salary_gbp) from employees "
            "where extract_date = date '2026-10-31' and grade in ('AO', 'EO', 'HEO', 'G7') "
            "group by 1"
        ).fetchall()
    )
    # 2023 medians uplifted by the 2023–2026 awards (about ×1.14) and the London premium.
    for grade, median_2023 in {"AO": 22_520, "EO": 28_120, "HEO": 34_700, "G7": 55_850}.items():
        assert 1.10 < medians[grade] / median_2023 < 1.30, grade


def test_flows_over_a_year_match_published_rates(con: duckdb.DuckDBPyConnection) -> None:
    rates = (
        con.sql(
            """
        with a as (select person_key, organisation_code, cluster from employees
                   where extract_date = date '2024-11-30'),
             b as (select person_key, organisation_code, cluster from employees
                   where extract_date = date '2025-11-30')
        select count(*) filter (where b.person_key is null) / count(a.person_key) as leaving,
               count(*) filter (where a.person_key is null) / count(a.person_key) as entering,
               count(*) filter (where a.organisation_code <> b.organisation_code)
                 / count(a.person_key) as moving,
               count(*) filter (where a.cluster <> b.cluster) as cross_cluster
        from a full join b using (person_key)
        """
        )
        .pl()
        .row(0, named=True)
    )
    assert 0.07 < rates["leaving"] < 0.115
    assert 0.09 < rates["entering"] < 0.15  # entrants replace leavers plus ~3% growth
    assert 0.025 < rates["moving"] < 0.055
    assert rates["cross_cluster"] > 0


def test_every_organisation_has_one_head_and_spans_are_mostly_3_to_10(
    con: duckdb.DuckDBPyConnection,
) -> None:
    heads = con.execute(
        "select organisation_code, count(*) filter (where manager_employee_id is null) as tops "
        "from employees where extract_date = date '2026-11-24' group by 1 having tops <> 1"
    ).fetchall()
    assert heads == []
    share, mean_span = con.execute(
        """
        with spans as (select manager_employee_id, count(*) as reports from employees
                       where extract_date = date '2026-11-24' and cluster = 'SYNERGY'
                         and manager_employee_id is not null group by 1)
        select avg((reports between 3 and 10)::int), avg(reports) from spans
        """
    ).fetchone()
    assert share > 0.6
    assert 4 < mean_span < 9


def test_contingent_labour_is_about_two_percent_of_fte(con: duckdb.DuckDBPyConnection) -> None:
    share = con.execute(
        """
        select (select sum(fte) from contingent_labour where extract_date = date '2026-10-31')
             / (select sum(fte) from employees where extract_date = date '2026-10-31')
        """
    ).fetchone()[0]
    assert 0.01 < share < 0.03
    categories = {
        r[0] for r in con.execute("select distinct category from contingent_labour").fetchall()
    }
    assert categories == {"agency_admin", "interim_manager", "specialist_contractor", "consultant"}


def test_ledger_payroll_agrees_with_the_hr_paybill(con: duckdb.DuckDBPyConnection) -> None:
    """Salary lines ≈ salary × FTE ÷ 12; pension and NI at 27% and 14% of salary."""
    row = con.execute(
        """
        with hr as (select cluster, sum(annual_salary_gbp * fte) / 12 as paybill
                    from employees where extract_date = date '2026-10-31' group by 1),
             gl as (select cluster,
                       sum(amount_gbp) filter (where account_category = 'payroll_salary') as salary,
                       sum(amount_gbp) filter (where account_category = 'payroll_employer_pension')
                         as pension,
                       sum(amount_gbp) filter (where account_category = 'payroll_employer_ni') as ni
                    from ledger where period = '2026-10' and extract_date = date '2026-10-31'
                    group by 1)
        select max(abs(salary / paybill - 1)), avg(pension / salary), avg(ni / salary)
        from hr join gl using (cluster)
        """
    ).fetchone()
    variance, pension, ni = (float(v) for v in row)
    assert variance < 0.03
    assert pension == pytest.approx(0.27, abs=0.005)
    assert ni == pytest.approx(0.14, abs=0.005)


def test_some_ledger_lines_are_resent_unchanged_on_a_later_day(
    con: duckdb.DuckDBPyConnection,
) -> None:
    resent, conflicting = con.execute(
        """
        with lines as (
            select cluster, journal_id, line_number,
                   count(distinct extract_date) as deliveries,
                   count(distinct (posting_date, period, organisation_code, cost_centre,
                                   account_category, amount_gbp, description)) as versions
            from ledger group by all)
        select count(*) filter (where deliveries > 1), count(*) filter (where versions > 1)
        from lines
        """
    ).fetchone()
    assert resent > 0
    assert conflicting == 0


def test_overseas_migrates_source_system_and_ids_but_keeps_person_keys(
    landing: Path, con: duckdb.DuckDBPyConnection
) -> None:
    systems = {
        json.loads(p.read_text())["source_system"]
        for p in (landing / "OVERSEAS").glob("*/manifest.json")
    }
    assert len(systems) == 2
    before, after = con.execute(
        """
        select count(*) filter (where b.employee_id <> a.employee_id), count(*)
        from employees a join employees b using (person_key)
        where a.cluster = 'OVERSEAS' and b.cluster = 'OVERSEAS'
          and a.extract_date = date '2024-11-30' and b.extract_date = date '2026-11-24'
        """
    ).fetchone()
    assert before == after > 0  # everyone still in post has a new id and the same person key


def test_same_seed_same_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    def digests(root: Path) -> dict[str, str]:
        return {
            str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    options = {"scale": 0.003, "start": date(2026, 9, 30), "end": date(2026, 10, 3)}
    generate(tmp_path / "a", REGISTER, seed=11, **options)
    generate(tmp_path / "b", REGISTER, seed=11, **options)
    generate(tmp_path / "c", REGISTER, seed=12, **options)
    first = digests(tmp_path / "a")
    assert first and first == digests(tmp_path / "b")
    other = digests(tmp_path / "c")
    assert first.keys() == other.keys() and first != other


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scale", "0"], "--scale must be greater than 0"),
        (["--scale", "-1"], "--scale must be greater than 0"),
        (["--start", "2026-10-31", "--end", "2026-01-31"], "--end 2026-01-31 is before --start"),
        (["--end", "2026-13-01"], "not a date"),
    ],
)
def test_bad_options_exit_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    run = subprocess.run(
        [*WORKFORCE, "demo", "--landing", str(tmp_path / "landing"), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert message in lines[-1]
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "landing").exists() or not any((tmp_path / "landing").iterdir())


def test_unwritable_landing_folder_exits_2(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    run = subprocess.run(
        [*WORKFORCE, "demo", "--landing", str(blocker / "landing"), "--scale", "0.001"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        f"workforce demo: cannot write to landing folder {blocker / 'landing'}: Not a directory"
    ]


def test_cli_writes_a_landing_zone_and_says_so(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            *WORKFORCE,
            "demo",
            "--landing",
            str(tmp_path / "landing"),
            "--scale",
            "0.002",
            "--start",
            "2026-09-30",
            "--end",
            "2026-10-02",
            "--seed",
            "3",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "wrote 18 deliveries (3 dates" in run.stdout
    assert len(list((tmp_path / "landing").glob("*/*/manifest.json"))) == 18
