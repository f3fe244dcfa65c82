"""The calendar every metric, page and demo counts in (core.dates): month-ends, months
added, financial years."""

from __future__ import annotations

import re
from datetime import date

import pytest

from core.dates import (
    ACCOUNTING_PERIOD,
    add_months,
    financial_year,
    is_month_end,
    month_end,
    month_ends,
)


def test_a_month_end_is_the_months_last_day_leap_years_included() -> None:
    assert month_end(date(2024, 2, 3)) == date(2024, 2, 29)
    assert month_end(date(2025, 2, 28)) == date(2025, 2, 28)
    assert month_end(date(2026, 12, 1)) == date(2026, 12, 31)
    assert is_month_end(date(2026, 11, 30)) and not is_month_end(date(2026, 11, 29))


def test_month_ends_run_from_the_first_days_month_to_the_last_both_included() -> None:
    assert month_ends(date(2025, 11, 30), date(2026, 2, 28)) == [
        date(2025, 11, 30),
        date(2025, 12, 31),
        date(2026, 1, 31),
        date(2026, 2, 28),
    ]
    assert month_ends(date(2026, 1, 15), date(2026, 2, 27)) == [date(2026, 1, 31)]
    assert month_ends(date(2026, 3, 1), date(2026, 2, 1)) == []


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # past a shorter month's end: its end
        (date(2026, 2, 28), 1, date(2026, 3, 31)),  # a month-end stays a month-end
        (date(2026, 3, 15), -3, date(2025, 12, 15)),
        (date(2026, 11, 24), -24, date(2024, 11, 24)),
        (date(2024, 2, 29), -12, date(2023, 2, 28)),
    ],
)
def test_adding_months_keeps_the_day_or_the_month_end(day, months, expected) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("day", "year"),
    [(date(2026, 3, 31), "2025-26"), (date(2026, 4, 1), "2026-27"), (date(1999, 12, 1), "1999-00")],
)
def test_a_financial_year_runs_april_to_march(day: date, year: str) -> None:
    assert financial_year(day) == year


def test_an_accounting_period_is_year_and_month_in_ascii_digits() -> None:
    """One pattern for the contract's ledger rule and the CLI's --from/--to (issue 17)."""
    from core import contract
    from pipeline.query_cli import _PERIOD

    assert contract.PERIOD_PATTERN == ACCOUNTING_PERIOD == _PERIOD.pattern
    assert re.fullmatch(ACCOUNTING_PERIOD, "2026-01") and re.fullmatch(ACCOUNTING_PERIOD, "2026-12")
    for wrong in ("2026-13", "2026-00", "2026-1", "26-01", "٢٠٢٦-01"):  # Arabic-Indic digits
        assert not re.fullmatch(ACCOUNTING_PERIOD, wrong), wrong
