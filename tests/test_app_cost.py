"""The cost and efficiency page under AppTest, on the richer tiny warehouse
(tests/tiny_warehouse_extra.py) and the basic one (tests/tiny_warehouse.py): it renders, and
its filters change its numbers.

As at M3 (31 January 2026), over February 2025 to January 2026: payroll lines £127.1k (25,500
in 2025-11; 37,600 in 2025-12; 63,992.50 in 2026-01), contingent labour £4.4k, consultancy
£2k.  UNITY alone: HMRC's £21,955.  Reconciliation of 2026-01: HO (+4.7%), MOJ (ledger pay, no
staff) and DVLA (no ledger pay) are flagged; DWP and HMRC are not.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipeline.settings import Settings, get_settings
from tests import pages, tiny_warehouse, tiny_warehouse_extra

FLAG = "⚠ Over tolerance"
RANGE = "February 2025 to January 2026"


@pytest.fixture(scope="module")
def extra(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return tiny_warehouse_extra.build(tmp_path_factory.mktemp("extra"))


def open_page(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return pages.open_page("cost", settings, monkeypatch)


@pytest.fixture
def app(extra: Settings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    yield open_page(extra, monkeypatch)
    get_settings.cache_clear()


tiles = pages.tiles


figures = pages.chart_specs


def flags(at: AppTest) -> dict[str, str]:
    """The reconciliation table's flag by organisation."""
    table = next(df.value for df in at.dataframe if "Flag" in df.value.columns)
    return dict(zip(table["Organisation"], table["Flag"], strict=True))


def texts(at: AppTest, kind: str) -> str:
    return "\n".join(str(element.value) for element in at.get(kind))


def test_the_cost_page_renders(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Cost and efficiency"]
    assert tiles(app) == {
        "Paybill (£, 12 months)": "£127.1k",
        "Contingent labour (£, 12 months)": "£4.4k",
        "Consultancy (£, 12 months)": "£2k",
        "Contingent workers (FTE)": "0.0",
    }
    assert app.metric[0].proto.help.startswith("Spend: general-ledger amounts")
    charts = figures(app)
    spend = charts[f"Ledger spend by account category, {RANGE} (£ a month)"]
    assert [t["name"] for t in spend["data"]] == [
        "Salary", "Allowances", "Employer pension", "Employer NI", "Contingent labour",
        "Consultancy",
    ]  # fmt: skip
    assert f"Fully loaded cost per payroll FTE by organisation, {RANGE} (£ a year)" in charts
    ratio = charts["HR and finance staff per 100 employees by cluster (people per 100)"]
    notes = [a["text"] for a in ratio["layout"]["annotations"]]
    assert "HR target: 1 per 100" in notes
    assert "Civil service 2023: 2.5 (1 per 40)" in notes
    assert flags(app) == {
        "DWP": "Within tolerance",
        "HO": FLAG,
        "MOJ": FLAG,
        "DVLA": FLAG,
        "HMRC": "Within tolerance",
    }
    assert "more than **2.0%** (the tolerance)" in texts(app, "markdown")
    assert "**3** of 5 organisations flagged in 2026-01" in texts(app, "markdown")


def test_the_clusters_filter_changes_the_figures(app: AppTest) -> None:
    app.run()
    app.multiselect(key="filter.clusters").select("UNITY").run()
    assert not app.exception
    assert tiles(app)["Paybill (£, 12 months)"] == "£22k"  # HMRC's £21,955
    assert set(flags(app)) == {"DVLA", "HMRC"}


def test_the_organisations_filter_narrows_the_reconciliation(app: AppTest) -> None:
    app.query_params.update({"organisations": "HO"})
    app.run()
    assert not app.exception
    assert flags(app) == {"HO": FLAG}
    assert tiles(app)["Paybill (£, 12 months)"] == "£5.5k"  # 4,000 + 1,012.50 + 525


def test_another_period_can_be_reconciled(app: AppTest) -> None:
    app.run()
    period = app.selectbox(key="cost.period")
    assert period.value == "2026-01"
    period.set_value("2025-11").run()
    assert not app.exception
    assert "flagged in 2025-11" in texts(app, "markdown")


def test_the_page_renders_on_the_basic_fixture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(tiny_warehouse.build(tmp_path), monkeypatch).run()
    assert not at.exception
    assert tiles(at)["Contingent workers (FTE)"] == "1.5"
    get_settings.cache_clear()
