"""`workforce demo --native`: each cluster in its own system's shape, with the same figures.

One small window (9 nights, OVERSEAS moving to Hera on 30 September) is written twice with one
seed, native and contract-shaped.  A tiny conformer here, independent of ``pipeline/sources``,
reads the native files back through the committed mapping files; every row must come back as
the contract demo wrote it, so headcount, FTE, paybill, contingent labour and spend are equal.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from core.contract import (
    AGE_BANDS,
    CLUSTERS,
    PROGRAMME,
    REGIONS,
    ContingentRow,
    EmployeeRow,
    LedgerRow,
    column_specs,
)
from core.reference import organisations_by_cluster
from pipeline.demo import native_codes
from pipeline.demo.generate import generate
from pipeline.demo.native import money

REPO = Path(__file__).resolve().parents[1]
REGISTER = REPO / "data" / "reference" / "organisations.csv"
MAPPINGS = REPO / "data" / "mappings"
OPTIONS = {"scale": 0.005, "start": date(2026, 8, 31), "end": date(2026, 10, 3), "seed": 13}
HERA_FROM = date(2026, 9, 30)  # the middle month-end of the window
FILES = {
    "workers.csv": "employees.parquet",
    "contingent_workers.csv": "contingent_labour.parquet",
    "journal_lines.csv": "ledger.parquet",
}
# The columns each system maps through a mapping table (sources.md §3), by table.
MAPPED = {
    "oracle_hcm": {
        "workers.csv": {
            "LegalEmployerName": "organisations",
            "GradeCode": "grade",
            "JobFamilyName": "profession",
            "LocationCode": "region",
            "AssignmentCategory": "employment_type",
            "Sex": "sex",
            "EthnicOrigin": "ethnicity",
            "Disabled": "disability",
        },
        "journal_lines.csv": {"SEGMENT1": "organisations", "SEGMENT3": "account"},
    },
    "workday": {
        "workers.csv": {
            "Company": "organisations",
            "Management_Level": "grade",
            "Job_Family_Group": "profession",
            "Location": "region",
            "Worker_Type": "employment_type",
            "Gender": "sex",
            "Ethnicity": "ethnicity",
            "Disability_Status": "disability",
        },
        "journal_lines.csv": {"Company": "organisations", "Ledger_Account": "account"},
    },
    "sap_successfactors": {
        "workers.csv": {
            "company": "organisations",
            "pay_grade": "grade",
            "job_family": "profession",
            "location": "region",
            "employee_class": "employment_type",
            "gender": "sex",
            "ethnic_group": "ethnicity",
            "challenge_status": "disability",
        },
        "journal_lines.csv": {"RBUKRS": "organisations", "RACCT": "account"},
    },
}
CONTINGENT_MAPPED = {"Organisation": "organisations", "Role_Category": "contingent_category"}
MONTHS = {name.upper(): i for i, name in enumerate(calendar.month_abbr) if name}  # OCT → 10
# Per system: employee id, NI number, date of birth, the two start dates, manager's id.
IDENTITY = {
    "oracle_hcm": ("AssignmentNumber", "NationalIdentifier", "DateOfBirth",
                   "OriginalDateOfHire", "DateStart", "ManagerAssignmentNumber"),
    "workday": ("Employee_ID", "National_Insurance_Number", "Date_of_Birth",
                "Continuous_Service_Date", "Hire_Date", "Manager_ID"),
    "sap_successfactors": ("user_id", "national_id", "date_of_birth",
                           "seniority_date", "start_date", "manager_id"),
}  # fmt: skip


@pytest.fixture(scope="module")
def landings(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("native")
    generate(root / "native", REGISTER, native=True, **OPTIONS)
    generate(root / "contract", REGISTER, **OPTIONS)
    return root / "native", root / "contract"


def mapping_of(folder: Path) -> dict:
    name = json.loads((folder / "manifest.json").read_text())["mapping"]
    return tomllib.loads((MAPPINGS / f"{name}.toml").read_text(encoding="utf-8"))


def read_native(folder: Path, name: str) -> pl.DataFrame:
    """One native file as text columns, decoded strictly in its mapping's encoding."""
    data = (folder / name).read_bytes().removeprefix(b"\xef\xbb\xbf")
    text = data.decode(mapping_of(folder).get("encoding", "utf-8"))
    return pl.read_csv(text.encode(), infer_schema=False)


