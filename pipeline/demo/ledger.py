"""A cluster's general-ledger lines for one delivery.

At a month-end the payroll journals for the month are posted per organisation and cost centre,
derived from that day's employees snapshot (salary × FTE ÷ 12, with allowances, overtime and
the employer pension and NI on-costs), so the HR paybill and the ledger reconcile, apart from
the noise and the occasional arrears a real payroll has.  Contingent labour follows the
contingent snapshot.  Non-pay spend arrives as invoices on every delivery date, the month-end
carrying the month's accruals.  A few lines of the previous delivery are sent again, as
at-least-once feeds do.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pyarrow as pa

from core.contract import LedgerRow, arrow_schema
from core.dates import is_month_end
from pipeline.demo import calibration as cal

PAYROLL_LINES = {  # account category → share of salary
    "payroll_salary": 1.0,
    "payroll_allowances": cal.ALLOWANCES_RATE,
    "payroll_overtime": cal.OVERTIME_RATE,
    "payroll_employer_pension": cal.EMPLOYER_PENSION_RATE,
    "payroll_employer_ni": cal.EMPLOYER_NI_RATE,
}
NON_PAY_A_HEAD = {  # £ a head a year (ASSUMED); consultancy is higher in policy departments
    "consultancy": 450.0,
    "it_systems": 2_500.0,
    "estates": 4_000.0,
    "other_non_pay": 3_000.0,
}
DESCRIPTIONS = {
    "consultancy": ("Advisory services", "Programme assurance review", "Strategy support"),
    "it_systems": ("Licences", "Cloud hosting", "End-user devices", "Application support"),
    "estates": ("Rent", "Facilities management", "Utilities", "Business rates"),
    "other_non_pay": (
        "Travel and subsistence",
        "Learning and development",
        "Stationery",
        "Legal fees",
        "Postage",
    ),
    "programme_cost": ("Shared services programme: systems integrator", "Programme team"),
}
MONTHLY_WORKING_DAYS = cal.WORKING_DAYS_A_YEAR / 12
_LEDGER_SCHEMA = arrow_schema(LedgerRow)


def cost_centre_count(headcount_2023_scaled: float) -> int:
    return int(np.clip(round(headcount_2023_scaled / 400), 1, 60))


def _payroll(
    employees: pl.DataFrame, n_cc: dict[str, int], when: date, rng: np.random.Generator
) -> pl.DataFrame:
    period = when.strftime("%Y-%m")
    by_cc = (
        employees.with_columns(
            cc=(pl.col("person_key").hash(7) % pl.col("organisation_code").replace_strict(n_cc))
        )
        .group_by("organisation_code", "cc")
        .agg(salary=(pl.col("annual_salary_gbp") * pl.col("fte")).sum() / 12)
        .sort("organisation_code", "cc")
    )
    orgs = by_cc["organisation_code"].unique(maintain_order=True)
    noise = 1 + rng.normal(0, 0.002, len(orgs))
    arrears = rng.random(len(orgs)) < 0.04  # backdated pay or a missed adjustment
    noise[arrears] += rng.choice([-1, 1], arrears.sum()) * rng.uniform(0.015, 0.06, arrears.sum())
    by_cc = by_cc.join(
        pl.DataFrame({"organisation_code": orgs, "noise": noise}), on="organisation_code"
    )
    lines = pl.concat(
        by_cc.select(
            "organisation_code",
            "cc",
            account_category=pl.lit(category),
            amount=pl.col("salary")
            * share
            * (pl.col("noise") if category == "payroll_salary" else 1),
        )
        for category, share in PAYROLL_LINES.items()
    ).sort("organisation_code", "cc", "account_category")
    return lines.with_columns(
        journal_id=pl.lit("PAY-")
        + pl.col("organisation_code")
        + pl.lit("-" + period.replace("-", "")),
        line_number=pl.int_range(1, pl.len() + 1).over("organisation_code"),
        description=pl.lit(f"Payroll {period}"),
    )


def _contingent(contingent: pl.DataFrame, when: date) -> pl.DataFrame:
    period = when.strftime("%Y%m")
    return (
        contingent.group_by("organisation_code", "category")
        .agg(amount=(pl.col("day_rate_gbp") * pl.col("fte")).sum() * MONTHLY_WORKING_DAYS)
        .sort("organisation_code", "category")
        .select(
            "organisation_code",
            cc=pl.lit(0, pl.UInt64),
            account_category=pl.lit("contingent_labour"),
            amount="amount",
            journal_id=pl.lit("CCL-") + pl.col("organisation_code") + pl.lit(f"-{period}"),
            line_number=pl.int_range(1, pl.len() + 1).over("organisation_code"),
            description=pl.lit("Contingent labour: ") + pl.col("category"),
        )
    )


def _invoices(
    headcount: dict[str, int],
    n_cc: dict[str, int],
    share_of_month: float,
    cluster: str,
    when: date,
    programme_monthly: float,
    lead_org: str,
    rng: np.random.Generator,
) -> pl.DataFrame:
    rows: dict[str, list] = {
        k: [] for k in ("organisation_code", "cc", "account_category", "amount", "description")
    }
    budgets = []
    for org, heads in headcount.items():
        for category, a_head in NON_PAY_A_HEAD.items():
            uplift = 3.0 if (category == "consultancy" and cluster == "MATRIX") else 1.0
            budgets.append((org, category, heads * a_head * uplift / 12 * share_of_month))
    if programme_monthly:
        budgets.append((lead_org, "programme_cost", programme_monthly * share_of_month))
    for org, category, budget in budgets:
        if budget <= 0:
            continue
        k = int(np.clip(rng.poisson(1 + budget / 40_000), 1, 40))
        amounts = budget * rng.dirichlet(np.ones(k)) * rng.uniform(0.9, 1.1)
        credit = rng.random(k) < 0.02
        amounts[credit] = -amounts[credit] * 0.2
        rows["organisation_code"] += [org] * k
        rows["cc"] += list(rng.integers(0, n_cc.get(org, 1), k))
        rows["account_category"] += [category] * k
        rows["amount"] += list(amounts)
        rows["description"] += list(rng.choice(DESCRIPTIONS[category], k))
    stamp = when.strftime("%Y%m%d")
    return pl.DataFrame(rows, schema_overrides={"cc": pl.UInt64}).with_columns(
        journal_id=pl.lit(f"AP-{cluster}-{stamp}-")
        + (pl.int_range(0, pl.len()) // 3 + 1).cast(pl.String).str.zfill(6),
        line_number=pl.int_range(0, pl.len()) % 3 + 1,
    )


def ledger_table(
    *,
    cluster: str,
    when: date,
    employees: pa.Table,
    contingent: pa.Table,
    n_cc: dict[str, int],
    programme_monthly: float,
    lead_org: str,
    previous: pa.Table | None,
    rng: np.random.Generator,
) -> pa.Table:
    """The lines posted on ``when`` (month-end journals included when it is a month end)."""
    emp = pl.from_arrow(employees)
    headcount = dict(emp.group_by("organisation_code").len().sort("organisation_code").iter_rows())
    parts = []
    month_end = is_month_end(when)
    if month_end:
        parts.append(_payroll(emp, n_cc, when, rng))
        parts.append(_contingent(pl.from_arrow(contingent), when))
    # A month-end posts the month's accruals; other days post one working day's invoices.
    share = 1.0 if month_end else 1 / 21
    parts.append(_invoices(headcount, n_cc, share, cluster, when, programme_monthly, lead_org, rng))
    cols = [
        "journal_id",
        "line_number",
        "organisation_code",
        "cc",
        "account_category",
        "amount",
        "description",
    ]
    frame = pl.concat(
        [
            p.select(cols).with_columns(
                pl.col("cc").cast(pl.UInt64), pl.col("line_number").cast(pl.Int64)
            )
            for p in parts
        ]
    )
    frame = frame.with_columns(
        posting_date=pl.lit(when),
        period=pl.lit(when.strftime("%Y-%m")),
        cost_centre=pl.col("organisation_code")
        + pl.lit("-CC")
        + pl.col("cc").cast(pl.String).str.zfill(3),
        amount_gbp=pl.col("amount").round(2),
    )
    table = frame.select(_LEDGER_SCHEMA.names).to_arrow().cast(_LEDGER_SCHEMA)
    if previous is not None and previous.num_rows:
        again = np.sort(
            rng.choice(previous.num_rows, size=min(5, previous.num_rows), replace=False)
        )
        table = pa.concat_tables([table, previous.take(pa.array(again))])
    return table
