"""How numbers and dates read on the pages: £1.8bn, 12,345, 93.8%, 31 October 2026.

Pure functions with no Streamlit import, so the CLI, exports and tests can share them.  A
missing value reads ``[x]`` and a value that disclosure control has already replaced (such as
``[c]``) passes through unchanged: the Government Statistical Service's shorthand for "not
available" and "confidential".

Halves round away from zero (``12.5`` reads ``13``, ``1.25`` reads ``1.3``), as readers of
official statistics expect, rather than to even as Python's ``round`` and ``format`` do.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

MISSING = "[x]"

# Smallest first: (scale, suffix).  Whole pounds below £1,000.
_MONEY_UNITS = ((1.0, ""), (1e3, "k"), (1e6, "m"), (1e9, "bn"))


def _absent(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _rounded(value: float, decimals: int) -> Decimal:
    # Through the shortest repr, so 2.675 (stored as 2.67499...) rounds as written: 2.68.
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)


def _grouped(value: float, decimals: int) -> str:
    """``1234.56`` with 1 decimal reads ``1,234.6``; no negative zero."""
    rounded = _rounded(value, decimals)
    return f"{abs(rounded) if rounded == 0 else rounded:,.{decimals}f}"


def _trim(number: str) -> str:
    """``1.0`` reads ``1``; ``1.50`` reads ``1.5``."""
    return number.rstrip("0").rstrip(".") if "." in number else number


def format_gbp(value: float | str | None, decimals: int = 1) -> str:
    """Money in pounds, shortened: ``£1.8bn``, ``£500m``, ``£12.5k``, ``£950``, ``-£1.2m``.

    Rounds to ``decimals`` places of the unit (whole pounds below £1,000) and drops trailing
    zeros; a value that rounds up to 1,000 of its unit takes the next one (``999,960,000``
    reads ``£1bn``, not ``£1,000m``).
    """
    if _absent(value):
        return MISSING
    if isinstance(value, str):
        return value
    size = abs(float(value))
    for scale, suffix in _MONEY_UNITS:  # the smallest unit that reads under 1,000
        places = decimals if suffix else 0
        if _rounded(size / scale, places) < 1000:
            break
    number = _trim(_grouped(size / scale, places))
    sign = "-" if value < 0 and number != "0" else ""
    return f"{sign}£{number}{suffix}"


def format_count(value: float | str | None, decimals: int = 0) -> str:
    """A count or an FTE with thousands separators: ``12,345``, ``1,234.5`` (``decimals=1``)."""
    if _absent(value):
        return MISSING
    if isinstance(value, str):
        return value
    return _grouped(value, decimals)


def format_percent(ratio: float | str | None, decimals: int = 1) -> str:
    """A ratio as a percentage: ``0.938`` reads ``93.8%``."""
    if _absent(ratio):
        return MISSING
    if isinstance(ratio, str):
        return ratio
    return f"{_grouped(float(ratio) * 100, decimals)}%"


def format_date(value: date | None) -> str:
    """The GOV.UK style for dates: ``31 October 2026`` (no leading zero, no ordinal)."""
    if value is None:
        return MISSING
    return f"{value.day} {value:%B %Y}"


def format_short_date(value: date | None) -> str:
    """A date where space is tight (a sidebar, a table cell): ``31 Oct 2026``."""
    if value is None:
        return MISSING
    return f"{value.day} {value:%b %Y}"
