"""Links that keep the view (issue 12), in Chromium: choices made on the Workforce and Extracts
pages are in the address bar; that address, opened in a new browser (a new context: no cookie,
no session), restores every one of them; "Copy link" shows the same address; one page's
choices do not follow the viewer to another page; and a link naming a cluster the viewer
cannot see says so, naming it.

Over the tiny warehouse (tests/tiny_warehouse.py): month-ends 31 January and 28 February 2026.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import settled

pytestmark = pytest.mark.browser
LOADED = 30_000  # ms


def widget(page: Page, key: str) -> Locator:
    """The widget keyed ``key`` (Streamlit marks its container ``st-key-<key>``, dots as -)."""
    return page.locator(f".st-key-{key.replace('.', '-')}")


def in_url(page: Page, key: str, value: str) -> None:
    """Wait until the address bar holds ``key=value`` (the rerun after a choice writes it)."""
    page.wait_for_function(
        "([k, v]) => new URLSearchParams(location.search).getAll(k).includes(v)",
        arg=[key, value],
        timeout=LOADED,
    )
    settled(page, LOADED)


def choose(page: Page, key: str, option: str, written: str) -> None:
    """Pick ``option`` in the selectbox or multiselect keyed ``key``; wait for the URL to
    hold ``written``."""
    widget(page, key).locator("input").first.click()
    page.keyboard.type(option)  # typing opens the list, filtered
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    in_url(page, key, written)


def type_date(page: Page, key: str, digits: str, written: str) -> None:
    """Type ``digits`` (DDMMYYYY) into the date field keyed ``key``, segment by segment as a
    keyboard user would; wait for the URL to hold ``written``."""
    widget(page, key).get_by_role("spinbutton").first.click()
    page.keyboard.type(digits)
    page.get_by_role("heading", level=1).click()  # Streamlit takes the date as the field is left
    in_url(page, key, written)


def picked(page: Page, key: str) -> Locator:
    """The selectbox keyed ``key``: its value is the option shown."""
    return widget(page, key).get_by_role("combobox")


def day_shown(page: Page, key: str) -> Locator:
    """The date field's value, as the form would send it (``YYYY-MM-DD``)."""
    return widget(page, key).locator("input[type=date]")


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def open_fresh(browser: Browser, url: str) -> tuple[Page, object]:
    """``url`` in a new browser context: nothing of the first session comes along."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    fresh = context.new_page()
    fresh.goto(url)
    expect(fresh.get_by_role("heading", level=1)).to_be_visible(timeout=LOADED)
    settled(fresh, LOADED)
    return fresh, context


def copied_link(page: Page) -> str:
    """The text "Copy link" shows, as its copy button would copy it."""
    page.get_by_role("button", name="Copy link").click()
    code = page.get_by_test_id("stPopoverBody").get_by_test_id("stCode")
    expect(code).to_be_visible(timeout=LOADED)
    text = code.inner_text().strip()
    page.keyboard.press("Escape")
    return text


def test_workforce_choices_survive_a_new_browser(
    page: Page, browser: Browser, tiny_url: str
) -> None:
    page.goto(f"{tiny_url}/workforce")
    expect(page.get_by_role("heading", name="Workforce", exact=True)).to_be_visible(timeout=LOADED)
    settled(page, LOADED)
    choose(page, "workforce.by", "Department", "department")
    widget(page, "workforce.measure").get_by_text("FTE", exact=True).click()
    in_url(page, "workforce.measure", "FTE")
    page.get_by_role("tab", name="Compare two dates").click()  # its own tab (issue 14)
    in_url(page, "workforce.tab", "Compare two dates")
    type_date(page, "workforce.compare.a", "10022026", "2026-02-10")
    choose(page, "workforce.compare.by", "Grade", "grade")
    choose(page, "workforce.compare.measure", "Paybill", "paybill_gbp")
    link = page.url
    assert params(link) == {
        "as_at": ["2026-02-28"],
        "workforce.by": ["department"],
        "workforce.measure": ["FTE"],
        "workforce.tab": ["Compare two dates"],
        "workforce.compare.a": ["2026-02-10"],
        "workforce.compare.by": ["grade"],
        "workforce.compare.measure": ["paybill_gbp"],
    }
    assert copied_link(page) == link

    fresh, context = open_fresh(browser, link)
    try:
        # the link opens the tab it was copied on; the first tab keeps its choices too
        expect(day_shown(fresh, "workforce.compare.a")).to_have_value("2026-02-10")
        expect(picked(fresh, "workforce.compare.by")).to_have_value("Grade")
        expect(picked(fresh, "workforce.compare.measure")).to_have_value("Paybill")
        assert params(fresh.url) == params(link)  # nothing lost or added on the way in
        fresh.get_by_role("tab", name="Cluster to organisation").click()
        expect(picked(fresh, "workforce.by")).to_have_value("Department", timeout=LOADED)
        expect(widget(fresh, "workforce.measure").get_by_role("radio", name="FTE")).to_be_checked()
        expect(fresh.get_by_text("FTE by department", exact=False).first).to_be_visible()
    finally:
        context.close()

    # Another page: the workforce choices stay behind, the filters come along.
    page.locator(".st-key-navigation").get_by_text("Flows and turnover").click()
    expect(page.get_by_role("heading", name="Flows", exact=True)).to_be_visible(timeout=LOADED)
    settled(page, LOADED)
    assert not [key for key in params(page.url) if key.startswith("workforce.")]
    assert params(page.url)["as_at"] == ["2026-02-28"]


def test_extract_choices_survive_a_new_browser(page: Page, browser: Browser, tiny_url: str) -> None:
    page.goto(f"{tiny_url}/extracts")
    expect(page.get_by_role("heading", name="Extracts")).to_be_visible(timeout=LOADED)
    settled(page, LOADED)
    choose(page, "extracts.metric", "Turnover", "turnover")
    choose(page, "extracts.by.turnover", "Grade", "grade")
    choose(page, "extracts.by.turnover", "Cluster", "cluster")
    type_date(page, "extracts.as_at", "31012026", "2026-01-31")
    link = page.url
    assert params(link)["extracts.metric"] == ["turnover"]
    assert params(link)["extracts.by.turnover"] == ["grade", "cluster"]
    assert params(link)["extracts.as_at"] == ["2026-01-31"]

    fresh, context = open_fresh(browser, link)
    try:
        expect(picked(fresh, "extracts.metric")).to_have_value("Turnover")
        chosen = widget(fresh, "extracts.by.turnover")
        expect(chosen).to_contain_text("Grade")
        expect(chosen).to_contain_text("Cluster")
        expect(day_shown(fresh, "extracts.as_at")).to_have_value("2026-01-31")
        header = fresh.get_by_test_id("stDataFrame").first
        expect(header).to_be_visible(timeout=LOADED)
        assert params(fresh.url) == params(link)
    finally:
        context.close()


def test_a_cluster_outside_the_analysts_scope_is_named(page: Page, unity_analyst_url: str) -> None:
    page.goto(f"{unity_analyst_url}/workforce?clusters=SYNERGY,ATLANTIS&workforce.by=department")
    warning = page.get_by_text("The link asked for clusters SYNERGY and ATLANTIS")
    expect(warning).to_be_visible(timeout=LOADED)
    expect(page.get_by_text("These figures cover UNITY.", exact=False)).to_be_visible()
    settled(page, LOADED)
    expect(picked(page, "workforce.by")).to_have_value("Department")
    assert "clusters" not in params(page.url)