def cluster_folders(landing: Path) -> list[Path]:
    return sorted(p for cluster in CLUSTERS for p in (landing / cluster).iterdir())


# --- the tiny conformer ---------------------------------------------------------------------


def _map(column: str, table: dict[str, str]) -> pl.Expr:
    values = {k: (v or None) for k, v in table.items()}
    return pl.col(column).replace_strict(values, return_dtype=pl.String)


def _number(column: str) -> pl.Expr:
    return pl.col(column).str.replace_all(",", "").cast(pl.Float64)


def _date(column: str, fmt: str) -> pl.Expr:
    return pl.col(column).str.strptime(pl.Date, fmt)


def conform_workers(folder: Path, extract_date: date) -> pl.DataFrame:
    m = mapping_of(folder)
    fmt = m["date_format"]
    f = read_native(folder, "workers.csv")
    cols = {v: k for k, v in MAPPED[m["system"]]["workers.csv"].items()}
    ident, ni, dob, cs_start, org_start, manager = IDENTITY[m["system"]]
    if m["system"] == "oracle_hcm":
        fte = _number("FTE")
        monthly = pl.col("SalaryBasisCode") == "MONTHLY"
        salary = _number("SalaryAmount") * pl.when(monthly).then(12).otherwise(1)
    elif m["system"] == "workday":
        fte = _number("Scheduled_Weekly_Hours") / m["standard_weekly_hours"]
        salary = _number("Annual_Base_Pay")
    else:
        fte, salary = _number("fte"), _number("annual_salary")
    born = _date(dob, fmt)
    age = (
        extract_date.year
        - born.dt.year()
        - (
            (born.dt.month().cast(pl.Int32) * 100 + born.dt.day())
            > extract_date.month * 100 + extract_date.day
        )
    )
    bounds = [int(b.split("-")[0].rstrip("+")) for b in AGE_BANDS]
    band = pl.lit(AGE_BANDS[0])
    for lower, name in zip(bounds[1:], AGE_BANDS[1:], strict=True):
        band = pl.when(age >= lower).then(pl.lit(name)).otherwise(band)
    return f.select(
        ni=pl.col(ni).str.replace_all(" ", ""),
        employee_id=ident,
        organisation_code=_map(cols["organisations"], m["organisations"]),
        grade=_map(cols["grade"], m["grade"]),
        profession=_map(cols["profession"], m["profession"]),
        region=_map(cols["region"], m["region"]),
        employment_type=_map(cols["employment_type"], m["employment_type"]),
        fte=fte,
        annual_salary_gbp=salary,
        civil_service_start_date=_date(cs_start, fmt),
        organisation_start_date=_date(org_start, fmt),
        manager_employee_id=manager,
        sex=_map(cols["sex"], m["sex"]),
        ethnicity=_map(cols["ethnicity"], m["ethnicity"]),
        disability=_map(cols["disability"], m["disability"]),
        age_band=band,
    )


def conform_contingent(folder: Path) -> pl.DataFrame:
    m = mapping_of(folder)
    fmt = m["date_format"]
    return read_native(folder, "contingent_workers.csv").select(
        worker_id="Worker_Reference",
        organisation_code=_map("Organisation", m["organisations"]),
        category=_map("Role_Category", m["contingent_category"]),
        fte=_number("FTE"),
        day_rate_gbp=_number("Day_Rate"),
        engagement_start_date=_date("Start_Date", fmt),
        engagement_end_date=_date("End_Date", fmt),
    )


