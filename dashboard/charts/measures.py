"""How each measure reads on a chart: its name, its unit and its number format.

One :class:`Measure` per measure the pages draw, so that an axis title, a hover and a tick
say the same unit wherever the measure appears.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.formatting import format_count


@dataclass(frozen=True)
class Measure:
    """How a measure reads on a chart: its name, its unit and its d3 number format."""

    column: str
    label: str
    unit: str
    number_format: str

    @property
    def money(self) -> bool:
        """Pounds: drawn in £m or £bn (:func:`dashboard.formatting.money_axis`)."""
        return self.column.endswith("_gbp")

    @property
    def title(self) -> str:
        """``Paybill (£ a year)``: the axis title, before a money axis names its unit."""
        return f"{self.label} ({self.unit})"

    @property
    def tick(self) -> str:
        """The value axis's tick format: whole percentages for a share, else grouped digits."""
        return ".0%" if self.number_format.endswith("%") else ","


HEADCOUNT = Measure("headcount", "Headcount", "people", ",.0f")
FTE = Measure("fte", "FTE", "full-time equivalents", ",.1f")
TURNOVER = Measure("turnover_rate", "Turnover", "% of average headcount", ".1%")
# HR annualised basic paybill (salary × FTE), not the ledger's pay spend.
PAYBILL = Measure("paybill_gbp", "Paybill", "£ a year", ",.0f")


def format_amount(value: float, number_format: str) -> str:
    """``value`` as a reader writes it, to one decimal place for a ``.1f`` format, else whole:
    the label on a tile or beside a bar."""
    return format_count(value, 1 if ".1f" in number_format else 0)
