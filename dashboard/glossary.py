"""Plain words for what the pages show (issue 12): the one place for the names of metrics and
their one-sentence definitions for leaders, the names of the contract's codes (professions,
regions, account categories, stages...), the labels of columns, and the glossary of terms a
leader may not know.

Each metric's definition (queries/sql/<metric>.toml) describes it for developers, in column
names and with references to the contract, and says it for leaders in one plain sentence: a
page shows that sentence (:data:`DEFINITIONS`, :func:`dashboard.data.definition`).  Codes
stay codes in the files people download; on screen a code reads as its name.  "Paybill" and
"pay spend" are two different numbers, so each has one definition here, used everywhere.

Pure (no Streamlit), so the tests and the CLI can read it;
:func:`dashboard.components.glossary_drawer` draws the glossary on every page.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from core.contract import REGIONS
from queries.definitions import definitions

NOT_RECORDED = "Not recorded"

PAYBILL = (
    "Paybill: annual basic salary × FTE of everyone in post as at the date, from the HR "
    "records (the workforce extracts). A yearly rate, before employer pension and National "
    "Insurance, allowances and overtime. It is not the pay spend, which is what the finance "
    "ledgers posted (Cost and efficiency page)."
)
PAY_SPEND = (
    "Pay spend: what the clusters' finance ledgers posted to payroll accounts (salary, "
    "allowances, overtime, non-consolidated pay, employer pension and National Insurance) in "
    "the accounting periods shown, as the ledger stood at the as-at date. Money spent, not the "
    "paybill (annual basic salary × FTE from the HR records, on the Overview)."
)

# Term → what it means, in a sentence: the glossary every page offers in its sidebar.
TERMS: dict[str, str] = {
    "Headcount": "The number of people in post (employees on the payroll), each counted once.",
    "FTE": "Full-time equivalent: a full-time person counts 1, someone on half hours 0.5.",
    "Paybill": "Annual " + PAYBILL.removeprefix("Paybill: annual "),
    "Pay spend": "What " + PAY_SPEND.removeprefix("Pay spend: what "),
    "Contingent labour": "Workers engaged off-payroll (agency staff, interim managers, "
    "specialist contractors, consultants), with their annualised cost.",
    "Turnover": "People who left the civil service in the last 12 months, as a share of the "
    "average headcount over those months.",
    "Cost per FTE": "Pay spend, contingent labour and consultancy over 12 complete months, per "
    "FTE on the payroll.",
    "Span of control": "How many people report directly to a manager.",
    "Layers": "The number of management levels from the top of an organisation to its most "
    "junior staff.",
    # No cluster is named: a viewer scoped to one cluster reads no other's name anywhere.
    "Cluster": "One of the five groups of departments and agencies that share an HR, payroll "
    "and finance system.",
    "As at": "The date the figures describe: each cluster's latest extract on or before it.",
    "Accounting period": "A month of the finance ledger; the current one is partial until the "
    "ledger has been delivered past its end.",
    "ITL1": "International Territorial Level 1: the 12 regions and nations of the UK (North "
    "East, London, Scotland...).",
    "DCA": "Delivery confidence assessment: the programme's rating of how likely a milestone is "
    "to be delivered on time and to budget (Green to Red).",
    "SOC": "Strategic outline case: the first stage of a business case (HM Treasury's Green Book).",
    "OBC": "Outline business case: the second stage of a business case, choosing the "
    "preferred option.",
    "FBC": "Full business case: the final stage of a business case, before a contract is signed.",
    "pp": "Percentage points: the difference between two percentages (12% to 15% is 3 pp).",
    "Cashable saving": "Money no longer spent, which can be taken out of budgets.",
    "Non-cashable efficiency": "Time or effort freed for other work, valued in pounds.",
    "NPV": "Net present value: future benefits less costs, discounted to today's money.",
    "[c]": "Confidential: a figure withheld by disclosure control because it is about too few "
    "people, or would reveal one.",
    "[x]": "Not available: no figure for these filters or dates.",
}
# Said beside a change of a share (a rate's tile help).
POINTS = (
    "Changes are in percentage points (pp): the difference between two percentages, so 12% "
    "to 15% is +3 pp."
)
# How each term is recognised in a page's text, and the words that explain it there.
ABBREVIATIONS: dict[str, str] = {
    "ITL1": "International Territorial Level 1",
    "DCA": "Delivery confidence assessment",
    "SOC": "Strategic outline case",
    "OBC": "Outline business case",
    "FBC": "Full business case",
    "pp": "percentage points",
}

# Metric → "Name: what it is." for a leader (the name before the colon is the metric's name):
# each metric's ``plain`` sentence, defined once in its queries/sql/<metric>.toml.
DEFINITIONS: dict[str, str] = {name: spec.plain for name, spec in definitions().items()}

# The contract's codes as they read (extracts.md section 8 and the files' code lists).
PROFESSIONS: dict[str, str] = {
    "operational_delivery": "Operational delivery",
    "policy": "Policy",
    "digital_data_technology": "Digital, data and technology",
    "project_delivery": "Project delivery",
    "tax": "Tax",
    "science_engineering": "Science and engineering",
    "human_resources": "Human resources",
    "legal": "Legal",
    "finance": "Finance",
    "counter_fraud": "Counter fraud",
    "security": "Security",
    "commercial": "Commercial",
    "property": "Property",
    "communications": "Communications",
    "intelligence_analysis": "Intelligence analysis",
    "statistics": "Statistics",
    "medicine": "Medicine",
    "knowledge_information_management": "Knowledge and information management",
    "economics": "Economics",
    "international_trade": "International trade",
    "psychology": "Psychology",
    "social_research": "Social research",
    "operational_research": "Operational research",
    "education_inspection": "Education inspection",
    "internal_audit": "Internal audit",
    "geography": "Geography",
    "planning_inspection": "Planning inspection",
    "veterinary": "Veterinary",
    "planning": "Planning",
    "corporate_finance": "Corporate finance",
    "other": "Other",
}
ACCOUNT_LABELS: dict[str, str] = {
    "payroll_salary": "Salary",
    "payroll_allowances": "Allowances",
    "payroll_overtime": "Overtime",
    "payroll_non_consolidated": "Non-consolidated pay",
    "payroll_employer_pension": "Employer pension",
    "payroll_employer_ni": "Employer NI",
    "contingent_labour": "Contingent labour",
    "consultancy": "Consultancy",
    "programme_cost": "Programme cost",  # as the register's measure of the same name reads
    "it_systems": "IT systems",
    "estates": "Estates",
    "other_non_pay": "Other non-pay",
}
# The spend charts' groups of account categories: one colour each from the six of the palette
# (dashboard.charts), so the six payroll accounts are one group and the IT and estates
# accounts another; "Other non-pay" is the only grey.  The tables beside keep each category.
PAY_SPEND_GROUP = "Pay spend"
OTHER_SPEND_GROUP = "Other non-pay"
SPEND_GROUPS: dict[str, str] = {
    **{code: PAY_SPEND_GROUP for code in ACCOUNT_LABELS if code.startswith("payroll_")},
    "contingent_labour": ACCOUNT_LABELS["contingent_labour"],
    "consultancy": ACCOUNT_LABELS["consultancy"],
    "programme_cost": ACCOUNT_LABELS["programme_cost"],
    "it_systems": "IT systems and estates",
    "estates": "IT systems and estates",
    "other_non_pay": OTHER_SPEND_GROUP,
}
# Delivery confidence ratings, best first (the IPA's five-point scale), as they read.
DCA_LABELS: dict[str, str] = {
    "green": "Green",
    "amber_green": "Amber/green",
    "amber": "Amber",
    "amber_red": "Amber/red",
    "red": "Red",
    "unknown": "Not rated",
}
STAGE_LABELS: dict[str, str] = {
    "SOC": "Strategic outline case (SOC)",
    "OBC": "Outline business case (OBC)",
    "FBC": "Full business case (FBC)",
    "procurement": "Procurement",
    "contract_award": "Contract award",
    "go_live": "Go-live",
    "legacy_decommission": "Old systems decommissioned",
    "other": "Other",
}
CONTINGENT_CATEGORIES: dict[str, str] = {
    "agency_admin": "Agency staff (administrative)",
    "interim_manager": "Interim manager",
    "specialist_contractor": "Specialist contractor",
    "consultant": "Consultant",
}
MEASURES: dict[str, str] = {
    "cashable_saving": "Cashable savings",
    "non_cashable_efficiency": "Non-cashable efficiencies",
    "programme_cost": "Programme cost",
}
# Column → the names of its codes.
CODES: dict[str, dict[str, str]] = {
    "profession": PROFESSIONS,
    "region": REGIONS,
    "account_category": ACCOUNT_LABELS,
    "stage": STAGE_LABELS,
    "category": CONTINGENT_CATEGORIES,
    "measure": MEASURES,
    "dca_rating": DCA_LABELS,
    "sex": {"female": "Female", "male": "Male"},
    "ethnicity": {
        "white": "White",
        "ethnic_minority": "Ethnic minority",
        "not_declared": "Not declared",
    },
    "disability": {
        "disabled": "Disabled",
        "not_disabled": "Not disabled",
        "not_declared": "Not declared",
    },
    "employment_type": {"permanent": "Permanent", "fixed_term": "Fixed term"},
    "grade": {},  # grades read as they are (AA to PS); only "unknown" needs words
}

# Column → its heading on screen, where the column's name, made readable, says less.
COLUMNS: dict[str, str] = {
    "fte": "FTE",
    "paybill_gbp": "Paybill (£ a year)",
    "amount_gbp": "Spend (£)",
    "annualised_cost_gbp": "Annualised cost (£ a year)",
    "annual_salary_gbp": "Full-time salary (£ a year)",
    "organisation_code": "Organisation",
    "organisation_name": "Organisation name",
    "department_name": "Department name",
    "region_name": "Region name",
    "headcount_start": "Headcount at start",
    "headcount_end": "Headcount at end",
    "turnover_rate": "Turnover",
    "month_ends_covered": "Month-ends loaded (of 13)",
    "period_end": "Year to",
    "month_end": "Month-end",
    "period": "Accounting month",
    "women_share": "Women (%)",
    "ethnic_minority_share": "Ethnic minority (%)",
    "ethnic_minority": "Ethnic minorities",
    "sex_recorded": "Sex recorded",
    "ethnicity_known": "Ethnicity recorded",
    "person_key": "Person key",
    "employee_id": "Employee number",
    "manager_employee_id": "Line manager's employee number",
    "account_category": "Account category",
    "category": "Category",
    "dca_rating": "Delivery confidence (DCA)",
    "planned_gbp": "Planned (£)",
    "actual_gbp": "Realised (£)",
    "cost_per_fte_gbp": "Cost per FTE (£)",
    "annual_cost_per_fte_gbp": "Cost per FTE (£ a year)",
    "hr_per_100": "HR staff per 100",
    "finance_per_100": "Finance staff per 100",
    "hr_paybill_gbp": "HR pay cost (£)",
    "ledger_paybill_gbp": "Ledger pay spend (£)",
    "variance_pct": "Difference (%)",
    "variance_gbp": "Difference (£)",
    "share_small_spans": "Managers with 1 or 2 reports (%)",
    "from_cluster": "From cluster",
    "to_cluster": "To cluster",
    "milestone_id": "Milestone",
    "slip_days": "Days late (+) or early (−)",
    "mean_slip_days": "Mean days late",
}
# Column → its definition, a click away in the table's heading.
COLUMN_HELP: dict[str, str] = {
    "paybill_gbp": PAYBILL,
    "ledger_paybill_gbp": PAY_SPEND,
    "turnover_rate": TERMS["Turnover"],
    "fte": TERMS["FTE"],
}
_WORDS = {"gbp": "(£)", "fte": "FTE", "hr": "HR", "ni": "NI", "pv": "(present value)"}


def column_label(name: str) -> str:
    """How a column's heading reads: ``Paybill (£ a year)`` for ``paybill_gbp``; any other
    name made readable (``transfers_in`` reads ``Transfers in``, ``hr_ni_gbp`` ``HR NI (£)``)."""
    if name in COLUMNS:
        return COLUMNS[name]
    words = [_WORDS.get(w, w) for w in name.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def column_labels(columns: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Column → heading, for a table's ``column_config``."""
    return {c: column_label(c) for c in columns}