def conform_ledger(folder: Path) -> pl.DataFrame:
    m = mapping_of(folder)
    fmt = m["date_format"]
    f = read_native(folder, "journal_lines.csv")
    if m["system"] == "sap_successfactors":
        months = m["financial_year_start_month"] - 1 + pl.col("POPER").cast(pl.Int32) - 1
        year = pl.col("GJAHR").cast(pl.Int32) + months // 12
        f = f.select(
            "BELNR", "DOCLN", "RCNTR", "RACCT", "RBUKRS", "SGTXT",
            posting_date=_date("BUDAT", "%Y%m%d"),
            period=pl.format("{}-{}", year, (months % 12 + 1).cast(pl.String).str.zfill(2)),
            amount_gbp=_number("HSL"),
        )  # fmt: skip
        cols = ("BELNR", "DOCLN", "RBUKRS", "RCNTR", "RACCT", "SGTXT")
    else:
        oracle = m["system"] == "oracle_hcm"
        dr, cr = ("ENTERED_DR", "ENTERED_CR") if oracle else ("Debit_Amount", "Credit_Amount")
        date_col = "ACCOUNTING_DATE" if oracle else "Accounting_Date"
        if oracle:
            mon, yy = pl.col("PERIOD_NAME").str.slice(0, 3), pl.col("PERIOD_NAME").str.slice(4, 2)
            month = mon.replace_strict(MONTHS, return_dtype=pl.Int32).cast(pl.String).str.zfill(2)
            period = pl.format("20{}-{}", yy, month)
        else:
            period = _date(date_col, fmt).dt.strftime("%Y-%m")
        f = f.with_columns(
            posting_date=_date(date_col, fmt),
            period=period,
            amount_gbp=_number(dr).fill_null(0) - _number(cr).fill_null(0),
        )
        cols = (
            ("JE_HEADER_ID", "JE_LINE_NUM", "SEGMENT1", "SEGMENT2", "SEGMENT3", "DESCRIPTION")
            if oracle
            else (
                "Journal_Number",
                "Line_Order",
                "Company",
                "Cost_Center",
                "Ledger_Account",
                "Memo",
            )
        )
    journal, line, org, cc, account, text = cols
    return f.select(
        journal_id=journal,
        line_number=pl.col(line).cast(pl.Int64),
        posting_date="posting_date",
        period="period",
        organisation_code=_map(org, m["organisations"]),
        cost_centre=cc,
        account_category=_map(account, m["account"]),
        amount_gbp="amount_gbp",
        description=text,
    )


def assert_same(ours: pl.DataFrame, theirs: pl.DataFrame, where: str) -> None:
    """Column by column, naming the first column and row that differ."""
    assert ours.height == theirs.height, where
    for column in theirs.columns:
        a, b = ours[column], theirs[column]
        differ = ~(a.eq_missing(b))
        if differ.any():
            row = differ.arg_true()[0]
            raise AssertionError(f"{where} {column} row {row}: {a[row]!r} != {b[row]!r}")


# --- the tests ------------------------------------------------------------------------------


def test_each_cluster_night_is_three_csvs_and_a_manifest_naming_its_mapping(
    landings: tuple[Path, Path],
) -> None:
    native, contract = landings
    folders = cluster_folders(native)
    assert len(folders) == len(CLUSTERS) * len(list((contract / "DEFENCE").iterdir()))
    for folder in folders:
        manifest = json.loads((folder / "manifest.json").read_text())
        assert {p.name for p in folder.iterdir()} == {*FILES, "manifest.json"}
        expected = native_codes.source_for(
            folder.parent.name, date.fromisoformat(folder.name) >= HERA_FROM
        )
        assert manifest["mapping"] == expected.mapping
        assert manifest["cluster"] == folder.parent.name
        assert manifest["extract_date"] == folder.name
        assert set(manifest["files"]) == set(FILES)
        for name, entry in manifest["files"].items():
            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == entry["sha256"]
            assert read_native(folder, name).height == entry["rows"]
    # The programme register has no native system: it stays contract-shaped.
    assert (native / PROGRAMME / "2026-10-03" / "milestones.parquet").exists()


def test_files_decode_only_in_their_declared_encoding(landings: tuple[Path, Path]) -> None:
    cp1252_only = 0
    for folder in cluster_folders(landings[0]):
        encoding = mapping_of(folder).get("encoding", "utf-8")
        for name in FILES:
            data = (folder / name).read_bytes()
            if mapping_of(folder)["system"] == "workday":  # Workday writes a byte-order mark
                assert data.startswith(b"\xef\xbb\xbf")
                data = data[3:]
            data.decode(encoding)  # strict: raises on a wrong byte
            if encoding == "cp1252" and not data.isascii():
                with pytest.raises(UnicodeDecodeError):
                    data.decode("utf-8")
                cp1252_only += 1
            if encoding == "utf-8" and not data.isascii():
                assert "á".encode() in data  # Bogotá, written the UTF-8 way
    assert cp1252_only > 0  # a legacy file with Bogotá in it: the encodings really differ


