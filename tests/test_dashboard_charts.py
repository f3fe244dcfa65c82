"""dashboard.charts: figures are titled, name their units, and keep each cluster's colour."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from dashboard import charts

TREND = pl.DataFrame(
    {
        "cluster": ["UNITY", "SYNERGY", "SYNERGY", "UNITY"],
        "month_end": [date(2026, 1, 31), date(2026, 2, 28), date(2026, 1, 31), date(2026, 2, 28)],
        "headcount": [2, 5, 6, 4],
    }
)


def test_one_line_of_the_total() -> None:
    total = TREND.group_by("month_end").agg(pl.col("headcount").sum())
    figure = charts.trend_chart(total, charts.HEADCOUNT, "Headcount at each month-end (people)")
    assert figure.layout.title.text == "Headcount at each month-end (people)"
    assert figure.layout.yaxis.title.text == "Headcount (people)"
    assert figure.layout.xaxis.title.text == "Month-end"
    (line,) = figure.data
    assert list(line.x) == [date(2026, 1, 31), date(2026, 2, 28)]  # in date order
    assert list(line.y) == [8, 9]
    assert "%{y:,.0f} people" in line.hovertemplate  # 12,345 people
    assert figure.layout.yaxis.rangemode == "tozero"
    assert figure.layout.xaxis.dtick == "M1"  # two month-ends: never "Feb 2026" twice
    assert not figure.layout.showlegend


def test_a_line_per_cluster_in_the_contract_order_and_colours() -> None:
    figure = charts.trend_chart(TREND, charts.HEADCOUNT, "title", split="cluster")
    assert [trace.name for trace in figure.data] == ["SYNERGY", "UNITY"]
    assert [trace.line.color for trace in figure.data] == [
        charts.CLUSTER_COLOURS["SYNERGY"],
        charts.CLUSTER_COLOURS["UNITY"],
    ]
    assert list(figure.data[1].y) == [2, 4]
    assert figure.layout.showlegend


def test_no_rows_says_so() -> None:
    figure = charts.trend_chart(
        TREND.rename({"headcount": "fte"}).clear(), charts.FTE, "FTE (full-time equivalents)"
    )
    assert [a.text for a in figure.layout.annotations] == ["No data for these filters"]
    assert figure.layout.yaxis.title.text == "FTE (full-time equivalents)"


def test_palette_matches_the_theme() -> None:
    theme = (Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text()
    assert all(colour in theme for colour in charts.PALETTE)


def test_month_ticks_thin_out_over_longer_spans() -> None:
    assert [charts.month_ticks(n) for n in (1, 13, 14, 25, 30, 31, 61)] == [
        "M1", "M1", "M3", "M3", "M3", "M6", "M12",
    ]  # fmt: skip
