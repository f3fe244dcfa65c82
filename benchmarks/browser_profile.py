"""Where a new tab spends its time until a page is fully drawn (issue 14's profile).

:func:`attach` is handed a fresh tab before it navigates (``browser_bench.new_tab``).  It
records, on the tab's own clock (ms from the navigation's start):

* the browser's Resource and Navigation Timing: the HTML, Streamlit's JS and CSS bundle, the
  JS chunks fetched later for the elements a page draws (Plotly's is one), and fonts;
* the websocket, by wrapping ``WebSocket`` before the app's script runs: when it opened, when
  the browser first asked for a run (the first message sent), and when the last message of
  the run arrived before the page was drawn: the time between is the server's;
* milestones seen each frame: the first heading and the first Plotly chart's SVG (Streamlit
  adds a chart's container only once Plotly has drawn it);
* main-thread long tasks (``PerformanceObserver``), and a CPU profile over CDP
  (``Profiler``), its self time summed by script: Streamlit's main bundle, Plotly's chunk,
  the other chunks, garbage collection, the browser's own work (``(program)``).

:func:`breakdown` turns that into the phases of :func:`table`, pure, so it is tested alone.
"""

from __future__ import annotations

from collections.abc import Callable

RECORDER = """
performance.setResourceTimingBufferSize(2000);
window.__log = {sent: [], received: [], opened: null, longtasks: [], marks: {}};
const Socket = window.WebSocket;
window.WebSocket = function (...args) {
  const ws = new Socket(...args);
  const size = d => d.byteLength ?? d.size ?? d.length ?? 0;
  ws.addEventListener("open", () => { window.__log.opened = performance.now(); });
  ws.addEventListener("message",
    e => window.__log.received.push([performance.now(), size(e.data)]));
  const send = ws.send.bind(ws);
  ws.send = d => { window.__log.sent.push([performance.now(), size(d)]); send(d); };
  return ws;
};
Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
window.WebSocket.prototype = Socket.prototype;
new PerformanceObserver(list => list.getEntries().forEach(t =>
  window.__log.longtasks.push([t.startTime, t.duration])))
  .observe({type: "longtask", buffered: true});
const mark = (name, seen) => { if (seen && !(name in window.__log.marks))
  window.__log.marks[name] = performance.now(); };
const look = () => {
  mark("first heading", document.querySelector("h1"));
  mark("first chart SVG", document.querySelector(".js-plotly-plot .main-svg"));
  requestAnimationFrame(look);
};
requestAnimationFrame(look);
"""

# What a page starts with: its elements, and how many lie below the first fold.
CENSUS = {
    "charts": "stPlotlyChart",
    "tables": "stDataFrame",
    "figure tiles": "wpTile stMetric",
    "expanders": "stExpander",
    "tabs": "stTab",
    "widgets": "stDateInput stMultiSelect stSelectbox stCheckbox stRadio stSlider "
    "stTextInput stDownloadButton stButton stSegmentedControl stToggle",
}

COLLECT = """(census) => ({
  navigation: performance.getEntriesByType("navigation").map(e => e.toJSON())[0],
  resources: performance.getEntriesByType("resource").map(e => ({name: e.name,
    start: e.startTime, end: e.responseEnd, bytes: e.decodedBodySize,
    transferred: e.transferSize})),
  log: window.__log,
  census: Object.fromEntries(Object.entries(census).map(([name, ids]) => {
    const found = ids.split(" ").flatMap(id =>
      [...document.querySelectorAll(`[data-testid="stMain"] [data-testid="${id}"]`)]);
    const below = found.filter(e => e.getBoundingClientRect().top > window.innerHeight);
    return [name, [found.length, below.length]];
  })),
})"""


def attach(tab) -> Callable:
    """Start recording on ``tab`` (before its navigation); returns ``after(tab, drawn_ms)``."""
    tab.add_init_script(RECORDER)
    cdp = tab.context.new_cdp_session(tab)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 500})  # µs
    cdp.send("Profiler.start")

    def after(tab, drawn_ms: float) -> dict:
        raw = tab.evaluate(COLLECT, CENSUS)
        opened = raw["log"]["opened"] or 0.0
        early = {r["name"] for r in raw["resources"] if r["start"] < opened}
        raw["cpu"] = cpu_by_script(cdp.send("Profiler.stop")["profile"], early)
        raw["drawn"] = drawn_ms
        return breakdown(raw)

    return after


def script_kind(url: str, early: set[str]) -> str:
    """Which part of the page a script URL (or V8's pseudo-frame) belongs to: ``early`` are
    the files fetched before the websocket opened (Streamlit's start-up bundle)."""
    if url.startswith("("):
        return url  # (program), (garbage collector), (idle), (root)
    if "PlotlyChart." in url:
        return "Plotly chunk"
    if url in early:
        return "start-up bundle"
    if "/static/js/" in url:
        return "element chunks"
    return "other scripts" if url else "native and inline"


