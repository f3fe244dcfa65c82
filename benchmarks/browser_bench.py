"""Pages as a reader's browser draws them (issue 14), beside a bare Streamlit page.

One run serves three things on loopback, with the same command-line flags: the app
(``tests.browser.conftest.serve``: demo mode, an administrator who sees every page) over a
warehouse, a bare Streamlit page with one small Plotly chart, and a bare page without one (the
project's ``.streamlit/config.toml`` copied beside them, so the theme is the same).  Debian's
Chromium, driven by Playwright, then times, median of ``samples`` each:

* a **new tab** (a fresh browser context: no page cache, a new Streamlit session) on each bare
  page and on every page of the app by URL, the Overview being the app's root;
* an **in-app visit**: with the app open, a click on a page's link in the navigation, first
  (each page once, in navigation order, then the Overview) and repeated (each page again).

A page is *fully drawn* when, for :data:`HOLD_MS` without a break, its own heading (``h1``)
is visible and not stale, Streamlit says the script is idle (``stApp``'s
``data-test-script-state`` is ``notRunning``), no skeleton is left, and every Plotly chart has
drawn its SVG.  The time is read on the tab's own clock (``performance.now()``) from the
navigation's start (a new tab) or from the click (an in-app visit) to the first frame of that
spell, so neither Playwright's round trips nor the hold are counted.  The samples are
interleaved (bare, bare, app, ...) so a busy moment of the machine falls on all of them alike.

A profile of a new tab on the Overview and on the bare chart page then splits where the time
goes (:mod:`benchmarks.browser_profile`).  Run ``python -m benchmarks.browser_bench`` for the
markdown section; ``--warehouse DIR`` reuses a warehouse, ``--scale S`` builds a demo one.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VIEWPORT = {"width": 1280, "height": 900}
HOLD_MS = 400  # "drawn" must last this long: a page that reruns at once is not yet drawn
TIMEOUT_MS = 120_000
BARE_TITLE = "Bare page"
# Issue 14's targets, against the bare page with one chart in the same run.
OVERVIEW_RATIO, URL_RATIO, FIRST_S, REPEAT_S = 1.3, 1.5, 1.5, 0.5

BARE_SCRIPT = """import plotly.graph_objects as go
import streamlit as st

st.title("{title}")
if {chart}:
    months = list(range(1, 13))
    st.plotly_chart(go.Figure(go.Scatter(x=months, y=[m * m for m in months])))
"""

# In every document of a context: ``__watch(title)`` polls each frame until the page is fully
# drawn (see the module docstring), then sets ``window.__drawnAt`` to the spell's first frame.
# Clicks are stamped on the same clock (``window.__clickAt``), in the capture phase.
WATCHER = """
window.__clickAt = null;
document.addEventListener("click", () => { window.__clickAt = performance.now(); }, true);
window.__drawn = (title) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  const heading = [...document.querySelectorAll("h1")].find(h =>
    h.textContent.trim() === title && h.getBoundingClientRect().height > 0
    && !h.closest('[data-stale="true"]'));
  if (!heading) return false;
  if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"],'
      + ' [data-testid="stSkeletonElement"]')) return false;
  const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
  return [...charts].every(c => c.querySelector(".js-plotly-plot .main-svg"));
};
window.__watch = (title, hold) => {
  window.__drawnAt = null;
  let since = null;
  const tick = () => {
    const now = performance.now();
    if (window.__drawn(title)) {
      if (since === null) since = now;
      if (now - since >= hold) { window.__drawnAt = since; return; }
    } else since = null;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};
"""


@dataclass(frozen=True)
class Page:
    key: str
    link: str  # the navigation link's text
    title: str  # the page's own h1
    path: str  # under the app's URL: "" for the default (first) page


# --- the figures (pure) ----------------------------------------------------------------------


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def ratio(value: float | None, base: float | None) -> float | None:
    return None if value is None or not base else value / base


def worst(seconds: dict[str, float | None]) -> tuple[str | None, float | None]:
    """The slowest page and its time; its time is None if any page went unmeasured, so a
    target is never judged met over a page that failed."""
    if not seconds:
        return None, None
    if any(value is None for value in seconds.values()):
        return next(k for k, v in seconds.items() if v is None), None
    return max(seconds.items(), key=lambda kv: kv[1])


def judge(medians: dict) -> list[dict]:
    """Issue 14's targets against the medians: ``bare_chart`` (s), and ``url``, ``first``,
    ``repeat`` (page key: s; ``url`` holds ``overview``).  Each row: what, measured, target,
    met (None when not measured)."""
    base, url = medians["bare_chart"], medians["url"]
    by_url = worst({k: v for k, v in url.items() if k != "overview"})
    first, repeat = worst(medians["first"]), worst(medians["repeat"])
    return [
        _row("Overview in a new tab", ratio(url.get("overview"), base), OVERVIEW_RATIO, "x",
             None),
        _row("slowest other page by URL", ratio(by_url[1], base), URL_RATIO, "x", by_url[0]),
        _row("slowest first in-app visit", first[1], FIRST_S, " s", first[0]),
        _row("slowest repeated in-app visit", repeat[1], REPEAT_S, " s", repeat[0]),
    ]  # fmt: skip


def _row(what: str, value: float | None, limit: float, unit: str, page: str | None) -> dict:
    shown = "–" if value is None else f"{value:.2f}{unit}"
    target = f"<= {limit}x the bare chart page" if unit == "x" else f"<= {limit} s"
    return {
        "what": what + (f" ({page})" if page else ""),
        "measured": shown,
        "target": target,
        "met": None if value is None else value <= limit,
    }


# --- serving ---------------------------------------------------------------------------------


def bare_scripts(folder: Path) -> dict[str, Path]:
    """The bare pages, with the project's Streamlit settings beside them (same theme)."""
    (folder / ".streamlit").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / ".streamlit" / "config.toml", folder / ".streamlit" / "config.toml")
    scripts = {}
    for name, chart in (("bare_chart", True), ("bare_plain", False)):
        scripts[name] = folder / f"{name}.py"
        scripts[name].write_text(BARE_SCRIPT.format(title=BARE_TITLE, chart=chart))
    return scripts


