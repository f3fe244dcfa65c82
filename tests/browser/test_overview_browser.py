"""The pages, served for real and opened in Chromium: they load without an exception, and a
URL with filters reopens the same view, on each page and across them."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import settled

pytestmark = pytest.mark.browser
LOADED = 30_000  # ms: the first run of a page starts the server's caches


def headcount(page: Page):
    """The headline headcount (the first tile labelled Headcount)."""
    tile = page.get_by_test_id("wpTile").filter(has_text="Headcount").first
    return tile.locator(".wp-tile-value")


def overview_ready(page: Page) -> None:
    # The last thing the overview writes: once it shows, the run has finished.
    expect(page.get_by_text("The clusters side by side")).to_be_visible(timeout=LOADED)
    expect(page.get_by_text("Against plan")).to_be_visible(timeout=LOADED)


def no_exception(page: Page) -> None:
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_overview_without_data_says_what_to_run(page: Page, app_url: str) -> None:
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Workforce overview")).to_be_visible(timeout=LOADED)
    expect(page.get_by_text("No data has been loaded yet")).to_be_visible(timeout=LOADED)
    expect(page).to_have_title("Workforce Picture")
    no_exception(page)


def test_data_health_without_data_says_what_to_run(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/data_health")
    expect(page.get_by_role("heading", name="Data health")).to_be_visible(timeout=LOADED)
    expect(page.get_by_text("No data has been loaded yet")).to_be_visible(timeout=LOADED)
    no_exception(page)


def test_overview_loads_and_writes_its_view_to_the_url(page: Page, tiny_url: str) -> None:
    page.goto(tiny_url)
    overview_ready(page)
    no_exception(page)
    expect(headcount(page)).to_have_text("10")
    expect(page).to_have_url(re.compile(r"\?as_at=2026-02-28$"))


def test_data_health_loads(page: Page, tiny_url: str) -> None:
    page.goto(f"{tiny_url}/data_health")
    expect(page.get_by_role("heading", name="Load log")).to_be_visible(timeout=LOADED)
    expect(page.get_by_text("No delivery has been refused.")).to_be_visible()
    no_exception(page)


def test_a_url_with_filters_reopens_the_same_view(page: Page, tiny_url: str) -> None:
    page.goto(f"{tiny_url}/?clusters=UNITY&as_at=2026-02-28")
    overview_ready(page)
    no_exception(page)
    expect(headcount(page)).to_have_text("4")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_test_id("stMultiSelect").first).to_contain_text("UNITY")
    expect(page).to_have_url(re.compile(r"clusters=UNITY"))

    # The filters go with the reader to the next page and back.
    sidebar.get_by_role("link", name="Data health").click()
    expect(page.get_by_role("heading", name="Load log")).to_be_visible(timeout=LOADED)
    expect(page).to_have_url(re.compile(r"/data_health\?.*clusters=UNITY"))
    no_exception(page)
    sidebar.get_by_role("link", name="Overview").click()
    overview_ready(page)
    expect(headcount(page)).to_have_text("4")
    expect(page).to_have_url(re.compile(r"clusters=UNITY"))


TAB_OF = {
    "workforce": "Compare two dates",
    "flows": "Turnover",
    "programme": "Benefits and cost",
    "cost": "HR and finance reconciliation",
}


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("workforce", "Compare two dates"),
        ("flows", "Turnover in the year"),
        ("programme", "Net present value"),
        ("cost", "HR and finance reconciliation"),
        ("extracts", "Preview"),
    ],
)
def test_page_loads_with_the_url_filters(page: Page, tiny_url: str, path: str, text: str) -> None:
    tab = TAB_OF.get(path)  # the section is in a tab of its own, opened by the link (issue 14)
    opened = f"&{urlencode({f'{path}.tab': tab})}" if tab else ""
    page.goto(f"{tiny_url}/{path}?clusters=UNITY&as_at=2026-02-28{opened}")
    expect(page.get_by_role("heading", name=text)).to_be_visible(timeout=LOADED)
    no_exception(page)
    expect(page).to_have_url(re.compile(rf"/{path}\?.*clusters=UNITY"))


def test_an_extract_downloads_as_a_valid_csv_and_parquet(page: Page, tiny_url: str) -> None:
    import csv
    from pathlib import Path

    import pyarrow.parquet as pq

    page.goto(f"{tiny_url}/extracts?as_at=2026-02-28")
    expect(page.get_by_role("heading", name="Download")).to_be_visible(timeout=LOADED)
    no_exception(page)
    settled(page, LOADED)
    with page.expect_download(timeout=LOADED) as got:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.DictReader(Path(got.value.path()).read_text().splitlines()))
    assert rows and rows[0]["headcount"] == "10"
    with page.expect_download(timeout=LOADED) as got:
        page.get_by_role("button", name="Download Parquet").click()
    assert pq.read_table(got.value.path()).num_rows == len(rows)
