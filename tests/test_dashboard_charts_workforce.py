"""The workforce and flows pages' chart builders and table shaping, without Streamlit."""

from __future__ import annotations

import polars as pl

from core.contract import REGIONS
from dashboard import charts as cw
from dashboard import tables
from dashboard.charts import FTE, HEADCOUNT


def test_bar_chart_has_a_title_units_and_a_bar_per_row() -> None:
    frame = pl.DataFrame({"cluster": ["UNITY", "MATRIX"], "headcount": [4, 1]})
    figure = cw.bar_chart(frame, "cluster", HEADCOUNT, "Headcount by cluster (people)")
    assert figure.layout.title.text == "Headcount by cluster (people)"
    assert figure.layout.yaxis.title.text == "Headcount (people)"
    assert list(figure.data[0].x) == ["UNITY", "MATRIX"]
    assert list(figure.data[0].y) == [4, 1]


def test_horizontal_bars_keep_the_frame_order_top_down_and_use_labels() -> None:
    frame = pl.DataFrame({"organisation_code": ["DWP", "HO"], "fte": [3.5, 1.0]})
    figure = cw.bar_chart(
        frame,
        "organisation_code",
        FTE,
        "FTE",
        labels={"DWP": "Work and Pensions (DWP)"},
        horizontal=True,
    )
    assert list(figure.data[0].y) == ["Work and Pensions (DWP)", "HO"]
    assert list(figure.layout.yaxis.categoryarray) == ["HO", "Work and Pensions (DWP)"]
    assert figure.layout.xaxis.title.text == "FTE (full-time equivalents)"


def test_an_empty_bar_chart_says_so() -> None:
    frame = pl.DataFrame(schema={"grade": pl.String, "headcount": pl.Int64})
    figure = cw.bar_chart(frame, "grade", HEADCOUNT, "Headcount by grade (people)")
    assert figure.layout.annotations[0].text == "No data for these filters"


def test_grade_pyramid_runs_from_aa_to_ps_then_unknown() -> None:
    frame = pl.DataFrame(
        {"grade": ["unknown", "G7", "AA", "PS", "EO"], "headcount": [1, 2, 3, 4, 5]}
    )
    figure = cw.grade_pyramid(frame, HEADCOUNT, "Headcount by grade (people)")
    assert figure.layout.title.text == "Headcount by grade (people)"
    assert len(figure.data[0].y) == 5
    # Plotly draws the first category at the bottom.
    assert list(figure.layout.yaxis.categoryarray) == ["AA", "EO", "G7", "PS", "Not recorded"]
    assert figure.data[0].orientation == "h"


def test_region_tiles_one_per_itl1_code_with_names() -> None:
    frame = pl.DataFrame({"region": ["TLI", "TLD", "unknown"], "headcount": [3, 7, 2]})
    figure = cw.region_tiles(frame, HEADCOUNT, "Headcount by ITL1 region (people)")
    assert figure.layout.title.text == "Headcount by ITL1 region (people)"
    assert set(cw.TILES) == set(REGIONS)
    (trace,) = figure.data
    assert len(trace.x) == len(REGIONS) == 13
    colours = dict(zip([c[1] for c in trace.customdata], trace.marker.color, strict=True))
    assert colours["TLI"] == 3 and colours["TLD"] == 7 and colours["OVERSEAS"] == 0
    assert "London<br><b>3</b>" in trace.text
    assert len(set(zip(trace.x, trace.y, strict=True))) == 13  # no two tiles overlap


def test_waterfall_steps_add_up_to_the_end() -> None:
    row = {
        "headcount_start": 2,
        "joiners": 1,
        "leavers": 1,
        "transfers_in": 2,
        "transfers_out": 0,
        "headcount_end": 4,
    }
    figure = cw.flows_waterfall(row, "Headcount from A to B (people)")
    (trace,) = figure.data
    assert figure.layout.title.text == "Headcount from A to B (people)"
    assert list(trace.x) == ["Start", "Joiners", "Leavers", "Transfers in", "Transfers out", "End"]
    assert list(trace.measure) == ["absolute", *["relative"] * 4, "total"]
    assert list(trace.y) == [2, 1, -1, 2, 0, 4]
    assert sum(trace.y[:-1]) == trace.y[-1]
    assert figure.layout.yaxis.title.text == "Headcount (people)"


