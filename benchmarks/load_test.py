"""The served app under load (issue 7): concurrent browser sessions walking every page.

One ``streamlit run`` server over a warehouse (``tests.browser.conftest.serve``, as the browser
tests use it: demo mode, an administrator of every cluster, who sees every page).  Against it,
``sessions`` browser sessions run at once: each a context (its own cookies, cache and
Streamlit session) of one headless Chromium on loopback, all driven concurrently by async
Playwright.  Each session opens the app once, then clicks through the administrator's
navigation ``walks`` times, as a reader does; session *i* starts its walk at page *i*, so the
sessions spread over the pages rather than all asking for the same one at once.

What is measured, and why:

* **Page time**: from the click (or, for a session's first page, the ``goto``) until the page
  has finished: its own heading (or an exception) is visible and Streamlit says the script run
  is over (``stApp``'s ``data-test-script-state`` is ``notRunning``).  The heading proves the
  new page's run has started drawing; the script state proves it has finished, whatever the
  page draws last.  This is what a reader waits for, with the browser's rendering included.
* **Errors**: an exception box on the page (``stException``), a page not finished within
  :data:`VISIT_TIMEOUT_S`, or any Playwright error.  After an error the session reopens its
  next page by URL rather than trusting the sidebar.
* **Memory**: the server's resident set (``VmRSS`` of the streamlit process and any children,
  from ``/proc``) when idle, after each walk of all the sessions (the walks are in step: walk
  *k+1* starts when every session has finished walk *k*), and its peak (``VmHWM``, the
  kernel's high-water mark).  Memory is "stable" when it grows by less than
  :data:`STABLE_GROWTH` from the first walk to the last: the first walk fills the caches, so
  later walks should add next to nothing; steady growth would be a leak per visit.
* **Bounded in time**: no session starts a page after ``deadline_s``, and each page is given at
  most :data:`VISIT_TIMEOUT_S`, so a run ends within about ``deadline_s + VISIT_TIMEOUT_S``.

Run ``python -m benchmarks.load_test --warehouse DIR`` for the markdown section.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
VISIT_TIMEOUT_S = 120.0  # a page not finished by then counts as an error
STABLE_GROWTH = 0.10  # memory is stable if it grows less than this from the first walk to the last
VIEWPORT = {"width": 1280, "height": 900}

# A heading each page draws and no other page does: once it shows, the page's own run has begun.
MARKERS = {
    "overview": "The clusters side by side",
    "workforce": "From cluster to organisation",
    "flows": "Between two dates",
    "cost": "Pay spend and other spend",
    "extracts": "Preview",
    "programme": "Milestones",
    "data_health": "Load log",
    "audit_log": "Audit log",
}
FINISHED = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'


@dataclass(frozen=True)
class Page:
    key: str
    title: str  # the sidebar link's text
    marker: str
    path: str  # under the app's URL: the key, or "" for the default (first) page


@dataclass(frozen=True)
class Visit:
    session: int
    walk: int
    page: str
    seconds: float
    error: str | None


def pages() -> tuple[Page, ...]:
    """The administrator's pages in navigation order (``dashboard.navigation.PAGES``).  The
    first is the default page, served at the app's root: ``/overview`` would be "not found"."""
    import streamlit.logger

    # Importing the pages' modules outside a Streamlit server warns once per cached function.
    streamlit.logger.set_log_level("error")
    from dashboard.navigation import PAGES

    missing = {spec.key for spec in PAGES} - MARKERS.keys()
    if missing:
        raise RuntimeError(f"no ready marker for pages {sorted(missing)}: add them to MARKERS")
    return tuple(
        Page(spec.key, spec.title, MARKERS[spec.key], "" if i == 0 else spec.key)
        for i, spec in enumerate(PAGES)
    )


# --- the server's memory, from /proc ---------------------------------------------------------


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def server_pid(port: int) -> int:
    """The ``streamlit run`` process serving ``port`` (``serve()`` does not hand out its Popen,
    so it is found by its command line: ``... streamlit run app.py --server.port PORT``)."""
    for pid in _all_pids():
        args = _cmdline(pid)
        if "streamlit" in args and ("--server.port", str(port)) in itertools.pairwise(args):
            return pid
    raise RuntimeError(f"no streamlit process is serving port {port}")