@contextlib.contextmanager
def serve_script(script: Path) -> Iterator[str]:
    """``streamlit run script`` with the app's flags (``tests.browser.conftest.streamlit``)."""
    from tests.browser.conftest import streamlit

    with streamlit(script, script.with_suffix(".log")) as url:
        yield url


def page_title(key: str, fallback: str) -> str:
    """The h1 a page draws: the first argument of its ``open_page``/``open_gate`` (or
    ``st.title``) call, read from its source so a renamed title needs no edit here."""
    source = REPO / "dashboard" / "pages" / f"{key}.py"
    if source.exists():
        for node in ast.walk(ast.parse(source.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) in
                ("open_page", "open_gate", "title")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):  # fmt: skip
                return str(node.args[0].value)
    return fallback


def pages() -> tuple[Page, ...]:
    """The administrator's pages in navigation order; the first is served at the app's root."""
    import streamlit.logger

    streamlit.logger.set_log_level("error")  # the pages' modules warn outside a server
    from dashboard import navigation

    # The Accessibility statement (issue 14) is a page of everyone's, outside ``PAGES``.
    specs = [*navigation.PAGES, *filter(None, [getattr(navigation, "STATEMENT", None)])]
    return tuple(
        Page(s.key, s.title, page_title(s.key, s.title), "" if i == 0 else s.key)
        for i, s in enumerate(specs)
    )


# --- timing in the browser -------------------------------------------------------------------


def _context(browser):
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(WATCHER)
    return context


def _until_drawn(tab, title: str) -> float:
    """Wait for the watcher started on ``tab`` for ``title``; its first drawn frame (ms)."""
    tab.wait_for_function("window.__drawnAt !== null", timeout=TIMEOUT_MS, polling=100)
    return tab.evaluate("window.__drawnAt")


def new_tab(browser, url: str, title: str, before=None) -> tuple[float, dict | None]:
    """Seconds from a new tab's navigation start to ``title`` fully drawn; ``before(tab)``
    may attach a profiler, whose result (``after``) comes back as the second item."""
    context = _context(browser)
    try:
        tab = context.new_page()
        after = before(tab) if before else None
        tab.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        tab.evaluate("([t, h]) => window.__watch(t, h)", [title, HOLD_MS])
        drawn = _until_drawn(tab, title)
        return drawn / 1000, (after(tab, drawn) if after else None)
    finally:
        context.close()


