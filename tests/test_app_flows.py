"""The flows page under AppTest, on the tiny warehouse (tests/tiny_warehouse.py).

From A (31 January 2026) to B (28 February 2026): 10 people at the start, 2 joiners (p03,
p10), 2 leavers (p02, p07), no transfers across the whole scope, 10 at the end.  UNITY alone:
2, +1 joiner, −1 leaver, +2 transfers in (p04, p08), 4.  By default the page starts a year
before the as-at date, before anything was loaded, so all 10 at B are joiners.
"""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from core.settings import Settings, get_settings
from tests import pages
from tests.pages import open_page
from tests.tiny_warehouse import A, build


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build(tmp_path_factory.mktemp("tiny"))


@pytest.fixture
def app(tiny: Settings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    yield open_page("flows", tiny, monkeypatch)
    get_settings.cache_clear()


figures = pages.tiles


charts = pages.chart_specs


def test_the_page_renders_with_a_year_by_default(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Flows"]
    assert app.date_input(key="flows.from").value == date(2025, 2, 28)
    assert figures(app) == {
        "Start": "0",
        "Joiners": "10",
        "Leavers": "0",
        "Transfers in": "0",
        "Transfers out": "0",
        "End": "10",
    }
    assert "nobody is counted" in "\n".join(c.value for c in app.caption)
    assert set(pages.every_tab(app, "flows.tab")[1]) == {
        "Headcount from 28 February 2025 to 28 February 2026 (people)",
        "Turnover by grade (% of average headcount)",
        "Turnover by organisation, highest 15 (% of average headcount)",
    }


def test_flows_between_the_two_extracts(app: AppTest) -> None:
    app.run()
    app.date_input(key="flows.from").set_value(A).run()
    assert not app.exception
    assert figures(app) == {
        "Start": "10",
        "Joiners": "2",
        "Leavers": "2",
        "Transfers in": "0",
        "Transfers out": "0",
        "End": "10",
    }
    waterfall = charts(app)["Headcount from 31 January 2026 to 28 February 2026 (people)"]
    assert waterfall["data"][0]["y"] == [10, 2, -2, 0, 0, 10]
    pages.on_tab(app, "flows.tab", "By cluster")  # issue 14: lazy tabs
    by_cluster = next(d for d in app.dataframe if "joiners" in d.value.columns).value
    pages.on_tab(app, "flows.tab", "Turnover", tables=True)  # each chart's table, opened
    assert by_cluster.set_index("cluster").loc["UNITY", "transfers_in"] == 2
    turnover = next(
        d for d in app.dataframe if "grade" in d.value.columns and "leavers" in d.value.columns
    ).value
    assert turnover.set_index("grade").loc["EO", "turnover_rate"] == "40.0%"


def test_moves_between_clusters_render_under_disclosure_control(app: AppTest) -> None:
    app.run()
    app.date_input(key="flows.from").set_value(A).run()
    assert not app.exception
    pages.on_tab(app, "flows.tab", "By cluster")
    assert "Moves between clusters" in [s.value for s in app.subheader]
    matrix = charts(app)["Moves between clusters, origin by destination (people)"]
    heatmap = matrix["data"][0]
    assert (heatmap["y"], heatmap["x"]) == (["MATRIX", "SYNERGY"], ["UNITY"])
    assert heatmap["text"] == [["[c]"], ["[c]"]]  # one person each: under 5
    table = next(d for d in pages.open_tables(app).dataframe if "moves_text" in d.value.columns)
    table = table.value
    assert table.to_dict("records") == [
        {"from_cluster": "SYNERGY", "to_cluster": "UNITY", "moves_text": "[c]"},
        {"from_cluster": "MATRIX", "to_cluster": "UNITY", "moves_text": "[c]"},
    ]


def test_the_clusters_filter_changes_the_flows(app: AppTest) -> None:
    app.query_params.update({"clusters": "UNITY"})
    app.run()
    app.date_input(key="flows.from").set_value(A).run()
    assert not app.exception
    assert figures(app)["End"] == "4"
    assert figures(app)["Transfers in"] == "2"


def test_the_grade_filter_does_not_apply_to_flows(app: AppTest) -> None:
    app.query_params.update({"grades": "EO"})
    app.run()
    assert not app.exception
    assert "the grade filter does not apply" in "\n".join(c.value for c in app.caption)
    pages.on_tab(app, "flows.tab", "Turnover", tables=True)
    turnover = next(
        d for d in app.dataframe if "grade" in d.value.columns and "leavers" in d.value.columns
    ).value
    assert list(turnover["grade"]) == ["EO"]


def test_from_after_to_warns(app: AppTest) -> None:
    app.run()
    app.date_input(key="flows.from").set_value(date(2026, 2, 28)).run()
    assert not app.exception
    assert app.warning[0].value == "Choose a From date before the To date."
