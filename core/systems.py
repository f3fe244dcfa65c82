"""The three source systems' files and columns (sources.md §3), as data.

Each contract column of a native file is a :class:`Derived`: how it is made (``how``) from
which native columns (``source``) and, for coded columns, through which mapping table.  The
conforming SQL (:mod:`.conform`) is built from these entries alone, so adding a system is
adding a table here, not code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# how a contract column is made from the native columns
TEXT = "text"  # the value, trimmed; empty is null
MAPPED = "mapped"  # the trimmed value looked up in a mapping table
NUMBER = "number"  # a decimal number, thousands separators allowed
INTEGER = "integer"  # a whole number
DATE = "date"  # the mapping's date_format, or ISO YYYY-MM-DD
COMPACT_DATE = "compact_date"  # YYYYMMDD (SAP), or as DATE
PERSON_KEY = "person_key"  # keyed HMAC of the NI number (person_key.py)
AGE_BAND = "age_band"  # from the date of birth on the extract date
SALARY_BASIS = "salary_basis"  # amount, x 12 when the basis column says MONTHLY
FTE_HOURS = "fte_hours"  # weekly hours / the mapping's standard_weekly_hours
DEBIT_CREDIT = "debit_credit"  # debit - credit, an empty side is 0
AMOUNT = "amount"  # a signed decimal amount
PERIOD_MON_YY = "period_mon_yy"  # OCT-26 -> 2026-10
PERIOD_OF_DATE = "period_of_date"  # the month of a date column
PERIOD_FISCAL = "period_fiscal"  # fiscal year + posting period (SAP), financial_year_start_month

SYSTEMS = ("oracle_hcm", "workday", "sap_successfactors")
# native file -> the contract file it is conformed to
NATIVE_FILES = {
    "workers.csv": "employees.parquet",
    "contingent_workers.csv": "contingent_labour.parquet",
    "journal_lines.csv": "ledger.parquet",
}
CONTRACT_TO_NATIVE = {contract: native for native, contract in NATIVE_FILES.items()}


@dataclass(frozen=True)
class Derived:
    column: str  # the contract column
    how: str
    source: tuple[str, ...]  # native columns read, in the order ``how`` uses them
    table: str | None = None  # the mapping table, for MAPPED


def _d(column: str, how: str, *source: str, table: str | None = None) -> Derived:
    return Derived(column, how, source, table)


def _workers(cols: dict[str, Any]) -> tuple[Derived, ...]:
    """workers.csv from one system's column names (``cols``: contract column -> its native
    column, or the whole :class:`Derived` where the system computes it)."""
    c = cols
    return (
        _d("person_key", PERSON_KEY, c["person_key"]),
        _d("employee_id", TEXT, c["employee_id"]),
        _d("organisation_code", MAPPED, c["organisation_code"], table="organisations"),
        _d("grade", MAPPED, c["grade"], table="grade"),
        _d("profession", MAPPED, c["profession"], table="profession"),
        _d("region", MAPPED, c["region"], table="region"),
        _d("employment_type", MAPPED, c["employment_type"], table="employment_type"),
        c["fte"],
        c["annual_salary_gbp"],
        _d("civil_service_start_date", DATE, c["civil_service_start_date"]),
        _d("organisation_start_date", DATE, c["organisation_start_date"]),
        _d("manager_employee_id", TEXT, c["manager_employee_id"]),
        _d("sex", MAPPED, c["sex"], table="sex"),
        _d("ethnicity", MAPPED, c["ethnicity"], table="ethnicity"),
        _d("disability", MAPPED, c["disability"], table="disability"),
        _d("age_band", AGE_BAND, c["age_band"]),
    )


_ORACLE_WORKERS = _workers(
    {
        "person_key": "NationalIdentifier",
        "employee_id": "AssignmentNumber",
        "organisation_code": "LegalEmployerName",
        "grade": "GradeCode",
        "profession": "JobFamilyName",
        "region": "LocationCode",
        "employment_type": "AssignmentCategory",
        "fte": _d("fte", NUMBER, "FTE"),
        "annual_salary_gbp": _d(
            "annual_salary_gbp", SALARY_BASIS, "SalaryAmount", "SalaryBasisCode"
        ),
        "civil_service_start_date": "OriginalDateOfHire",
        "organisation_start_date": "DateStart",
        "manager_employee_id": "ManagerAssignmentNumber",
        "sex": "Sex",
        "ethnicity": "EthnicOrigin",
        "disability": "Disabled",
        "age_band": "DateOfBirth",
    }
)
_WORKDAY_WORKERS = _workers(
    {
        "person_key": "National_Insurance_Number",
        "employee_id": "Employee_ID",
        "organisation_code": "Company",
        "grade": "Management_Level",
        "profession": "Job_Family_Group",
        "region": "Location",
        "employment_type": "Worker_Type",
        "fte": _d("fte", FTE_HOURS, "Scheduled_Weekly_Hours"),
        "annual_salary_gbp": _d("annual_salary_gbp", NUMBER, "Annual_Base_Pay"),
        "civil_service_start_date": "Continuous_Service_Date",
        "organisation_start_date": "Hire_Date",
        "manager_employee_id": "Manager_ID",
        "sex": "Gender",
        "ethnicity": "Ethnicity",
        "disability": "Disability_Status",
        "age_band": "Date_of_Birth",
    }
)
_SAP_WORKERS = _workers(
    {
        "person_key": "national_id",
        "employee_id": "user_id",
        "organisation_code": "company",
        "grade": "pay_grade",
        "profession": "job_family",
        "region": "location",
        "employment_type": "employee_class",
        "fte": _d("fte", NUMBER, "fte"),
        "annual_salary_gbp": _d("annual_salary_gbp", NUMBER, "annual_salary"),
        "civil_service_start_date": "seniority_date",
        "organisation_start_date": "start_date",
        "manager_employee_id": "manager_id",
        "sex": "gender",
        "ethnicity": "ethnic_group",
        "disability": "challenge_status",
        "age_band": "date_of_birth",
    }
)
# the framework supplier's report: the same for every system (§3.2)
_CONTINGENT = (
    _d("worker_id", TEXT, "Worker_Reference"),
    _d("organisation_code", MAPPED, "Organisation", table="organisations"),
    _d("category", MAPPED, "Role_Category", table="contingent_category"),
    _d("fte", NUMBER, "FTE"),
    _d("day_rate_gbp", NUMBER, "Day_Rate"),
    _d("engagement_start_date", DATE, "Start_Date"),
    _d("engagement_end_date", DATE, "End_Date"),
)
_ORACLE_JOURNAL = (
    _d("journal_id", TEXT, "JE_HEADER_ID"),
    _d("line_number", INTEGER, "JE_LINE_NUM"),
    _d("posting_date", DATE, "ACCOUNTING_DATE"),
    _d("period", PERIOD_MON_YY, "PERIOD_NAME"),
    _d("organisation_code", MAPPED, "SEGMENT1", table="organisations"),
    _d("cost_centre", TEXT, "SEGMENT2"),
    _d("account_category", MAPPED, "SEGMENT3", table="account"),
    _d("amount_gbp", DEBIT_CREDIT, "ENTERED_DR", "ENTERED_CR"),
    _d("description", TEXT, "DESCRIPTION"),
)
_WORKDAY_JOURNAL = (
    _d("journal_id", TEXT, "Journal_Number"),
    _d("line_number", INTEGER, "Line_Order"),
    _d("posting_date", DATE, "Accounting_Date"),
    _d("period", PERIOD_OF_DATE, "Accounting_Date"),
    _d("organisation_code", MAPPED, "Company", table="organisations"),
    _d("cost_centre", TEXT, "Cost_Center"),
    _d("account_category", MAPPED, "Ledger_Account", table="account"),
    _d("amount_gbp", DEBIT_CREDIT, "Debit_Amount", "Credit_Amount"),
    _d("description", TEXT, "Memo"),
)
_SAP_JOURNAL = (
    _d("journal_id", TEXT, "BELNR"),
    _d("line_number", INTEGER, "DOCLN"),
    _d("posting_date", COMPACT_DATE, "BUDAT"),
    _d("period", PERIOD_FISCAL, "GJAHR", "POPER"),
    _d("organisation_code", MAPPED, "RBUKRS", table="organisations"),
    _d("cost_centre", TEXT, "RCNTR"),
    _d("account_category", MAPPED, "RACCT", table="account"),
    _d("amount_gbp", AMOUNT, "HSL"),
    _d("description", TEXT, "SGTXT"),
)

# system -> native file -> the contract columns in the contract's order
COLUMNS: dict[str, dict[str, tuple[Derived, ...]]] = {
    "oracle_hcm": {
        "workers.csv": _ORACLE_WORKERS,
        "contingent_workers.csv": _CONTINGENT,
        "journal_lines.csv": _ORACLE_JOURNAL,
    },
    "workday": {
        "workers.csv": _WORKDAY_WORKERS,
        "contingent_workers.csv": _CONTINGENT,
        "journal_lines.csv": _WORKDAY_JOURNAL,
    },
    "sap_successfactors": {
        "workers.csv": _SAP_WORKERS,
        "contingent_workers.csv": _CONTINGENT,
        "journal_lines.csv": _SAP_JOURNAL,
    },
}
# Never kept (sources.md §4): read only to derive person_key and age_band.
SENSITIVE_HOWS = frozenset({PERSON_KEY, AGE_BAND})


def native_columns(system: str, file: str) -> list[str]:
    """Every native column the file must have, each once, in the order first used."""
    names: list[str] = []
    for derived in COLUMNS[system][file]:
        names.extend(n for n in derived.source if n not in names)
    return names


def sensitive_columns(system: str, file: str) -> frozenset[str]:
    """The native columns that hold NI numbers or dates of birth."""
    return frozenset(
        name for d in COLUMNS[system][file] if d.how in SENSITIVE_HOWS for name in d.source
    )
