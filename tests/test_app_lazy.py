"""What a page starts with (issue 14), on the tiny warehouse: a chart's table drawn only once its
expander is opened, and audited as drawn; figures built once per input; lazy tabs that run only
the open tab and keep a reader's clicks.

As at B (28 February 2026) the Overview's trend has two month-ends (A and B), one table row
each.
"""

from __future__ import annotations

import functools
import json

import pytest
from streamlit.testing.v1 import AppTest

from core import audit
from core.settings import Settings, get_settings
from dashboard.charts import cache as charts_cache
from dashboard.charts import line as charts
from dashboard.charts import waterfall as cw
from tests import pages
from tests.tiny_warehouse import build

TREND_TABLE = "overview.table.trend"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build(tmp_path_factory.mktemp("tiny"))


@pytest.fixture
def app(tiny: Settings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    at = pages.open_app(tiny, monkeypatch, role="leader")
    yield at
    get_settings.cache_clear()


def entries(event: str) -> list[dict]:
    """The audit log's entries of ``event``, oldest first, their filters read."""
    rows = audit.read(pages.audit_log(), event=event).to_dicts()[::-1]
    return [{**row, "filters": json.loads(row["filters"])} for row in rows]


def trend_frames(at: AppTest) -> list:
    return [f.value for f in at.main.dataframe if "month_end" in f.value.columns]


def test_a_charts_table_is_drawn_only_once_opened_and_audited_as_drawn(app: AppTest) -> None:
    app.run()
    assert not app.exception
    (drawer,) = [e for e in app.main.expander if e.label == "Show the data as a table"]
    assert len(drawer.children) == 0  # closed: no table sent, no data grid mounted
    assert trend_frames(app) == []
    (view,) = entries("view")
    (shown,) = entries("shown")
    assert TREND_TABLE not in view["filters"] and TREND_TABLE not in shown["filters"]
    rows = shown["rows"]
    app.session_state[TREND_TABLE] = True  # a reader opens it: the page reruns
    app.run()
    assert not app.exception
    (table,) = trend_frames(app)
    assert len(table) == 2  # A and B
    # The rerun is a view of its own, recorded before the table was drawn, and what it showed
    # after: the open table is among the choices of both.
    views, shows = entries("view"), entries("shown")
    assert len(views) == 2 and views[-1]["filters"][TREND_TABLE] is True
    assert len(shows) == 2 and shows[-1]["filters"][TREND_TABLE] is True
    assert shows[-1]["rows"] == rows  # the same queries' rows: the table is the chart's data
    app.session_state[TREND_TABLE] = False  # closed again: not drawn, a view without it
    app.run()
    assert trend_frames(app) == []
    assert TREND_TABLE not in entries("view")[-1]["filters"]


def test_a_figure_is_built_once_for_the_same_input(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []
    real = charts.trend_chart

    @functools.wraps(real)
    def counted(*args, **kwargs):
        built.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(charts, "trend_chart", counted)
    charts_cache._built.clear()
    app.run()
    app.run()  # a rerun with the same filters: the figure is not built again
    assert not app.exception
    assert len(built) == 1
    before = pages.chart_specs(app)
    app.sidebar.multiselect(key="filter.clusters").set_value(["UNITY"]).run()
    assert len(built) == 2  # another input, another figure
    assert pages.chart_specs(app) != before


def test_a_cached_figure_is_keyed_by_every_argument() -> None:
    """The same rows and title: the same figure, not built again; other rows (as another
    caller's scope would give) or another title: another figure.  So nobody is handed a figure
    of rows they did not pass."""
    charts_cache._built.clear()
    a = charts_cache.figure(cw.flows_waterfall, {"start_headcount": 10, "joiners": 2}, "Flows")
    same = charts_cache.figure(cw.flows_waterfall, {"start_headcount": 10, "joiners": 2}, "Flows")
    assert same is a
    other_rows = charts_cache.figure(cw.flows_waterfall, {"start_headcount": 99}, "Flows")
    other_title = charts_cache.figure(
        cw.flows_waterfall, {"start_headcount": 10, "joiners": 2}, "Other"
    )
    assert other_rows is not a and other_title is not a
    assert (
        a.to_dict() == cw.flows_waterfall({"start_headcount": 10, "joiners": 2}, "Flows").to_dict()
    )


def test_lazy_tabs_keep_every_click(tiny: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tabs' identity includes their default: a default read again from the URL after each
    click would make a new widget and drop the next click (the third tab never reached)."""
    at = pages.open_page("programme", tiny, monkeypatch).run()
    for label in ("Slippage", "Benefits and cost", "Milestones", "Benefits and cost"):
        pages.on_tab(at, "programme.tab", label)
        assert not at.exception
        assert at.session_state["programme.tab"] == label
        assert at.query_params.get("programme.tab", "Milestones") == label
    assert "Net present value by cluster, 2025-26 values (£)" in pages.chart_specs(at)
    get_settings.cache_clear()


def test_the_overviews_definitions_are_drawn_only_once_opened(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Long Markdown a new tab spent its time on, unseen (issue 14): drawn when opened."""
    at = pages.open_page("overview", tiny, monkeypatch, role="leader").run()
    (closed,) = [e for e in at.expander if e.label == "How these figures are defined"]
    assert not closed.markdown
    at.session_state["overview.defined"] = True  # a reader opens it: the page reruns
    at.run()
    (opened,) = [e for e in at.expander if e.label == "How these figures are defined"]
    said = " ".join(m.value for m in opened.markdown)
    assert "Headcount, FTE and paybill" in said and "Cost per FTE" in said
    get_settings.cache_clear()
