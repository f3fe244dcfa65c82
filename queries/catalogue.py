"""The metrics callers may ask for by name, and the disclosure rule each one's output follows.

The metric itself (what is counted, its grain, parameters, dimensions and measures) is defined
once, in its SQL file; this module only lists the files that are public metrics and says how
their measures are protected (shared/contract/access.md).  The rules are built on first use so
that asking for a metric's rows does not load the disclosure machinery (polars, numpy).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from queries.disclosure import DisclosureRule

# The metrics of shared/contract/cli.md, in its order.
METRICS: tuple[str, ...] = ("workforce", "flows", "contingent", "spend", "milestones", "benefits")
FLOW_MEASURES = (
    "headcount_start", "joiners", "leavers", "transfers_in", "transfers_out", "headcount_end",
)  # fmt: skip


@cache
def _rules() -> dict[str, DisclosureRule]:
    from queries.disclosure import DisclosureRule

    return {
        "workforce": DisclosureRule(
            population="headcount", counts=("headcount", "fte"), money=("paybill_gbp",)
        ),
        "flows": DisclosureRule(population=None, counts=FLOW_MEASURES, identities=(FLOW_MEASURES,)),
        "contingent": DisclosureRule(
            population="workers", counts=("workers", "fte"), money=("annualised_cost_gbp",)
        ),
        "spend": DisclosureRule(population=None, money=("amount_gbp",)),
        # Hours released are about the programme, not about people: rounded to the nearest
        # 10 like money, never suppressed as a small count.
        "benefits": DisclosureRule(
            population=None, money=("planned_gbp", "actual_gbp", "hours_released")
        ),
    }


def disclosure_rule(metric: str) -> DisclosureRule | None:
    """The rule for a metric's output; None for metrics that count no people (milestones)."""
    return _rules().get(metric)
