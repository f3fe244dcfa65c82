"""Published rates the metrics bind as parameters, each defined once: in its metric's TOML file.

The SQL files declare these as ``$parameters`` rather than writing the numbers in, so a rate
lives in one place (its default and source in ``queries/sql/<metric>.toml``) and a caller may
run a what-if with another value.  The runner binds a parameter's default when the caller gives
none; the names here are for the pages' words ("flagged over 2%") and for the demo generator,
which posts the payroll on-costs at the very rates the reconciliation checks
(``pipeline.demo.calibration`` imports them from here: pipeline may import queries, never the
other way round).  Callers that pass :data:`STANDARD_PARAMS` along with their own get the same
values the runner would fill in (it ignores values a metric does not declare).

* The employer on-cost rates are the ones the payroll ledger posts (reconciliation.toml); the
  HR-to-ledger reconciliation must use the same rates or it would report its own difference.
* The discount rate is the Green Book's Social Time Preference Rate (benefits_npv.toml).
* The reconciliation tolerance: the difference above which a month is flagged
  (reconciliation.toml).
* The working days a year contingent day rates are annualised over (contingent.toml).
"""

from __future__ import annotations

from queries.definitions import defaults


def _default(metric: str, name: str) -> float:
    value = defaults(metric)[name]
    assert isinstance(value, int | float), (metric, name)  # a rate: the model holds it so
    return value


EMPLOYER_PENSION_RATE = _default("reconciliation", "pension_rate")
EMPLOYER_NI_RATE = _default("reconciliation", "ni_rate")
RECONCILIATION_TOLERANCE = _default("reconciliation", "tolerance")
GREEN_BOOK_DISCOUNT_RATE = _default("benefits_npv", "discount_rate")
WORKING_DAYS_A_YEAR = int(_default("contingent", "working_days"))

STANDARD_PARAMS: dict[str, float] = {
    "pension_rate": EMPLOYER_PENSION_RATE,
    "ni_rate": EMPLOYER_NI_RATE,
    "discount_rate": GREEN_BOOK_DISCOUNT_RATE,
    "tolerance": RECONCILIATION_TOLERANCE,
}

__all__ = [
    "EMPLOYER_NI_RATE",
    "EMPLOYER_PENSION_RATE",
    "GREEN_BOOK_DISCOUNT_RATE",
    "RECONCILIATION_TOLERANCE",
    "STANDARD_PARAMS",
    "WORKING_DAYS_A_YEAR",
]
