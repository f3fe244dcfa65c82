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
from collections.abc import Iterable
from dataclasses import dataclass
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


def format_gbp(value: float | str | None, decimals: int = 1, *, fixed: bool = False) -> str:
    """Money in pounds, shortened: ``£1.8bn``, ``£500m``, ``£12.5k``, ``£950``, ``-£1.2m``.

    Rounds to ``decimals`` places of the unit (whole pounds below £1,000) and drops trailing
    zeros, unless ``fixed``: figures read side by side (a row of tiles) keep them, so that
    ``£1.0bn`` stands beside ``£293.3m`` at the same precision, never ``£1bn``.  A value that
    rounds up to 1,000 of its unit takes the next one (``999,960,000`` reads ``£1bn``, not
    ``£1,000m``).
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
    number = _grouped(size / scale, places)
    number = number if fixed else _trim(number)
    sign = "-" if value < 0 and float(number.replace(",", "")) != 0 else ""
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


@dataclass(frozen=True)
class MoneyAxis:
    """How a chart's money axis reads: its values divided by ``divisor`` and its unit in the
    axis title (``£m``, ``£bn``), so ticks read ``0, 50, 100`` under "Spend (£m)" and never
    Plotly's SI suffixes (``£3.00G``, ``150M``)."""

    divisor: float
    suffix: str  # "", "m" or "bn"

    @property
    def unit(self) -> str:
        """``£m``: what the axis title says."""
        return f"£{self.suffix}"

    def scale(self, values: Iterable[float | None]) -> list[float | None]:
        return [None if _absent(v) else float(v) / self.divisor for v in values]  # type: ignore[arg-type]

    def hover(self, placeholder: str) -> str:
        """A hover template's money: ``£%{y:,.1f}m`` for ``placeholder="y"``."""
        decimals = 1 if self.suffix else 0
        return f"£%{{{placeholder}:,.{decimals}f}}{self.suffix}"

    def titled(self, text: str, *, add: bool = True) -> str:
        """``text`` with its pounds in this unit: ``Spend (£ a month)`` reads ``Spend (£m a
        month)``; a text that names no £ gets the unit in brackets (unless not ``add``: a
        chart's title, which may name no unit)."""
        if "(£" in text:
            head, _, tail = text.rpartition("(£")
            return f"{head}({self.unit}{tail}"
        return f"{text} ({self.unit})" if add else text


def money_axis(values: Iterable[float | None]) -> MoneyAxis:
    """The unit that keeps the largest of ``values`` (the tallest bar or stack) under 1,000:
    £bn from £1bn, £m from £1m, else whole pounds (with thousands separators)."""
    largest = max((abs(float(v)) for v in values if not _absent(v)), default=0.0)  # type: ignore[arg-type]
    if largest >= 1e9:
        return MoneyAxis(1e9, "bn")
    if largest >= 1e6:
        return MoneyAxis(1e6, "m")
    return MoneyAxis(1.0, "")
