"""The extracts page under AppTest, on the tiny warehouse (tests/tiny_warehouse.py).

As at B (28 February 2026): 10 people (MATRIX 1, SYNERGY 5, UNITY 4), so by cluster MATRIX's
headcount is under 5 and reads [c], and secondary suppression hides another cluster's.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core import audit
from core.settings import Settings, get_settings
from dashboard import data, trail
from tests import pages
from tests.pages import open_page
from tests.tiny_warehouse import build


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build(tmp_path_factory.mktemp("tiny"))


@pytest.fixture
def app(tiny: Settings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    yield open_page("extracts", tiny, monkeypatch, role="analyst")  # the page's audience
    get_settings.cache_clear()


def preview(at: AppTest) -> pd.DataFrame:
    (frame,) = at.dataframe
    return frame.value


def downloads(at: AppTest) -> list[str]:
    return [button.proto.label for button in at.get("download_button")]


def test_the_page_renders_a_protected_preview(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Extracts"]
    assert app.selectbox(key="extracts.metric").value == "workforce"
    assert app.date_input(key="extracts.as_at").value.isoformat() == "2026-02-28"
    totals = preview(app)
    assert list(totals.columns) == ["headcount", "fte", "paybill_gbp"]
    assert totals["headcount"].tolist() == ["10"]
    info = "\n".join(i.value for i in app.info)
    assert "0 cells suppressed" in info
    assert "rounded to the nearest 5" in info and "£10" in info
    assert downloads(app) == ["Download CSV", "Download Excel", "Download Parquet"]


def test_a_dimension_changes_the_rows(app: AppTest) -> None:
    app.run()
    app.multiselect(key="extracts.by.workforce").set_value(["cluster"]).run()
    assert not app.exception
    rows = preview(app).set_index("cluster")
    assert set(rows.index) == {"MATRIX", "SYNERGY", "UNITY"}
    assert rows.loc["MATRIX", "headcount"] == "[c]"
    assert (rows["headcount"] == "[c]").sum() >= 2  # secondary suppression
    info = "\n".join(i.value for i in app.info)
    assert "0 cells suppressed" not in info
    captions = [c.value for c in app.caption]
    assert "3 rows." in captions


def test_one_row_of_totals_is_counted_in_the_singular(app: AppTest) -> None:
    app.run()
    assert "1 row." in [c.value for c in app.caption]  # no dimensions: one row of totals


def test_another_metric_changes_the_rows(app: AppTest) -> None:
    app.run()
    app.selectbox(key="extracts.metric").set_value("flows").run()
    assert not app.exception
    assert app.date_input(key="extracts.from").value.isoformat() == "2026-01-31"
    columns = list(preview(app).columns)
    assert columns[0] == "headcount_start" and "joiners" in columns
    app.selectbox(key="extracts.metric").set_value("milestones").run()
    assert not app.exception
    assert "milestones" in preview(app).columns
    assert "not under disclosure control" in "\n".join(i.value for i in app.info)
    assert downloads(app) == ["Download CSV", "Download Excel", "Download Parquet"]


@pytest.mark.parametrize("metric", ["contingent", "spend", "benefits"])
def test_every_metric_renders(app: AppTest, metric: str) -> None:
    app.run()
    app.selectbox(key="extracts.metric").set_value(metric).run()
    assert not app.exception
    assert len(app.dataframe) == 1
    assert len(downloads(app)) == 3


def test_the_grade_filter_applies_as_where(app: AppTest) -> None:
    app.query_params.update({"grades": "EO", "as_at": "2026-02-28"})
    app.run()
    assert not app.exception
    # As at B, the EO grade holds p01 and p11 (0.6 FTE): 2 people, under 5, so [c].
    assert preview(app)["headcount"].tolist() == ["[c]"]


# --- a link naming clusters outside the scope ------------------------------------------------


def test_clusters_outside_the_scope_in_the_link_are_refused_by_name(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page("extracts", tiny, monkeypatch, role="analyst", clusters=("SYNERGY",))
    at.query_params["clusters"] = "DEFENCE,SYNERGY,[x](http://evil.example)"
    at.run()
    assert not at.exception
    (warning,) = at.warning
    assert warning.value.startswith("The link asked for clusters DEFENCE and ")
    assert "\\[x\\]\\(http" in warning.value  # the URL's text is escaped, not a link
    assert "left out" in warning.value and warning.value.endswith("cover SYNERGY.")
    at.multiselect(key="extracts.by.workforce").set_value(["cluster"]).run()
    assert preview(at)["cluster"].tolist() == ["SYNERGY"]
    assert len(at.warning) == 1  # still said after the page reruns
    get_settings.cache_clear()


def test_a_link_within_the_scope_draws_no_warning(app: AppTest) -> None:
    app.query_params["clusters"] = "SYNERGY,UNITY"
    app.run()
    assert not app.exception and not app.warning


# --- the files, as the buttons make them -----------------------------------------------------


def buttons(at: AppTest, monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], bytes]]:
    """Run the page; what each download button would do when pressed, by file name."""
    made: dict[str, Callable[[], bytes]] = {}
    real = trail.audited_file

    def keep(build, who, page, what, *args, **kwargs):
        made[what] = real(build, who, page, what, *args, **kwargs)
        return made[what]

    monkeypatch.setattr(trail, "audited_file", keep)
    at.run()
    assert not at.exception
    return made


def press_downloads(at: AppTest, monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """Run the page and make every extract file as its button would when pressed."""
    return {name: make() for name, make in buttons(at, monkeypatch).items()}


def test_the_excel_file_is_typed_named_and_says_who_extracted_it(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.run()
    app.selectbox(key="extracts.metric").set_value("workforce_trend").run()
    app.multiselect(key="extracts.by.workforce_trend").set_value(["organisation_code"])
    files = press_downloads(app, monkeypatch)
    (excel,) = [data for name, data in files.items() if name.endswith(".xlsx")]
    book = openpyxl.load_workbook(io.BytesIO(excel))
    rows = list(book["data"].iter_rows(values_only=True))
    assert rows[0][:3] == ("month_end", "organisation_code", "organisation_name")
    body = rows[1:]
    assert all(isinstance(r[0], datetime) for r in body)  # month-ends are dates
    names = {r[1]: r[2] for r in body}
    assert names["DWP"] and names["DWP"] != "DWP"  # the register's name beside the code
    headcounts = [r[3] for r in body]
    assert "[c]" in headcounts  # suppressed cells are the text [c] ...
    assert all(isinstance(v, int | float) for v in headcounts if v != "[c]")  # ... numbers sum
    about = {k: v for k, v in book["about"].iter_rows(min_row=2, values_only=True)}
    assert about["Extracted by"] == "test.admin@workforce.local (analyst)"
    csv = next(data for name, data in files.items() if name.endswith(".csv"))
    assert csv.decode().splitlines()[0].startswith("month_end,organisation_code,organisation_name")


def test_record_files_are_read_at_the_press_and_match_the_counts_shown(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page draws counts only; each records file is read when its button is pressed
    (not kept from the page's run), for the clusters the rights cover, and has the rows the
    counts and the audit entry say."""
    at = open_page("extracts", tiny, monkeypatch, role="analyst", record_level=True)
    read: list[tuple[str, ...]] = []
    real = data.read_records

    def spy(path, as_at, clusters, where=()):
        read.append(clusters)
        return real(path, as_at, clusters, where)

    monkeypatch.setattr(data, "read_records", spy)
    made = buttons(at, monkeypatch)
    counts = at.dataframe[1].value
    assert len(read) <= 1  # the counts (cached): no rows kept for the files
    (name,) = [n for n in made if n.startswith("employee_records_") and n.endswith(".csv")]
    drawn = len(read)
    records_csv = made[name]()
    assert len(read) == drawn + 1  # read when the file was made
    rows = list(csv.DictReader(io.StringIO(records_csv.decode("utf-8"))))
    assert len(rows) == counts["records"].sum() > 0
    assert {r["cluster"] for r in rows} == set(counts["cluster"])
    entries = audit.read(pages.audit_log(), event="download").iter_rows(named=True)
    (entry,) = [e for e in entries if e["what"] == name]
    assert entry["rows"] == len(rows)
