"""Links that keep the view (issue 12), under AppTest on the tiny warehouses: each page's
choices are read from the URL, drawn, and written back (or removed when they are the page's
default); a hostile value is ignored, never trusted; one page's choices never reach another
page's URL; "Copy link" shows the view's link; and a cluster (or any filter value) a link
asks for outside the viewer's scope is refused, by name, on every page.

The tiny warehouse has two month-ends, A (31 January 2026) and B (28 February 2026)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest

from core import audit
from core.settings import Settings, get_settings
from dashboard.charts import milestones as cp
from tests import pages, tiny_warehouse, tiny_warehouse_extra
from tests.pages import open_page

AUDIT_PAGE = pages.PAGES / "audit_log.py"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return tiny_warehouse.build(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def extra(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return tiny_warehouse_extra.build(tmp_path_factory.mktemp("extra"))


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    yield
    get_settings.cache_clear()


def opened(name: str, settings: Settings, monkeypatch, params: dict, **grant) -> AppTest:
    """The page run once from a link holding ``params``."""
    at = open_page(name, settings, monkeypatch, **grant)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def url(at: AppTest) -> dict[str, list[str]]:
    """The page's URL parameters after the run, each as a list."""
    return {k: v if isinstance(v, list) else [v] for k, v in at.query_params.items()}


def no_state_warning(at: AppTest) -> None:
    """Streamlit warns when a widget has a default and a value set through the session state:
    the wrappers give the URL's value as the default only."""
    for element in (*at.warning, *at.exception):
        assert "Session State API" not in str(element.value)


# --- each page's choices, from the link and back ----------------------------------------------

WORKFORCE = {
    "workforce.by": "department",
    "workforce.measure": "FTE",
    "workforce.compare.a": "2026-02-10",
    "workforce.compare.by": "grade",
    "workforce.compare.measure": "fte",
}


