"""The browser benchmark's "fully drawn" on real Streamlit markup: a bare page with a Plotly
chart (so a change in Streamlit's markup fails here, not as a silent timeout in the benchmark)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import browser_bench as bb

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


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
