"""The overview's headline figures, from metric frames: pure functions, no Streamlit.

A headline is read from the metrics' own rows (``workforce``, ``contingent``,
``benefits_cumulative``); the only arithmetic here is what joins two metrics or two dates:

* contingent share of FTE = contingent workers' FTE ÷ (payroll FTE + contingent FTE);
* turnover and cost per FTE are read as the ``turnover`` and ``cost_per_fte`` metrics give them
  (the 12 months to the date; the 12 complete accounting periods to the last complete one,
  :mod:`dashboard.periods`), and only over a whole year: a rate over a shorter window is not
  available (None), never a 0 that reads as nobody leaving or nothing spent;
* benefits realised against plan: the cumulative realised benefits (cashable savings and
  non-cashable efficiencies, programme cost left out) to the last financial year with a
  realised value, against the cumulative plan to the same year;
* changes since last month and last year: the same figure as at an earlier date.

Changes are measured from the latest extract date on or before the as-at date (the newest
data the figures can hold; :func:`comparison_base`): "last month" is the end of the month
before its month, and "last year" the same day a year earlier (a month-end stays a
month-end).  So a month-end's figures compare with the previous month-end's and a year-earlier
month-end's, and a date between extracts does not compare the same extract with itself.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from core.dates import add_months
from dashboard.formatting import (
    format_count,
    format_gbp,
    format_percent,
    format_short_date,
)
from queries.runner import CLUSTERS

BENEFIT_MEASURES = ("cashable_saving", "non_cashable_efficiency")
FULL_YEAR_PERIODS = 12  # accounting periods in a year's cost per FTE
FULL_YEAR_MONTH_ENDS = 13  # month-ends a year's turnover reads (12 pairs)


def comparison_base(as_at: date, dates: Sequence[date]) -> date:
    """The latest of the loaded extract ``dates`` (sorted) on or before ``as_at``; ``as_at``
    itself if there is none."""
    at = bisect.bisect_right(dates, as_at)
    return dates[at - 1] if at else as_at


def last_month(as_at: date) -> date:
    """The end of the month before ``as_at``'s month."""
    return as_at.replace(day=1) - timedelta(days=1)


def last_year(as_at: date) -> date:
    return add_months(as_at, -12)


@dataclass(frozen=True)
class Headline:
    """The headline figures of one group (everything in view, or one cluster) as at a date.

    ``None`` means not available (for the contingent share: the filters include one that
    contingent labour cannot apply; for benefits: none realised yet)."""

    headcount: int
    fte: float
    paybill_gbp: float
    contingent_share: float | None
    benefits_realised_gbp: float | None
    benefits_planned_gbp: float | None  # the plan to the same financial year
    benefits_to_year: str | None  # the last financial year with a realised value
    benefits_plan_gbp: float  # the whole approved profile
    turnover_rate: float | None = None  # leavers in the 12 months to the date ÷ avg headcount
    turnover_month_ends: int | None = None  # the month-ends it covers; 13 for a full year
    cost_per_fte_gbp: float | None = None  # annual cost per payroll FTE, 12 complete periods
    cost_months: int | None = None  # the complete accounting periods it covers; 12 for a year

    @property
    def benefits_against_plan(self) -> float | None:
        if self.benefits_realised_gbp is None or not self.benefits_planned_gbp:
            return None
        return self.benefits_realised_gbp / self.benefits_planned_gbp


def _total(frame: pl.DataFrame | None, column: str) -> float:
    if frame is None or frame.is_empty():
        return 0.0
    return float(frame[column].fill_null(0).sum())


def _only(frame: pl.DataFrame | None, column: str) -> float | None:
    """A one-row metric's (no dimensions) value; None without rows or with a null."""
    if frame is None or frame.is_empty():
        return None
    value = frame[column][0]
    return None if value is None else float(value)


def _count(frame: pl.DataFrame | None, column: str) -> int | None:
    value = _only(frame, column)
    return None if value is None else int(value)


def _over_a_year(value: float | None, covered: int | None, needed: int) -> float | None:
    """A rate only when its window is a whole year."""
    return value if covered is not None and covered >= needed else None


def headline(
    workforce: pl.DataFrame,
    contingent: pl.DataFrame | None,
    benefits: pl.DataFrame,
    turnover: pl.DataFrame | None = None,
    cost: pl.DataFrame | None = None,
) -> Headline:
    """The headline from a group's ``workforce`` and ``contingent`` rows (no rows: nobody) and
    its ``benefits_cumulative`` rows by financial year; ``contingent`` None: not available.
    ``turnover`` and ``cost`` are the ``turnover`` and ``cost_per_fte`` metrics' totals (one
    row); None, no rows or less than a year: not available."""
    fte = _total(workforce, "fte")
    contingent_fte = _total(contingent, "fte")
    share = None
    if contingent is not None and fte + contingent_fte > 0:
        share = contingent_fte / (fte + contingent_fte)
    leaving, months = _count(turnover, "month_ends_covered"), _count(cost, "months")
    years = benefits.sort("financial_year")
    realised = years.filter(pl.col("cumulative_actual_gbp").is_not_null())
    last = realised.row(-1, named=True) if realised.height else None
    return Headline(
        headcount=int(_total(workforce, "headcount")),
        fte=fte,
        paybill_gbp=_total(workforce, "paybill_gbp"),
        contingent_share=share,
        benefits_realised_gbp=last["cumulative_actual_gbp"] if last else None,
        benefits_planned_gbp=last["cumulative_planned_gbp"] if last else None,
        benefits_to_year=last["financial_year"] if last else None,
        benefits_plan_gbp=float(years["cumulative_planned_gbp"][-1]) if years.height else 0.0,
        turnover_rate=_over_a_year(_only(turnover, "turnover_rate"), leaving, FULL_YEAR_MONTH_ENDS),
        turnover_month_ends=leaving,
        cost_per_fte_gbp=_over_a_year(
            _only(cost, "annual_cost_per_fte_gbp"), months, FULL_YEAR_PERIODS
        ),
        cost_months=months,
    )


