"""Every page read whole on a laptop (1280×800) and on a phone (390×844), in Chromium over a
small demo warehouse (issue 14): no headline tile's value or label cut short with "…", no
tile or chart past the screen's edge, no chart title cut at the chart's edge, and no chart's
legend over its title (nor over the Programme timeline's "As at" label).  Each page is
photographed at each width into the test's temporary folder, for a person to look at; the
assertions are on the elements' sizes.

The warehouse is the demo's at a small scale over six month-ends, so that the figures have
the lengths real ones have (thousands, £m), turnover and cost per FTE read "Not available"
(the longest value a tile shows) and the current month is half posted.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from dashboard.navigation import PAGES
from dashboard.tiles import CSS, Tile, tiles_html
from tests.browser.conftest import REPO, serve, settled
from tests.pages import tab_paths

pytestmark = pytest.mark.browser
WIDTHS = ((1280, 800), (390, 844))
LOADED = 90_000  # ms: a page's first run fills the server's caches

# What each page's elements measure, in CSS pixels, read in the page itself.
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const box = (el) => { const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  const cut = (el) => el.scrollWidth > el.clientWidth + 1;
  // A word broken across lines is cut too: "£21.6bn" must not read "£21.6b" then "n".
  const lines = (el) => { const range = document.createRange(); range.selectNodeContents(el);
    return new Set([...range.getClientRects()].filter((r) => r.width > 0)
                   .map((r) => Math.round(r.top))).size; };
  const broken = (el) => !/\\s/.test(el.innerText.trim()) && lines(el) > 1;
  const tiles = [...document.querySelectorAll('[data-testid="wpTile"]')].map((tile) => {
    const value = tile.querySelector('.wp-tile-value');
    const label = tile.querySelector('.wp-tile-label');
    return {text: `${label.innerText.trim()}: ${value.innerText.trim()}`,
            cut: [value, label].some((el) => cut(el) || broken(el)), box: box(tile)};
  });
  const charts = [...document.querySelectorAll('.js-plotly-plot')].map((plot) => {
    const find = (selector) => plot.querySelector(selector);
    const asAt = [...plot.querySelectorAll('.annotation')].find(
      (a) => a.textContent.trim() === 'As at');
    return {title: (find('.gtitle') || {}).textContent || '', box: box(plot),
            svg: box(find('.main-svg')),
            titleBox: find('.gtitle') ? box(find('.gtitle')) : null,
            legend: find('.legend') ? box(find('.legend')) : null,
            asAt: asAt ? box(asAt) : null};
  });
  return {width, scrollWidth: document.documentElement.scrollWidth, tiles, charts};
}"""


def overlap(a: dict | None, b: dict | None) -> bool:
    """Whether two boxes share any area (touching edges do not count)."""
    if a is None or b is None:
        return False
    return min(a["right"], b["right"]) - max(a["left"], b["left"]) > 1 and (
        min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 1
    )


