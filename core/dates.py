"""Month-ends and financial years: the calendar every metric, page and demo counts in.

Workforce figures are read at month-ends, the ledgers post by month, and benefits run by
financial year (April to March, written ``2025-26``).  These few rules were written out in
five places (the demo, the ingest's mart, the pages, the extracts); they live here once, in
the layer both the dashboard and the pipeline may import.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

# A day as ISO writes it, ``YYYY-MM-DD``: the landing zone's folders, the CLI's dates, a link's
# as-at date (each then read by ``date.fromisoformat``).
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# An accounting period, ``YYYY-MM`` (ASCII digits only: ``\d`` would take any script's).
ACCOUNTING_PERIOD = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def is_month_end(day: date) -> bool:
    return day == month_end(day)


def month_ends(first: date, last: date) -> list[date]:
    """The month-ends from ``first`` to ``last``, both included, oldest first (the first is
    the end of ``first``'s month)."""
    out, day = [], month_end(first)
    while day <= last:
        out.append(day)
        day = month_end(day + timedelta(days=1))
    return out


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (earlier if negative); a month-end stays a month-end and a
    day past the end of a shorter month becomes its end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, last if is_month_end(day) else min(day.day, last))


def financial_year(day: date) -> str:
    """The financial year (April to March) a day falls in: ``2025-26``."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"
