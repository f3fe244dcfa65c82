"""A ledger that ends in the middle of a month, for the complete-period rules: two clusters
with different last deliveries, loaded by the real ingest.

Deliveries: SYNERGY at every month-end from 30 September 2025 to 31 October 2026, then on 10
and 20 November 2026; UNITY at every month-end from 30 September 2025 to 30 September 2026,
then on 15 October 2026.  So as at 20 November 2026 SYNERGY's ledger is complete through
October 2026 and UNITY's through September 2026: September is the last period complete for
both, and October and November are partial.

People (tests.ingest_factories.employees): SYNERGY E00000-E00009, 10 people, 8.8 FTE (E00000,
E00004 and E00008 at 0.6); E00009 (1.0 FTE) leaves after 31 March 2026, so 9 people and 7.8
FTE from 30 April 2026.  UNITY E00100-E00104, 5 people, 4.2 FTE (E00100, E00104 at 0.6).

Ledger (£; each line posted on the day of the delivery that carries it unless said):

=========  ==================================================================================
delivery   lines
=========  ==================================================================================
month-end  SYNERGY payroll_salary 1,000 and UNITY payroll_salary 2,000 for that month's period
31 Oct 26  SYNERGY also arrears of 50 to period 2026-09 (payroll_salary)
15 Oct 26  UNITY consultancy 500 to period 2026-10 (and no October pay: UNITY's month is open)
10 Nov 26  SYNERGY consultancy 300 to period 2026-11
20 Nov 26  SYNERGY payroll_salary 400 to 2026-11, and other_non_pay 70 to 2026-11 posted on
           12 November but delivered only on the 20th
=========  ==================================================================================
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from core.dates import add_months
from core.settings import Settings
from pipeline.ingest import ingest_main
from tests.ingest_factories import cluster_delivery, employees, make_settings

FIRST = date(2025, 9, 30)
SYNERGY_LAST_MONTH_END = date(2026, 10, 31)
UNITY_LAST_MONTH_END = date(2026, 9, 30)
MID_OCTOBER, NOV_10, NOV_20 = date(2026, 10, 15), date(2026, 11, 10), date(2026, 11, 20)
LEAVER_GONE_FROM = date(2026, 4, 30)  # E00009's first month-end out


def month_ends(first: date, last: date) -> list[date]:
    """The month-ends from ``first`` to ``last``, both month-ends."""
    out = [first]
    while out[-1] < last:
        out.append(add_months(out[-1], 1))
    return out


def line(n: int, when: date, period: str, org: str, category: str, amount: str,
         posted: date | None = None) -> dict:  # fmt: skip
    return {
        "journal_id": f"J{when:%Y%m%d}",
        "line_number": n,
        "posting_date": posted or when,
        "period": period,
        "organisation_code": org,
        "cost_centre": "CC1",
        "account_category": category,
        "amount_gbp": Decimal(amount),
        "description": None,
    }


def synergy_ledger(when: date) -> list[dict]:
    if when == NOV_10:
        return [line(1, when, "2026-11", "DWP", "consultancy", "300.00")]
    if when == NOV_20:
        return [
            line(1, when, "2026-11", "DWP", "payroll_salary", "400.00"),
            line(2, when, "2026-11", "DWP", "other_non_pay", "70.00", posted=date(2026, 11, 12)),
        ]
    lines = [line(1, when, f"{when:%Y-%m}", "DWP", "payroll_salary", "1000.00")]
    if when == SYNERGY_LAST_MONTH_END:
        lines.append(line(2, when, "2026-09", "DWP", "payroll_salary", "50.00"))
    return lines


def unity_ledger(when: date) -> list[dict]:
    if when == MID_OCTOBER:
        return [line(1, when, "2026-10", "HMRC", "consultancy", "500.00")]
    return [line(1, when, f"{when:%Y-%m}", "HMRC", "payroll_salary", "2000.00")]


def build(root: Path) -> Settings:
    """Write the landing zone under ``root``, ingest it, and return the settings to read it."""
    settings = make_settings(root)
    synergy = [*month_ends(FIRST, SYNERGY_LAST_MONTH_END), NOV_10, NOV_20]
    for when in synergy:
        people = employees(10 if when < LEAVER_GONE_FROM else 9, "SYNERGY")
        cluster_delivery(
            settings.landing,
            "SYNERGY",
            when,
            employees_rows=people,
            contingent_rows=[],
            ledger_rows=synergy_ledger(when),
        )
    for when in [*month_ends(FIRST, UNITY_LAST_MONTH_END), MID_OCTOBER]:
        cluster_delivery(
            settings.landing,
            "UNITY",
            when,
            employees_rows=employees(5, "UNITY", first=100),
            contingent_rows=[],
            ledger_rows=unity_ledger(when),
        )
    assert ingest_main(settings) == 0
    return settings
