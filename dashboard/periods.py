"""Accounting periods as the pages show them: which are complete, how a window of them reads,
and why a rate over a window is not available.  Pure functions, no Streamlit.

The ledger is incremental, so the month being posted holds only part of a month's lines: as
at 15 November, November's pay spend is half posted.  A period is complete once every
cluster in view has delivered its ledger past the period's end (``queries/sql/
ledger_periods.sql``); the periods after the last complete one are *partial*.  The pages show
a partial period marked as such, and leave it out of rates, averages, changes and default
choices: a half month never reads as a fall in cost.

Two words the pages keep apart:

* **paybill** is the HR records' annual basic salary × FTE as at a date (a yearly rate);
* **pay spend** is what the ledgers posted to payroll accounts in accounting periods (money).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from core.dates import add_months, month_end
from dashboard import glossary
from dashboard.formatting import format_short_date
from dashboard.headlines import FULL_YEAR_MONTH_ENDS, FULL_YEAR_PERIODS

NOT_AVAILABLE = "Not available"

# The two pay figures' definitions live with every other plain word (dashboard.glossary).
PAYBILL_HELP = glossary.PAYBILL
PAY_SPEND_HELP = glossary.PAY_SPEND


@dataclass(frozen=True)
class LedgerPeriods:
    """Which accounting periods are complete as at a date, for the clusters in view.

    ``complete_through``: the last period complete for every cluster (None: none yet; every
    earlier period is complete too); ``delivered_to``: the earliest of the clusters' latest
    ledger deliveries; ``partial``: the periods asked about that are not complete."""

    complete_through: str | None
    delivered_to: date | None
    partial: tuple[str, ...]

    def is_partial(self, period: str) -> bool:
        return self.complete_through is None or period > self.complete_through


def ledger_status(frame: pl.DataFrame) -> LedgerPeriods:
    """From ``ledger_periods`` rows by ``period`` (no rows: no ledger delivered yet)."""
    if frame.is_empty():
        return LedgerPeriods(None, None, ())
    done = frame.filter(pl.col("complete"))["period"]
    return LedgerPeriods(
        complete_through=done.max() if done.len() else None,
        delivered_to=frame["delivered_to"].min(),
        partial=tuple(frame.filter(~pl.col("complete"))["period"].sort()),
    )


def shift(period: str, months: int) -> str:
    """The period ``months`` later (earlier if negative): ``shift("2026-01", -1) == "2025-12"``."""
    year, month = divmod(int(period[:4]) * 12 + int(period[5:7]) - 1 + months, 12)
    return f"{year:04d}-{month + 1:02d}"


def period_of(day: date) -> str:
    return f"{day:%Y-%m}"


def period_end(period: str) -> date:
    """The last day of a period: ``date(2026, 2, 28)`` for ``"2026-02"``."""
    return month_end(date(int(period[:4]), int(period[5:7]), 1))


def month_name(period: str) -> str:
    """``"2026-10"`` reads ``October 2026``."""
    return f"{period_end(period):%B %Y}"


def year_to(period: str) -> tuple[str, str]:
    """The 12 periods to ``period``, first and last."""
    return shift(period, 1 - FULL_YEAR_PERIODS), period


def window_text(first: str, last: str) -> str:
    """A run of periods as a label says it: ``12 months to October 2026``; ``1 month to
    January 2026``."""
    months = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7]) + 1
    return f"{months} {'month' if months == 1 else 'months'} to {month_name(last)}"


def partial_label(period: str, status: LedgerPeriods) -> str:
    """A period as a chart or table shows it: ``2026-11 (to 29 Nov, partial)`` while it is
    being posted (the date the ledger reaches, when that falls inside it), else ``2026-11``."""
    if not status.is_partial(period):
        return period
    reached = status.delivered_to
    if reached is not None and period_of(reached) == period:
        return f"{period} (to {reached.day} {reached:%b}, partial)"
    return f"{period} (partial)"


def partial_note(status: LedgerPeriods, shown: str) -> str | None:
    """Said beside ledger figures when a period shown (up to ``shown``, the as-at date's
    period) is partial: which, how far the ledger reaches, and that totals leave it out."""
    partial = [p for p in status.partial if p <= shown]
    if not partial:
        return None
    names = " and ".join(month_name(p) for p in partial)
    verb, pronoun = ("is", "it is") if len(partial) == 1 else ("are", "they are")
    reached = (
        f" (the clusters' ledgers are in up to {format_short_date(status.delivered_to)})"
        if status.delivered_to
        else ""
    )
    return (
        f"{names} {verb} still being posted{reached}, so {pronoun} left out of the totals, "
        "cost per FTE and changes."
    )


def first_month_end(first_date: date) -> date:
    """The first month-end on or after the first extract loaded."""
    return month_end(first_date)


def turnover_unavailable(month_ends: int | None, first_date: date) -> str:
    """Why the turnover is not shown: fewer than 13 month-ends, or nobody to count."""
    if month_ends is None:
        return "Not available: nobody in the clusters and filters chosen in the year to the date."
    return (
        f"Not available: needs 12 months of data ({FULL_YEAR_MONTH_ENDS} month-ends); the first "
        f"month-end loaded is {format_short_date(first_month_end(first_date))}."
    )


def cost_unavailable(months: int | None, status: LedgerPeriods, first_date: date) -> str:
    """Why the cost per FTE is not shown: no complete period yet, nothing to divide, or fewer
    than 12 complete periods."""
    if status.complete_through is None:
        return "Not available: no month of the ledger is complete yet."
    last = month_name(status.complete_through)
    if not months:
        return f"Not available: no pay spend or staff in the 12 months to {last}."
    return (
        f"Not available: needs 12 complete months of data, has {months} to {last}; the first "
        f"month-end loaded is {format_short_date(first_month_end(first_date))}."
    )


def window_dates(status: LedgerPeriods) -> tuple[date, date] | None:
    """The month-ends that close the windows a cost per FTE is compared with: the 12 periods
    to the month before the last complete one, and to a year before it."""
    if status.complete_through is None:
        return None
    last = status.complete_through
    return period_end(shift(last, -1)), period_end(shift(last, -FULL_YEAR_PERIODS))


def months_back(day: date, months: int) -> str:
    """The period ``months`` before ``day``'s."""
    return period_of(add_months(day.replace(day=1), -months))
