"""``workforce demo --native``: each cluster's night written as its own system exports it.

The generator builds the contract's tables exactly as it does without ``--native`` (same random
stream, same figures); this module only rewrites them in the shape of ``sources.md`` §3 —
the system's column names, the local codes of ``native_codes.py``, the mapping's encoding,
date format and number style — adds what only a native export has (NI numbers and dates of
birth, from ``native_people.py``), and writes the manifest with its ``"mapping"``.  Everything
is vectorised in polars; nothing here draws from the generator's random stream.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from core.contract import CONTRACT_VERSION
from core.hashing import sha256_file
from pipeline.demo import native_codes as codes
from pipeline.demo.native_codes import Source, source_for
from pipeline.demo.native_people import birth_dates, mix, ni_numbers, sites

FILES = ("workers.csv", "contingent_workers.csv", "journal_lines.csv")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_NULL = "\0null"  # stands for the contract's null while a column is mapped to local codes


@dataclass(frozen=True)
class People:
    """What the writer needs beyond the contract tables: who each employees row is."""

    person: np.ndarray  # population index of each employees row, in the table's order
    birth_day: np.ndarray  # the population's birth days (days since 1970), by index
    mid_day: int  # middle of the demo window (days since 1970)
    names: dict[str, str]  # organisation code → name


def _local(column: str, table: dict) -> pl.Expr:
    """Contract values → local codes; a value missing from the table is a bug, so strict."""
    mapping = {(_NULL if k is None else k): v for k, v in table.items()}
    return pl.col(column).fill_null(_NULL).replace_strict(mapping, return_dtype=pl.String)


def money(pounds: pl.Expr, thousands: bool) -> pl.Expr:
    """A sum to the penny as text, ``-1234.50`` or, with ``thousands``, ``-1,234.50``."""
    pence = (pounds * 100).round(0).cast(pl.Int64)
    digits = pence.abs().cast(pl.String).str.zfill(3)
    whole = digits.str.head(-2)
    if thousands:  # a comma after every three digits counted from the right
        whole = whole.str.reverse().str.replace_all(r"(\d{3})", "${1},")
        whole = whole.str.strip_chars_end(",").str.reverse()
    sign = pl.when(pence < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return sign + whole + pl.lit(".") + digits.str.tail(2)


def _ids(column: str, source: Source) -> pl.Expr:
    """Contract ids (a prefix and digits) → the system's ids: a one-to-one rewrite."""
    if source.id_prefix is None:
        return pl.col(column)
    return pl.lit(source.id_prefix) + pl.col(column).str.strip_chars_start(_LETTERS)


def _organisations(column: str, by_name: bool, names: dict[str, str]) -> pl.Expr:
    return pl.col(column).replace_strict(names) if by_name else pl.col(column)


WORKER_COLUMNS = {  # system → its column → the local frame's column (sources.md §3.1)
    "oracle_hcm": {
        "AssignmentNumber": "id",
        "NationalIdentifier": "ni",
        "DateOfBirth": "dob",
        "Sex": "sex",
        "EthnicOrigin": "ethnicity",
        "Disabled": "disability",
        "LegalEmployerName": "org",
        "GradeCode": "grade",
        "JobFamilyName": "profession",
        "LocationCode": "site",
        "AssignmentCategory": "employment",
        "FTE": "fte",
        "SalaryAmount": "salary",
        "SalaryBasisCode": "basis",
        "OriginalDateOfHire": "cs_start",
        "DateStart": "org_start",
        "ManagerAssignmentNumber": "manager",
    },
    "workday": {
        "Employee_ID": "id",
        "National_Insurance_Number": "ni",
        "Date_of_Birth": "dob",
        "Gender": "sex",
        "Ethnicity": "ethnicity",
        "Disability_Status": "disability",
        "Company": "org",
        "Management_Level": "grade",
        "Job_Family_Group": "profession",
        "Location": "site",
        "Worker_Type": "employment",
        "Scheduled_Weekly_Hours": "hours",
        "Annual_Base_Pay": "salary",
        "Continuous_Service_Date": "cs_start",
        "Hire_Date": "org_start",
        "Manager_ID": "manager",
    },
    "sap_successfactors": {
        "user_id": "id",
        "national_id": "ni",
        "date_of_birth": "dob",
        "gender": "sex",
        "ethnic_group": "ethnicity",
        "challenge_status": "disability",
        "company": "org",
        "pay_grade": "grade",
        "job_family": "profession",
        "location": "site",
        "employee_class": "employment",
        "fte": "fte",
        "annual_salary": "salary",
        "seniority_date": "cs_start",
        "start_date": "org_start",
        "manager_id": "manager",
    },
}


