"""The ways out of the served app, attacked in Chromium (issue 11): a download's URL answers
once; a download pressed after the grant changed makes no file; a page outside the role opened
by its URL is refused and audited; tables offer no CSV download of their own, and the record
preview holds counts, not people.

One server for the module, over the tiny warehouse, as an analyst of UNITY with record-level
rights; a test that needs another grant rewrites the policy file (read again on every run and
every press) and puts it back.
"""

from __future__ import annotations

import csv
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core import audit
from tests.browser.conftest import serve, settled
from tests.pages import ADMIN, policy_text

pytestmark = pytest.mark.browser
LOADED = 30_000  # ms
ANALYST = {"role": "analyst", "clusters": ("UNITY",), "record_level": True}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app's URL and its folder (``access.toml``, ``audit.sqlite``)."""
    from tests.tiny_warehouse import build

    root = tmp_path_factory.mktemp("served-security")
    settings = build(root)
    with serve(root, settings.warehouse, settings.reference, **ANALYST) as url:
        yield url, root


@pytest.fixture
def app(served: tuple[str, Path]) -> Iterator[tuple[str, Path]]:
    """The served app, its policy put back to the UNITY analyst after each test."""
    yield served
    grant(served[1], **ANALYST)


def grant(root: Path, **options: object) -> None:
    (root / "access.toml").write_text(policy_text(ADMIN, **options))  # type: ignore[arg-type]


def open_extracts(page: Page, url: str) -> None:
    page.goto(f"{url}/extracts")
    expect(page.get_by_role("heading", name="Record-level extract")).to_be_visible(timeout=LOADED)
    settled(page, LOADED)


def test_a_downloads_url_answers_once(page: Page, app: tuple[str, Path]) -> None:
    """The file arrives whole; its URL then answers 404, to anyone; the next press makes (and
    audits) a new file at a new URL."""
    url, root = app
    open_extracts(page, url)
    before = audit.read(root / "audit.sqlite", event="download").height
    urls = []
    for _ in range(2):
        with page.expect_download(timeout=LOADED) as got:
            page.get_by_role("button", name="Download records as CSV", exact=True).click()
        download = got.value
        records = list(csv.DictReader(Path(download.path()).read_text().splitlines()))
        assert len(records) == 4 and {r["cluster"] for r in records} == {"UNITY"}
        assert "/media/" in download.url
        with pytest.raises(urllib.error.HTTPError) as again:
            urllib.request.urlopen(download.url, timeout=10)
        assert again.value.code == 404
        urls.append(download.url)
    assert urls[0] != urls[1]
    assert audit.read(root / "audit.sqlite", event="download").height == before + 2


def test_a_head_or_the_pages_own_check_does_not_take_the_file(
    page: Page, app: tuple[str, Path]
) -> None:
    """Before the browser downloads a file, its script checks the URL (``fetch``).  A HEAD
    and a fetch like that check are answered without the file and do not take it; the first
    GET gets it whole, and the next GET nothing.  The page's download link is caught before
    it is followed, so the test makes each request itself."""
    url, _ = app
    open_extracts(page, url)
    page.evaluate(
        """() => {
            window.caught = [];
            HTMLAnchorElement.prototype.click = function () { window.caught.push(this.href); };
        }"""
    )
    page.get_by_role("button", name="Download records as CSV", exact=True).click()
    page.wait_for_function("() => window.caught.length === 1", timeout=LOADED)
    media = page.evaluate("() => window.caught[0]")

    def get(**headers: str) -> tuple[int, bytes]:
        with urllib.request.urlopen(urllib.request.Request(media, headers=headers)) as response:
            return response.status, response.read()

    head = urllib.request.Request(media, method="HEAD")
    with urllib.request.urlopen(head, timeout=10) as response:
        assert response.status == 200 and int(response.headers["Content-Length"]) > 0
    assert get(**{"Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors"}) == (200, b"")
    status, body = get()
    assert status == 200 and len(list(csv.DictReader(body.decode().splitlines()))) == 4
    with pytest.raises(urllib.error.HTTPError) as again:
        get()
    assert again.value.code == 404


def test_a_download_pressed_after_the_grant_changed_makes_no_file(
    page: Page, app: tuple[str, Path]
) -> None:
    url, root = app
    open_extracts(page, url)
    log = root / "audit.sqlite"
    denied_before = audit.read(log, event="denied").height
    downloads_before = audit.read(log, event="download").height
    grant(root, role="analyst", clusters=("UNITY",), record_level=False)  # rights taken away
    downloads: list = []
    page.on("download", lambda download: downloads.append(download))
    page.get_by_role("button", name="Download records as CSV", exact=True).click()
    error = page.get_by_test_id("stDownloadButtonError")
    expect(error).to_have_text("Failed to generate file for download", timeout=LOADED)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    assert downloads == []
    denied = audit.read(log, event="denied")
    assert denied.height == denied_before + 1
    entry = denied.row(0, named=True)
    assert entry["role"] == "analyst" and "no longer has record-level rights" in entry["what"]
    assert audit.read(log, event="download").height == downloads_before


def test_a_page_outside_the_role_is_refused_and_audited(page: Page, app: tuple[str, Path]) -> None:
    url, root = app
    grant(root, role="leader", clusters=("UNITY",))
    log = root / "audit.sqlite"
    before = audit.read(log, event="denied").height
    page.goto(f"{url}/audit_log")
    expect(page.get_by_text("This page is not open to your role (leader).")).to_be_visible(
        timeout=LOADED
    )
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    expect(page.get_by_role("heading", name="Workforce overview")).to_have_count(0)
    expect(page).to_have_url(f"{url}/audit_log")
    denied = audit.read(log, event="denied")
    assert denied.height == before + 1
    assert (denied["page"][0], denied["role"][0]) == ("audit_log", "leader")
    nav = page.locator(".st-key-navigation")  # the leader's own pages only
    expect(nav.get_by_role("link", name="Overview")).to_be_visible()
    expect(nav.get_by_role("link", name="Audit log")).to_have_count(0)
    expect(nav.get_by_role("link", name="Extracts")).to_have_count(0)


def test_tables_offer_no_download_of_their_own_and_records_only_as_counts(
    page: Page, app: tuple[str, Path]
) -> None:
    url, _ = app
    open_extracts(page, url)
    tables = page.get_by_test_id("stDataFrame")
    expect(tables).to_have_count(2)  # the protected preview and the records' counts
    for index in range(2):
        tables.nth(index).hover()
        toolbar = page.get_by_test_id("stElementToolbar").nth(index)
        expect(toolbar.get_by_role("button").first).to_be_visible()  # the toolbar is there
        expect(toolbar.get_by_role("button", name="Download as CSV")).to_have_count(0)
    # The grid is drawn on a canvas: its columns are checked under AppTest
    # (test_app_access.py::test_record_level_rows_only_with_rights_and_only_for_their_clusters).
    expect(page.get_by_text("4 records, counted by cluster and organisation")).to_be_visible()