def test_every_local_value_is_in_its_mapping_table(landings: tuple[Path, Path]) -> None:
    for folder in cluster_folders(landings[0]):
        m = mapping_of(folder)
        checks = {**MAPPED[m["system"]], "contingent_workers.csv": CONTINGENT_MAPPED}
        for name, columns in checks.items():
            frame = read_native(folder, name)
            for column, table in columns.items():
                used = set(frame[column].drop_nulls().unique().to_list())
                missing = used - set(m[table])
                assert not missing, f"{folder}/{name} {column}: {missing} not in [{table}]"


def test_mapping_files_parse_and_map_only_to_contract_values() -> None:
    specs = {s.name: s for model in (EmployeeRow, ContingentRow, LedgerRow)
             for s in column_specs(model)}  # fmt: skip
    allowed = {
        "grade": specs["grade"],
        "profession": specs["profession"],
        "employment_type": specs["employment_type"],
        "sex": specs["sex"],
        "ethnicity": specs["ethnicity"],
        "disability": specs["disability"],
        "contingent_category": specs["category"],
        "account": specs["account_category"],
    }
    by_cluster = organisations_by_cluster(REGISTER)
    files = sorted(MAPPINGS.glob("*.toml"))
    assert {p.stem for p in files} == set(native_codes.SOURCES)
    for path in files:
        m = tomllib.loads(path.read_text(encoding="utf-8"))
        source = native_codes.SOURCES[path.stem]
        assert (m["system"], m["encoding"], m["date_format"]) == (
            source.system, source.encoding, source.date_format,
        )  # fmt: skip
        for table, spec in allowed.items():
            values = set(m[table].values())
            assert values <= set(spec.allowed) | ({""} if spec.nullable else set()), path
        assert set(m["region"].values()) <= set(REGIONS) | {""}
        cluster = "OVERSEAS" if path.stem.startswith("OVERSEAS") else path.stem
        assert set(m["organisations"].values()) == by_cluster[cluster]
        # Every code the writer uses reads back to the value it stands for.
        for table in ("grade", "profession", "sex", "ethnicity", "disability", "account"):
            for contract_value, local in getattr(source, table).items():
                assert m[table][local] == (contract_value or ""), (path.name, table, local)
        for region, sites in native_codes.site_table(source).items():
            assert all(m["region"][site] == region for site in sites), (path.name, region)
        assert m["region"][source.region_unknown] == ""
        assert m["employment_type"] == source.employment_type
        assert m["contingent_category"] == {
            v: k for k, v in native_codes.CONTINGENT_CATEGORY.items()
        }


@pytest.mark.parametrize(
    ("pounds", "plain", "grouped"),
    [
        (0.0, "0.00", "0.00"),
        (0.01, "0.01", "0.01"),
        (-0.5, "-0.50", "-0.50"),
        (999.99, "999.99", "999.99"),
        (1000.0, "1000.00", "1,000.00"),
        (32500.0, "32500.00", "32,500.00"),
        (-1234567.89, "-1234567.89", "-1,234,567.89"),
        (2708.25, "2708.25", "2,708.25"),
    ],
)
def test_money_is_written_to_the_penny_with_or_without_separators(
    pounds: float, plain: str, grouped: str
) -> None:
    frame = pl.DataFrame({"x": [pounds]})
    assert frame.select(money(pl.col("x"), False)).item() == plain
    assert frame.select(money(pl.col("x"), True)).item() == grouped


