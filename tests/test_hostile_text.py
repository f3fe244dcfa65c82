"""Text from deliveries is hostile (issue 11, items 3 and 6): it is escaped and cut short
wherever a chart draws it, and neutralised wherever it is written for a spreadsheet.

The chart builders are checked one by one on frames holding a link, a styled span and a
100,000-character title; the Programme page is then opened under AppTest on the tiny
warehouse (tests/tiny_warehouse.py) with its register restated to hold those titles, loaded
by the real ingest.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime

import duckdb
import plotly.graph_objects as go
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

from core.delivery import write_delivery
from core.settings import Settings, get_settings
from core.spreadsheet import neutral_sql, neutral_text, neutralise
from dashboard import charts
from dashboard import charts as cp
from dashboard import charts as cw
from dashboard.safe_text import (
    LABEL_LIMIT,
    TITLE_LIMIT,
    inline_code,
    safe_label,
    safe_labels,
    safe_markdown,
)
from pipeline.ingest import ingest_main
from tests import pages, tiny_warehouse

LINK = '<a href="https://evil.example">click</a>'
SPAN = '<span style="font-size:200px">X</span>'
LONG = "L" * 100_000
TEMPLATE = "%{x}<b>bold</b>"  # a placeholder Plotly would fill if pasted into a template
HOSTILE = (LINK, SPAN, LONG, TEMPLATE)


# --- the helpers ------------------------------------------------------------------------------


def test_a_label_shows_markup_as_written() -> None:
    assert safe_label(LINK) == '&lt;a href="https://evil.example"&gt;click&lt;/a&gt;'
    assert safe_label("R&D <b>") == "R&amp;D &lt;b&gt;"
    assert html.unescape(safe_label(SPAN)) == SPAN  # Plotly decodes the entities it is given


def test_a_label_is_one_short_line() -> None:
    assert safe_label("a\n\nb\t\u202ec\u200bd\r\ne\x1b") == "a b c d e"
    assert safe_label(LONG) == "L" * (LABEL_LIMIT - 1) + "…"
    assert safe_label("&" * 100, 10) == "&amp;" * 9 + "…"  # cut before escaping: no half entity
    assert safe_label(None) == ""


def test_labels_cut_to_the_same_text_stay_distinct() -> None:
    first, second, third = safe_labels([LONG, LONG + "!", "short"])
    assert first == "L" * (LABEL_LIMIT - 1) + "…" and second == first + " (2)"
    assert third == "short"


def test_markdown_specials_are_escaped() -> None:
    text = safe_markdown("[click](https://evil.example) ![x](y) **b** <img src=x> $1$")
    assert not re.search(r"(?<!\\)[\[\]()<>*!$]", text)  # each special escaped
    assert text.startswith("\\[click\\]\\(https\\://evil\\.example\\)")
    assert len(safe_markdown(LONG)) == 200


def test_inline_code_keeps_to_one_line_and_one_span() -> None:
    assert (
        inline_code("a`b\n\n[click](https://evil.example)") == "`a'b [click](https://evil.example)`"
    )
    assert inline_code(LONG).count("L") == 499


# --- spreadsheet cells ------------------------------------------------------------------------

CELLS = {  # as delivered: as written to a spreadsheet
    '=HYPERLINK("http://x","y")': '\'=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
    "@SUM(1)": "'@SUM(1)",
    "-2+3": "'-2+3",
    "\t=1": "'\t=1",
    "\n=1": "'\n=1",
    "＠SUM(1)": "'＠SUM(1)",
    "－1": "'－1",  # a full-width minus is not a number
    "-120": "-120",
    "+7": "+7",
    "-1,234.5": "-1,234.5",
    "1.5e-05": "1.5e-05",
    "-٣": "'-٣",  # Arabic-Indic three: not a number to a spreadsheet
    "a=1": "a=1",
    "": "",
}


def test_each_cell_is_neutralised_or_left_alone() -> None:
    assert {cell: neutral_text(cell) for cell in CELLS} == CELLS


def test_polars_and_duckdb_neutralise_alike() -> None:
    frame = pl.DataFrame({"text": [*CELLS, None], "n": list(range(-8, len(CELLS) - 7))})
    done = neutralise(frame)
    assert done["text"].to_list() == [*CELLS.values(), None]
    assert done.schema == frame.schema and done["n"].equals(frame["n"])
    column = 'a "title"'  # quoted by neutral_sql
    cells = frame.rename({"text": column}).to_arrow()  # noqa: F841 (DuckDB reads it by name)
    with duckdb.connect() as con:
        written = con.sql(f"SELECT {neutral_sql(column)} FROM cells").fetchall()
    assert [row[0] for row in written] == [*CELLS.values(), None]


# --- the chart builders -----------------------------------------------------------------------


def _strings(node: object, key: str = "") -> Iterator[tuple[str, str]]:
    """Every (key, string) in a figure's JSON, its layout's template left out."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k != "template":
                yield from _strings(v, k)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item, key)
    elif isinstance(node, str):
        yield key, node