def problems(measured: dict) -> list[str]:
    """Everything on the page that does not read whole, one line each."""
    width = measured["width"]
    found = []
    if measured["scrollWidth"] > width + 1:
        found.append(f"the page scrolls sideways ({measured['scrollWidth']} > {width} px)")
    for tile in measured["tiles"]:
        if tile["cut"]:
            found.append(f"tile cut short: {tile['text']!r}")
        if tile["box"]["left"] < 0 or tile["box"]["right"] > width + 1:
            found.append(f"tile past the screen's edge: {tile['text']!r}")
    for chart in measured["charts"]:
        name = chart["title"][:60] or "a chart"
        for part in ("box", "svg"):
            if chart[part]["left"] < -1 or chart[part]["right"] > width + 1:
                found.append(f"chart past the screen's edge: {name!r}")
                break
        title, svg = chart["titleBox"], chart["svg"]
        if title and (title["left"] < svg["left"] - 1 or title["right"] > svg["right"] + 1):
            found.append(f"title cut at the chart's edge: {name!r}")
        if overlap(chart["legend"], chart["titleBox"]):
            found.append(f"legend over the title: {name!r}")
        if overlap(chart["asAt"], chart["legend"]) or overlap(chart["asAt"], chart["titleBox"]):
            found.append(f"'As at' over the legend or title: {name!r}")
    return found


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the demo's deliveries at scale 0.01 from 31 May 2026 to yesterday."""
    root = tmp_path_factory.mktemp("served-demo")
    workforce = Path(sys.executable).parent / "workforce"
    env = {**os.environ, "WORKFORCE_WAREHOUSE": str(root / "warehouse")}
    landing = ("--landing", str(root / "landing"))
    for command in (
        ("demo", "--scale", "0.01", "--start", "2026-05-31", "--seed", "14", *landing),
        ("ingest", *landing, "--warehouse", str(root / "warehouse")),
    ):
        run = subprocess.run(
            [str(workforce), *command], cwd=REPO, env=env, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    with serve(root, root / "warehouse") as url:
        yield url


def drawn(page: Page) -> None:
    """Wait until the script has finished and every Plotly chart has drawn its title."""
    settled(page, LOADED)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                   .every((c) => c.querySelector('.main-svg .gtitle'))""",
        timeout=LOADED,
    )
    page.wait_for_timeout(300)  # the legend is laid out after the title


def test_every_page_reads_whole_on_a_laptop_and_a_phone(
    browser, demo_url: str, tmp_path: Path
) -> None:
    """Each page opened once at 1280×800, measured and photographed, then narrowed to
    390×844 (the page and its charts lay themselves out again) and measured again: half the
    page loads of opening it at each width, for the same layout."""
    (width, height), phone = WIDTHS
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    found: dict[str, list[str]] = {}
    seen = {"tiles": 0, "charts": 0}
    try:
        for path in (p for spec in PAGES for p in tab_paths(spec.key)):  # every tab's charts
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{demo_url}/{path}")
            drawn(page)
            for size in WIDTHS:
                if size == phone:
                    page.set_viewport_size({"width": size[0], "height": size[1]})
                    page.wait_for_function(
                        f"document.documentElement.clientWidth === {size[0]}", timeout=LOADED
                    )
                    page.wait_for_timeout(1000)  # Plotly redraws a resized chart on a timer
                shot = path.replace("?", "-").replace("=", "-").replace("+", "-")
                page.screenshot(path=tmp_path / f"{shot}-{size[0]}.png", full_page=True)
                measured = page.evaluate(MEASURE)
                seen["tiles"] += len(measured["tiles"])
                seen["charts"] += len(measured["charts"])
                said = problems(measured)
                found.update({f"{path} at {size[0]} px": said} if said else {})
    finally:
        context.close()
    assert not found, "\n".join(f"{key}: {line}" for key, said in found.items() for line in said)
    assert seen["tiles"] >= 40 and seen["charts"] >= 30  # the pages were drawn, not empty


def test_the_check_finds_what_the_issue_saw() -> None:
    """The measure's judgement on the faults the issue saw: a value cut, a legend on a title,
    a chart wider than the phone."""
    box = {"left": 0, "right": 100, "top": 0, "bottom": 20}
    chart = {"title": "t", "box": box, "svg": box, "titleBox": box, "legend": None, "asAt": None}
    clean = {"width": 390, "scrollWidth": 390, "tiles": [], "charts": [chart]}
    assert problems(clean) == []
    cut = {**clean, "tiles": [{"text": "Start: 525,…", "cut": True, "box": box}]}
    assert problems(cut) == ["tile cut short: 'Start: 525,…'"]
    legend = {**box, "top": 10, "bottom": 40}
    assert problems({**clean, "charts": [{**chart, "legend": legend}]}) == [
        "legend over the title: 't'"
    ]
    wide = {**box, "right": 500}
    assert problems({**clean, "charts": [{**chart, "svg": wide}]}) == [
        "chart past the screen's edge: 't'"
    ]


@pytest.mark.parametrize(("width", "cut"), [(400, False), (90, True)])
def test_the_measure_sees_a_value_wrapped_inside_a_word(browser, width: int, cut: bool) -> None:
    """A tile drawn as the pages draw it (dashboard.tiles), in a box wide enough for its
    value and in one too narrow: there the value breaks inside "£21.6bn", which reads as cut."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        block = tiles_html([Tile("Paybill", "£21.6bn")], "t", per_row=1)
        page.set_content(f'<style>{CSS}</style><div style="width: {width}px">{block}</div>')
        (tile,) = page.evaluate(MEASURE)["tiles"]
        assert tile["text"] == "Paybill: £21.6bn"
        assert tile["cut"] is cut
    finally:
        page.close()
