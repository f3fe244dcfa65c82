"""Keyboard use of the served app, in Chromium: tabbing through the Overview reaches the
sidebar's links and the page's controls, and each shows where the focus is (WCAG 2.1.1
Keyboard, 2.4.7 Focus Visible), with GOV.UK's focus ring from ``dashboard/style.py``."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from dashboard.navigation import PAGES, STATEMENT
from tests.browser.test_axe_browser import drawn

pytestmark = pytest.mark.browser
MOST_TABS = 120  # the Overview has about 50 stops; a trap would never come back round

# What the focused element is, and whether it (or the box drawn around it, for an input
# whose wrapper draws the box) shows a focus ring: an outline at least 2px wide, or a shadow.
FOCUSED = """() => {
  const active = document.activeElement;
  if (!active || active === document.body) return null;
  const ringed = (el) => {
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    return outline || style.boxShadow !== 'none';
  };
  let ring = null;
  for (let el = active, up = 0; el && up < 4 && !ring; el = el.parentElement, up++) {
    if (ringed(el)) ring = el;
  }
  const text = active.cloneNode(true);  // its words without its icons' ligature names
  text.querySelectorAll('[data-testid="stIconMaterial"]').forEach((icon) => icon.remove());
  const label = active.getAttribute('aria-label') || text.textContent || active.value || '';
  let opacity = 1;  // as drawn: a control faded out (Plotly's mode bar) shows no focus
  for (let el = active; el; el = el.parentElement) {
    opacity *= parseFloat(getComputedStyle(el).opacity);
  }
  const box = active.getBoundingClientRect();
  const style = ring ? getComputedStyle(ring) : null;
  return {
    tag: active.tagName.toLowerCase(),
    role: active.getAttribute('role') || '',
    label: label.trim().slice(0, 60),
    testid: (active.closest('[data-testid]') || active).getAttribute('data-testid') || '',
    outline: style ? `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}` : '',
    shadow: style ? style.boxShadow : '',
    ringed: ring !== null,
    shown: opacity >= 0.5 && box.width > 0 && box.height > 0,
  };
}"""


def tab_through(page: Page) -> list[dict]:
    """Every stop of the Tab key from the top of the page until the focus leaves it."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    stops: list[dict] = []
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop is None or (stops and stop == stops[0]):
            break
        stops.append(stop)
    return stops


def test_tabbing_through_the_overview_reaches_every_control_and_shows_the_focus(
    page: Page, tiny_url: str
) -> None:
    page.goto(tiny_url)
    drawn(page)
    stops = tab_through(page)
    labels = [stop["label"] for stop in stops]
    unringed = [
        f"{s['tag']} {s['label']!r} ({s['testid']})"
        for s in stops
        if not (s["ringed"] and s["shown"])
    ]
    assert unringed == [], f"focused without a visible focus ring: {unringed}"
    # Every page of the admin's navigation, and the statement, is a link reached by Tab.
    links = {s["label"] for s in stops if s["testid"] == "stPageLink-NavLink"}
    missing = [spec.title for spec in (*PAGES, STATEMENT) if spec.title not in links]
    assert missing == [], f"navigation links not reached: {missing}"
    # The page's own controls: the as-at date, the filters, the link to copy, a figure's
    # definition, a chart's table.
    for wanted in ("day, As at", "Copy link", "Show the data as a table"):
        assert any(wanted in label for label in labels), f"{wanted!r} not reached: {labels}"
    assert any(s["role"] == "combobox" and s["label"] == "Clusters" for s in stops), labels
    assert any(label.startswith("Help for") for label in labels), labels