def test_the_workforce_page_restores_every_choice_and_keeps_it_in_the_url(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = opened("workforce", tiny, monkeypatch, WORKFORCE)
    no_state_warning(at)
    assert at.selectbox(key="workforce.by").value == "department"
    assert at.radio(key="workforce.measure").value == "FTE"
    titles = set(pages.chart_specs(at))
    assert any(t.startswith("FTE by department") for t in titles), titles
    # The comparison's choices wait in the URL while its tab is closed (issue 14: lazy tabs).
    assert url(at) == {"as_at": ["2026-02-28"], **{k: [v] for k, v in WORKFORCE.items()}}
    pages.on_tab(at, "workforce.tab", "Compare two dates")
    no_state_warning(at)
    assert at.date_input(key="workforce.compare.a").value == date(2026, 2, 10)
    assert at.date_input(key="workforce.compare.b").value == tiny_warehouse.B
    assert at.selectbox(key="workforce.compare.by").value == "grade"
    assert at.selectbox(key="workforce.compare.measure").value == "fte"
    titles = set(pages.chart_specs(at))
    assert any(t.startswith("The largest movers by grade: change in fte") for t in titles), titles
    assert url(at)["workforce.tab"] == ["Compare two dates"]
    pages.on_tab(at, "workforce.tab", "Cluster to organisation")

    at.selectbox(key="workforce.by").set_value("organisation_code").run()
    at.radio(key="workforce.measure").set_value("Headcount").run()  # the default: left out
    pages.on_tab(at, "workforce.tab", "Compare two dates")
    at.date_input(key="workforce.compare.b").set_value(date(2026, 2, 20)).run()
    assert url(at)["workforce.by"] == ["organisation_code"]
    assert "workforce.measure" not in url(at)
    assert url(at)["workforce.compare.b"] == ["2026-02-20"]


def test_hostile_values_in_a_workforce_link_are_ignored_and_cleared(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile = {
        "workforce.by": "<script>alert(1)</script>",
        "workforce.measure": "x" * 30_000,
        "workforce.compare.a": "20261031",
        "workforce.compare.b": "2031-01-01",  # after the latest load: the latest
        "workforce.compare.by": "[x](http://evil.example)",
        "workforce.compare.measure": "paybill_gbp; DROP TABLE",
        "workforce.tab": "Compare two dates",
    }
    at = opened("workforce", tiny, monkeypatch, hostile)
    assert at.date_input(key="workforce.compare.a").value == tiny_warehouse.A
    assert at.date_input(key="workforce.compare.b").value == tiny_warehouse.B
    assert at.selectbox(key="workforce.compare.by").value == "cluster"
    assert not at.error
    pages.on_tab(at, "workforce.tab", "Cluster to organisation")
    assert at.selectbox(key="workforce.by").value == "cluster"
    assert at.radio(key="workforce.measure").value == "Headcount"
    assert url(at) == {"as_at": ["2026-02-28"]}  # every page default: nothing to keep
    tab = opened("workforce", tiny, monkeypatch, {"workforce.tab": "<b>Diversity</b>"})
    assert not tab.exception and tab.session_state["workforce.tab"] == "Cluster to organisation"
    assert "workforce.tab" not in url(tab)  # not a tab: ignored and removed


def test_the_flows_page_restores_its_dates(tiny: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    at = opened("flows", tiny, monkeypatch, {"flows.from": "2026-01-31", "flows.to": "2026-02-28"})
    no_state_warning(at)
    assert at.date_input(key="flows.from").value == tiny_warehouse.A
    assert at.date_input(key="flows.to").value == tiny_warehouse.B
    assert pages.tiles(at)["Joiners"] == "2"  # A to B, not a year: p03 and p10
    assert url(at)["flows.from"] == ["2026-01-31"]
    assert "flows.to" not in url(at)  # the as-at date: the default
    late = opened("flows", tiny, monkeypatch, {"flows.from": "2027-05-01"})
    assert late.date_input(key="flows.from").value == tiny_warehouse.B  # kept within To's max


def test_the_programme_page_restores_its_cluster_and_ignores_an_unknown_rating(
    extra: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = {"programme.cluster": "UNITY", "programme.tab": "Slippage"}
    at = opened("programme", extra, monkeypatch, link)
    no_state_warning(at)
    assert at.selectbox(key="programme.cluster").value == "UNITY"
    assert url(at)["programme.cluster"] == ["UNITY"]
    assert url(at)["programme.tab"] == ["Slippage"]
    confidence = {"programme.tab": "Delivery confidence"}
    at = opened("programme", extra, monkeypatch, {**confidence, "programme.rating": "<b>red</b>"})
    assert at.button_group(key="programme.rating").value is None
    assert "programme.rating" not in url(at)  # not a rating: ignored and removed


def test_the_programme_rating_chosen_is_written_and_read_back(
    extra: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    restored = []
    for rating in cp.DCA_LABELS:  # those the register holds are restored, the rest ignored
        link = {"programme.tab": "Delivery confidence", "programme.rating": rating}
        at = opened("programme", extra, monkeypatch, link)
        shown = at.button_group(key="programme.rating")
        held = any(o.startswith(cp.DCA_LABELS[rating].split(" ")[0]) for o in shown.options)
        if shown.value is not None:
            restored.append(rating)
            assert shown.value == rating and held
            assert url(at)["programme.rating"] == [rating]
            assert at.session_state["programme.rating"] == rating  # what the audit records
    assert restored, "the register holds at least one rating"


EXTRACTS = {
    "extracts.metric": "turnover",
    "extracts.by.turnover": ["grade", "cluster"],
    "extracts.as_at": "2026-01-31",
}


def test_the_extracts_page_restores_the_metric_dimensions_and_date(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = opened("extracts", tiny, monkeypatch, EXTRACTS, role="analyst")
    no_state_warning(at)
    assert at.selectbox(key="extracts.metric").value == "turnover"
    assert at.multiselect(key="extracts.by.turnover").value == ["grade", "cluster"]
    assert at.date_input(key="extracts.as_at").value == tiny_warehouse.A
    assert list(at.dataframe[0].value.columns[:2]) == ["grade", "cluster"]
    assert url(at) == {
        "as_at": ["2026-02-28"],
        **{k: list(v) if isinstance(v, list) else [v] for k, v in EXTRACTS.items()},
    }

    at.selectbox(key="extracts.metric").set_value("contingent").run()
    assert "extracts.by.turnover" not in url(at)  # another metric's dimensions: forgotten
    at.multiselect(key="extracts.by.contingent").set_value(["category"]).run()
    assert url(at)["extracts.by.contingent"] == ["category"]


def test_the_extracts_periods_dates_and_protection_come_from_the_link(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    spend = {
        "extracts.metric": "spend",
        "extracts.period_from": "2026-01",
        "extracts.period_to": "2026-02",
    }
    at = opened("extracts", tiny, monkeypatch, spend, role="analyst")
    assert at.selectbox(key="extracts.period_from").value == "2026-01"
    assert "extracts.period_to" not in url(at)  # the default, the as-at month
    trend = {"extracts.metric": "workforce_trend", "extracts.from": "2026-01-31"}
    at = opened("extracts", tiny, monkeypatch, trend, role="analyst")
    assert at.date_input(key="extracts.from").value == tiny_warehouse.A
    assert at.date_input(key="extracts.to").value == tiny_warehouse.B
    unprotected = opened("extracts", tiny, monkeypatch, {"extracts.protect": "0"})  # an admin
    assert unprotected.toggle(key="extracts.protect").value is False
    assert url(unprotected)["extracts.protect"] == ["0"]
    for junk in ("false", "<b>0</b>", ""):
        kept = opened("extracts", tiny, monkeypatch, {"extracts.protect": junk})
        assert kept.toggle(key="extracts.protect").value is True


def test_the_audit_log_page_restores_its_search(
    signed_in_admin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit.append(signed_in_admin, audit.Entry("kate@x.gov.uk", "leader", "view", "overview"))
    audit.append(signed_in_admin, audit.Entry("bob@x.gov.uk", "analyst", "download", "extracts"))
    at = AppTest.from_file(str(AUDIT_PAGE), default_timeout=60)
    at.query_params.update(
        {"audit_log.user": "KATE@x.gov.uk", "audit_log.event": "view", "audit_log.limit": "500"}
    )
    at.run()
    assert not at.exception
    assert at.text_input(key="audit_log.user").value == "KATE@x.gov.uk"
    assert at.selectbox(key="audit_log.event").value == "view"
    assert at.number_input(key="audit_log.limit").value == 500
    assert at.dataframe[0].value["user_email"].tolist() == ["kate@x.gov.uk"]
    hostile = AppTest.from_file(str(AUDIT_PAGE), default_timeout=60)
    hostile.query_params.update(
        {"audit_log.user": "x" * 30_000, "audit_log.event": "drop", "audit_log.limit": "5"}
    )
    hostile.run()
    assert not hostile.exception
    assert hostile.text_input(key="audit_log.user").value == "x" * 200
    assert hostile.selectbox(key="audit_log.event").value == "all"
    assert hostile.number_input(key="audit_log.limit").value == 1000  # below 10: ignored


# --- one page's choices stay on that page -----------------------------------------------------


def test_another_pages_choices_and_unknown_parameters_leave_the_url(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = {"workforce.by": "department", "extracts.metric": "spend", "colour": "blue"}
    at = opened("flows", tiny, monkeypatch, {**params, "flows.from": "2026-01-31"})
    assert url(at) == {"as_at": ["2026-02-28"], "flows.from": ["2026-01-31"]}


# --- copy link --------------------------------------------------------------------------------


def test_copy_link_shows_the_link_of_the_view_as_text(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = opened("workforce", tiny, monkeypatch, {"workforce.by": "department"})
    (popover,) = [p for p in at.sidebar.get("popover") if p.proto.popover.label == "Copy link"]
    (code,) = at.sidebar.code
    assert code.value.startswith("?")  # no address under test: the query alone
    assert parse_qs(code.value[1:]) == {"as_at": ["2026-02-28"], "workforce.by": ["department"]}
    assert code.language in (None, "", "plaintext")
    at.radio(key="workforce.measure").set_value("FTE").run()
    (code,) = at.sidebar.code
    assert parse_qs(code.value[1:]) == {
        "as_at": ["2026-02-28"],
        "workforce.by": ["department"],
        "workforce.measure": ["FTE"],  # the choice just made, though drawn after the link
    }
    assert popover


# --- a link asking for what the viewer may not see --------------------------------------------

EVERY_PAGE = ("overview", "workforce", "flows", "cost", "extracts", "programme", "data_health")


@pytest.mark.parametrize("name", EVERY_PAGE)
def test_an_unknown_cluster_is_refused_by_name_on_every_page(
    name: str, tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = opened(name, tiny, monkeypatch, {"clusters": "UNITY,ATLANTIS"})
    said = [w.value for w in at.warning if "The link asked for" in w.value]
    assert said == [
        "The link asked for cluster ATLANTIS, outside your access or not offered here: it was "
        "left out. These figures cover UNITY."
    ]
    assert url(at)["clusters"] == ["UNITY"]


def test_a_cluster_outside_an_analysts_scope_is_refused_by_name_and_stays_said(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = {"clusters": "SYNERGY", "grades": "G7,<img src=x>"}
    at = opened("workforce", tiny, monkeypatch, link, role="analyst", clusters=("UNITY",))
    (said,) = [w.value for w in at.warning if "The link asked for" in w.value]
    assert said.startswith("The link asked for cluster SYNERGY and grade \\<img src=x\\>,")
    assert said.endswith("These figures cover UNITY.")
    assert "clusters" not in url(at)
    at.selectbox(key="workforce.by").set_value("department").run()
    assert [w.value for w in at.warning if "The link asked for" in w.value] == [said]


def test_a_link_within_the_scope_is_not_warned_about(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = opened("workforce", tiny, monkeypatch, {"clusters": "unity,SYNERGY", "grades": "G7"})
    assert not [w for w in at.warning if "The link asked for" in w.value]