def assert_drawn_safely(spec: dict) -> None:
    """No markup of a delivery's in the figure, each shown escaped, and nothing long."""
    text = json.dumps(spec, ensure_ascii=False, default=str)
    assert "<a " not in text and "<span" not in text and "%{x}<b>" not in text
    assert "&lt;a href" in text and "&lt;span style" in text
    for key, value in _strings(spec):
        shown = html.unescape(value)
        assert "L" * LABEL_LIMIT not in shown, key
        assert len(shown) <= TITLE_LIMIT, key
        if key == "hovertemplate":  # the names are never pasted into a template
            assert "evil" not in value and "LLLL" not in value and "bold" not in value


def _spec(figure: go.Figure) -> dict:
    return figure.to_plotly_json()


MONTHS = [date(2026, 1, 31), date(2026, 2, 28)]
SLIPPAGE = pl.DataFrame(
    {
        "cluster": ["SYNERGY", "UNITY", "ALL", "ALL"],
        "milestone_id": ["X1", "X2", "X3", SPAN],
        "extract_date": [MONTHS[1]] * 4,
        "title": [LINK, SPAN, LONG, TEMPLATE],
        "baseline_date": [date(2026, 3, 1)] * 4,
        "forecast_date": [date(2026, 4, 1)] * 4,
        "actual_date": [None] * 4,
        "slip_days": [31] * 4,
    }
)
CATEGORIES = pl.DataFrame({"category": list(HOSTILE), "value": [1.0, 2.0, 3.0, 4.0]})
BUILDERS: dict[str, Callable[[], go.Figure]] = {
    "trend": lambda: charts.trend_chart(
        pl.DataFrame(
            {
                "cluster": [h for h in HOSTILE for _ in MONTHS],
                "month_end": MONTHS * 4,
                "headcount": list(range(8)),
            }
        ),
        charts.HEADCOUNT,
        f"Headcount {LINK} {SPAN}",
        split="cluster",
    ),
    "timeline": lambda: cp.milestone_timeline(SLIPPAGE, MONTHS[1], "Milestones"),
    "slippage": lambda: cp.slippage_chart(SLIPPAGE, "Slip"),
    "planned": lambda: cp.planned_actual_chart(
        pl.DataFrame(
            {"financial_year": list(HOSTILE), "planned_gbp": [1.0] * 4, "actual_gbp": [None] * 4}
        ),
        "Benefits",
        f"{LINK} {SPAN}",
    ),
    "spend": lambda: cp.spend_chart(
        pl.DataFrame(
            {"period": list(HOSTILE), "account_category": list(HOSTILE), "amount_gbp": [1.0] * 4}
        ),
        "Spend",
    ),
    "programme bars": lambda: cp.bar_chart(
        CATEGORIES, "category", (("value", SPAN), ("value", LINK)), "Bars", ("x", "y")
    ),
    "workforce bars": lambda: cw.bar_chart(
        CATEGORIES.rename({"value": "headcount"}),
        "category",
        charts.HEADCOUNT,
        "Bars",
        labels={LONG: LINK + SPAN},
        horizontal=True,
    ),
    "grades": lambda: cw.grade_pyramid(
        CATEGORIES.rename({"category": "grade", "value": "headcount"}), charts.HEADCOUNT, "G"
    ),
    "shares": lambda: cw.shares_chart(
        pl.DataFrame(
            {"grade": list(HOSTILE), "women_share": [0.5] * 4, "ethnic_minority_share": [0.1] * 4}
        ),
        "Shares",
    ),
    "moves": lambda: cw.moves_matrix(
        pl.DataFrame(
            {
                "from_cluster": list(HOSTILE),
                "to_cluster": [SPAN, LINK, LONG, "UNITY"],
                "moves": [5, 10, None, 15],
                "moves_text": ["5", "10", "[c]", LINK],
            }
        )
    ),
}


