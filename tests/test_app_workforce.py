"""The workforce page under AppTest, on the tiny warehouse (tests/tiny_warehouse.py).

As at B (28 February 2026): 10 people (MATRIX 1, SYNERGY 5, UNITY 4), 9.1 FTE; as at A
(31 January 2026): 10 people (MATRIX 2, SYNERGY 6, UNITY 2).  Every grade holds fewer than 5
people, so every diversity share reads [c].
"""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from pipeline.settings import Settings, get_settings
from tests import pages
from tests.pages import open_page
from tests.tiny_warehouse import build


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build(tmp_path_factory.mktemp("tiny"))


@pytest.fixture
def app(tiny: Settings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    yield open_page("workforce", tiny, monkeypatch)
    get_settings.cache_clear()


figures = pages.tiles


charts = pages.chart_specs


def test_the_page_renders(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Workforce"]
    assert figures(app) == {"Headcount": "10", "FTE": "9.1", "Paybill (£ a year)": "£388k"}
    found = charts(app)
    assert set(found) == {
        "Headcount by cluster (people)",
        "Headcount by grade (people)",
        "The 10 largest professions by headcount (people)",
        "Headcount by ITL1 region (people)",
        "Women and ethnic minorities by grade (% of those recorded)",
    }
    by_cluster = found["Headcount by cluster (people)"]["data"][0]
    assert dict(zip(by_cluster["y"], by_cluster["x"], strict=True)) == {
        "SYNERGY": 5,
        "UNITY": 4,
        "MATRIX": 1,
    }
    assert len(found["Headcount by ITL1 region (people)"]["data"][0]["x"]) == 13
    diversity = next(d for d in app.dataframe if "Women" in d.value.columns).value
    assert set(diversity["Women"]) == {"[c]"}
    assert "[c]" in "\n".join(c.value for c in app.caption)
    compared = next(d for d in app.dataframe if "change" in d.value.columns).value
    assert compared.set_index("cluster").loc["UNITY", "before"] == 2
    assert compared.set_index("cluster").loc["UNITY", "change"] == 2


def test_the_clusters_filter_changes_the_numbers(app: AppTest) -> None:
    app.query_params.update({"clusters": "UNITY", "as_at": "2026-02-28"})
    app.run()
    assert not app.exception
    assert figures(app)["Headcount"] == "4"
    app.multiselect(key="filter.clusters").unselect("UNITY").select("SYNERGY").run()
    assert not app.exception
    assert figures(app)["Headcount"] == "5"


def test_drilling_down_and_comparing_dates(app: AppTest) -> None:
    app.run()
    app.selectbox(key="workforce.by").set_value("organisation_code").run()
    assert not app.exception
    spec = charts(app)["Headcount by organisation (people)"]
    assert any("(DVLA)" in name for name in spec["data"][0]["y"])
    app.radio(key="workforce.measure").set_value("FTE").run()
    assert "FTE by organisation (full-time equivalents)" in charts(app)
    app.date_input(key="workforce.compare").set_value(date(2026, 2, 28)).run()
    assert not app.exception
    compared = next(d for d in app.dataframe if "change" in d.value.columns).value
    assert set(compared["change"]) == {0}


def test_the_grade_filter_applies(app: AppTest) -> None:
    app.query_params.update({"grades": "G7"})
    app.run()
    assert not app.exception
    assert figures(app)["Headcount"] == "2"
