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


def test_each_cluster_has_its_own_colour_and_none_is_the_grey_kept_for_other() -> None:
    colours = list(charts.CLUSTER_COLOURS.values())
    assert len(set(colours)) == len(colours) == 5
    assert charts.GREY not in colours and charts.GREY not in charts.COLOURS
    assert set(charts.COLOURS) | {charts.GREY} == set(charts.PALETTE)


def test_the_legend_sits_below_the_plot_and_the_title_above_it() -> None:
    figure = charts.trend_chart(TREND, charts.HEADCOUNT, "title", split="cluster")
    legend, title = figure.layout.legend, figure.layout.title
    # Both in the container's frame: the title at its top, the legend at its bottom, where
    # Plotly reserves the room the legend takes (so it covers neither plot nor axis titles).
    assert (legend.yref, legend.y, legend.yanchor, legend.orientation) == (
        "container",
        0,
        "bottom",
        "h",
    )
    assert (title.yref, title.y, title.yanchor) == ("container", 1, "top")
    assert figure.layout.margin.t >= 30 + charts.TITLE_LINE_PX  # room for the title's line


def test_a_long_title_wraps_to_read_whole_on_a_phone() -> None:
    long = "Ledger spend by account category, December 2025 to November 2026 (£ a month)"
    figure = charts.trend_chart(TREND, charts.HEADCOUNT, long)
    lines = figure.layout.title.text.split("<br>")
    assert len(lines) > 1 and all(len(line) <= charts.TITLE_WRAP for line in lines)
    assert " ".join(lines) == long
    assert figure.layout.margin.t == 30 + len(lines) * charts.TITLE_LINE_PX
    # A title from a delivery is escaped line by line: no tag is made of the line break.
    hostile = charts.trend_chart(TREND, charts.HEADCOUNT, "<b>x</b> " * 12)
    assert "<b>" not in hostile.layout.title.text and "&lt;b&gt;" in hostile.layout.title.text


def test_a_money_trend_is_in_pounds_billion_named_on_the_axis() -> None:
    paybill = TREND.with_columns((pl.col("headcount") * 3e8).alias("paybill_gbp"))
    figure = charts.trend_chart(
        paybill, charts.Measure("paybill_gbp", "Paybill", "£ a year", ",.0f"), "Paybill (£)"
    )
    assert figure.layout.yaxis.title.text == "Paybill (£bn a year)"
    assert figure.layout.title.text == "Paybill (£bn)"
    assert max(figure.data[0].y) == 1.8  # £1.8bn drawn as 1.8, never "1.80G"
    assert figure.layout.yaxis.tickformat == ","
    assert "£%{y:,.1f}bn a year" in figure.data[0].hovertemplate
