"""Board packs, in Chromium: every page prints to A4 landscape PDF with its title, its charts
whole, no sidebar, and the footer (as-at date, data freshness, scope, disclosure note).

Each page is opened, waited for until fully drawn (its title shown, the script idle, no
skeleton, every Plotly chart drawn), then printed as the browser's print does: print media,
then ``page.pdf``.  The PDF's text is read back with pypdf.  One server over the tiny warehouse
(tests/tiny_warehouse.py: latest date 28 February 2026, MATRIX stale, DEFENCE and OVERSEAS
absent) serves both roles: the policy file is read on every run, so the test rewrites it.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pypdf  # the PDF's pages and text (pure Python; in requirements.lock for this test)
import pytest
from playwright.sync_api import Browser, Page, expect

from core.access import Grant
from dashboard import footer
from tests.browser.conftest import serve, settled
from tests.pages import ADMIN, policy_text

pytestmark = pytest.mark.browser
LOADED = 30_000  # ms
SHEET_WIDTH = footer.PRINTABLE_MM * 96 / 25.4  # CSS px a sheet prints across: 1,047
# Page key → (its title, its link in the sidebar, the most sheets it may take over the tiny
# warehouse).  Flows and Data health print the same way; AppTest checks their footers.
PAGES = {
    "overview": ("Workforce overview", "Overview", 8),
    "workforce": ("Workforce", "Workforce", 14),
    "cost": ("Cost and efficiency", "Cost and efficiency", 14),
    "programme": ("Programme", "Programme", 14),
    "extracts": ("Extracts", "Extracts", 8),
}
# Text only the sidebar holds (its navigation's sections and its own controls).
SIDEBAR_ONLY = ("Copy link", "Strategy office", "Administration", "Glossary")
ALL = ("DEFENCE", "OVERSEAS", "MATRIX", "SYNERGY", "UNITY")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app over the tiny warehouse, and the folder of its policy file."""
    from tests.tiny_warehouse import build

    root = tmp_path_factory.mktemp("served-print")
    settings = build(root)
    with serve(root, settings.warehouse, settings.reference) as url:
        yield url, root


@pytest.fixture(scope="module")
def tab(browser: Browser) -> Iterator[Page]:
    """One tab for the module: pages after the first are opened from the sidebar's links, in
    the same session, as a reader moves through a board pack (a new tab costs seconds)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def grant(root: Path, role: str, clusters: tuple[str, ...] = ("*",)) -> None:
    (root / "access.toml").write_text(policy_text(ADMIN, role, clusters))


def drawn(page: Page, title: str) -> None:
    """Wait until the page is fully drawn: its title, script idle, no skeleton, every chart
    drawn, and the footer (the last thing a run draws)."""
    expect(page.locator("h1").first).to_have_text(title, timeout=LOADED)
    settled(page, LOADED)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=LOADED)
    expect(page.locator(f".st-key-{footer.KEY}")).to_be_visible(timeout=LOADED)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(
             c => c.querySelector('svg.main-svg .cartesianlayer, svg.main-svg .pielayer'))""",
        timeout=LOADED,
    )


def visit(page: Page, url: str, key: str) -> None:
    """Open page ``key``: by its sidebar link once the app is open, else by its address."""
    title, label, _ = PAGES[key]
    if page.url.startswith(url):
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_role("link", name=label, exact=True).first.click()
        page.wait_for_url(f"{url}/{key}**", timeout=LOADED)
    else:
        page.goto(f"{url}/{key}")
    drawn(page, title)


def charts_fit(page: Page) -> None:
    """Wait until every chart has been drawn again to the printed column's width."""
    page.wait_for_function(
        """(sheet) => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => {
             const svg = c.querySelector('svg.main-svg');
             const box = c.getBoundingClientRect().width;
             return svg && box <= sheet + 1 && Number(svg.getAttribute('width')) <= box + 1;
           })""",
        arg=SHEET_WIDTH,
        timeout=LOADED,
    )


def printed(page: Page, *, emulate: bool = True) -> tuple[int, str]:
    """Print the page to A4 landscape: its number of sheets and its text (ligatures and line
    breaks undone, so phrases can be looked for whole)."""
    if emulate:
        page.emulate_media(media="print")
        charts_fit(page)
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    page.emulate_media(media="no-override")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height, "not landscape"
    text = " ".join(p.extract_text() for p in reader.pages)
    return len(reader.pages), " ".join(unicodedata.normalize("NFKC", text).split())


def words(markdown: str) -> str:
    return " ".join(footer.text_of([markdown]).split())