def _descendants(root: int) -> list[int]:
    """``root`` and every process below it."""
    parents: dict[int, int] = {}
    for pid in _all_pids():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        parents[pid] = int(stat.rsplit(")", 1)[1].split()[1])  # the field after the name
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def cpu_seconds(root: int) -> float:
    """CPU time (user + system) the server and its children have used so far: set against the
    wall time, it says whether the server or the browsers sharing its cores were the limit."""
    ticks = 0
    for pid in _descendants(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _status_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory_mib(root: int, field: str = "VmRSS") -> float:
    """``field`` of ``/proc/PID/status`` (``VmRSS`` now, ``VmHWM`` the peak) summed over the
    server and its children, in MiB."""
    return sum(_status_kib(pid, field) for pid in _descendants(root)) / 1024


# --- one page, one walk, one session ---------------------------------------------------------


async def _open(tab, url: str, page: Page, by_link: bool, timeout_ms: float) -> None:
    """Go to ``page``: by its sidebar link (as a reader does), or by URL when there is no
    trustworthy page to click from (a session's first page, or after an error)."""
    if by_link:
        nav = tab.locator(".st-key-navigation")
        await nav.get_by_role("link", name=page.title).click(timeout=timeout_ms)
    else:
        await tab.goto(f"{url}/{page.path}", wait_until="commit", timeout=timeout_ms)


async def _finished(tab, page: Page, timeout_ms: float) -> str | None:
    """Wait until ``page`` has finished running; return its exception's text if it raised one."""
    heading = tab.get_by_role("heading", name=page.marker)
    exception = tab.locator(EXCEPTION)
    await heading.or_(exception).first.wait_for(state="visible", timeout=timeout_ms)
    await tab.locator(FINISHED).wait_for(state="attached", timeout=timeout_ms)
    if await exception.count():
        text = await exception.first.inner_text()
        return "exception: " + " ".join(text.split())[:300]
    return None


async def visit(tab, url: str, page: Page, by_link: bool, session: int, walk: int) -> Visit:
    """Open one page and time it until it has finished; any failure is the visit's error."""
    timeout_ms = VISIT_TIMEOUT_S * 1000
    began = time.perf_counter()
    try:
        await _open(tab, url, page, by_link, timeout_ms)
        error = await _finished(tab, page, timeout_ms)
    except Exception as failed:  # a Playwright timeout or error: the visit failed
        error = f"{type(failed).__name__}: {' '.join(str(failed).split())[:300]}"
    return Visit(session, walk, page.key, time.perf_counter() - began, error)


class Session:
    """One reader: a browser context with one tab, walking the pages from its own start."""

    def __init__(self, context, tab, number: int, order: tuple[Page, ...]) -> None:
        self.context, self.tab, self.number = context, tab, number
        start = number % len(order)
        self.order = order[start:] + order[:start]
        self.by_link = False  # the first page is opened by URL

    async def walk(self, url: str, walk: int, deadline: float) -> tuple[list[Visit], bool]:
        """Every page once; stops early (and says so) at the deadline."""
        visits: list[Visit] = []
        for page in self.order:
            if time.monotonic() >= deadline:
                return visits, True
            done = await visit(self.tab, url, page, self.by_link, self.number, walk)
            self.by_link = done.error is None
            visits.append(done)
        return visits, False


# --- the run ---------------------------------------------------------------------------------


async def _drive(url: str, pid: int, sessions: int, walks: int, deadline_s: float) -> dict:
    """Start the sessions, walk them in step, and sample the server's memory between walks."""
    from playwright.async_api import async_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    order = pages()
    visits: list[Visit] = []
    rss = {"idle": memory_mib(pid), "walks": []}
    deadline_hit = False
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        readers = []
        for number in range(sessions):
            context = await browser.new_context(viewport=VIEWPORT)
            readers.append(Session(context, await context.new_page(), number, order))
        deadline = time.monotonic() + deadline_s
        cpu_before, walking_began = cpu_seconds(pid), time.perf_counter()
        for walk in range(1, walks + 1):
            results = await asyncio.gather(*(r.walk(url, walk, deadline) for r in readers))
            for walked, stopped in results:
                visits += walked
                deadline_hit = deadline_hit or stopped
            rss["walks"].append(memory_mib(pid))
            if deadline_hit:
                break
        cpu = {
            "seconds": cpu_seconds(pid) - cpu_before,
            "wall": time.perf_counter() - walking_began,
        }
        for reader in readers:
            await reader.context.close()
        await browser.close()
    rss["peak"] = memory_mib(pid, "VmHWM")
    return {
        "visits": visits,
        "rss": rss,
        "cpu": cpu,
        "deadline_hit": deadline_hit,
        "pages": len(order),
    }


def run(
    warehouse: Path,
    reference: Path,
    sessions: int = 10,
    walks: int = 3,
    deadline_s: float = 900,
) -> dict:
    """Serve the app over ``warehouse`` and walk it with ``sessions`` concurrent browsers,
    ``walks`` times each (stopping new pages after ``deadline_s``); see :func:`summarise`."""
    from tests.browser.conftest import serve

    began = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="load-test-") as root,
        serve(Path(root), Path(warehouse).resolve(), Path(reference).resolve()) as url,
    ):
        pid = server_pid(urlparse(url).port)
        driven = asyncio.run(_drive(url, pid, sessions, walks, deadline_s))
    result = summarise(driven, sessions, walks)
    result["deadline_s"] = deadline_s
    result["wall_seconds"] = time.perf_counter() - began
    return result


# --- the figures -----------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    """The nearest-rank ``q``th percentile (one of the values), or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _spread(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "max": max(values, default=None),
    }