def test_diversity_shares_only_where_the_counts_are_shown() -> None:
    frame = pl.DataFrame(
        {
            "grade": ["AO", "EO", "G7"],
            "headcount": [40, 30, 3],
            "women": [20, 10, 1],
            "sex_recorded": [40, 30, 3],
            "ethnic_minority": [10, 2, 0],
            "ethnicity_known": [40, 30, 3],
            "women_share": [0.5, 1 / 3, 1 / 3],
            "ethnic_minority_share": [0.25, 2 / 30, 0.0],
        }
    )
    table = tables.diversity_table(frame, ("grade",)).sort("grade")
    rows = {r["grade"]: r for r in table.iter_rows(named=True)}
    assert rows["AO"]["women_share"] == 0.5
    assert rows["AO"]["women_share_text"] == "50.0%"
    assert rows["G7"]["headcount_text"] == "[c]"  # under 5 people: suppressed whole
    assert rows["G7"]["women_share"] is None
    assert rows["G7"]["women_share_text"] == "[c]"
    assert rows["EO"]["ethnic_minority_share_text"] == "[c]"  # 2 ethnic minority: under 5
    figure = cw.shares_chart(table, "Women and ethnic minorities by grade (%)")
    assert [trace.name for trace in figure.data] == ["Women", "Ethnic minority"]
    assert len(figure.data[0].y) == 3


def test_movers_chart_tells_increases_from_decreases_not_by_colour_alone() -> None:
    movers = pl.DataFrame(
        {"organisation_code": ["DWP", "MOJ", "CO"], "headcount_change": [-3, 2, -1]}
    )
    figure = cw.movers_chart(
        movers,
        "organisation_code",
        HEADCOUNT,
        "The largest movers (people)",
        labels={"DWP": "Department for Work and Pensions (DWP)"},
    )
    rise, fall = figure.data
    assert (rise.name, list(rise.y), list(rise.x), list(rise.text)) == (
        "Increase",
        ["MOJ"],
        [2],
        ["+2"],
    )
    assert (fall.name, list(fall.y), list(fall.x)) == (
        "Decrease",
        ["Department for Work and Pensions (DWP)", "CO"],
        [-3, -1],
    )
    assert list(fall.text) == ["\u22123", "\u22121"]  # a minus sign on each bar
    assert rise.marker.color != fall.marker.color
    # Largest first, at the top: the category order is the frame's, reversed for Plotly.
    assert list(figure.layout.yaxis.categoryarray) == [
        "CO",
        "MOJ",
        "Department for Work and Pensions (DWP)",
    ]
    assert figure.layout.xaxis.title.text == "Change in headcount (people)"


def test_movers_chart_signs_money_and_fte() -> None:
    assert cw.signed(65_000.0, cw.PAYBILL) == "+£65k"
    assert cw.signed(-102_000.0, cw.PAYBILL) == "\u2212£102k"
    assert cw.signed(0.5, FTE) == "+0.5"


def test_an_empty_movers_chart_says_so() -> None:
    movers = pl.DataFrame(schema={"grade": pl.String, "fte_change": pl.Float64})
    figure = cw.movers_chart(movers, "grade", FTE, "Nobody moved")
    assert figure.layout.annotations[0].text == "No data for these filters"


def test_money_bars_and_movers_are_in_pounds_million_with_the_unit_on_the_axis() -> None:
    frame = pl.DataFrame({"cluster": ["UNITY", "MATRIX"], "paybill_gbp": [4.5e8, 2.5e7]})
    figure = cw.bar_chart(frame, "cluster", cw.PAYBILL, "Paybill by cluster (£ a year)")
    assert figure.layout.title.text == "Paybill by cluster (£m a year)"
    assert figure.layout.yaxis.title.text == "Paybill (£m a year)"
    assert list(figure.data[0].y) == [450.0, 25.0]
    assert figure.layout.yaxis.tickformat == ","  # no SI suffix
    assert "£%{y:,.1f}m" in figure.data[0].hovertemplate
    movers = pl.DataFrame({"cluster": ["UNITY", "MATRIX"], "paybill_gbp_change": [3e6, -1.5e6]})
    moved = cw.movers_chart(movers, "cluster", cw.PAYBILL, "Movers (£ a year)")
    assert moved.layout.xaxis.title.text == "Change in paybill (£m a year)"
    assert list(moved.data[0].x) == [3.0] and list(moved.data[1].x) == [-1.5]
    assert list(moved.data[0].text) == ["+£3m"]  # each bar keeps its own label in £
