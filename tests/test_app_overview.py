"""The overview page under AppTest, on the tiny warehouse (tests/tiny_warehouse.py): it renders,
its filters change its numbers, and its URL reopens the same view, on this page and the next.

As at B (28 February 2026): 10 people (MATRIX 1 from its stale January snapshot, SYNERGY 5,
UNITY 4), 9.1 FTE, £388k paybill; contingent 1.5 FTE.  As at A (31 January 2026): 10 people,
9.6 FTE, £403k; contingent 1.0 FTE.  Benefits realised £80 of £150 planned to 2025-26.
Turnover and cost per FTE need a whole year (13 month-ends; 12 complete accounting periods):
the tiny warehouse has two month-ends, so both are not available, with the reason.  On the
ledger that ends mid-month (tests/tiny_periods.py), as at 20 November 2026: turnover 1 leaver
÷ (188 ÷ 13) = 6.9%; cost per FTE over the 12 complete periods to September 2026 (UNITY's
ledger reaches 15 October) £36,050 ÷ 12.5 = £2,884, against £36,000 ÷ 12.583 = £2,860.93 in
the 12 periods to August: +£23.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.settings import Settings, get_settings
from core.warehouse import CURRENT
from tests import tiny_periods
from tests.pages import tile_list
from tests.tiny_warehouse import build

APP = Path(__file__).resolve().parents[1] / "app.py"
HEALTH = "dashboard/pages/data_health.py"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build(tmp_path_factory.mktemp("tiny"))


def publish_copy(tiny: Settings, warehouse: Path) -> None:
    warehouse.mkdir(parents=True, exist_ok=True)
    name = (tiny.warehouse / CURRENT).read_text().strip()
    shutil.copyfile(tiny.warehouse / name, warehouse / name)
    (warehouse / CURRENT).write_text(name + "\n")


def new_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=60)


@pytest.fixture
def app(tiny: Settings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("WORKFORCE_WAREHOUSE", str(tiny.warehouse))
    monkeypatch.setenv("WORKFORCE_REFERENCE", str(tiny.reference))
    get_settings.cache_clear()
    yield new_app()
    get_settings.cache_clear()


def headline(at: AppTest) -> dict[str, str]:
    """The headline figures by label (the first tile of each label: the headline row)."""
    found: dict[str, str] = {}
    for tile in tile_list(at):
        found.setdefault(tile.label, tile.value)
    return found


def texts(at: AppTest, kind: str) -> str:
    """The text of every element of ``kind``; "caption" includes the notes under the tiles."""
    said = [str(element.value) for element in at.get(kind)]
    if kind == "caption":
        said += [note for tile in tile_list(at) for note in tile.notes]
    return "\n".join(said)


def changes(at: AppTest) -> dict[str, str]:
    """The change beside each headline figure (since last month), "" where none is shown."""
    return {tile.label: tile.change or "" for tile in tile_list(at)[:7]}


def test_no_warehouse_says_what_to_run(workforce_env: Settings) -> None:
    at = new_app().run()
    assert not at.exception
    (info,) = at.info
    for words in ("No data has been loaded yet", "make run", ".venv/bin/workforce demo",
                  ".venv/bin/workforce ingest", str(workforce_env.warehouse)):  # fmt: skip
        assert words in info.value
    assert not tile_list(at)


def test_a_warehouse_without_extracts_says_what_to_run(workforce_env: Settings) -> None:
    workforce_env.warehouse.mkdir(parents=True)
    with duckdb.connect(str(workforce_env.warehouse / "wh-000001.duckdb")) as con:
        con.execute("CREATE TABLE load_log (feed VARCHAR, extract_date DATE)")
    (workforce_env.warehouse / CURRENT).write_text("wh-000001.duckdb\n")
    at = new_app().run()
    assert not at.exception
    (info,) = at.info
    assert "holds no cluster extracts yet" in info.value
    assert ".venv/bin/workforce ingest" in info.value


def test_a_new_load_is_picked_up_without_restart(tiny: Settings, workforce_env: Settings) -> None:
    st.cache_resource.clear()
    at = new_app().run()
    assert "No data has been loaded yet" in texts(at, "info")
    publish_copy(tiny, workforce_env.warehouse)
    at.run()
    assert not at.exception
    assert headline(at)["Headcount"] == "10"


def test_the_overview_on_the_tiny_warehouse(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Workforce overview"]
    figures = headline(app)
    assert figures == {
        "Headcount": "10",
        "FTE": "9.1",
        "Paybill (£ a year)": "£388.0k",  # one precision along the row
        "Contingent share": "14.2%",  # 1.5 ÷ (9.1 + 1.5)
        "Turnover": "Not available",
        "Cost per FTE": "Not available",
        "Benefits realised": "£80",
    }
    deltas = changes(app)
    assert deltas["Headcount"] == "0"
    assert deltas["FTE"] == "-0.5"
    assert deltas["Paybill (£ a year)"] == "-£15k"
    assert deltas["Contingent share"] == "+4.7 pp"  # 9.4% as at A
    assert (deltas["Turnover"], deltas["Cost per FTE"]) == ("", "")  # no change of nothing
    captions = texts(app, "caption")
    assert (
        "Not available: needs 12 months of data (13 month-ends); the first month-end loaded "
        "is 31 Jan 2026." in captions
    )
    # MATRIX's ledger stops at 31 January, so February is partial: one complete month.
    assert (
        "Not available: needs 12 complete months of data, has 1 to January 2026; the first "
        "month-end loaded is 31 Jan 2026." in captions
    )
    assert "0.0%" not in captions
    assert "No figure for 28 Feb 2025" in captions  # a year earlier: before the data
    assert "53.3% of £150 planned to 2025-26" in captions
    # Definitions from the SQL headers, where the figures are.
    helps = {tile.label: tile.help or "" for tile in tile_list(app)[:7]}
    assert helps["Headcount"].startswith("Workforce: headcount, FTE and annualised")
    assert helps["Turnover"].startswith("Turnover: people leaving the civil service")
    assert helps["Cost per FTE"].startswith("Cost per FTE: the fully loaded cost")
    assert helps["Paybill (£ a year)"].startswith("Paybill: annual basic salary × FTE")
    assert "not the pay spend" in helps["Paybill (£ a year)"]
    # Freshness, always visible in the sidebar.
    sidebar = texts(app.sidebar, "markdown")
    assert "**MATRIX** :orange-badge[:material/schedule: Stale] 31 Jan 2026" in sidebar
    assert "**DEFENCE** :gray-badge[:material/block: No data] none by 28 Feb 2026" in sidebar
    assert "**UNITY** :green-badge[:material/check_circle: Current] 28 Feb 2026" in sidebar
    # The clusters side by side.
    table = next(m.value for m in app.markdown if m.value.startswith("|  | **DEFENCE**"))
    assert "| Headcount | 0 | 0 | 1 | 5 | 4 |" in table
    # The URL holds the view from the start.
    assert app.query_params == {"as_at": "2026-02-28"}


def test_the_clusters_filter_changes_the_headline(app: AppTest) -> None:
    app.run()
    assert headline(app)["Headcount"] == "10"
    app.multiselect(key="filter.clusters").select("UNITY").run()
    assert not app.exception
    assert headline(app)["Headcount"] == "4"
    assert app.query_params == {"as_at": "2026-02-28", "clusters": "UNITY"}
    assert "**DEFENCE**" in texts(app.sidebar, "markdown")  # freshness: every cluster


def test_a_url_reopens_the_same_view(app: AppTest) -> None:
    app.query_params.update({"clusters": "UNITY", "as_at": "2026-02-28"})
    app.run()
    assert not app.exception
    assert headline(app)["Headcount"] == "4"
    assert app.multiselect(key="filter.clusters").value == ["UNITY"]
    assert app.date_input(key="filter.as_at").value == date(2026, 2, 28)
    assert app.query_params == {"as_at": "2026-02-28", "clusters": "UNITY"}


def test_the_as_at_date_and_grade_filters(app: AppTest) -> None:
    app.query_params.update({"as_at": "2026-01-31", "grades": "G7,G6"})
    app.run()
    assert not app.exception
    figures = headline(app)
    assert figures["Headcount"] == "3"  # p08, p09, p12 as at A
    assert figures["Contingent share"] == "[x]"  # contingent workers have no grade
    assert figures["Turnover"] == "Not available"  # the first month-end: no year behind it
    assert figures["Cost per FTE"] == "Not available"  # the ledger has no grades
    assert "Not shown: the grade filter does not apply: the ledger has no grades." in texts(
        app, "caption"
    )
    assert "Not by grade" in texts(app, "caption")
    assert "By cluster only: the grade filter does not apply." in texts(app, "caption")

    app.date_input(key="filter.as_at").set_value(date(2026, 2, 28)).run()
    assert headline(app)["FTE"] == "3.0"  # p08 now in UNITY, p12; p09 from MATRIX's stale A
    assert app.query_params == {"as_at": "2026-02-28", "grades": "G7,G6"}
    app.multiselect(key="filter.grades").unselect("G6").run()
    assert headline(app)["Headcount"] == "2"
    assert app.query_params == {"as_at": "2026-02-28", "grades": "G7"}


def test_an_earlier_date_offers_the_latest(app: AppTest) -> None:
    app.query_params.update({"as_at": "2026-01-31"})
    app.run()
    assert headline(app)["FTE"] == "9.6"
    assert headline(app)["Cost per FTE"] == "Not available"  # January alone
    assert "No figure for 31 Dec 2025" in texts(app, "caption")  # before the first extract
    (latest,) = app.button
    assert latest.label == "Show the latest data (28/02/2026)"
    latest.click().run()
    assert not app.exception
    assert headline(app)["FTE"] == "9.1"
    assert app.query_params == {"as_at": "2026-02-28"}
    assert not app.button


def test_departments_and_organisations_follow_the_clusters(app: AppTest) -> None:
    app.query_params.update({"clusters": "UNITY", "organisations": "DVLA"})
    app.run()
    assert headline(app)["Headcount"] == "1"  # p10
    assert "DWP" not in app.multiselect(key="filter.departments").options
    app.multiselect(key="filter.clusters").unselect("UNITY").select("SYNERGY").run()
    assert not app.exception
    assert app.multiselect(key="filter.organisations").value == []  # DVLA is not SYNERGY's
    assert headline(app)["Headcount"] == "5"


def test_filters_persist_across_pages(app: AppTest) -> None:
    app.run()
    app.multiselect(key="filter.clusters").select("UNITY").run()
    app.switch_page(HEALTH).run()
    assert not app.exception
    assert app.multiselect(key="filter.clusters").value == ["UNITY"]
    assert app.query_params == {"as_at": "2026-02-28", "clusters": "UNITY"}
    app.switch_page("dashboard/pages/overview.py").run()
    assert headline(app)["Headcount"] == "4"


def test_clusters_without_data_say_so(app: AppTest) -> None:
    app.query_params.update({"clusters": "DEFENCE,OVERSEAS"})
    app.run()
    assert not app.exception
    (warning,) = app.warning
    assert warning.value.startswith("None of the clusters chosen has data on or before 28")
    figures = headline(app)
    assert figures["Headcount"] == "0"
    assert (figures["Turnover"], figures["Cost per FTE"]) == ("Not available",) * 2  # no rows
    app.toggle(key="overview.split").set_value(True).run()  # an empty trend, split
    assert not app.exception


def test_the_trend_can_show_each_cluster(app: AppTest) -> None:
    app.run()
    (chart,) = app.get("plotly_chart")
    figure = json.loads(chart.proto.spec)
    assert figure["layout"]["title"]["text"] == (  # wrapped to read whole on a phone
        "Headcount at each month-end, February<br>2024 to February 2026 (people)"
    )
    assert [trace["y"] for trace in figure["data"]] == [[10, 10]]
    app.toggle(key="overview.split").set_value(True).run()
    figure = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert [trace["name"] for trace in figure["data"]] == ["MATRIX", "SYNERGY", "UNITY"]


@pytest.fixture(scope="module")
def mid_month(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return tiny_periods.build(tmp_path_factory.mktemp("periods"))


def test_cost_per_fte_leaves_the_month_being_posted_out(
    mid_month: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKFORCE_WAREHOUSE", str(mid_month.warehouse))
    monkeypatch.setenv("WORKFORCE_REFERENCE", str(mid_month.reference))
    get_settings.cache_clear()
    at = new_app().run()  # as at 20 November 2026, the latest
    assert not at.exception
    figures = headline(at)
    assert (figures["Turnover"], figures["Cost per FTE"]) == ("6.9%", "£2.9k")
    deltas = changes(at)
    assert deltas["Cost per FTE"] == "+£23"  # against the 12 months to August 2026
    captions = texts(at, "caption")
    assert "12 months to September 2026; changes against the 12 months to August 2026" in captions
    assert "October 2026 and November 2026 are still being posted" in captions
    assert "No figure for 30 Sep 2025" in captions  # the year to September 2025: one month

    at = new_app()
    at.query_params.update({"as_at": "2025-09-30"})  # the first month-end loaded
    at.run()
    assert headline(at)["Turnover"] == "Not available"
    assert (
        "Not available: needs 12 months of data (13 month-ends); the first month-end loaded "
        "is 30 Sep 2025." in texts(at, "caption")
    )
    get_settings.cache_clear()
