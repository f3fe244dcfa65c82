"""The workforce page under AppTest, on the tiny warehouse (tests/tiny_warehouse.py).

As at B (28 February 2026): 10 people (MATRIX 1, SYNERGY 5, UNITY 4), 9.1 FTE; as at A
(31 January 2026): 10 people (MATRIX 2, SYNERGY 6, UNITY 2).  Every grade holds fewer than 5
people, so every diversity share reads [c].
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date

import openpyxl
import pandas as pd
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from core import audit
from core.settings import Settings, get_settings
from dashboard import trail
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
MOVERS_BY_CLUSTER = (
    "The largest movers by cluster: change in headcount, 31 Jan 2026 to 28 Feb 2026 (people)"
)


charts = pages.chart_specs


def compare(at: AppTest) -> AppTest:
    """The page run, then on its "Compare two dates" tab (issue 14: tabs run lazily)."""
    return pages.on_tab(at.run(), "workforce.tab", "Compare two dates")


def comparison(at: AppTest) -> pd.DataFrame | None:
    """The two dates' table, as the page shows it (None when it is not drawn)."""
    return next((d.value for d in at.dataframe if "headcount_a" in d.value.columns), None)


def test_the_page_renders(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Workforce"]
    assert figures(app) == {"Headcount": "10", "FTE": "9.1", "Paybill (£ a year)": "£388.0k"}
    found = pages.every_tab(app, "workforce.tab")[1]
    assert set(found) == {
        "Headcount by cluster (people)",
        "Headcount by grade (people)",
        "The 10 largest professions by headcount (people)",
        "Headcount by ITL1 region (people)",
        "Women and ethnic minorities by grade (% of those recorded)",
        MOVERS_BY_CLUSTER,
    }
    by_cluster = found["Headcount by cluster (people)"]["data"][0]
    assert dict(zip(by_cluster["y"], by_cluster["x"], strict=True)) == {
        "SYNERGY": 5,
        "UNITY": 4,
        "MATRIX": 1,
    }
    assert len(found["Headcount by ITL1 region (people)"]["data"][0]["x"]) == 13
    pages.on_tab(app, "workforce.tab", "Diversity", tables=True)
    diversity = next(d for d in app.dataframe if "Women" in d.value.columns).value
    assert set(diversity["Women"]) == {"[c]"}
    assert "[c]" in "\n".join(c.value for c in app.caption)
    compared = comparison(compare(app)).set_index("cluster")
    # Compared by default with a year before the as-at date, clamped to the first loaded (A).
    assert compared[["headcount_a", "headcount_b", "headcount_change"]].to_dict("index") == {
        "MATRIX": {"headcount_a": 2, "headcount_b": 1, "headcount_change": -1},
        "SYNERGY": {"headcount_a": 6, "headcount_b": 5, "headcount_change": -1},
        "UNITY": {"headcount_a": 2, "headcount_b": 4, "headcount_change": 2},
    }


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
    pages.on_tab(app, "workforce.tab", "Compare two dates")
    app.date_input(key="workforce.compare.a").set_value(date(2026, 2, 28)).run()
    assert not app.exception
    assert comparison(app) is None
    assert "Choose two different dates to compare." in [i.value for i in app.info]


def test_the_grade_filter_applies(app: AppTest) -> None:
    app.query_params.update({"grades": "G7"})
    app.run()
    assert not app.exception
    assert figures(app)["Headcount"] == "2"


# --- two dates compared, any breakdown (issue 12) ----------------------------------------------
# Counted by hand in tests/test_compare.py: by organisation, A to B, DWP 5 to 2, HMRC 2 to 3,
# CO 2 to 1, HO 1 to 1, and MOJ (2) and DVLA (1) new at B.


def test_two_dates_compared_by_organisation(app: AppTest) -> None:
    compare(app)
    app.selectbox(key="workforce.compare.by").set_value("organisation_code").run()
    assert not app.exception
    table = comparison(app).set_index("organisation_code")
    assert table["headcount_a"].to_dict() == {
        "CO": 2, "DVLA": 0, "DWP": 5, "HMRC": 2, "HO": 1, "MOJ": 0,
    }  # fmt: skip
    assert table["headcount_b"].to_dict() == {
        "CO": 1, "DVLA": 1, "DWP": 2, "HMRC": 3, "HO": 1, "MOJ": 2,
    }  # fmt: skip
    assert table.loc["DWP", "name"] == "Department for Work and Pensions"
    assert table.loc["DWP", "headcount_change_pct"] == -60.0
    assert table.loc["DWP", "paybill_gbp_change"] == -102_000.0
    for new in ("MOJ", "DVLA"):  # nobody at A: % change not available, never infinite
        assert pd.isna(table.loc[new, "headcount_change_pct"])
        assert table.loc[new, "note"] == "New since 31 Jan 2026: % change not available"
    assert table.loc["HO", "note"] == ""
    title = (
        "The largest movers by organisation: change in headcount, 31 Jan 2026 to 28 Feb 2026"
        " (people)"
    )
    rise, fall = charts(app)[title]["data"]
    assert (rise["name"], rise["y"], rise["text"]) == (
        "Increase",
        ["Ministry of Justice (MOJ)", "Driver and Vehicle Licensing Agency (DVLA)",
         "HM Revenue and Customs (HMRC)"],
        ["+2", "+1", "+1"],
    )  # fmt: skip
    assert (fall["name"], fall["y"], fall["x"]) == (
        "Decrease",
        ["Department for Work and Pensions (DWP)", "Cabinet Office (CO)"],
        [-3, -1],
    )
    buttons = {b.proto.label: b.proto for b in app.get("download_button")}
    assert set(buttons) == {
        "Download the comparison as CSV",
        "Download the comparison as Excel",
    }
    assert all(b.deferred_file_id for b in buttons.values())  # made only when pressed


def test_the_chart_measure_and_breakdowns_by_name(app: AppTest) -> None:
    compare(app)
    app.selectbox(key="workforce.compare.by").set_value("region").run()
    app.selectbox(key="workforce.compare.measure").set_value("paybill_gbp").run()
    assert not app.exception
    table = comparison(app).set_index("region")
    assert table.loc["TLI", "name"] == "London"  # extracts.md §8
    title = next(t for t in charts(app) if t.startswith("The largest movers by region"))
    assert title.endswith("change in paybill, 31 Jan 2026 to 28 Feb 2026 (£ a year)")
    app.selectbox(key="workforce.compare.by").set_value("grade").run()
    assert comparison(app).set_index("grade").loc["EO", "headcount_change"] == -1
    views = audit.read(pages.audit_log(), event="view")["filters"].to_list()
    chosen = [json.loads(v) for v in views]
    assert {
        "workforce.compare.by": "grade",
        "workforce.compare.measure": "paybill_gbp",
    }.items() <= (chosen[0].items())  # the newest view: the choices are in the audit trail


def press_downloads(
    app: AppTest, monkeypatch: pytest.MonkeyPatch, key: str
) -> dict[str, Callable[[], bytes]]:
    """Run the page compared by ``key`` and keep each download's audited file by name: the
    function a press of its button runs (AppTest cannot press a deferred download)."""
    made: dict[str, Callable[[], bytes]] = {}
    real = trail.audited_file

    def keep(build, who, page, what, *args, **kwargs):
        made[what] = real(build, who, page, what, *args, **kwargs)
        return made[what]

    monkeypatch.setattr(trail, "audited_file", keep)
    compare(app)
    app.selectbox(key="workforce.compare.by").set_value(key).run()
    assert not app.exception
    return made


def test_an_admin_downloads_the_figures_as_they_are(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = press_downloads(app, monkeypatch, "organisation_code")
    name = "workforce_compared_organisation_code_2026-01-31_2026-02-28"
    rows = pl.read_csv(made[f"{name}.csv"]())
    dwp = rows.filter(pl.col("organisation_code") == "DWP").row(0, named=True)
    assert (dwp["headcount_2026-01-31"], dwp["headcount_2026-02-28"]) == (5, 2)
    assert (dwp["paybill_gbp_change"], dwp["headcount_change_pct"]) == (-102_000.0, -60.0)
    workbook = openpyxl.load_workbook(io.BytesIO(made[f"{name}.xlsx"]()))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert "headcount_2026-02-28" in header
    (entry, _) = audit.read(pages.audit_log(), event="download").iter_rows(named=True)
    assert (entry["page"], entry["what"], entry["rows"]) == ("workforce", f"{name}.xlsx", 6)


def test_other_roles_download_under_disclosure_control(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_page("workforce", tiny, monkeypatch, role="analyst")
    made = press_downloads(app, monkeypatch, "grade")
    name = "workforce_compared_grade_2026-01-31_2026-02-28.csv"
    rows = pl.read_csv(made[name](), infer_schema=False)
    # Every grade holds fewer than 5 people at both dates: every figure reads [c].
    assert set(rows["headcount_2026-01-31"]) == {"[c]"}
    assert set(rows["headcount_change_pct"]) == {"[c]"}
    workbook = made[name.replace(".csv", ".xlsx")]()
    sheet = openpyxl.load_workbook(io.BytesIO(workbook)).worksheets[0]
    assert {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"[c]"}
    entries = audit.read(pages.audit_log(), event="download")
    assert set(entries["role"]) == {"analyst"} and entries["cells_suppressed"].min() > 0
    get_settings.cache_clear()