@pytest.mark.parametrize("key", PAGES)
def test_every_page_prints_whole_with_its_footer(
    key: str, tab: Page, served: tuple[str, Path]
) -> None:
    url, root = served
    grant(root, "admin")
    title, _, most = PAGES[key]
    visit(tab, url, key)
    sheets, text = printed(tab)
    assert 1 <= sheets <= most, f"{key}: {sheets} sheets"
    assert text.startswith(title), text[:200]
    assert "As at 28 February 2026 · Data freshness: DEFENCE none by 28 Feb 2026" in text
    assert "MATRIX 31 Jan 2026 (stale)" in text
    assert "Scope: admin, all clusters" in text
    assert words(footer.disclosure_note(Grant(ADMIN, "admin", ALL))) in text
    assert footer.STATEMENT_TITLE in text
    for sidebar in SIDEBAR_ONLY:
        assert sidebar not in text, f"{key}: the sidebar's {sidebar!r} printed"


def test_a_wide_window_prints_its_charts_whole(tab: Page, served: tuple[str, Path]) -> None:
    """Printed straight from a 1,920 px window (no print media first, as Ctrl+P does): the
    charts, drawn wider than a sheet, are zoomed to it just before printing and restored
    after, so each chart's last axis label is on the sheet."""
    url, root = served
    grant(root, "admin")
    tab.set_viewport_size({"width": 1920, "height": 1000})
    try:
        visit(tab, url, "cost")
        tab.wait_for_function(
            """(sheet) => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                 .every(c => c.getBoundingClientRect().width > sheet + 50)""",
            arg=SHEET_WIDTH,
            timeout=LOADED,
        )  # drawn wider than a sheet on screen
        last_ticks = tab.evaluate(
            """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map(c => {
                 const ticks = [...c.querySelectorAll('.xtick text')];
                 return ticks.length ? ticks[ticks.length - 1].textContent : null;
               }).filter(t => t)"""
        )
        assert last_ticks
        _, text = printed(tab, emulate=False)
    finally:
        tab.set_viewport_size({"width": 1280, "height": 900})
    for tick in last_ticks:
        assert unicodedata.normalize("NFKC", tick) in text, f"{tick!r} cut off"
    assert tab.locator("[data-wp-zoomed]").count() == 0  # restored after printing
    assert "Copy link" not in text and "Scope: admin, all clusters" in text


def zooms(page: Page) -> dict[str, list[float]]:
    """The zoom the print script gives each chart and table grid (read between the browser's
    ``beforeprint`` and ``afterprint``, dispatched here by hand)."""
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    found = page.evaluate(
        """() => Object.fromEntries(['stPlotlyChart', 'stDataFrame'].map(id => [id,
             [...document.querySelectorAll(`[data-testid="${id}"]`)]
               .filter(e => e.getBoundingClientRect().width > 0)
               .map(e => Number(e.style.zoom || 1))]))"""
    )
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    return found


def test_charts_take_the_same_share_of_the_sheet_as_of_the_window(
    tab: Page, served: tuple[str, Path]
) -> None:
    """From a window narrower than a sheet the charts are zoomed up to fill it as they fill the
    window (vectors: still sharp), never a table's canvas; from a wider one, everything down.
    (Under print media the column has the sheet's width already: see the tests above.)"""
    url, root = served
    grant(root, "admin")
    visit(tab, url, "workforce")
    try:
        for width, grow in ((1100, True), (1920, False)):
            tab.set_viewport_size({"width": width, "height": 900})
            tab.wait_for_timeout(500)  # the charts redraw to the new width
            found = zooms(tab)
            assert found["stPlotlyChart"], width
            if grow:
                # Up to the sheet's width, unless that would make a tall chart taller than
                # most of a sheet.
                assert min(found["stPlotlyChart"]) > 1 and max(found["stPlotlyChart"]) > 1.3, found
                assert all(z <= 1 for z in found["stDataFrame"]), found
            else:
                assert all(z < 0.95 for z in found["stPlotlyChart"] + found["stDataFrame"])
    finally:
        tab.set_viewport_size({"width": 1280, "height": 900})
    assert tab.locator("[data-wp-zoomed]").count() == 0


def test_a_restricted_leader_prints_their_scope_only(tab: Page, served: tuple[str, Path]) -> None:
    url, root = served
    grant(root, "leader", ("UNITY",))
    try:
        tab.goto(f"{url}/overview")  # a new session: the sidebar is the leader's
        drawn(tab, PAGES["overview"][0])
        sheets, text = printed(tab)
    finally:
        grant(root, "admin")
    assert 1 <= sheets <= PAGES["overview"][2]
    assert "As at 28 February 2026 · Data freshness: UNITY 28 Feb 2026 Scope: leader, UNITY" in text
    assert words(footer.disclosure_note(Grant(ADMIN, "leader", ("UNITY",)))) in text
    for other in ALL[:4]:
        assert other not in text, f"{other} is outside the leader's scope"