def test_overseas_moves_to_hera_with_new_ids_and_the_same_ni_numbers(
    landings: tuple[Path, Path],
) -> None:
    before = read_native(landings[0] / "OVERSEAS" / "2026-09-29", "workers.csv")
    after = read_native(landings[0] / "OVERSEAS" / "2026-09-30", "workers.csv")
    before = before.with_columns(pl.col("NationalIdentifier").str.replace_all(" ", ""))
    assert before["NationalIdentifier"].str.contains(r"^[A-Z]{2}\d{6}[A-D]$").all()
    stayed = before.join(after, on="NationalIdentifier", suffix="_hera")
    assert stayed.height > 0.9 * before.height
    assert (stayed["AssignmentNumber"] != stayed["AssignmentNumber_hera"]).all()
    assert stayed["AssignmentNumber"].str.starts_with("P").all()
    assert stayed["AssignmentNumber_hera"].str.starts_with("HERA").all()
    assert (stayed["DateOfBirth_hera"] == stayed["DateOfBirth"].str.strptime(pl.Date, "%d/%m/%Y")
            .dt.strftime("%Y-%m-%d")).all()  # fmt: skip


def test_every_row_conforms_back_to_the_contract_demo_of_the_same_seed(
    landings: tuple[Path, Path],
) -> None:
    """Row by row, every night and cluster; NI numbers and person keys pair one to one."""
    native, contract = landings
    pairs: set[tuple[str, str]] = set()
    for folder in cluster_folders(native):
        twin = contract / folder.parent.name / folder.name
        when = date.fromisoformat(folder.name)
        ours = conform_workers(folder, when)
        theirs = pl.read_parquet(twin / "employees.parquet")
        same = [c for c in ours.columns if c in theirs.columns and "employee_id" not in c]
        assert_same(ours.select(same), theirs.select(same), f"{folder} workers")
        # Ids are rewritten one to one, managers with them.
        ids = dict(zip(theirs["employee_id"], ours["employee_id"], strict=True))
        assert len(set(ids.values())) == len(ids)
        managers = theirs["manager_employee_id"].replace_strict(ids, default=None)
        assert managers.equals(ours["manager_employee_id"], null_equal=True)
        pairs |= set(zip(ours["ni"], theirs["person_key"], strict=True))
        contingent = pl.read_parquet(twin / "contingent_labour.parquet")
        assert_same(conform_contingent(folder), contingent, f"{folder} contingent")
        ledger = pl.read_parquet(twin / "ledger.parquet")
        ledger = ledger.with_columns(pl.col("amount_gbp").cast(pl.Float64))
        assert_same(conform_ledger(folder), ledger, f"{folder} ledger")
    nis, keys = zip(*pairs, strict=True)
    assert len(set(nis)) == len(set(keys)) == len(pairs)  # same person, same NI, everywhere


def test_headcount_fte_and_paybill_by_organisation_are_the_same(
    landings: tuple[Path, Path],
) -> None:
    native, contract = landings
    night = "2026-09-30"

    def figures(frame: pl.DataFrame) -> pl.DataFrame:
        return (
            frame.group_by("organisation_code")
            .agg(
                headcount=pl.len(),
                fte=pl.col("fte").sum().round(6),
                paybill=(pl.col("annual_salary_gbp") * pl.col("fte")).sum().round(2),
            )
            .sort("organisation_code")
        )

    for cluster in CLUSTERS:
        ours = figures(conform_workers(native / cluster / night, date.fromisoformat(night)))
        theirs = figures(pl.read_parquet(contract / cluster / night / "employees.parquet"))
        assert ours.equals(theirs), cluster
        assert ours["headcount"].sum() > 0


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    def digests(root: Path) -> dict[str, str]:
        return {
            str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    options = {"scale": 0.002, "start": date(2026, 9, 30), "end": date(2026, 10, 2), "seed": 4}
    generate(tmp_path / "a", REGISTER, native=True, **options)
    generate(tmp_path / "b", REGISTER, native=True, **options)
    first = digests(tmp_path / "a")
    assert any(name.endswith("workers.csv") for name in first)
    assert first == digests(tmp_path / "b")


def test_cli_native_flag_writes_native_deliveries(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    run = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "demo", "--landing", str(landing), "--native",
         "--scale", "0.002", "--start", "2026-09-30", "--end", "2026-10-01", "--seed", "3"],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "native" in run.stdout.splitlines()[-1]
    manifest = json.loads((landing / "UNITY" / "2026-10-01" / "manifest.json").read_text())
    assert manifest["mapping"] == "UNITY"
    assert not list(landing.glob("UNITY/*/*.parquet"))
