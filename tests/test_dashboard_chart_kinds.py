"""dashboard.charts by kind (issue 17): one house style, one "no data" note, one bar chart.

Every kind of chart drawn from an empty frame says so with the template's one note, in the
same words and the same place, and says nothing of the kind when it has data.  The note and
the plain bar chart are each defined once in the dashboard.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest

from dashboard.charts import bar, diverging, heatmap, line, pyramid, stacked, template, timeline
from dashboard.charts.measures import FTE, HEADCOUNT

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"
DAY = date(2026, 2, 28)

TREND = pl.DataFrame({"cluster": ["UNITY"], "month_end": [DAY], "headcount": [4]})
SLIPPAGE = pl.DataFrame(
    {
        "cluster": ["UNITY"],
        "milestone_id": ["X1"],
        "title": ["Go-live"],
        "extract_date": [DAY],
        "baseline_date": [date(2026, 3, 1)],
        "forecast_date": [date(2026, 4, 1)],
        "actual_date": [None],
        "slip_days": [31],
        "dca_rating": ["amber"],
    }
)
CLUSTERS = pl.DataFrame({"cluster": ["UNITY"], "headcount": [4], "hr_per_100": [1.5]})
RATINGS = pl.DataFrame({"dca_rating": ["green"], "milestones": [2]})
BENEFITS = pl.DataFrame({"financial_year": ["2026-27"], "planned_gbp": [1e6], "actual_gbp": [5e5]})
SPEND = pl.DataFrame(
    {"period": ["2026-10"], "account_category": ["consultancy"], "amount_gbp": [1e6]}
)
MOVERS = pl.DataFrame({"cluster": ["UNITY"], "fte_change": [1.5]})
GRADES = pl.DataFrame({"grade": ["EO"], "headcount": [4]})
SHARES = pl.DataFrame({"grade": ["EO"], "women_share": [0.5], "ethnic_minority_share": [0.1]})
MOVES = pl.DataFrame(
    {"from_cluster": ["UNITY"], "to_cluster": ["MATRIX"], "moves": [10], "moves_text": ["10"]}
)

# Each kind's builder, given a frame: (the frame with data, the builder).
KINDS: dict[str, tuple[pl.DataFrame, Callable[[pl.DataFrame], go.Figure]]] = {
    "line: trend": (TREND, lambda f: line.trend_chart(f, HEADCOUNT, "Headcount (people)")),
    "line: slippage": (SLIPPAGE, lambda f: line.slippage_chart(f, "Slip (days)")),
    "bar: one measure": (
        CLUSTERS,
        lambda f: bar.bar_chart(f, "cluster", HEADCOUNT, "Headcount (people)", horizontal=True),
    ),
    "bar: series side by side": (
        CLUSTERS,
        lambda f: bar.bar_chart(
            f, "cluster", (("hr_per_100", "HR staff"),), "HR (per 100)", ("Cluster", "Per 100")
        ),
    ),
    "bar: ratings": (RATINGS, lambda f: bar.dca_chart(f, "Milestones (count)")),
    "bar: planned and realised": (
        BENEFITS,
        lambda f: bar.planned_actual_chart(f, "Savings (£)", "Savings (£)"),
    ),
    "stacked: spend": (SPEND, lambda f: stacked.spend_chart(f, "Spend (£ a month)")),
    "diverging: movers": (
        MOVERS,
        lambda f: diverging.movers_chart(f, "cluster", FTE, "Movers (FTE)"),
    ),
    "pyramid: grades": (GRADES, lambda f: pyramid.grade_pyramid(f, HEADCOUNT, "By grade")),
    "pyramid: shares": (SHARES, lambda f: pyramid.shares_chart(f, "Shares (%)")),
    "heatmap: moves": (MOVES, lambda f: heatmap.moves_matrix(f)),
    "timeline: milestones": (SLIPPAGE, lambda f: timeline.milestone_timeline(f, DAY, "M (date)")),
}


def notes(figure: go.Figure) -> list[go.layout.Annotation]:
    return [a for a in figure.layout.annotations if a.text == template.NO_DATA]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_says_no_data_in_the_one_note(kind: str) -> None:
    frame, build = KINDS[kind]
    (note,) = notes(build(frame.clear()))
    expected = template.no_data(go.Figure(), empty=True).layout.annotations[0]
    assert note.to_plotly_json() == expected.to_plotly_json()  # same words, same place
    assert note.text == "No data for these filters"
    assert notes(build(frame)) == []  # with data: no note


def test_the_note_and_the_bar_chart_are_each_written_once() -> None:
    sources = {
        path.relative_to(DASHBOARD).as_posix(): path.read_text(encoding="utf-8")
        for path in DASHBOARD.rglob("*.py")
    }
    assert [p for p, s in sources.items() if "No data for these filters" in s] == [
        "charts/template.py"
    ]
    assert [p for p, s in sources.items() if re.search(r"^def bar_chart\(", s, re.M)] == [
        "charts/bar.py"
    ]
    assert not [p for p, s in sources.items() if re.search(r"^def _?layout\(", s, re.M)][1:]


def test_the_one_bar_chart_draws_one_measure_and_side_by_side_series() -> None:
    one = bar.bar_chart(CLUSTERS, "cluster", HEADCOUNT, "Headcount (people)")
    assert one.layout.yaxis.title.text == "Headcount (people)"
    assert one.data[0].marker.color == template.PALETTE[0] and not one.layout.showlegend
    two = bar.bar_chart(
        CLUSTERS,
        "cluster",
        (("headcount", "People"), ("hr_per_100", "HR staff")),
        "Two (mixed)",
        ("Cluster", "Values"),
        references=((1.0, "Target"),),
    )
    assert [t.name for t in two.data] == ["People", "HR staff"]
    assert [t.marker.color for t in two.data] == list(template.COLOURS[:2])
    assert two.layout.barmode == "group" and two.layout.showlegend
    assert [s.y0 for s in two.layout.shapes] == [1.0]


def test_chart_builders_import_no_streamlit() -> None:
    """Pure builders, tested alone: only the figure cache may use Streamlit."""
    for path in sorted((DASHBOARD / "charts").glob("*.py")):
        if path.name == "cache.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^(import|from) streamlit\b", text, re.M), path.name
