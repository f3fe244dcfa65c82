"""The programme and cost chart builders: titles, traces and markers, on hand-made frames."""

from __future__ import annotations

import json
from datetime import date

import plotly.graph_objects as go
import polars as pl
import pytest

from dashboard import charts_programme as cp

SLIPPAGE = pl.DataFrame(
    {
        "cluster": ["SYNERGY", "SYNERGY", "UNITY", "UNITY", "ALL"],
        "milestone_id": ["X1", "X1", "X2", "X2", "X3"],
        "extract_date": [date(2025, 11, 30), date(2025, 12, 31)] * 2 + [date(2025, 12, 31)],
        "title": ["Go-live", "Go-live", "Award", "Award", "Decommission"],
        "baseline_date": [date(2026, 3, 1)] * 2 + [date(2025, 12, 15)] * 2 + [date(2026, 6, 30)],
        "forecast_date": [date(2026, 3, 1), date(2026, 4, 15), date(2025, 12, 20), None,
                          date(2026, 6, 30)],
        "actual_date": [None, None, None, date(2025, 12, 18), None],
        "slip_days": [0, 45, 5, 3, 0],
    }
)  # fmt: skip
AS_AT = date(2025, 12, 31)


def title(figure: go.Figure) -> str:
    return figure.layout.title.text


LATEST = SLIPPAGE.filter(pl.col("extract_date") == AS_AT).with_columns(
    pl.Series("dca_rating", ["red", "amber_green", None]),
    pl.Series("stage", ["go_live", "contract_award", "legacy_decommission"]),
)  # X1 forecast 15 Apr (45 days late), X2 achieved 18 Dec (3 days), X3 on its baseline


def traces(figure: go.Figure) -> dict[str, go.Scatter]:
    return {t.name: t for t in figure.data}


def test_the_timeline_marks_each_milestone_in_its_ratings_colour_and_letters() -> None:
    figure = cp.milestone_timeline(LATEST, AS_AT, "Milestones (date)")
    assert title(figure) == "Milestones (date)"
    assert list(traces(figure)) == [
        "Baseline",
        "Amber/green (A/G)",
        "Red (R)",
        "Not rated (NR)",
        "Forecast date (diamond)",
        "Actual date (star)",
    ]
    baseline, amber_green, red, unrated = figure.data[:4]
    assert len(baseline.x) == 3 and baseline.marker.symbol == "circle-open"
    assert red.y == ("SYNERGY · X1 Go-live",) and red.x == (date(2026, 4, 15),)
    assert red.marker.color == "#D4351C" and red.text == ("R",)
    assert red.marker.symbol == ("diamond",)  # a forecast
    assert amber_green.y == ("UNITY · X2 Award",) and amber_green.x == (date(2025, 12, 18),)
    assert amber_green.marker.color == "#85994B" and amber_green.text == ("A/G",)
    assert amber_green.marker.symbol == ("star",)  # achieved: its actual date
    assert unrated.text == ("NR",) and unrated.marker.color == cp.DCA_COLOURS["unknown"]
    assert red.mode == "markers+text"  # the letters are drawn, not only hovered
    assert figure.layout.yaxis.categoryarray[-1] == "SYNERGY · X1 Go-live"  # top row first
    assert len(figure.layout.shapes) == 1  # the as-at line


def test_the_timeline_hover_says_it_all_in_words() -> None:
    figure = cp.milestone_timeline(LATEST, AS_AT, "Milestones (date)")
    red = traces(figure)["Red (R)"]
    assert list(red.customdata[0]) == [
        "SYNERGY · X1 Go-live",
        "Go-live",
        "Red",
        "1 March 2026",
        "15 April 2026",
        "[x]",
        "45 days after baseline",
    ]
    x3 = traces(figure)["Not rated (NR)"].customdata[0]
    assert list(x3[1:3]) == ["Old systems decommissioned", "Not rated"]
    assert x3[6] == "On its baseline"
    assert "Rating: %{customdata[2]}" in red.hovertemplate
    text = json.dumps(figure.to_plotly_json(), default=str)
    for code in ("amber_green", "contract_award", "legacy_decommission", "go_live"):
        assert code not in text


def test_the_timeline_without_ratings_marks_them_not_rated() -> None:
    figure = cp.milestone_timeline(SLIPPAGE.filter(pl.col("extract_date") == AS_AT), AS_AT, "M")
    (unrated,) = [t for t in figure.data if t.name == "Not rated (NR)"]
    assert len(unrated.x) == 3 and set(unrated.text) == {"NR"}
    assert unrated.customdata[0][1] == "Not given"  # no stage column


def test_the_timeline_of_nothing_says_so() -> None:
    figure = cp.milestone_timeline(SLIPPAGE.clear(), AS_AT, "Milestones (date)")
    assert figure.layout.annotations[-1].text == "No data for these filters"