def click_to(tab, page: Page) -> float:
    """Seconds from a click on ``page``'s navigation link to the page fully drawn."""
    tab.evaluate("([t, h]) => window.__watch(t, h)", [page.title, HOLD_MS])
    # The link's text, after any icon's (Streamlit's own navigation, or ``st.page_link``).
    name = re.compile(rf"(^|\s){re.escape(page.link)}$")
    sidebar = tab.get_by_test_id("stSidebar")
    sidebar.get_by_role("link", name=name).first.click(timeout=TIMEOUT_MS)
    drawn = _until_drawn(tab, page.title)
    return (drawn - tab.evaluate("window.__clickAt")) / 1000


def in_app(browser, url: str, order: tuple[Page, ...]) -> tuple[dict, dict]:
    """One reader: the app opened at its root, then every page clicked twice round."""
    context = _context(browser)
    try:
        tab = context.new_page()
        tab.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        tab.evaluate("([t, h]) => window.__watch(t, h)", [order[0].title, HOLD_MS])
        _until_drawn(tab, order[0].title)
        round_order = order[1:] + order[:1]  # the Overview, open already, last
        first = {p.key: click_to(tab, p) for p in round_order}
        repeat = {p.key: click_to(tab, p) for p in round_order}
        return first, repeat
    finally:
        context.close()


def measure(browser, urls: dict[str, str], order: tuple[Page, ...], samples: int) -> dict:
    """Every timing ``samples`` times, interleaved: lists of seconds, and what failed (a
    timing that fails is left out and said, the others go on)."""
    from playwright.sync_api import Error as PlaywrightError

    times: dict = {"bare_chart": [], "bare_plain": [], "url": {}, "first": {}, "repeat": {}}
    failures: list[str] = []

    def tab(url: str, title: str) -> float | None:
        try:
            return new_tab(browser, url, title)[0]
        except PlaywrightError as failed:
            failures.append(f"{url} ({title}): {' '.join(str(failed).split())[:200]}")
            return None

    for name in ("bare_chart", "bare_plain"):  # warm-up: the servers' first runs import
        tab(urls[name], BARE_TITLE)
    for page in order:  # warm-up: the warehouse's caches filled, as in the issue
        tab(f"{urls['app']}/{page.path}", page.title)
    failures.clear()
    for _ in range(samples):
        for name in ("bare_chart", "bare_plain"):
            times[name] += [s for s in [tab(urls[name], BARE_TITLE)] if s is not None]
        for page in order:
            seconds = tab(f"{urls['app']}/{page.path}", page.title)
            times["url"].setdefault(page.key, []).extend([] if seconds is None else [seconds])
        try:
            first, repeat = in_app(browser, urls["app"], order)
        except PlaywrightError as failed:  # a timeout: said, the other figures kept
            failures.append(f"in-app walk: {' '.join(str(failed).split())[:200]}")
            continue
        for key in first:
            times["first"].setdefault(key, []).append(first[key])
            times["repeat"].setdefault(key, []).append(repeat[key])
    times["failures"] = failures
    return times


def medians_of(times: dict) -> dict:
    return {
        "bare_chart": median(times["bare_chart"]),
        "bare_plain": median(times["bare_plain"]),
        **{kind: {k: median(v) for k, v in times[kind].items()} for kind in
           ("url", "first", "repeat")},
    }  # fmt: skip


# --- the run ---------------------------------------------------------------------------------


def build_demo(scale: float, folder: Path) -> Path:
    """A demo warehouse at ``scale`` (``workforce demo``, then ``workforce ingest``)."""
    env = {"WORKFORCE_PERSON_KEY_SECRET": "browser-bench-demo-secret", **os.environ}
    cli = [sys.executable, "-m", "pipeline.cli"]
    landing, warehouse = folder / "landing", folder / "warehouse"
    for args in (
        ["demo", "--landing", str(landing), "--scale", str(scale)],
        ["ingest", "--landing", str(landing), "--warehouse", str(warehouse)],
    ):
        done = subprocess.run([*cli, *args], cwd=REPO, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            said = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
            raise SystemExit(f"browser_bench: workforce {args[0]} failed: {said}")
    print(f"browser_bench: demo warehouse kept in {warehouse}", file=sys.stderr)
    return warehouse


def run(warehouse: Path, samples: int = 3, profile: bool = True) -> dict:
    """Serve the app and the bare pages, time them, and profile a new tab of each kind."""
    from playwright.sync_api import sync_playwright

    from benchmarks import browser_profile
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve

    order = pages()
    began, load = time.perf_counter(), os.getloadavg()[0]
    with contextlib.ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="browser-bench-")))
        scripts = bare_scripts(root / "bare")
        urls = {
            "app": stack.enter_context(serve(root, Path(warehouse).resolve())),
            **{name: stack.enter_context(serve_script(path)) for name, path in scripts.items()},
        }
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        times = measure(browser, urls, order, samples)
        profiles = {}
        if profile:
            for name, url, title in (
                ("bare chart page", urls["bare_chart"], BARE_TITLE),
                ("Overview", urls["app"], order[0].title),
            ):
                profiles[name] = new_tab(browser, url, title, browser_profile.attach)[1]
    return {
        "samples": samples,
        "times": times,
        "medians": medians_of(times),
        "profiles": profiles,
        "pages": order,
        "wall_seconds": time.perf_counter() - began,
        "load": (load, os.getloadavg()[0]),  # a busy machine makes every figure slower
    }