@pytest.mark.parametrize("name", BUILDERS)
def test_each_chart_draws_delivery_text_escaped_and_short(name: str) -> None:
    assert_drawn_safely(_spec(BUILDERS[name]()))


def test_the_timeline_keeps_a_row_per_milestone() -> None:
    figure = cp.milestone_timeline(SLIPPAGE, MONTHS[1], "Milestones")
    assert len(set(figure.data[0].y)) == 4 and len(figure.layout.yaxis.categoryarray) == 4


# --- the Programme page -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The tiny warehouse, both its register deliveries restated with hostile titles."""
    settings = tiny_warehouse.build(tmp_path_factory.mktemp("hostile"))
    for when in (tiny_warehouse.A, tiny_warehouse.B):
        folder = settings.landing / "PROGRAMME" / when.isoformat()
        milestones = tiny_warehouse._milestones(when)
        at = milestones.schema.get_field_index("title")
        milestones = milestones.set_column(at, "title", pa.array([LINK, SPAN, LONG]))
        write_delivery(
            settings.landing,
            "PROGRAMME",
            when,
            {
                "milestones.parquet": milestones,
                "benefits.parquet": pq.read_table(folder / "benefits.parquet"),
            },
            generated_at=datetime(when.year, when.month, when.day, 23, 45),
        )
    assert ingest_main(settings) == 0
    return settings


@pytest.fixture
def programme(hostile: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    yield pages.open_page("programme", hostile, monkeypatch)
    get_settings.cache_clear()


def test_the_programme_page_draws_hostile_titles_as_text(programme: AppTest) -> None:
    programme.run()
    assert not programme.exception
    tables = [frame.value for frame in programme.dataframe]
    pages.on_tab(programme, "programme.tab", "Delivery confidence")  # issue 14: lazy tabs
    specs = pages.chart_specs(programme)
    tables += [frame.value for frame in programme.dataframe]
    timeline = specs["Milestones: baseline, forecast and actual dates, by cluster (date)"]
    assert_drawn_safely(timeline)
    labels = timeline["layout"]["yaxis"]["categoryarray"]
    assert len(labels) == 3 and all(len(html.unescape(label)) <= LABEL_LIMIT for label in labels)
    pages.on_tab(programme, "programme.tab", "Slippage", tables=True)
    specs |= pages.chart_specs(programme)
    tables += [frame.value for frame in programme.dataframe]
    slip = specs["Slip of each SYNERGY milestone against its baseline (days)"]
    assert [t["name"] for t in slip["data"]] == [f"M1 {safe_label(LINK)}"]
    text = json.dumps(list(specs.values()), ensure_ascii=False)
    assert "<a " not in text and "<span" not in text and LONG[: LABEL_LIMIT + 1] not in text
    titles = {t for table in tables if "Title" in table.columns for t in table["Title"]}
    assert {LINK, SPAN, LONG} <= titles  # the table beside the chart keeps the full text