def cpu_by_script(profile: dict, early: set[str]) -> dict[str, float]:
    """Self time (ms) of a CDP CPU profile, summed by :func:`script_kind`."""
    nodes = {}
    for node in profile["nodes"]:
        frame = node["callFrame"]
        fn = frame["functionName"]
        nodes[node["id"]] = script_kind(fn if fn.startswith("(") else frame["url"], early)
    totals: dict[str, float] = {}
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        kind = nodes[sample]
        totals[kind] = totals.get(kind, 0.0) + delta / 1000
    return totals


def _kind(name: str) -> str:
    path = name.split("?", 1)[0]
    if path.endswith((".woff2", ".woff", ".ttf")):
        return "font"
    if "PlotlyChart." in path:
        return "plotly"
    if path.endswith((".js", ".css")):
        return "bundle"
    return "other"


def _span(entries: list[dict]) -> tuple[float, float, float, int]:
    """(first start, last end, KiB decoded, count) of resource entries."""
    if not entries:
        return (0.0, 0.0, 0.0, 0)
    return (min(e["start"] for e in entries), max(e["end"] for e in entries),
            sum(e["bytes"] for e in entries) / 1024, len(entries))  # fmt: skip


def breakdown(raw: dict) -> dict:
    """The phases of one new tab, in ms from its navigation start (see :func:`table`)."""
    nav, log, drawn = raw["navigation"], raw["log"], raw["drawn"]
    opened = log["opened"] or 0.0
    early = [r for r in raw["resources"] if r["start"] < opened and _kind(r["name"]) == "bundle"]
    late = [r for r in raw["resources"] if r["start"] >= opened and _kind(r["name"]) != "font"]
    asked = min((t for t, _ in log["sent"] if t >= opened), default=None)
    before = [(t, n) for t, n in log["received"] if t <= drawn]
    last = max((t for t, _ in before), default=None)
    tasks = [(s, d) for s, d in log["longtasks"] if s <= drawn]
    return {
        "html": (nav["requestStart"], nav["responseEnd"]),
        "bundle": _span(early),
        "dom_ready": nav["domContentLoadedEventEnd"],
        "socket_open": opened,
        "server": (asked, last, sum(n for _, n in before) / 1024, len(before)),
        "late_chunks": _span(late),
        "plotly": _span([r for r in raw["resources"] if _kind(r["name"]) == "plotly"]),
        "fonts": _span([r for r in raw["resources"] if _kind(r["name"]) == "font"]),
        "marks": log["marks"],
        "longtasks": (len(tasks), sum(d for _, d in tasks), max((d for _, d in tasks), default=0)),
        "cpu": raw.get("cpu", {}),
        "census": raw.get("census", {}),
        "drawn": drawn,
    }


def _at(span: tuple) -> str:
    start, end, kib, count = span
    return "–" if not count else f"{start:.0f}–{end:.0f} ms, {count} files, {kib:,.0f} KiB"


def _cells(b: dict) -> list[str]:
    asked, last, kib, count = b["server"]
    marks = b["marks"]
    cpu = b["cpu"]
    busy = {k: v for k, v in cpu.items() if k not in ("(idle)", "(root)")}
    return [
        f"{b['html'][0]:.0f}–{b['html'][1]:.0f} ms",
        _at(b["bundle"]),
        f"{b['dom_ready']:.0f} ms",
        f"{b['socket_open']:.0f} ms",
        "–" if asked is None or last is None
        else f"{asked:.0f}–{last:.0f} ms ({last - asked:.0f} ms), {count} messages, {kib:,.0f} KiB",
        _at(b["late_chunks"]),
        _at(b["plotly"]),
        _at(b["fonts"]),
        " / ".join(f"{marks[k]:.0f}" if k in marks else "–" for k in
                   ("first heading", "first chart SVG")) + " ms",
        "–" if last is None else f"{b['drawn'] - last:.0f} ms",
        f"{b['longtasks'][0]} tasks, {b['longtasks'][1]:.0f} ms (longest {b['longtasks'][2]:.0f})",
        ", ".join(f"{k} {v:.0f}" for k, v in sorted(busy.items(), key=lambda kv: -kv[1])
                  if v >= 5) + " ms",
        ", ".join(f"{name} {n} ({below} below)" for name, (n, below) in b["census"].items()
                  if n),
        f"**{b['drawn']:.0f} ms**",
    ]  # fmt: skip


PHASES = [
    "HTML (request–response end)",
    "Streamlit JS/CSS bundle, before the websocket",
    "DOMContentLoaded",
    "websocket open",
    "server: first request sent – last message before drawn",
    "JS chunks fetched after the websocket opened",
    "of which Plotly's chunk",
    "fonts",
    "first h1 / first chart SVG seen",
    "from the last message to fully drawn (browser only)",
    "main-thread long tasks before drawn",
    "CPU self time by script (CDP profile, to drawn + hold)",
    "elements on the page (below the first fold)",
    "fully drawn",
]


def table(profiles: dict[str, dict]) -> list[str]:
    """One column per profiled new tab; times from its navigation start."""
    names = list(profiles)
    cells = {name: _cells(profiles[name]) for name in names}
    lines = [
        "Where one new tab spends its time (one profiled run each, ms from navigation start;"
        " the profiler slows the page a little):",
        "",
        "| phase | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for i, phase in enumerate(PHASES):
        lines.append(f"| {phase} | " + " | ".join(cells[n][i] for n in names) + " |")
    return lines
