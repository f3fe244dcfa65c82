"""The programme and cost chart builders: titles, traces and markers, on hand-made frames."""

from __future__ import annotations

import json
from datetime import date

import plotly.graph_objects as go
import polars as pl
import pytest

from dashboard import charts as cp
from dashboard import charts as cs
from dashboard import tables
from dashboard.charts import GREY, PALETTE

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
    """The figure's title on one line (a long one is wrapped to fit a phone)."""
    return figure.layout.title.text.replace("<br>", " ")


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


def test_spend_is_stacked_by_group_of_account_categories_in_order() -> None:
    spend = pl.DataFrame(
        {
            "period": ["2026-01", "2025-12", "2026-01", "2026-01"],
            "account_category": [
                "consultancy", "payroll_salary", "payroll_salary", "payroll_employer_ni",
            ],
            "amount_gbp": [1000.0, 26000.0, 25000.0, 3000.0],
        }
    )  # fmt: skip
    figure = cs.spend_chart(spend, "Spend (£ a month)")
    assert title(figure) == "Spend (£ a month)"
    assert [t.name for t in figure.data] == ["Pay spend", "Consultancy"]
    assert list(figure.data[0].x) == ["2025-12", "2026-01"]
    assert list(figure.data[0].y) == [26000.0, 28000.0]  # salary and employer NI: pay spend
    assert figure.layout.barmode == "relative"


SPEND = pl.DataFrame(
    {
        "period": [p for p in ("2026-09", "2026-10", "2026-11 (partial)") for _ in range(7)],
        "account_category": [
            "payroll_salary", "contingent_labour", "consultancy", "programme_cost",
            "it_systems", "estates", "other_non_pay",
        ] * 3,
        "amount_gbp": [100e6, 5e6, 2e6, 8e6, 3e6, 1e6, 1e6] * 2
        + [50e6, 2e6, 1e6, 4e6, 1e6, 1e6, 1e6],
    }
)  # fmt: skip


def test_spend_groups_have_distinct_palette_colours_and_only_other_is_grey() -> None:
    figure = cs.spend_chart(SPEND, "Spend (£ a month)")
    colours = {t.name: t.marker.color for t in figure.data}
    assert list(colours) == [
        "Pay spend",
        "Contingent labour",
        "Consultancy",
        "Programme cost",
        "IT systems and estates",
        "Other non-pay",
    ]
    assert len(set(colours.values())) == len(colours)  # each group its own colour
    assert colours["Other non-pay"] == GREY
    named = [c for name, c in colours.items() if name != "Other non-pay"]
    assert set(named) <= set(PALETTE) and GREY not in named  # the palette's, grey for other
    assert not any(t.name.islower() or "_" in t.name for t in figure.data)  # no raw codes


def test_spend_is_in_pounds_million_named_in_the_axis_title_never_si() -> None:
    figure = cs.spend_chart(SPEND, "Ledger spend (£ a month)")
    assert figure.layout.yaxis.title.text == "Spend (£m in the month)"
    assert title(figure) == "Ledger spend (£m a month)"
    assert figure.data[0].y[0] == pytest.approx(100.0)  # £100m drawn as 100
    assert "s" not in (figure.layout.yaxis.tickformat or "")  # no SI suffix (M, G)
    assert not figure.layout.yaxis.tickprefix
    assert "£%{y:,.1f}m" in figure.data[0].hovertemplate


def test_a_partial_month_is_hatched_and_left_out_of_the_average() -> None:
    figure = cs.spend_chart(SPEND, "Spend (£ a month)", partial={"2026-11 (partial)"})
    for trace in figure.data:
        shapes = dict(zip(trace.x, trace.marker.pattern.shape, strict=True))
        assert shapes == {"2026-09": "", "2026-10": "", "2026-11 (partial)": "/"}
    (average,) = [s for s in figure.layout.shapes if s.type == "line"]
    assert average.y0 == pytest.approx(120.0)  # £120m a month over the two complete months
    assert tables.complete_average(SPEND) == pytest.approx((120e6 * 2 + 60e6) / 3)
    assert "complete months" in figure.layout.annotations[0].text


def test_money_bars_are_scaled_with_the_unit_in_the_titles() -> None:
    npv = pl.DataFrame({"cluster": ["SYNERGY", "UNITY"], "forecast_npv": [1.2e9, 3.0e8]})
    figure = cp.bar_chart(
        npv,
        "cluster",
        (("forecast_npv", "Forecast"),),
        "Net present value by cluster (£)",
        ("Cluster", "Net present value (£, 2026-27 values)"),
        prefix="£",
    )
    assert title(figure) == "Net present value by cluster (£bn)"
    assert figure.layout.yaxis.title.text == "Net present value (£bn, 2026-27 values)"
    assert list(figure.data[0].y) == pytest.approx([1.2, 0.3])
    assert not figure.layout.yaxis.tickprefix and figure.layout.yaxis.tickformat == ","
    gains = cp.planned_actual_chart(
        pl.DataFrame(
            {"financial_year": ["2025-26"], "planned_gbp": [2.5e8], "actual_gbp": [1.0e8]}
        ),
        "Cashable savings: planned and realised (£)",
        "Cashable savings (£)",
    )
    assert title(gains) == "Cashable savings: planned and realised (£m)"
    assert gains.layout.yaxis.title.text == "Cashable savings (£m)"
    assert list(gains.data[0].y) == pytest.approx([250.0])
    assert "s" not in gains.layout.yaxis.tickformat


def test_slippage_names_five_milestones_in_colour_and_greys_the_others() -> None:
    many = pl.DataFrame(
        {
            "milestone_id": [f"M{i}" for i in range(8)],
            "title": ["Go-live"] * 8,
            "extract_date": [AS_AT] * 8,
            "slip_days": [10, 80, 0, 30, 70, 5, 60, 90],
        }
    )
    figure = cp.slippage_chart(many, "Slip (days)")
    coloured = [t for t in figure.data if t.line.color != GREY]
    assert [t.name for t in coloured] == [f"M{i} Go-live" for i in (1, 3, 4, 6, 7)]
    assert len({t.line.color for t in coloured}) == 5  # the five furthest, each its own colour
    others = [t for t in figure.data if t.line.color == GREY]
    assert {t.name for t in others} == {"Other milestones"}
    assert [t.showlegend for t in others] == [True, False, False]  # one key for the others


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
