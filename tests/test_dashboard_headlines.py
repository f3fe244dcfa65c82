"""dashboard.headlines: the overview's figures from metric rows, and how they read."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from core.dates import add_months, month_end
from dashboard import headlines as hl


@pytest.mark.parametrize(
    ("as_at", "month", "year"),
    [
        (date(2026, 2, 28), date(2026, 1, 31), date(2025, 2, 28)),
        (date(2026, 11, 24), date(2026, 10, 31), date(2025, 11, 24)),
        (date(2024, 2, 29), date(2024, 1, 31), date(2023, 2, 28)),
        (date(2026, 3, 31), date(2026, 2, 28), date(2025, 3, 31)),
        (date(2026, 1, 1), date(2025, 12, 31), date(2025, 1, 1)),
    ],
)
def test_comparison_dates(as_at: date, month: date, year: date) -> None:
    assert hl.last_month(as_at) == month
    assert hl.last_year(as_at) == year


def test_changes_are_measured_from_the_latest_extract_used() -> None:
    dates = (date(2026, 4, 30), date(2026, 5, 31), date(2026, 11, 24))
    assert hl.comparison_base(date(2026, 6, 15), dates) == date(2026, 5, 31)
    assert hl.comparison_base(date(2026, 11, 24), dates) == date(2026, 11, 24)
    assert hl.comparison_base(date(2026, 1, 1), dates) == date(2026, 1, 1)  # none before


def test_add_months_keeps_month_ends() -> None:
    assert add_months(date(2026, 2, 28), -24) == date(2024, 2, 29)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 15), -13) == date(2024, 12, 15)
    assert month_end(date(2024, 2, 3)) == date(2024, 2, 29)


WORKFORCE = pl.DataFrame({"headcount": [10], "fte": [9.1], "paybill_gbp": [388_000.0]})
CONTINGENT = pl.DataFrame({"workers": [2], "fte": [1.5], "annualised_cost_gbp": [154_000.0]})
BENEFITS = pl.DataFrame(
    {
        "financial_year": ["2026-27", "2024-25", "2025-26"],
        "planned_gbp": [300.0, 100.0, 150.0],
        "actual_gbp": [None, 90.0, 80.0],
        "cumulative_planned_gbp": [550.0, 100.0, 250.0],
        "cumulative_actual_gbp": [None, 90.0, 170.0],
    }
)


def test_headline_from_the_metrics_rows() -> None:
    got = hl.headline(WORKFORCE, CONTINGENT, BENEFITS)
    assert (got.headcount, got.fte, got.paybill_gbp) == (10, 9.1, 388_000.0)
    assert got.contingent_share == pytest.approx(1.5 / 10.6)
    # Realised to the last year with a realised figure, against the plan to that year.
    assert (got.benefits_realised_gbp, got.benefits_planned_gbp) == (170.0, 250.0)
    assert got.benefits_to_year == "2025-26"
    assert got.benefits_against_plan == pytest.approx(0.68)
    assert got.benefits_plan_gbp == 550.0
    assert hl.benefits_text(got) == "68.0% of £250 planned to 2025-26"


def test_no_rows_is_nobody_and_no_benefits_yet() -> None:
    empty = WORKFORCE.clear()
    got = hl.headline(empty, None, BENEFITS.clear())
    assert (got.headcount, got.fte, got.paybill_gbp) == (0, 0.0, 0.0)
    assert got.contingent_share is None  # not available, not 0%
    assert got.benefits_realised_gbp is None
    assert hl.realised_text(got) == "None yet"
    assert hl.benefits_text(got) == "None realised yet"


def test_by_cluster_splits_grouped_rows() -> None:
    workforce = pl.DataFrame(
        {"cluster": ["SYNERGY", "UNITY"], "headcount": [5, 4], "fte": [4.6, 3.5],
         "paybill_gbp": [179_000.0, 137_000.0]}
    )  # fmt: skip
    contingent = pl.DataFrame({"cluster": ["SYNERGY"], "workers": [2], "fte": [1.5]})
    benefits = BENEFITS.with_columns(cluster=pl.lit("SYNERGY"))
    got = hl.by_cluster(("SYNERGY", "UNITY", "MATRIX"), workforce, contingent, benefits)
    assert [got[c].headcount for c in ("SYNERGY", "UNITY", "MATRIX")] == [5, 4, 0]
    assert got["UNITY"].contingent_share == 0.0
    assert got["UNITY"].benefits_to_year is None


@pytest.mark.parametrize(
    ("now", "then", "fmt", "text", "arrow"),
    [
        (10, 8, hl.format_count, "+2", "auto"),
        (4, 10, hl.format_count, "-6", "auto"),
        (10, 10, hl.format_count, "0", "off"),
        (9.1, 9.6, hl.format_fte, "-0.5", "auto"),
        (388_000.0, 403_000.0, hl.format_gbp, "-£15k", "auto"),
        (0.1415, 0.0943, hl.format_points, "+4.7 pp", "auto"),
        (0.1, 0.1004, hl.format_points, "0.0 pp", "off"),
    ],
)
def test_changes_read_as_people_write_them(now, then, fmt, text, arrow) -> None:
    assert hl.change(now, then, fmt) == hl.Change(text, arrow)


def test_no_change_without_both_figures() -> None:
    assert hl.change(10, None, hl.format_count) is None
    assert hl.change(None, 10, hl.format_count) is None


def test_freshness_labels_say_it_in_words_not_colour_alone() -> None:
    feb = date(2026, 2, 28)
    assert hl.freshness_label("current", feb, feb).endswith("Current] 28 Feb 2026")
    assert "Stale]" in hl.freshness_label("stale", date(2026, 1, 31), feb)
    assert hl.freshness_label("absent", None, feb).endswith("No data] none by 28 Feb 2026")


def test_cluster_table_puts_the_clusters_side_by_side() -> None:
    now = hl.by_cluster(("SYNERGY",), WORKFORCE.with_columns(cluster=pl.lit("SYNERGY")),
                        None, BENEFITS.with_columns(cluster=pl.lit("SYNERGY")))  # fmt: skip
    before = hl.by_cluster(("SYNERGY",), WORKFORCE.clear().with_columns(cluster=pl.lit("x")),
                           None, BENEFITS.clear().with_columns(cluster=pl.lit("x")))  # fmt: skip
    table = hl.cluster_table(now, before, date(2026, 1, 31), {"SYNERGY": "fresh"}).splitlines()
    assert table[0] == "|  | **SYNERGY** |"
    assert "| Headcount | 10 |" in table
    assert "| Change since 31 Jan 2026 | +10 |" in table
    assert "| Paybill (£ a year) | £388.0k |" in table  # one precision along the row
    assert "| Contingent share of FTE | [x] |" in table
    assert "| Against plan | 68.0% of £250 planned to 2025-26 |" in table


def test_trend_table_is_one_row_per_month_end() -> None:
    trend = pl.DataFrame(
        {
            "cluster": ["UNITY", "SYNERGY", "UNITY", "SYNERGY"],  # SYNERGY first, as listed
            "month_end": [date(2026, 2, 28)] * 2 + [date(2026, 1, 31)] * 2,
            "headcount": [4, 5, 2, 6],
        }
    )
    wide = hl.trend_table(trend, "headcount", "cluster")
    assert wide.columns == ["month_end", "SYNERGY", "UNITY"]
    assert wide.rows() == [(date(2026, 1, 31), 6, 2), (date(2026, 2, 28), 5, 4)]
    total = trend.group_by("month_end").agg(pl.col("headcount").sum())
    assert hl.trend_table(total, "headcount", None)["headcount"].to_list() == [8, 9]


TURNOVER = pl.DataFrame(
    {"period_end": [date(2026, 2, 28)], "month_ends_covered": [13], "leavers": [12],
     "average_headcount": [100.0], "turnover_rate": [0.12]}
)  # fmt: skip
COST = pl.DataFrame(
    {"cost_gbp": [5_400_000.0], "months": [12], "average_fte": [100.0],
     "cost_per_fte_gbp": [54_000.0], "annual_cost_per_fte_gbp": [54_000.0]}
)  # fmt: skip


def test_turnover_and_cost_per_fte_are_read_from_their_metrics() -> None:
    got = hl.headline(WORKFORCE, CONTINGENT, BENEFITS, TURNOVER, COST)
    assert (got.turnover_rate, got.turnover_month_ends) == (0.12, 13)
    assert (got.cost_per_fte_gbp, got.cost_months) == (54_000.0, 12)
    assert hl.format_gbp(got.cost_per_fte_gbp) == "£54k"
    assert hl.format_percent(got.turnover_rate) == "12.0%"


def test_turnover_and_cost_per_fte_without_rows_are_not_available() -> None:
    for turnover, cost in ((None, None), (TURNOVER.clear(), COST.clear())):
        got = hl.headline(WORKFORCE, CONTINGENT, BENEFITS, turnover, cost)
        assert (got.turnover_rate, got.cost_per_fte_gbp) == (None, None)
        assert hl.format_percent(got.turnover_rate) == "[x]"
        assert hl.change(got.turnover_rate, 0.1, hl.format_points) is None
    no_fte = COST.with_columns(pl.lit(None, pl.Float64).alias("annual_cost_per_fte_gbp"))
    assert hl.headline(WORKFORCE, None, BENEFITS, cost=no_fte).cost_per_fte_gbp is None


def test_less_than_a_year_is_not_available_rather_than_a_part_year_rate() -> None:
    # Two month-ends with nobody leaving read 0.0% before; two months of cost were scaled up.
    short = hl.headline(
        WORKFORCE, None, BENEFITS,
        TURNOVER.with_columns(month_ends_covered=pl.lit(2), leavers=pl.lit(0),
                              turnover_rate=pl.lit(0.0)),
        COST.with_columns(months=pl.lit(11)),
    )  # fmt: skip
    assert (short.turnover_rate, short.turnover_month_ends) == (None, 2)
    assert (short.cost_per_fte_gbp, short.cost_months) == (None, 11)
    assert hl.change(short.cost_per_fte_gbp, 54_000.0, hl.format_gbp) is None


@pytest.mark.parametrize(
    ("now", "then", "fmt", "text"),
    [
        (0.2, 0.0, hl.format_points, "+20.0 pp"),
        (0.118, 0.125, hl.format_points, "-0.7 pp"),
        (54_000.0, 52_500.0, hl.format_gbp, "+£1.5k"),
    ],
)
def test_turnover_and_cost_changes(now, then, fmt, text) -> None:
    assert hl.change(now, then, fmt).text == text