def summarise(driven: dict, sessions: int, walks: int) -> dict:
    """Page times (of the visits without an error), errors and memory.  A "first visit" is a
    page in walk 1 (each session's first sight of it), a "later visit" one in walks 2 on."""
    visits: list[Visit] = driven["visits"]
    good = [v for v in visits if v.error is None]
    failed = [v for v in visits if v.error is not None]
    order = [p.key for p in pages()]
    rss = driven["rss"]
    walked = rss["walks"]
    growth = (walked[-1] - walked[0]) / walked[0] if len(walked) >= 2 and walked[0] else None
    return {
        "sessions": sessions,
        "walks": walks,
        "walks_done": len(walked),
        "visits": len(visits),
        "visits_planned": sessions * walks * driven["pages"],
        "error_count": len(failed),
        "errors": [
            {"session": v.session, "walk": v.walk, "page": v.page, "message": v.error}
            for v in failed[:5]
        ],
        "seconds": _spread([v.seconds for v in good]),
        "per_page": {key: _spread([v.seconds for v in good if v.page == key]) for key in order},
        "first_visit_p95": percentile([v.seconds for v in good if v.walk == 1], 95),
        "later_visit_p95": percentile([v.seconds for v in good if v.walk > 1], 95),
        "rss_idle_mib": rss["idle"],
        "rss_mib_per_walk": walked,
        "rss_peak_mib": rss["peak"],
        "rss_growth": growth,
        "stable": None if growth is None else growth < STABLE_GROWTH,
        "stable_rule": (
            f"resident memory after the last walk less than {STABLE_GROWTH:.0%} above "
            "that after the first"
        ),
        "server_cpu_seconds": driven["cpu"]["seconds"],
        "walking_seconds": driven["cpu"]["wall"],
        "cores": os.cpu_count(),
        "deadline_hit": driven["deadline_hit"],
    }


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def _verdict(ok: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "not judged"}[ok]


def section(result: dict) -> list[str]:
    """The markdown section for docs/benchmarks.md."""
    r = result
    lines = [
        f"## Under load ({r['sessions']} browser sessions)",
        "",
        f"One `streamlit run` server over the warehouse, as an administrator (every page)."
        f" {r['sessions']} sessions, each its own context of one headless Chromium on loopback,"
        f" driven at once by async Playwright: each opens the app, then clicks through the"
        f" {len(r['per_page'])} pages of the navigation {r['walks']} times, in step (session i"
        " starts at page i). A page's time runs from the click until its own heading shows and"
        " Streamlit reports the run finished; browser and server share this machine's cores."
        " Errors are an exception on the page, a page not finished within"
        f" {VISIT_TIMEOUT_S:.0f} s, or a browser error; times are of the visits without one."
        f" Memory is the server's resident set (`/proc`, VmRSS) after each walk of all the"
        f" sessions; stable means {r['stable_rule']}. Deadline {r['deadline_s']:.0f} s"
        f" ({'**hit**: the walks stopped early' if r['deadline_hit'] else 'not hit'});"
        f" wall time {r['wall_seconds']:.0f} s.",
        "",
        "| page | timed visits | p50 | p95 | max |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, t in r["per_page"].items():
        lines.append(f"| {key} | {t['n']} | {_s(t['p50'])} | {_s(t['p95'])} | {_s(t['max'])} |")
    t = r["seconds"]
    lines += [
        f"| **all** | {t['n']} | {_s(t['p50'])} | {_s(t['p95'])} | {_s(t['max'])} |",
        "",
        f"95th percentile: first visits (walk 1) {_s(r['first_visit_p95'])}, later visits"
        f" {_s(r['later_visit_p95'])}. Visits: {r['visits']} of {r['visits_planned']} planned.",
        "",
        "Server memory: idle "
        f"{r['rss_idle_mib']:,.0f} MiB; after each walk "
        + ", ".join(f"{m:,.0f}" for m in r["rss_mib_per_walk"])
        + f" MiB; peak {r['rss_peak_mib']:,.0f} MiB"
        + (
            ""
            if r["rss_growth"] is None
            else f" (growth from the first walk to the last {r['rss_growth']:+.1%})"
        )
        + ".",
        "",
        f"Server CPU: {r['server_cpu_seconds']:.0f} s over {r['walking_seconds']:.0f} s of"
        f" walking: {r['server_cpu_seconds'] / r['walking_seconds']:.0%} of one core, of the"
        f" {r['cores']} it shares with the browsers.",
        "",
        f"Errors: {r['error_count']}.",
    ]
    lines += [
        f"- {e['page']} (session {e['session']}, walk {e['walk']}): {e['message']}"
        for e in r["errors"]
    ]
    lines += [
        "",
        f"- Every session walked every page: {_verdict(r['visits'] == r['visits_planned'])}",
        f"- No errors: {_verdict(r['error_count'] == 0 and r['visits'] > 0)}",
        f"- Memory stable: {_verdict(r['stable'])}",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="warehouse folder")
    parser.add_argument("--reference", type=Path, default=REPO / "data" / "reference")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--walks", type=int, default=3)
    parser.add_argument("--deadline", type=float, default=900, help="seconds")
    args = parser.parse_args()
    result = run(args.warehouse, args.reference, args.sessions, args.walks, args.deadline)
    print("\n".join(section(result)))


if __name__ == "__main__":
    main()
