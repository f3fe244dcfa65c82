"""The browser benchmark's own arithmetic (benchmarks/browser_bench.py, browser_profile.py):
medians, ratios and issue 14's targets judged on hand-made numbers, the profile's phases
from a hand-made recording (the browser part: tests/browser/test_bench_browser.py)."""

from __future__ import annotations

from pathlib import Path

from benchmarks import browser_bench as bb
from benchmarks import browser_profile as bp


def medians(bare: float = 2.0, overview: float = 2.4, url: float = 2.9, first: float = 1.2,
            repeat: float = 0.4) -> dict:  # fmt: skip
    return {
        "bare_chart": bare,
        "bare_plain": 1.0,
        "url": {"overview": overview, "cost": url, "flows": 2.0},
        "first": {"overview": 0.9, "cost": first},
        "repeat": {"overview": 0.3, "cost": repeat},
    }


def test_median_and_ratio() -> None:
    assert bb.median([3.0, 1.0, 2.0]) == 2.0
    assert bb.median([]) is None
    assert bb.ratio(3.0, 2.0) == 1.5
    assert bb.ratio(None, 2.0) is None
    assert bb.ratio(3.0, 0.0) is None  # no bare page measured: no ratio, not a crash


def test_every_target_met_at_its_limit() -> None:
    rows = bb.judge(medians(bare=2.0, overview=2.6, url=3.0, first=1.5, repeat=0.5))
    assert [row["met"] for row in rows] == [True, True, True, True]
    assert rows[0]["measured"] == "1.30x"


def test_each_target_missed_just_over_its_limit() -> None:
    rows = bb.judge(medians(bare=2.0, overview=2.62, url=3.02, first=1.51, repeat=0.51))
    assert [row["met"] for row in rows] == [False, False, False, False]
    assert rows[1]["what"] == "slowest other page by URL (cost)"
    assert rows[2]["measured"] == "1.51 s"


def test_an_unmeasured_page_is_never_judged_met() -> None:
    figures = medians()
    figures["url"]["flows"] = None  # every sample of flows failed
    figures["repeat"] = {}  # the in-app walk failed every time
    rows = bb.judge(figures)
    assert rows[1]["met"] is None and "(flows)" in rows[1]["what"]
    assert rows[3]["met"] is None and rows[3]["measured"] == "–"


def test_section_says_each_page_and_each_target() -> None:
    pages = (bb.Page("overview", "Overview", "Workforce overview", ""),
             bb.Page("cost", "Cost", "Cost", "cost"))  # fmt: skip
    times = {"failures": ["http://x/cost (Cost): Timeout 120000ms exceeded."]}
    result = {"samples": 3, "medians": medians(), "times": times, "profiles": {},
              "pages": pages, "wall_seconds": 60.0, "load": (0.5, 0.7)}  # fmt: skip
    text = "\n".join(bb.section(result, "a scale-0.05 demo"))
    assert "| overview | 2.40 s | 1.20x | 0.90 s | 0.30 s |" in text
    assert "| cost | 2.90 s | 1.45x | 1.20 s | 0.40 s |" in text
    assert (
        "| slowest other page by URL (cost) | 1.45x | <= 1.5x the bare chart page | yes |" in text
    )
    assert "Failed timings (left out of the medians): 1." in text


def test_page_title_is_read_from_the_page_source() -> None:
    source = Path(bb.REPO / "dashboard" / "pages" / "audit_log.py").read_text()
    title = bb.page_title("audit_log", "fallback")
    assert title != "fallback" and f'"{title}"' in source
    assert bb.page_title("no_such_page", "fallback") == "fallback"


def test_cpu_profile_summed_by_script() -> None:
    base = "http://127.0.0.1:1/static/js/"
    nodes = [
        {"id": 1, "callFrame": {"functionName": "(idle)", "url": ""}},
        {"id": 2, "callFrame": {"functionName": "draw", "url": base + "PlotlyChart.x.js"}},
        {"id": 3, "callFrame": {"functionName": "boot", "url": base + "index.y.js"}},
        {"id": 4, "callFrame": {"functionName": "grid", "url": base + "DataFrame.z.js"}},
    ]
    profile = {
        "nodes": nodes,
        "samples": [1, 2, 2, 3, 4],
        "timeDeltas": [500, 1000, 1000, 2000, 3000],
    }
    totals = bp.cpu_by_script(profile, early={base + "index.y.js"})
    assert totals == {
        "(idle)": 0.5,
        "Plotly chunk": 2.0,
        "start-up bundle": 2.0,
        "element chunks": 3.0,
    }


def recording() -> dict:
    def res(name: str, start: float, end: float, kib: float) -> dict:
        return {"name": f"http://h/static/{name}", "start": start, "end": end, "bytes": kib * 1024}

    return {
        "navigation": {"requestStart": 5.0, "responseEnd": 12.0, "domContentLoadedEventEnd": 700.0},
        "resources": [
            res("js/index.a.js", 50, 400, 500),
            res("css/index.b.css", 60, 300, 20),
            res("media/Source.woff2", 55, 350, 160),
            res("js/DataFrame.c.js", 1100, 1500, 400),
            res("js/PlotlyChart.d.js", 1200, 1600, 4600),
        ],
        "log": {
            "opened": 900.0,
            "sent": [(901.0, 50), (2500.0, 40)],  # the second after drawn
            "received": [(950.0, 1024), (1300.0, 2048), (2600.0, 1024)],
            "longtasks": [(1000.0, 300.0), (1700.0, 100.0), (2700.0, 80.0)],
            "marks": {"first heading": 980.0, "first chart SVG": 2000.0},
        },
        "census": {"charts": [2, 1]},
        "drawn": 2000.0,
    }


def test_breakdown_splits_a_recorded_new_tab() -> None:
    phases = bp.breakdown(recording())
    assert phases["bundle"] == (50, 400, 520, 2)  # JS and CSS before the websocket, not fonts
    assert phases["late_chunks"] == (1100, 1600, 5000, 2)
    assert phases["plotly"] == (1200, 1600, 4600, 1)
    assert phases["fonts"][3] == 1
    assert phases["server"] == (901.0, 1300.0, 3.0, 2)  # messages after drawn left out
    assert phases["longtasks"] == (2, 400.0, 300.0)
    table = bp.table({"Overview": phases})
    assert len(table) == 4 + len(bp.PHASES)
    assert "charts 2 (1 below)" in "\n".join(table)