def code_label(column: str, code: str | None) -> str | None:
    """The name of a code of ``column`` (``North East`` for region ``TLC``); "unknown" reads
    "Not recorded"; a code with no name is shown as it is."""
    if code is None:
        return None
    return {"unknown": NOT_RECORDED, **CODES.get(column, {})}.get(code, code)


def plain_table(frame: pl.DataFrame, keep: Sequence[str] = ()) -> pl.DataFrame:
    """``frame`` with the codes of its code columns replaced by their names, for display (the
    downloads keep the codes); the columns in ``keep`` stay codes (a name is beside them)."""
    return frame.with_columns(
        pl.col(column).replace_strict(
            {"unknown": NOT_RECORDED, **CODES[column]}, default=pl.col(column)
        )
        for column, dtype in frame.schema.items()
        if column in CODES and column not in keep and dtype == pl.String
    )


def metric_name(metric: str) -> str:
    """``Cost per FTE`` for ``cost_per_fte``."""
    if metric in DEFINITIONS:
        return DEFINITIONS[metric].split(":", 1)[0]
    return column_label(metric)


def explain(*terms: str) -> str:
    """The terms' definitions, one sentence each, for a help text."""
    return " ".join(f"{t}: {TERMS[t][:1].lower()}{TERMS[t][1:]}" for t in terms)


def markdown() -> str:
    """The glossary as a Markdown list (``[c]`` and ``[x]`` escaped)."""
    return "\n".join(
        f"- **{term.replace('[', chr(92) + '[')}**: {meaning}" for term, meaning in TERMS.items()
    )
