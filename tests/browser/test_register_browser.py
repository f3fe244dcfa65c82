"""The register kept in the app, in Chromium (issue 15): the strategy office moves a forecast
and uploads an edited workbook on the Programme page; a second tab's save over a version it did
not see is refused, naming who saved; each change is in the admin's Audit log and in
``workforce query milestones``; a leader cannot edit."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from ingest_factories import cluster_delivery, make_settings, programme_delivery
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from core.register import workbook
from core.register.versions import current
from pipeline.ingest import ingest_main
from tests.browser.conftest import REPO, serve, settled
from tests.pages import ADMIN, policy_text

pytestmark = pytest.mark.browser
LOADED = 60_000
OCT = date(2026, 10, 31)
REGISTER_TAB = "programme.tab=The+register"  # the Programme page's tab of the register


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, object]]:
    root = tmp_path_factory.mktemp("served-register")
    settings = make_settings(root)  # its landing zone is the one serve() gives the app
    cluster_delivery(settings.landing, "SYNERGY", OCT)
    programme_delivery(settings.landing, OCT)
    assert ingest_main(settings, today=date(2026, 11, 30)) == 0
    with serve(root, settings.warehouse, settings.reference, role="strategy_office") as url:
        yield url, root, settings


def be(root: Path, role: str) -> None:
    (root / "access.toml").write_text(policy_text(ADMIN, role))


def programme(browser: Browser, url: str) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{url}/programme?{REGISTER_TAB}")
    expect(page.get_by_role("heading", name="Change the register")).to_be_visible(timeout=LOADED)
    settled(page, LOADED)
    return page


def pick(page: Page, key: str, option: str) -> None:
    page.locator(f".st-key-{key.replace('.', '-')}").locator("input").first.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option).first.click()


def saved_on() -> str:
    """The day a save made now is dated (core.register.save: the UTC date), so that a run
    across midnight still reads what it saved."""
    return datetime.now(UTC).date().isoformat()


def milestones_by_rating(settings) -> dict[str, str]:
    run = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "query", "milestones", "--as-at", saved_on(),
         "--by", "dca_rating", "--warehouse", str(settings.warehouse)],
        cwd=REPO, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return {row["dca_rating"]: row["milestones"] for row in csv.DictReader(io.StringIO(run.stdout))}


def test_the_strategy_office_keeps_the_register_and_every_change_is_found(
    browser: Browser, served
) -> None:
    url, root, settings = served
    be(root, "strategy_office")
    before = milestones_by_rating(settings)
    page, other = programme(browser, url), programme(browser, url)  # two editors, one version
    # a forecast moved, with a reason
    pick(page, "register.update.milestone", "M002")
    page.locator(".st-key-register-update-forecast").get_by_role("spinbutton").first.click()
    page.keyboard.type("01062026")
    pick(page, "register.update.rating", "Red")
    page.get_by_label("Reason for the change (required)").fill("supplier late")
    page.get_by_role("button", name="Save the change").click()
    expect(page.get_by_text("Saved: milestone M002")).to_be_visible(timeout=LOADED)
    rows = {m["milestone_id"]: m for m in current(settings.warehouse).milestones}
    assert (rows["M002"]["forecast_date"], rows["M002"]["dca_rating"]) == (date(2026, 6, 1), "red")
    # the second tab opened the register before that save: its save is refused, its edit kept
    pick(other, "register.update.milestone", "M004")
    pick(other, "register.update.rating", "Green")
    other.get_by_label("Reason for the change (required)").fill("second editor")
    other.get_by_role("button", name="Save the change").click()
    expect(other.get_by_text("the register was replaced after you opened it")).to_be_visible(
        timeout=LOADED
    )
    expect(other.get_by_label("Reason for the change (required)")).to_have_value("second editor")
    # an edited workbook uploaded
    book = load_workbook(io.BytesIO(workbook.write(current(settings.warehouse))))
    book["milestones"]["H2"] = "amber_red"  # M000
    sent = root / "register-edited.xlsx"
    book.save(sent)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(sent))
    expect(page.get_by_text("The workbook makes 1 changes")).to_be_visible(timeout=LOADED)
    page.get_by_label("Reason for these changes (required)").fill("programme board")
    page.get_by_role("button", name="Apply the workbook").click()
    expect(page.get_by_text("Saved: milestone M000")).to_be_visible(timeout=LOADED)
    # workforce query sees the ratings, and the admin's audit log every change
    after = milestones_by_rating(settings)
    assert after != before and after.get("red") and after.get("amber_red")
    be(root, "admin")
    log = browser.new_context().new_page()
    log.goto(f"{url}/audit_log")
    expect(log.get_by_role("heading", name="Audit log")).to_be_visible(timeout=LOADED)
    for what in ("milestone M002: forecast_date", "milestone M002: dca_rating",
                 "milestone M000: dca_rating"):  # fmt: skip
        # the log's table is a canvas grid: its cells are in the page for screen readers
        cell = log.locator('[data-testid^="glide-cell"]', has_text=what).first
        expect(cell).to_be_attached(timeout=LOADED)
    be(root, "strategy_office")


def test_a_leader_cannot_edit(browser: Browser, served) -> None:
    url, root, _ = served
    be(root, "leader")
    try:
        page = browser.new_context().new_page()
        page.goto(f"{url}/programme?{REGISTER_TAB}")
        expect(page.get_by_text("you read it here")).to_be_visible(timeout=LOADED)
        expect(page.get_by_role("button", name="Save the change")).to_have_count(0)
        expect(page.get_by_text("Upload an edited register")).to_have_count(0)
    finally:
        be(root, "strategy_office")