def workers(employees: pa.Table, people: People, source: Source) -> pl.DataFrame:
    """workers.csv: the night's employees in the system's HR extract (sources.md §3.1)."""
    frame = pl.from_arrow(employees)
    when = source.date_format
    ni = ni_numbers(people.person, spaced=source.spaced_ni)
    region = frame["region"]
    site = sites(people.person, region, codes.site_table(source), source.region_unknown)
    # A monthly basis only where annual ÷ 12 is exact to the penny (whole pounds divisible by
    # 3), so that × 12 gives back the contract's figure exactly.
    share = mix(people.person, 3) % np.uint64(1000) < np.uint64(round(source.monthly_share * 1000))
    monthly = (frame["annual_salary_gbp"].to_numpy() % 3 == 0) & share
    frame = frame.with_columns(
        ni=ni,
        dob=birth_dates(people.birth_day[people.person], people.mid_day).dt.strftime(when),
        site=site,
        monthly=pl.Series(monthly),
    )
    permanent = pl.col("employment_type") == "permanent"
    local = dict(
        id=_ids("employee_id", source),
        ni=pl.col("ni"),
        dob=pl.col("dob"),
        sex=_local("sex", source.sex),
        ethnicity=_local("ethnicity", source.ethnicity),
        disability=_local("disability", source.disability),
        org=_organisations("organisation_code", source.org_by_name, people.names),
        grade=_local("grade", source.grade),
        profession=_local("profession", source.profession),
        site=pl.col("site"),
        employment=(
            pl.when(pl.col("fte") == 1).then(pl.lit("F")).otherwise(pl.lit("P"))
            + pl.when(permanent).then(pl.lit("R")).otherwise(pl.lit("T"))
            if source.system == "oracle_hcm"
            else _local("employment_type", {v: k for k, v in source.employment_type.items()})
        ),
        fte=pl.col("fte").cast(pl.String),
        hours=money(pl.col("fte") * codes.STANDARD_WEEKLY_HOURS, False),
        salary=money(
            pl.when("monthly")
            .then(pl.col("annual_salary_gbp") / 12)
            .otherwise(pl.col("annual_salary_gbp")),
            source.thousands,
        ),
        basis=pl.when("monthly").then(pl.lit("MONTHLY")).otherwise(pl.lit("ANNUAL")),
        cs_start=pl.col("civil_service_start_date").dt.strftime(when),
        org_start=pl.col("organisation_start_date").dt.strftime(when),
        manager=_ids("manager_employee_id", source),
    )
    return frame.select(**{name: local[key] for name, key in WORKER_COLUMNS[source.system].items()})


def contingent_workers(table: pa.Table, people: People, source: Source) -> pl.DataFrame:
    """The framework supplier's report: one shape for every system (sources.md §3.2)."""
    when = source.date_format
    return pl.from_arrow(table).select(
        Worker_Reference="worker_id",
        Organisation=pl.col("organisation_code").replace_strict(people.names),
        Role_Category=_local("category", codes.CONTINGENT_CATEGORY),
        FTE=pl.col("fte").cast(pl.String),
        Day_Rate=money(pl.col("day_rate_gbp"), source.thousands),
        Start_Date=pl.col("engagement_start_date").dt.strftime(when),
        End_Date=pl.col("engagement_end_date").dt.strftime(when),
    )