def by_cluster(
    clusters: tuple[str, ...],
    workforce: pl.DataFrame,
    contingent: pl.DataFrame | None,
    benefits: pl.DataFrame,
) -> dict[str, Headline]:
    """One headline per cluster, from frames grouped by ``cluster``."""

    def rows(frame: pl.DataFrame, cluster: str) -> pl.DataFrame:
        return frame.filter(pl.col("cluster") == cluster)

    return {
        c: headline(
            rows(workforce, c),
            None if contingent is None else rows(contingent, c),
            rows(benefits, c),
        )
        for c in clusters
    }


# --- how the figures read ---------------------------------------------------------------------


def format_fte(value: float | None) -> str:
    return format_count(value, decimals=1)


def format_points(value: float | None) -> str:
    """A change of a share, in percentage points: ``0.003`` reads ``0.3 pp``."""
    return f"{format_count(None if value is None else value * 100, 1)} pp"


@dataclass(frozen=True)
class Change:
    """A change as people write it: ``+12``, ``-£1.2m``, ``0``; ``arrow`` for ``st.metric``."""

    text: str
    arrow: str  # "auto" (the sign's), or "off" when it rounds to nothing


def change(now: float | None, then: float | None, fmt: Callable[[float], str]) -> Change | None:
    """The change from ``then`` to ``now`` in ``fmt``'s units, or None if either is missing."""
    if now is None or then is None:
        return None
    delta = now - then
    magnitude = fmt(abs(delta))
    if not any(ch.isdigit() and ch != "0" for ch in magnitude):
        return Change(fmt(0.0), "off")
    return Change(("+" if delta > 0 else "-") + magnitude, "auto")


def trend_table(frame: pl.DataFrame, measure: str, split: str | None) -> pl.DataFrame:
    """The trend's data as a reader's table: one row per month-end, one column per group
    (clusters in the contract's order, as in the chart's legend)."""
    if split is None:
        return frame.select("month_end", measure).sort("month_end")
    wide = frame.pivot(on=split, index="month_end", values=measure).sort("month_end")
    return wide.select("month_end", *sorted(wide.columns[1:], key=cluster_rank))


def cluster_rank(group: str) -> tuple[int, str]:
    """Clusters in the contract's order, anything else after them by name."""
    return (CLUSTERS.index(group) if group in CLUSTERS else len(CLUSTERS), group)


BADGES = {
    "current": ":green-badge[:material/check_circle: Current]",
    "stale": ":orange-badge[:material/schedule: Stale]",
    "absent": ":gray-badge[:material/block: No data]",
}


def freshness_label(status: str, extract_date: date | None, as_at: date) -> str:
    """A cluster's freshness as a badge (icon and word, not colour alone) and the date of the
    extract its figures come from: ``:green-badge[...Current] 28 Feb 2026``."""
    if status == "absent" or extract_date is None:
        return f"{BADGES['absent']} none by {format_short_date(as_at)}"
    return f"{BADGES.get(status, status)} {format_short_date(extract_date)}"


def realised_text(h: Headline) -> str:
    """Benefits realised so far: ``£179.9m`` (``£1.0bn``: a tile's precision), or ``None
    yet``."""
    realised = h.benefits_realised_gbp
    return "None yet" if realised is None else format_gbp(realised, fixed=True)


def benefits_text(h: Headline) -> str:
    """Benefits realised against plan: ``85.7% of £13.6m planned to 2025-26``."""
    if h.benefits_to_year is None:
        return "None realised yet"
    if not h.benefits_planned_gbp:
        return f"None planned to {h.benefits_to_year}"
    return (
        f"{format_percent(h.benefits_against_plan)} of {format_gbp(h.benefits_planned_gbp)} "
        f"planned to {h.benefits_to_year}"
    )


def cluster_table(
    now: dict[str, Headline],
    before: dict[str, Headline],
    month: date,
    freshness: dict[str, str],
) -> str:
    """The clusters side by side as a Markdown table: a column per cluster, a row per figure."""
    clusters = list(now)

    def row(label: str, cells: list[str]) -> str:
        return "| " + " | ".join([label, *cells]) + " |"

    def moved(c: str) -> str:
        found = change(now[c].headcount, before[c].headcount, format_count)
        return found.text if found else MISSING_TEXT

    lines = [
        row("", [f"**{c}**" for c in clusters]),
        "|:--" + "|--:" * len(clusters) + "|",
        row("Data", [freshness[c] for c in clusters]),
        row("Headcount", [format_count(now[c].headcount) for c in clusters]),
        row(f"Change since {format_short_date(month)}", [moved(c) for c in clusters]),
        row("FTE", [format_fte(now[c].fte) for c in clusters]),
        row(  # one precision along the row: £1.0bn beside £293.3m
            "Paybill (£ a year)", [format_gbp(now[c].paybill_gbp, fixed=True) for c in clusters]
        ),
        row("Contingent share of FTE", [format_percent(now[c].contingent_share) for c in clusters]),
        row("Benefits realised", [realised_text(now[c]) for c in clusters]),
        row("Against plan", [benefits_text(now[c]) for c in clusters]),
    ]
    return "\n".join(lines)


MISSING_TEXT = format_count(None)
