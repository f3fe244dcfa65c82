"""Several app servers behind nginx under load (issue 16): 30 sessions walking every page.

The cluster of ``make serve-cluster`` (:mod:`deploy.cluster`: PostgreSQL for the audit log,
``N`` app servers on one warehouse folder, nginx with sticky sessions in front), started once
with one app server and once with two.  Against nginx's address, ``sessions`` browser
sessions (each a context of one headless Chromium on loopback, driven at once by async
Playwright, as :mod:`benchmarks.load_test` drives them) walk the administrator's pages in
turn, over and over, for ``duration_s``; no session starts a page after that, and each page
has at most :data:`benchmarks.load_test.VISIT_TIMEOUT_S`, so a run is bounded in count and
time.  Everything is on loopback.

What is reported, per server count: the errors (an exception on a page, a page not finished
in time, a browser error), the page times' p50 and p95 (all visits, and by the server that
served the session, read from nginx's ``X-Workforce-Server`` header), how the sessions were
spread over the servers, and each server's resident memory (``/proc``, the streamlit process
and its children) sampled every :data:`SAMPLE_S` seconds: "flat" when the mean of the last
minute is less than :data:`FLAT_GROWTH` above the mean of the first.

Before the measured minutes each server is walked once, straight (not through nginx), so that
they start with the shared caches filled, as a server in service has them.

Run ``python -m benchmarks.cluster_load --warehouse DIR [--sessions 30] [--duration 180]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.load_test import VIEWPORT, Session, Visit, _s, memory_mib, pages, percentile

REPO = Path(__file__).resolve().parents[1]
SAMPLE_S = 10.0
FLAT_GROWTH = 0.10
MINUTE_S = 60.0


@dataclass
class Driven:
    visits: list[tuple[str, Visit]] = field(default_factory=list)  # (server, visit)
    memory: dict[str, list[tuple[float, float]]] = field(default_factory=dict)  # t, MiB
    sessions_on: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0


async def _sample(pids: dict[str, int], into: dict, began: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        now = time.monotonic() - began
        for name, pid in pids.items():
            into.setdefault(name, []).append((now, memory_mib(pid)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), SAMPLE_S)


async def _reader(session: Session, url: str, deadline: float, out: Driven) -> None:
    """One session: its server (nginx's header on its first page), then walks until the
    deadline."""
    response = await session.tab.goto(url, wait_until="commit")
    server = (response.headers.get("x-workforce-server") if response else None) or "unknown"
    out.sessions_on[server] = out.sessions_on.get(server, 0) + 1
    walk = 0
    while time.monotonic() < deadline:
        walk += 1
        visits, _ = await session.walk(url, walk, deadline)
        out.visits += [(server, v) for v in visits]


async def _warm(browser, pids: dict[str, int], order) -> None:
    """One walk of every page on each server, straight to it (not through nginx), so that the
    measured minutes start with the shared caches filled, as a server in service has them."""
    for address in pids:
        context = await browser.new_context(viewport=VIEWPORT)
        reader = Session(context, await context.new_page(), 0, order)
        await reader.walk(f"http://{address}", 0, time.monotonic() + 600)
        await context.close()


async def drive(url: str, pids: dict[str, int], sessions: int, duration_s: float) -> Driven:
    """``sessions`` readers walking the pages through ``url`` for ``duration_s``, the servers'
    memory (``pids``, by the name nginx gives each) sampled meanwhile, after a warm-up walk
    on each server."""
    from playwright.async_api import async_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    order, out, stop = pages(), Driven(), asyncio.Event()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        await _warm(browser, pids, order)
        readers = []
        for number in range(sessions):
            context = await browser.new_context(viewport=VIEWPORT)
            readers.append(Session(context, await context.new_page(), number, order))
        began = time.monotonic()
        sampler = asyncio.create_task(_sample(pids, out.memory, began, stop))
        deadline = began + duration_s
        await asyncio.gather(*(_reader(r, url, deadline, out) for r in readers))
        out.wall_s = time.monotonic() - began
        stop.set()
        await sampler
        for reader in readers:
            await reader.context.close()
        await browser.close()
    return out


def flat(samples: list[tuple[float, float]]) -> tuple[float | None, bool | None]:
    """Growth of the last minute's mean memory over the first minute's, and whether it is
    under :data:`FLAT_GROWTH`."""
    if not samples:
        return None, None
    end = samples[-1][0]
    first = [m for t, m in samples if t <= MINUTE_S]
    last = [m for t, m in samples if t >= end - MINUTE_S]
    if not first or not last or end < 2 * MINUTE_S:
        return None, None
    growth = statistics.mean(last) / statistics.mean(first) - 1
    return growth, growth < FLAT_GROWTH


def summarise(driven: Driven, servers: int, sessions: int, duration_s: float) -> dict:
    good = [(s, v) for s, v in driven.visits if v.error is None]
    failed = [(s, v) for s, v in driven.visits if v.error is not None]
    by_server = {}
    for name in sorted({s for s, _ in driven.visits} | set(driven.memory)):
        times = [v.seconds for s, v in good if s == name]
        growth, is_flat = flat(driven.memory.get(name, []))
        samples = [m for _, m in driven.memory.get(name, [])]
        by_server[name] = {
            "sessions": driven.sessions_on.get(name, 0),
            "visits": len(times),
            "p50": percentile(times, 50),
            "p95": percentile(times, 95),
            "memory_first_mib": samples[0] if samples else None,
            "memory_last_mib": samples[-1] if samples else None,
            "memory_growth": growth,
            "flat": is_flat,
            "memory_samples": [(round(t), round(m)) for t, m in driven.memory.get(name, [])],
        }
    times = [v.seconds for _, v in good]
    return {
        "servers": servers,
        "sessions": sessions,
        "duration_s": duration_s,
        "wall_s": driven.wall_s,
        "visits": len(driven.visits),
        "errors": len(failed),
        "error_examples": [f"{v.page} ({s}): {v.error}" for s, v in failed[:5]],
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "by_server": by_server,
        "cores": os.cpu_count(),
    }


def run(warehouse: Path, servers: int, sessions: int = 30, duration_s: float = 180) -> dict:
    """Start the cluster with ``servers`` app servers over a copy-free ``warehouse`` and drive
    it; see :func:`summarise`."""
    from deploy.cluster import Cluster

    with (
        tempfile.TemporaryDirectory(prefix="cluster-load-") as root,
        Cluster.local(Path(root), warehouse=warehouse.resolve(), servers=servers) as cluster,
    ):
        pids = {app.address: app.process.pid for app in cluster.apps if app.process}
        driven = asyncio.run(drive(cluster.url, pids, sessions, duration_s))
    return summarise(driven, servers, sessions, duration_s)


def section(results: list[dict]) -> list[str]:
    """The markdown section for docs/benchmarks.md."""
    r0 = results[0]
    lines = [
        f"## Several app servers behind nginx ({r0['sessions']} sessions, issue 16)",
        "",
        f"`deploy/cluster.py` (PostgreSQL audit log, app servers on one warehouse folder, nginx"
        f" with sticky sessions), started once per server count. {r0['sessions']} sessions of one"
        " headless Chromium on loopback walk the administrator's pages through nginx, over and"
        f" over, for {r0['duration_s']:.0f} s; browsers, servers, nginx and PostgreSQL share"
        f" this machine's {r0['cores']} cores. Memory is each server's resident set, sampled every"
        f" {SAMPLE_S:.0f} s; flat means the last minute's mean is less than {FLAT_GROWTH:.0%}"
        " above the first minute's.",
        "",
        "| servers | visits | errors | p50 | p95 | sessions per server | p95 per server |"
        " memory per server, first → last (growth) | flat |",
        "|---:|---:|---:|---:|---:|---|---|---|---|",
    ]
    for r in results:
        servers = r["by_server"]
        spread = ", ".join(f"{v['sessions']}" for v in servers.values())
        p95s = ", ".join(_s(v["p95"]) for v in servers.values())
        memory = ", ".join(
            f"{v['memory_first_mib']:,.0f} → {v['memory_last_mib']:,.0f} MiB"
            + ("" if v["memory_growth"] is None else f" ({v['memory_growth']:+.1%})")
            for v in servers.values()
            if v["memory_first_mib"] is not None
        )
        flat_all = all(v["flat"] for v in servers.values() if v["flat"] is not None)
        lines.append(
            f"| {r['servers']} | {r['visits']} | {r['errors']} | {_s(r['p50'])} |"
            f" {_s(r['p95'])} | {spread} | {p95s} | {memory} | {'yes' if flat_all else 'no'} |"
        )
    lines.append("")
    for r in results:
        for name, v in r["by_server"].items():
            samples = ", ".join(f"{t} s {m:,}" for t, m in v["memory_samples"])
            lines.append(f"- {r['servers']} server(s), {name}, MiB: {samples}")
        lines += [f"- {r['servers']} server(s), error: {e}" for e in r["error_examples"]]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="warehouse folder")
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--duration", type=float, default=180, help="seconds of walking")
    parser.add_argument("--servers", default="1,2", help="server counts, e.g. 1,2")
    args = parser.parse_args()
    results = [
        run(args.warehouse, int(n), args.sessions, args.duration) for n in args.servers.split(",")
    ]
    print("\n".join(section(results)))


if __name__ == "__main__":
    main()