def journal_lines(ledger: pa.Table, people: People, source: Source) -> pl.DataFrame:
    """General-ledger lines in the system's GL shape (sources.md §3.3)."""
    frame = pl.from_arrow(ledger).with_columns(amount=pl.col("amount_gbp").cast(pl.Float64))
    org = _organisations("organisation_code", source.ledger_org_by_name, people.names)
    account = _local("account_category", source.account)
    debit = pl.when(pl.col("amount") >= 0).then(money(pl.col("amount"), source.thousands))
    credit = pl.when(pl.col("amount") < 0).then(money(-pl.col("amount"), source.thousands))
    posted = pl.col("posting_date")
    if source.system == "sap_successfactors":
        start = codes.FINANCIAL_YEAR_START_MONTH
        month = pl.col("period").str.slice(5, 2).cast(pl.Int32)
        year = pl.col("period").str.slice(0, 4).cast(pl.Int32)
        return frame.select(
            BELNR="journal_id",
            DOCLN=pl.col("line_number").cast(pl.String).str.zfill(6),
            BUDAT=posted.dt.strftime("%Y%m%d"),
            GJAHR=pl.when(month >= start).then(year).otherwise(year - 1).cast(pl.String),
            POPER=((month - start) % 12 + 1).cast(pl.String).str.zfill(3),
            RBUKRS=org,
            RCNTR="cost_centre",
            RACCT=account,
            HSL=money(pl.col("amount"), False),
            SGTXT="description",
        )
    if source.system == "workday":
        return frame.select(
            Journal_Number="journal_id",
            Line_Order=pl.col("line_number").cast(pl.String),
            Accounting_Date=posted.dt.strftime(source.date_format),
            Company=org,
            Cost_Center="cost_centre",
            Ledger_Account=account,
            Debit_Amount=debit,
            Credit_Amount=credit,
            Memo="description",
        )
    period = pl.date(
        pl.col("period").str.slice(0, 4).cast(pl.Int32),
        pl.col("period").str.slice(5, 2).cast(pl.Int32),
        1,
    )
    return frame.select(
        JE_HEADER_ID="journal_id",
        JE_LINE_NUM=pl.col("line_number").cast(pl.String),
        ACCOUNTING_DATE=posted.dt.strftime(source.date_format),
        PERIOD_NAME=period.dt.strftime("%b-%y").str.to_uppercase(),
        SEGMENT1=org,
        SEGMENT2="cost_centre",
        SEGMENT3=account,
        ENTERED_DR=debit,
        ENTERED_CR=credit,
        DESCRIPTION="description",
    )


def _write_csv(frame: pl.DataFrame, path: Path, source: Source) -> None:
    text = frame.write_csv(line_terminator=source.line_end)
    data = text.encode(source.encoding)
    path.write_bytes((b"\xef\xbb\xbf" if source.bom else b"") + data)


def write_native_delivery(
    landing: Path,
    cluster: str,
    extract_date: date,
    tables: dict[str, pa.Table],
    *,
    people: People,
    migrated: bool,
    generated_at: datetime,
) -> Path:
    """Write ``<landing>/<cluster>/<date>/`` in the cluster's native shape; returns the folder.

    ``tables`` are the contract's three tables of the night, as the generator built them.
    """
    source = source_for(cluster, migrated)
    folder = landing / cluster / extract_date.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    frames = {
        "workers.csv": workers(tables["employees.parquet"], people, source),
        "contingent_workers.csv": contingent_workers(
            tables["contingent_labour.parquet"], people, source
        ),
        "journal_lines.csv": journal_lines(tables["ledger.parquet"], people, source),
    }
    entries = {}
    for name, frame in frames.items():
        _write_csv(frame, folder / name, source)
        entries[name] = {"rows": frame.height, "sha256": sha256_file(folder / name)}
    manifest = {
        "contract_version": CONTRACT_VERSION,
        "cluster": cluster,
        "extract_date": extract_date.isoformat(),
        "source_system": source.label,
        "generated_at": generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "mapping": source.mapping,
        "files": entries,
    }
    tmp = folder / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2) + "\n")
    tmp.replace(folder / "manifest.json")
    return folder
