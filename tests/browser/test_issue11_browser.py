"""Issue 11, item 10, attacked again in Chromium: the links a leader would try next after
``/audit_log`` was refused.

A trailing slash is the same page to the browser: refused and audited like the plain link.
Another case (``/AUDIT_LOG``, ``/Audit_log``) is no page at all to Streamlit (its URL paths are
matched exactly), for any role: the default page opens and nothing of the admin page is drawn.
One server, over the tiny warehouse, as a leader of UNITY.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core import audit
from tests.browser.conftest import serve, settled

pytestmark = pytest.mark.browser
LOADED = 30_000  # ms
REFUSED = "This page is not open to your role (leader)."


@pytest.fixture(scope="module")
def leader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app's URL and its audit log, for a leader of UNITY."""
    from tests.tiny_warehouse import build

    root = tmp_path_factory.mktemp("served-issue11")
    settings = build(root)
    with serve(
        root, settings.warehouse, settings.reference, role="leader", clusters=("UNITY",)
    ) as url:
        yield url, root / "audit.sqlite"


@pytest.mark.parametrize(
    ("path", "page_key"), [("audit_log/", "audit_log"), ("data_health/", "data_health")]
)
def test_a_trailing_slash_is_refused_and_audited(
    page: Page, leader: tuple[str, Path], path: str, page_key: str
) -> None:
    url, log = leader
    before = audit.read(log, event="denied").height
    page.goto(f"{url}/{path}")
    expect(page.get_by_text(REFUSED)).to_be_visible(timeout=LOADED)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    denied = audit.read(log, event="denied")
    assert denied.height == before + 1
    assert (denied["page"][0], denied["role"][0]) == (page_key, "leader")


@pytest.mark.parametrize("path", ["AUDIT_LOG", "Audit_log", "audit-log"])
def test_another_case_draws_nothing_of_the_admin_page(
    page: Page, leader: tuple[str, Path], path: str
) -> None:
    url, log = leader
    before = audit.read(log).height
    page.goto(f"{url}/{path}")
    expect(page.get_by_role("heading", name="Workforce overview")).to_be_visible(timeout=LOADED)
    settled(page, LOADED)
    expect(page.get_by_role("heading", name="Audit log")).to_have_count(0)
    expect(page.get_by_text(REFUSED)).to_have_count(0)
    shown = audit.read(log)
    assert shown.height > before  # the page that opened was audited as a view
    assert "audit_log" not in set(shown.head(shown.height - before)["page"])
