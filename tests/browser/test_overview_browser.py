"""The overview page, served for real and opened in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_overview_loads_without_an_exception(page: Page, app_url: str) -> None:
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Workforce Picture")).to_be_visible(timeout=30_000)
    # The last thing the script writes: once it shows, the run has finished.
    expect(page.get_by_text("No data has been loaded yet")).to_be_visible(timeout=30_000)
    expect(page).to_have_title("Workforce Picture")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
