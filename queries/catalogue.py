"""The metrics callers may ask for by name, and the disclosure rule each one's output follows.

The metric itself (what is counted, its grain, parameters, dimensions and measures) is defined
once, in its SQL file; this module only lists the files that are public metrics and says how
their measures are protected (shared/contract/access.md).
"""

from __future__ import annotations

from queries.disclosure import DisclosureRule

FLOW_MEASURES = (
    "headcount_start",
    "joiners",
    "leavers",
    "transfers_in",
    "transfers_out",
    "headcount_end",
)

_RULES: dict[str, DisclosureRule] = {
    "workforce": DisclosureRule(
        population="headcount", counts=("headcount", "fte"), money=("paybill_gbp",)
    ),
    "flows": DisclosureRule(
        population=None,
        counts=FLOW_MEASURES,
        identities=(FLOW_MEASURES,),
    ),
    "contingent": DisclosureRule(
        population="workers", counts=("workers", "fte"), money=("annualised_cost_gbp",)
    ),
    "spend": DisclosureRule(population=None, money=("amount_gbp",)),
    "benefits": DisclosureRule(population=None, money=("planned_gbp", "actual_gbp")),
}

# The metrics of shared/contract/cli.md, in its order.
METRICS: tuple[str, ...] = ("workforce", "flows", "contingent", "spend", "milestones", "benefits")


def disclosure_rule(metric: str) -> DisclosureRule | None:
    """The rule for a metric's output; None for metrics that count no people (milestones)."""
    return _RULES.get(metric)
