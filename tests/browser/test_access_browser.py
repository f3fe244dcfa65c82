"""Access control in the served app: an analyst scoped to UNITY walks every page of their
navigation in Chromium, and no page names another cluster."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from playwright.sync_api import Page, expect

from core.access import PAGES_BY_ROLE
from tests.browser.conftest import settled
from tests.pages import tab_paths

pytestmark = pytest.mark.browser
LOADED = 30_000  # ms
OTHER_CLUSTERS = re.compile(r"\b(DEFENCE|OVERSEAS|MATRIX|SYNERGY)\b")
# Each page's last heading: once it shows, the page's run has finished.
LAST_HEADING = {
    "overview": "The clusters side by side",
    "workforce": "Compare two dates",
    "flows": "Turnover in the year",
    "cost": "HR and finance reconciliation",
    "programme": "Net present value",
    "extracts": "Record-level extract",
}


def test_a_scoped_analysts_pages_name_no_other_cluster(page: Page, unity_analyst_url: str) -> None:
    assert set(PAGES_BY_ROLE["analyst"]) == set(LAST_HEADING)
    first = PAGES_BY_ROLE["analyst"][0]  # the default page is served at the root
    for key in PAGES_BY_ROLE["analyst"]:
        # every tab of the page (issue 14: a tab's content is drawn only when it is open)
        paths = tab_paths(key)
        if key == first:
            paths[0] = ""
        for path in paths:
            page.goto(f"{unity_analyst_url}/{path}")
            expect(page.get_by_role("heading", level=1)).to_be_visible(timeout=LOADED)
            settled(page, LOADED)
            expect(page.locator('[data-testid="stException"]')).to_have_count(0)
            expect(page.get_by_text("Demo mode").first).to_be_visible()
            text = page.locator("body").inner_text()
            assert "UNITY" in text, path
            assert OTHER_CLUSTERS.findall(text) == [], (
                f"{path} names {OTHER_CLUSTERS.findall(text)}"
            )
    # Pages outside the role are not in the navigation, and a direct link does not open them.
    sidebar = page.locator(".st-key-navigation")
    expect(sidebar.get_by_role("link", name="Extracts")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Data health")).to_have_count(0)
    expect(sidebar.get_by_role("link", name="Audit log")).to_have_count(0)
    page.goto(f"{unity_analyst_url}/audit_log")  # refused, and the refusal audited (issue 11)
    expect(page.get_by_text("This page is not open to your role (analyst).")).to_be_visible(
        timeout=LOADED
    )
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)


def test_a_tables_own_csv_download_is_hidden(page: Page, unity_analyst_url: str) -> None:
    """Files leave only through the audited download buttons."""
    page.goto(f"{unity_analyst_url}/extracts")
    expect(page.get_by_role("heading", name="Record-level extract")).to_be_visible(timeout=LOADED)
    table = page.get_by_test_id("stDataFrame").first
    table.hover()
    toolbar = page.get_by_test_id("stElementToolbar").first
    expect(toolbar.get_by_role("button").first).to_be_visible()  # the toolbar is there
    expect(toolbar.get_by_role("button", name="Download as CSV")).to_be_hidden()
    expect(page.get_by_role("button", name="Download CSV")).to_be_visible()


def test_every_download_of_a_scoped_analyst_is_protected_scoped_and_audited(
    page: Page, unity_analyst_url: str, unity_analyst_root: Path
) -> None:
    """CSV, Excel and Parquet extracts are under disclosure control (UNITY's 4 people read
    [c]); record-level rows are UNITY's alone; each file has one audit entry, whose rows and
    suppressed cells are the file's.  The buttons are pressed one after another, as a person
    would: a download does not rerun the page, so the next button is live at once."""
    from core import audit

    log = unity_analyst_root / "audit.sqlite"
    before = audit.read(log, event="download").height
    page.goto(f"{unity_analyst_url}/extracts")
    expect(page.get_by_role("heading", name="Record-level extract")).to_be_visible(timeout=LOADED)
    settled(page, LOADED)

    def download(name: str) -> Path:
        with page.expect_download(timeout=LOADED) as got:
            page.get_by_role("button", name=name, exact=True).click()
        return Path(got.value.path())

    (row,) = csv.DictReader(download("Download CSV").read_text().splitlines())
    assert row["headcount"] == "[c]"
    assert pq.read_table(download("Download Parquet")).column("headcount").to_pylist() == ["[c]"]
    with zipfile.ZipFile(download("Download Excel")) as workbook:
        strings = workbook.read("xl/sharedStrings.xml").decode()
    assert "[c]" in strings and "UNITY" in strings
    records = list(csv.DictReader(download("Download records as CSV").read_text().splitlines()))
    assert len(records) == 4 and {r["cluster"] for r in records} == {"UNITY"}
    assert pq.read_table(download("Download records as Parquet")).num_rows == 4

    downloads = audit.read(log, event="download")  # newest first
    assert downloads.height == before + 5
    entries = downloads.head(5)
    suffixes = [Path(what).suffix for what in reversed(entries["what"].to_list())]
    assert suffixes == [".csv", ".parquet", ".xlsx", ".csv", ".parquet"]
    for entry in entries.iter_rows(named=True):
        assert entry["role"] == "analyst" and entry["page"] == "extracts"
        if entry["what"].startswith("employee_records_"):
            assert (entry["rows"], entry["cells_suppressed"]) == (4, 0)
        else:  # one row of totals, its headcount suppressed (and its FTE with it, or not)
            assert entry["rows"] == 1 and entry["cells_suppressed"] == sum(
                value == "[c]" for value in row.values()
            )
        assert json.loads(entry["filters"])["clusters"] == ["UNITY"]
    assert audit.verify(log).intact
