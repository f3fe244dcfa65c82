"""The programme page under AppTest, on the richer tiny warehouse (tests/tiny_warehouse_extra.py)
and on the basic one (tests/tiny_warehouse.py): it renders, and its filters change its numbers.

As at M3 (31 January 2026): benefits planned £890 (SYNERGY 850, UNITY 40), realised £150
(SYNERGY's 2024-25: 90 cashable + 60 efficiencies); cost to date £290 (210 + 80); X2 achieved
of four milestones.  UNITY alone: £40 planned, nothing realised, £80 cost to date.  As at M1
SYNERGY's 2024-25 cashable saving read 70, so £130 realised.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipeline.settings import Settings, get_settings
from tests import pages, tiny_warehouse, tiny_warehouse_extra


@pytest.fixture(scope="module")
def extra(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return tiny_warehouse_extra.build(tmp_path_factory.mktemp("extra"))


def open_page(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return pages.open_page("programme", settings, monkeypatch)


@pytest.fixture
def app(extra: Settings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    yield open_page(extra, monkeypatch)
    get_settings.cache_clear()


tiles = pages.tiles


figures = pages.chart_specs


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def test_the_programme_page_renders(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Programme"]
    assert tiles(app) == {
        "Benefits planned": "£890",
        "Benefits realised": "£150",
        "Programme cost to date": "£290",
        "Net present value": "£283",
        "Milestones achieved": "1 of 4",
    }
    text = captions(app)
    assert "Business case: £1.8bn over 15 years (£500m cashable + £1.3bn efficiencies)." in text
    assert "business case about £900m (over £1.7bn had departments gone alone)" in text
    assert "at 3.5% real (Green Book), in 2025-26 values" in text
    assert app.metric[0].proto.help.startswith("Benefits cumulative:")
    charts = figures(app)
    timeline = charts["Milestones: baseline, forecast and actual dates, by cluster (date)"]
    assert [t["name"] for t in timeline["data"]] == ["Baseline", "Forecast", "Actual"]
    assert [len(t["x"]) for t in timeline["data"]] == [4, 3, 1]  # X2 achieved, no forecast
    slip = charts["Slip of each SYNERGY milestone against its baseline (days)"]
    assert {t["name"]: t["y"] for t in slip["data"]} == {
        "X1 Milestone X1": [0, 45, 61],
        "X4 Milestone X4": [0, 9],
    }
    (dca,) = charts["Milestones by delivery confidence rating (count)"]["data"]
    assert dca["text"] == ["Amber: 4"]
    cashable = charts["Cashable savings: planned and realised by financial year (£)"]
    assert [t["y"] for t in cashable["data"]] == [[100, 240, 300], [90, None, None]]
    assert "Net present value by cluster, 2025-26 values (£)" in charts
    assert len(app.expander) >= 7  # every chart's data as a table


def test_the_slippage_cluster_can_be_chosen(app: AppTest) -> None:
    app.run()
    assert app.selectbox(key="programme.cluster").options == ["SYNERGY", "UNITY", "ALL"]
    app.selectbox(key="programme.cluster").set_value("UNITY").run()
    assert not app.exception
    slip = figures(app)["Slip of each UNITY milestone against its baseline (days)"]
    assert [t["y"] for t in slip["data"]] == [[5, 3, 3]]


def test_the_clusters_filter_changes_the_figures(app: AppTest) -> None:
    app.run()
    app.multiselect(key="filter.clusters").select("UNITY").run()
    assert not app.exception
    figures_now = tiles(app)
    assert figures_now["Benefits planned"] == "£40"
    assert figures_now["Benefits realised"] == "[x]"
    assert figures_now["Programme cost to date"] == "£80"
    assert figures_now["Milestones achieved"] == "1 of 1"  # X3 is strategy-wide: all five only


def test_an_earlier_date_reads_that_register(app: AppTest) -> None:
    app.query_params.update({"as_at": "2025-11-30"})
    app.run()
    assert not app.exception
    assert app.date_input(key="filter.as_at").value == date(2025, 11, 30)
    assert tiles(app)["Benefits realised"] == "£130"


def test_other_filters_are_said_not_to_apply(app: AppTest) -> None:
    app.query_params.update({"grades": "G7"})
    app.run()
    assert not app.exception
    assert "The register is by cluster only: the grade filter does not apply." in captions(app)


def test_the_page_renders_on_the_basic_fixture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(tiny_warehouse.build(tmp_path), monkeypatch).run()
    assert not at.exception
    assert tiles(at)["Benefits realised"] == "£80"
    get_settings.cache_clear()
