"""The browser benchmark's "fully drawn" on real Streamlit markup: a bare page with a Plotly
chart (so a change in Streamlit's markup fails here, not as a silent timeout in the benchmark)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import browser_bench as bb

pytestmark = pytest.mark.browser


def test_fully_drawn_is_seen_on_a_bare_chart_page(browser, tmp_path: Path) -> None:
    scripts = bb.bare_scripts(tmp_path)
    with bb.serve_script(scripts["bare_chart"]) as url:
        context = bb._context(browser)
        try:
            tab = context.new_page()
            tab.goto(url, wait_until="commit")
            tab.evaluate("([t, h]) => window.__watch(t, h)", [bb.BARE_TITLE, bb.HOLD_MS])
            drawn = bb._until_drawn(tab, bb.BARE_TITLE)
            assert tab.locator(".js-plotly-plot .main-svg").count() >= 1
            assert tab.evaluate(f"window.__drawn({bb.BARE_TITLE!r})")
            assert 0 < drawn < bb.TIMEOUT_MS
            # A heading the page does not have is never "drawn".
            assert not tab.evaluate("window.__drawn('Not this page')")
        finally:
            context.close()


def test_the_load_tests_page_markers_show_on_their_own_page_only(browser, tiny_url: str) -> None:
    """benchmarks/load_test.py (and cluster_load.py) time a page until its marker heading
    shows: each marker must show at first draw on its page (not in a tab opened later) and on
    no other page, or the load test counts timeouts instead of page times."""
    from benchmarks import load_test

    tab = browser.new_page(viewport=load_test.VIEWPORT)
    try:
        order = load_test.pages()
        for page in order:
            tab.goto(f"{tiny_url}/{page.path}", wait_until="commit")
            tab.get_by_role("heading", name=page.marker).first.wait_for(state="visible")
            tab.locator(load_test.FINISHED).wait_for(state="attached")
            others = [p.marker for p in order if p is not page]
            shown = [m for m in others if tab.get_by_role("heading", name=m).count()]
            assert not shown, f"{page.key} also shows {shown}"
    finally:
        tab.close()