def test_slippage_has_a_line_per_milestone() -> None:
    figure = cp.slippage_chart(SLIPPAGE, "Slip (days)")
    assert title(figure) == "Slip (days)"
    assert [t.name for t in figure.data] == ["X1 Go-live", "X2 Award", "X3 Decommission"]
    assert [list(t.y) for t in figure.data] == [[0, 45], [5, 3], [0]]
    assert figure.layout.yaxis.title.text == "Slip against baseline (days)"


def test_delivery_confidence_bars_are_labelled_in_words_best_first() -> None:
    ratings = pl.DataFrame(
        {"dca_rating": ["red", "amber", "green", "unknown"], "milestones": [1, 4, 2, 1]}
    )
    figure = cp.dca_chart(ratings, "Milestones by rating (count)")
    (bars,) = figure.data
    assert title(figure) == "Milestones by rating (count)"
    assert list(bars.x) == ["Green", "Amber", "Red", "Not rated"]
    assert list(bars.text) == ["Green: 2", "Amber: 4", "Red: 1", "Not rated: 1"]
    assert list(bars.marker.color) == ["#00703C", "#FFDD00", "#D4351C", "#B1B4B6"]


def test_rating_colours_step_in_lightness_best_to_worst_around_amber() -> None:
    def lightness(colour: str) -> float:
        r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    shades = [lightness(cp.DCA_COLOURS[r]) for r in ("green", "amber_green", "amber")]
    assert shades == sorted(shades)  # dark green, lighter olive, light yellow
    shades = [lightness(cp.DCA_COLOURS[r]) for r in ("amber", "amber_red", "red")]
    assert shades == sorted(shades, reverse=True)  # then darker to red
    assert len(set(cp.DCA_COLOURS.values())) == len(cp.DCA_COLOURS)
    assert set(cp.DCA_MARKS) == set(cp.DCA_LABELS) == set(cp.DCA_COLOURS)


def test_planned_and_realised_bars_by_financial_year() -> None:
    frame = pl.DataFrame(
        {
            "cluster": ["SYNERGY", "UNITY", "SYNERGY"],
            "financial_year": ["2024-25", "2024-25", "2025-26"],
            "planned_gbp": [100.0, 40.0, 200.0],
            "actual_gbp": [90.0, None, None],
        }
    )
    figure = cp.planned_actual_chart(frame, "Cashable savings (£)", "£")
    assert title(figure) == "Cashable savings (£)"
    assert [t.name for t in figure.data] == ["Planned", "Realised"]
    assert list(figure.data[0].x) == ["2024-25", "2025-26"]
    assert list(figure.data[0].y) == [140.0, 200.0]
    assert list(figure.data[1].y) == [90.0, None]  # nothing realised yet: no bar, not £0


def test_benefits_and_cost_are_never_one_chart() -> None:
    frame = pl.DataFrame(
        {
            "measure": ["cashable_saving", "non_cashable_efficiency", "programme_cost"],
            "financial_year": ["2024-25"] * 3,
            "planned_gbp": [100.0, 50.0, 200.0],
            "actual_gbp": [None, None, None],
        }
    )
    with pytest.raises(ValueError, match="never added together"):
        cp.planned_actual_chart(frame, "Benefits (£)", "£")
    gains = cp.planned_actual_chart(frame.head(2), "Benefits (£)", "£")  # benefits alone
    assert list(gains.data[0].y) == [150.0]


def test_spend_is_stacked_by_account_category_in_order() -> None:
    spend = pl.DataFrame(
        {
            "period": ["2026-01", "2025-12", "2026-01"],
            "account_category": ["consultancy", "payroll_salary", "payroll_salary"],
            "amount_gbp": [1000.0, 26000.0, 25000.0],
        }
    )
    figure = cp.spend_chart(spend, "Spend (£ a month)")
    assert title(figure) == "Spend (£ a month)"
    assert [t.name for t in figure.data] == ["Salary", "Consultancy"]
    assert list(figure.data[0].x) == ["2025-12", "2026-01"]
    assert figure.layout.barmode == "relative"


def test_bars_with_benchmarks() -> None:
    ratio = pl.DataFrame(
        {"cluster": ["SYNERGY", "UNITY"], "hr_per_100": [1.4, 0.8], "finance_per_100": [2.0, 3]}
    )
    figure = cp.bar_chart(
        ratio,
        "cluster",
        (("hr_per_100", "HR staff"), ("finance_per_100", "Finance staff")),
        "Staff per 100 employees (people per 100)",
        ("Cluster", "Staff per 100 employees"),
        references=((1.0, "Target"), (2.5, "2023")),
    )
    assert title(figure) == "Staff per 100 employees (people per 100)"
    assert [t.name for t in figure.data] == ["HR staff", "Finance staff"]
    assert [shape.y0 for shape in figure.layout.shapes] == [1.0, 2.5]
    assert [a.text for a in figure.layout.annotations] == ["Target", "2023"]
    assert figure.layout.yaxis.title.text == "Staff per 100 employees"
