"""The metrics callers may ask for by name, and the disclosure rule each one's output follows.

The metric itself (what is counted, its grain, parameters, dimensions and measures) is defined
once, in its SQL file; this module only lists the files that are public metrics and says how
their measures are protected (shared/contract/access.md).  The rules are built on first use so
that asking for a metric's rows does not load the disclosure machinery (polars, numpy).

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

if TYPE_CHECKING:
    from queries.disclosure import DisclosureRule

# The metrics of shared/contract/cli.md, in its order.
METRICS: tuple[str, ...] = ("workforce", "flows", "contingent", "spend", "milestones", "benefits")
# Every metric the pages show, for the Extracts page: all but the record-level rows
# (employee_records, their own section there) and cluster_moves, which the Flows page protects
# with its origin and destination as the dimensions (dashboard/charts_workforce.py).
EXTRACT_METRICS: tuple[str, ...] = (
    "workforce", "workforce_trend", "representation", "flows", "turnover", "contingent",
    "spend", "spend_as_at", "cost_per_fte", "reconciliation", "hr_finance_ratio", "spans_layers",
    "milestones", "milestone_slippage", "benefits", "benefits_cumulative", "benefits_npv",
)  # fmt: skip
ROW_KEYS: dict[str, tuple[str, ...]] = {
    "workforce_trend": ("month_end",),
    "benefits_cumulative": ("financial_year",),
}
LABELS: dict[str, tuple[str, ...]] = {
    "turnover": ("period_end", "month_ends_covered"),
    "cost_per_fte": ("months",),
    "hr_finance_ratio": ("hr_target_per_100", "hr_2023_per_100", "finance_2023_per_100"),
}
FLOW_MEASURES = (
    "headcount_start", "joiners", "leavers", "transfers_in", "transfers_out", "headcount_end",
)  # fmt: skip


HR_SIDE = ("hr_paybill_gbp", "hr_salary_gbp", "hr_pension_gbp", "hr_ni_gbp")
LEDGER_SIDE = ("ledger_paybill_gbp", "ledger_salary_gbp", "ledger_pension_gbp", "ledger_ni_gbp")
NPV_MEASURES = (
    "planned_benefits_pv", "planned_cost_pv", "planned_npv", "actual_benefits_pv",
    "actual_cost_pv", "actual_npv", "forecast_npv",
)  # fmt: skip


@cache
def _rules() -> dict[str, DisclosureRule]:
    from queries.disclosure import DisclosureRule

    workforce = DisclosureRule(
        population="headcount", counts=("headcount", "fte"), money=("paybill_gbp",)
    )
    spend = DisclosureRule(population=None, money=("amount_gbp",))
    return {
        "workforce": workforce,
        "workforce_trend": workforce,
        "flows": DisclosureRule(population=None, counts=FLOW_MEASURES, identities=(FLOW_MEASURES,)),
        "contingent": DisclosureRule(
            population="workers", counts=("workers", "fte"), money=("annualised_cost_gbp",)
        ),
        "spend": spend,
        "spend_as_at": spend,
        # Hours released are about the programme, not about people: rounded to the nearest
        # 10 like money, never suppressed as a small count.
        "benefits": DisclosureRule(
            population=None, money=("planned_gbp", "actual_gbp", "hours_released")
        ),
        **_page_rules(),
    }


def _page_rules() -> dict[str, DisclosureRule]:
    """The rules of the metrics only the pages (and the Extracts page) show."""
    from queries.disclosure import MIN_AVERAGE_POPULATION, DisclosureRule, Ratio

    def mean(column: str, decimals: int = 1) -> Ratio:
        """A mean over the managers: over at least 10 of them, as mean salaries are."""
        return Ratio(column, "managers", minimum=MIN_AVERAGE_POPULATION, decimals=decimals)

    def per_fte(column: str) -> Ratio:
        """£ per FTE: a mean over at least 10 FTE, to the nearest £10."""
        return Ratio(column, "average_fte", "cost_gbp", MIN_AVERAGE_POPULATION, decimals=-1)

    return {
        # A rate is suppressed with its leavers (3 leavers of 40 would read back from 7.5%).
        "turnover": DisclosureRule(
            population="average_headcount",
            counts=("leavers",),
            ratios=(Ratio("turnover_rate", "average_headcount", "leavers"),),
        ),
        "representation": DisclosureRule(
            population="headcount",
            counts=("women", "sex_recorded", "ethnic_minority", "ethnicity_known"),
            ratios=(
                Ratio("women_share", "sex_recorded", "women"),
                Ratio("ethnic_minority_share", "ethnicity_known", "ethnic_minority"),
            ),
        ),
        # Layers describe the group's hierarchy, not a person: shown with their row.
        "spans_layers": DisclosureRule(
            population="headcount",
            counts=("managers",),
            ratios=(
                mean("mean_span"),
                mean("median_span"),
                mean("share_small_spans", decimals=3),
                Ratio("layers", "headcount", decimals=0),
            ),
        ),
        # Payroll FTE stands for the people (FTE never exceeds headcount, so this errs safe).
        "cost_per_fte": DisclosureRule(
            population="average_fte",
            money=("payroll_gbp", "contingent_gbp", "cost_gbp"),
            identities=(("cost_gbp", "payroll_gbp", "contingent_gbp"),),
            ratios=(per_fte("cost_per_fte_gbp"), per_fte("annual_cost_per_fte_gbp")),
        ),
        "hr_finance_ratio": DisclosureRule(
            population="headcount",
            counts=("hr_staff", "finance_staff"),
            ratios=(
                Ratio("hr_per_100", "headcount", "hr_staff", decimals=1),
                Ratio("finance_per_100", "headcount", "finance_staff", decimals=1),
            ),
        ),
        # flagged (1 when over tolerance) says something of the variance: it goes with it.
        "reconciliation": DisclosureRule(
            population="headcount",
            money=(*HR_SIDE, *LEDGER_SIDE, "variance_gbp"),
            identities=(
                HR_SIDE,
                LEDGER_SIDE,
                ("variance_gbp", "ledger_paybill_gbp", "hr_paybill_gbp"),
            ),
            ratios=(
                Ratio("variance_pct", "hr_paybill_gbp", "variance_gbp"),
                Ratio("flagged", "hr_paybill_gbp", "variance_gbp", decimals=0),
            ),
        ),
        "benefits_cumulative": DisclosureRule(
            population=None,
            money=("planned_gbp", "actual_gbp", "cumulative_planned_gbp", "cumulative_actual_gbp"),
        ),
        "benefits_npv": DisclosureRule(population=None, money=NPV_MEASURES),
    }


def disclosure_rule(metric: str) -> DisclosureRule | None:
    """The rule for a metric's output; None for metrics that count no people (milestones,
    milestone_slippage)."""
    return _rules().get(metric)


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
    if column.endswith("_gbp") or column in NPV_MEASURES:
        return MONEY_DECIMALS
    if column in FTE_COLUMNS:
        return FTE_DECIMALS
    return FIXED_DECIMALS.get(column)
