"""The metrics callers may ask for by name, and the disclosure rule each one's output follows.

The metric itself (what is counted, its grain, parameters, dimensions, columns and how its
measures are protected, shared/contract/access.md) is defined once, in its TOML file
(:mod:`queries.definitions`); this module lists the metrics callers may ask for and builds
each protected metric's :class:`~queries.disclosure.DisclosureRule` from its definition.  The
rules are built on first use so that asking for a metric's rows does not load the disclosure
machinery (polars, numpy).

Two lists: :data:`METRICS`, the command line's (fixed by its contract), and
:data:`EXTRACT_METRICS`, every metric the pages show, offered by the Extracts page.  A measure
no rule names is left out of a protected extract (fail closed), so each metric that counts
people has a rule covering all its measures.  Some metrics return columns that are neither
dimensions nor measures: :data:`ROW_KEYS` identify rows as a dimension would (protected as one),
:data:`LABELS` say how every row was worked out and travel beside the protected measures.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from queries.definitions import definition, metric_names

if TYPE_CHECKING:
    from queries.disclosure import DisclosureRule

# The metrics of shared/contract/cli.md, in its order.
METRICS: tuple[str, ...] = ("workforce", "flows", "contingent", "spend", "milestones", "benefits")
# Every metric the pages show, for the Extracts page: all but the record-level rows
# (employee_records, their own section there) and cluster_moves, which the Flows page protects
# with its origin and destination as the dimensions (dashboard/tables/protected.py: moves_table).
EXTRACT_METRICS: tuple[str, ...] = (
    "workforce", "workforce_trend", "representation", "flows", "turnover", "contingent",
    "spend", "spend_as_at", "cost_per_fte", "reconciliation", "hr_finance_ratio", "spans_layers",
    "milestones", "milestone_slippage", "benefits", "benefits_cumulative", "benefits_npv",
)  # fmt: skip


# Columns that are neither dimensions nor measures of a rule, from the definitions.
def _by_metric(key: str) -> dict[str, tuple[str, ...]]:
    said = {n: getattr(definition(n).disclosure, key) for n in metric_names()}
    return {n: columns for n, columns in said.items() if columns}


def __getattr__(attr: str) -> object:
    """``ROW_KEYS`` and ``LABELS`` (metric → columns), read when first asked for."""
    if attr in ("ROW_KEYS", "LABELS"):
        return _by_metric(attr.lower())
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")


@cache
def _rule(name: str) -> DisclosureRule | None:
    """The rule of a protected metric, built from its definition's ``[disclosure]``."""
    from queries.disclosure import DisclosureRule

    if name not in metric_names():
        return None
    said = definition(name).disclosure
    if not said.protected:
        return None
    return DisclosureRule(
        population=said.population,
        counts=said.counts,
        money=said.money,
        identities=said.identities,
        ratios=said.ratios,
    )


def disclosure_rule(metric: str) -> DisclosureRule | None:
    """The rule for a metric's output; None for metrics that count no people (milestones,
    milestone_slippage)."""
    return _rule(metric)


@cache
def _npv_measures() -> tuple[str, ...]:
    return tuple(column.name for column in definition("benefits_npv").columns)


# The precision a measure is written with (issue 14): by what the column holds, since a name
# means the same thing in every metric.  Money (£: every *_gbp column and the NPV measures) to
# the penny, FTE to 2 decimals, the means and hours below to a fixed number; counts are whole
# numbers already.  This is representation only (float noise such as 500000036.2999996 goes),
# not the disclosure rounding of the rules above.
MONEY_DECIMALS = 2
FTE_DECIMALS = 2
FTE_COLUMNS = frozenset({"fte", "average_fte"})
FIXED_DECIMALS: dict[str, int] = {"mean_slip_days": 1, "hours_released": 2}


def written_decimals(column: str) -> int | None:
    """The decimal places ``column`` is written with; None to write it as it is."""
    if column.endswith("_gbp") or column in _npv_measures():
        return MONEY_DECIMALS
    if column in FTE_COLUMNS:
        return FTE_DECIMALS
    return FIXED_DECIMALS.get(column)