# --- the section -----------------------------------------------------------------------------


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def section(result: dict, where: str) -> list[str]:
    """The markdown section for docs/benchmarks.md; ``where`` names the warehouse."""
    from benchmarks import browser_profile

    m = result["medians"]
    base = m["bare_chart"]
    lines = [
        "## Pages in the browser (issue 14)",
        "",
        f"Debian Chromium through Playwright, headless, {VIEWPORT['width']}x"
        f"{VIEWPORT['height']}, on {where}; median of {result['samples']} (interleaved). A new"
        " tab is a fresh browser context (cold page cache, new Streamlit session), timed from"
        " its navigation start; an in-app visit is a click on the page's navigation link with"
        " the app open, timed from the click. Fully drawn: the page's own heading visible,"
        " Streamlit's script idle, no skeleton, every Plotly chart's SVG drawn, all held for"
        f" {HOLD_MS} ms (not counted). The servers' caches are warm (one untimed visit of each"
        f" page first). Wall time {result['wall_seconds']:.0f} s; load average (1 min)"
        f" {result['load'][0]:.1f} at the start, {result['load'][1]:.1f} at the end, on"
        f" {os.cpu_count()} cores.",
        "",
        "| page | new tab, by URL | x bare chart page | first in-app visit | repeated |",
        "|---|---:|---:|---:|---:|",
        f"| bare page, one Plotly chart | {_s(base)} | 1.00x | | |",
        f"| bare page, no chart | {_s(m['bare_plain'])} | {_x(ratio(m['bare_plain'], base))} | | |",
    ]
    for page in result["pages"]:
        url = m["url"].get(page.key)
        lines.append(
            f"| {page.key} | {_s(url)} | {_x(ratio(url, base))} | "
            f"{_s(m['first'].get(page.key))} | {_s(m['repeat'].get(page.key))} |"
        )
    failures = result["times"]["failures"]
    lines += ["", f"Failed timings (left out of the medians): {len(failures)}."]
    lines += [f"- {failure}" for failure in failures[:5]]
    lines += ["", "| target | measured | limit | met |", "|---|---:|---|---|"]
    verdict = {True: "yes", False: "**no**", None: "not measured"}
    for row in judge(m):
        lines.append(f"| {row['what']} | {row['measured']} | {row['target']} | "
                     f"{verdict[row['met']]} |")  # fmt: skip
    if result["profiles"]:
        lines += ["", *browser_profile.table(result["profiles"])]
    return lines


def _x(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--warehouse", type=Path, help="a loaded warehouse folder to reuse")
    source.add_argument("--scale", type=float, default=1.0, help="demo scale to build")
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    if args.samples < 1:
        parser.error("--samples must be at least 1")
    from tests.browser.conftest import CHROMIUM

    if not CHROMIUM.exists():
        parser.error(f"{CHROMIUM} is missing: apt-get install chromium")
    if args.warehouse:
        from core.warehouse import current_path

        if current_path(args.warehouse) is None:  # the pages would say "nothing loaded"
            parser.error(f"--warehouse {args.warehouse}: no published warehouse there (CURRENT)")
        warehouse, where = args.warehouse, f"the warehouse in `{args.warehouse}`"
    else:
        scratch = Path(tempfile.mkdtemp(prefix="browser-bench-demo-"))
        warehouse, where = build_demo(args.scale, scratch), f"a scale-{args.scale:g} demo"
    result = run(warehouse, args.samples, profile=not args.no_profile)
    print("\n".join(section(result, where)))


if __name__ == "__main__":
    main()
