"""Published rates the metrics bind as parameters, each defined once.

The SQL files declare these as ``$parameters`` rather than writing the numbers in, so a rate
lives in one place and a caller may run a what-if with another value.  Callers that want the
published values pass :data:`STANDARD_PARAMS` along with their own (the runner ignores values a
metric does not declare).

* The employer on-cost rates are the ones the payroll ledger posts (pipeline.demo.calibration,
  which holds the published DWP rates the issue fixes at 27% pension and 14% NI); the
  HR-to-ledger reconciliation must use the same rates or it would report its own difference.
* The discount rate is the Green Book's Social Time Preference Rate, 3.5% real, which holds for
  the first 30 years of an appraisal (shared/reference/domain.md §5.2).
* The reconciliation tolerance: a month whose HR-derived and ledger paybill differ by more than
  2% is flagged for a finance business partner to explain.
"""

from __future__ import annotations

from pipeline.demo.calibration import EMPLOYER_NI_RATE, EMPLOYER_PENSION_RATE

GREEN_BOOK_DISCOUNT_RATE = 0.035
RECONCILIATION_TOLERANCE = 0.02

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
]
