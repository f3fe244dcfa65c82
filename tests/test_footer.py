"""The footer under every page (dashboard/footer.py), under AppTest through app.py on the tiny
warehouse (tests/tiny_warehouse.py: SYNERGY and UNITY deliver on 31 January and 28 February
2026, MATRIX on 31 January only, so it is stale at the latest date; DEFENCE and OVERSEAS never).

Every page a role may open ends with the footer: the as-at date the page shows, each cluster's
extract in the caller's scope (and no other cluster), the role and clusters, the filters, and the
disclosure note; a page without warehouse data gets the scope and the link only, and a refused
page none.  The print style is checked here as text and in Chromium by
tests/browser/test_print_browser.py."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from streamlit.testing.v1 import AppTest

from core.access import PAGES_BY_ROLE, Grant
from core.settings import Settings
from dashboard import footer
from dashboard.filters import Filters
from dashboard.identity import Caller
from dashboard.navigation import BY_KEY
from tests import pages
from tests.tiny_warehouse import build

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ADMIN = Grant("a@x.gov.uk", "admin", ("DEFENCE", "OVERSEAS", "MATRIX", "SYNERGY", "UNITY"))
LEADER = Grant("l@x.gov.uk", "leader", ("UNITY",))
NO_DATA_PAGES = ("audit_log",)  # open with the gate only: the audit log, not the warehouse
STATEMENT = "dashboard/pages/accessibility.py"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build(tmp_path_factory.mktemp("tiny"))


def footer_lines(at: AppTest) -> list[str] | None:
    """The footer's lines as they read (escapes gone), its link last; None if not drawn."""
    block = next((node for node in at.main if getattr(node, "key", None) == footer.KEY), None)
    if block is None:
        return None
    said = [footer.text_of([m.value for m in block.markdown])] if block.markdown else []
    links = [link.proto.label for link in block.get("page_link")]
    return [*said, *links]


def page_at(at: AppTest, key: str) -> AppTest:
    """``at`` switched to the page ``key`` (the app's default page is already open)."""
    return at.switch_page(BY_KEY[key].path).run()


# --- every page, by role ----------------------------------------------------------------------


def test_every_admin_page_ends_with_the_footer(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_app(tiny, monkeypatch, role="admin").run()
    note = footer.text_of([footer.disclosure_note(ADMIN)])
    for key in PAGES_BY_ROLE["admin"]:
        at = page_at(at, key)
        assert not at.exception, key
        said = footer_lines(at)
        assert said is not None, f"{key}: no footer"
        text = said[0]
        assert said[-1] == footer.STATEMENT_TITLE, key
        assert "Scope: admin, all clusters" in text, key
        if key in NO_DATA_PAGES:
            assert "As at" not in text and "Disclosure control" not in text, key
            continue
        assert text.startswith("As at 28 February 2026 · Data freshness: "), key
        assert (
            "DEFENCE none by 28 Feb 2026, MATRIX 31 Jan 2026 (stale), OVERSEAS none by "
            "28 Feb 2026, SYNERGY 28 Feb 2026, UNITY 28 Feb 2026"
        ) in text, key
        assert note in text, key
        assert "an administrator may take extracts without it" in note
        assert "counts under 5 are shown as [c]" in note


def test_every_page_of_a_restricted_leader_shows_their_scope_and_nothing_beyond(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_app(tiny, monkeypatch, role="leader", clusters=("UNITY",)).run()
    for key in PAGES_BY_ROLE["leader"]:
        at = page_at(at, key)
        assert not at.exception, key
        said = footer_lines(at)
        assert said is not None, f"{key}: no footer"
        text = said[0]
        assert text.startswith("As at 28 February 2026 · Data freshness: UNITY 28 Feb 2026 "), key
        assert "Scope: leader, UNITY · Drawn " in text, key
        assert footer.text_of([footer.disclosure_note(LEADER)]) in text, key
        assert "every extract of figures" in text, key
        for other in ("DEFENCE", "OVERSEAS", "MATRIX", "SYNERGY"):
            assert other not in text, f"{key}: {other} is outside the leader's scope"


def test_the_footer_says_the_as_at_date_and_filters_the_link_chose(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_app(tiny, monkeypatch, role="analyst", clusters=("SYNERGY", "UNITY"))
    at.query_params["as_at"] = "2026-01-31"
    at.query_params["clusters"] = "UNITY"
    at.run()
    assert not at.exception
    said = footer_lines(at)
    assert said is not None
    assert said[0].startswith(
        "As at 31 January 2026 · Data freshness: SYNERGY 31 Jan 2026, UNITY 31 Jan 2026 "
    )
    assert "Scope: analyst, SYNERGY, UNITY · Filtered to clusters UNITY · Drawn " in said[0]


def test_a_record_left_by_another_page_is_not_shown(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page that stopped after its freshness was drawn leaves its record behind: the next
    page, which shows no warehouse data, must not claim that page's as-at date."""
    at = pages.open_app(tiny, monkeypatch, role="admin").run()
    at.session_state["footer.shown"] = footer.Shown(date(2020, 1, 31), (), page="elsewhere")
    at = page_at(at, "audit_log")
    said = footer_lines(at)
    assert said is not None
    assert "As at" not in said[0] and "2020" not in said[0]


def test_the_statement_shows_the_scope_and_no_data(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_app(tiny, monkeypatch, role="leader", clusters=("UNITY",)).run()
    at = at.switch_page(STATEMENT).run()
    assert not at.exception
    said = footer_lines(at)
    assert said is not None
    assert said[0].startswith("Scope: leader, UNITY · Drawn ")
    assert "As at" not in said[0]


def test_a_refused_page_has_no_footer(tiny: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    at = pages.open_app(tiny, monkeypatch, role="leader", clusters=("UNITY",)).run()
    assert footer_lines(at) is not None  # the overview, first
    # /audit_log is not a leader's page: registered as a refusal, which stops the page.
    # AppTest switches only to pages with a file, so the refusal is opened by its hash.
    at._page_hash = next(
        page
        for page, info in at._registered_pages.items()
        if info.get("url_pathname") == "audit_log"
    )
    at.run()
    assert "not open to your role" in " ".join(e.value for e in at.error)
    assert footer_lines(at) is None


def test_a_user_not_listed_gets_no_data_footer(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_app(tiny, monkeypatch, listed=False, email="stranger@example.com").run()
    assert footer_lines(at) is None
    text = " ".join(m.value for m in at.markdown)
    assert "As at" not in text and "Scope:" not in text


# --- the lines, pure --------------------------------------------------------------------------


def caller(grant: Grant | None) -> Caller:
    return Caller(grant.email if grant else "x@x.gov.uk", demo=True, grant=grant)


def test_without_a_grant_there_are_no_lines() -> None:
    shown = footer.Shown(date(2026, 2, 28), (("UNITY", "current", date(2026, 2, 28)),), "p")
    assert footer.lines(caller(None), shown, None, NOW) == []


def test_the_lines_say_as_at_freshness_scope_time_and_note() -> None:
    shown = footer.Shown(
        date(2026, 2, 28),
        (("MATRIX", "stale", date(2026, 1, 31)), ("UNITY", "absent", None)),
        "p",
    )
    said = footer.lines(caller(LEADER), shown, Filters(date(2026, 2, 28), grades=("EO",)), NOW)
    assert footer.text_of(said[:2]) == (
        "As at 28 February 2026 · Data freshness: MATRIX 31 Jan 2026 (stale), UNITY none by "
        "28 Feb 2026 Scope: leader, UNITY · Filtered to grades EO · Drawn 2 Mar 2026, 09:30 UTC"
    )
    assert said[2] == footer.disclosure_note(LEADER)


def test_the_scope_names_record_level_rights_and_all_clusters() -> None:
    analyst = Grant("a@x.gov.uk", "analyst", ("OVERSEAS",), record_level=True)
    assert footer.scope_text(analyst) == "analyst, OVERSEAS (record-level rows)"
    assert footer.scope_text(ADMIN) == "admin, all clusters"
    office = Grant("s@x.gov.uk", "strategy_office", ("MATRIX", "UNITY"))
    assert footer.scope_text(office) == "strategy office, MATRIX, UNITY"


def test_filters_from_a_link_are_escaped_and_a_long_list_is_counted() -> None:
    many = tuple(f"ORG{i}" for i in range(12))
    text = footer.filters_text(Filters(date(2026, 2, 28), organisations=many))
    assert text.startswith("organisations ORG0, ORG1") and text.endswith("and 2 more")
    hostile = footer.filters_text(Filters(date(2026, 2, 28), grades=("[x](http://e.vil)",)))
    assert "](" not in hostile and "\\[x\\]" in hostile
    assert footer.filters_text(Filters(date(2026, 2, 28))) == ""


def test_the_print_style_is_a4_landscape_without_the_sidebar() -> None:
    css = footer.style()
    assert "@page { size: A4 landscape;" in css
    printing = css[css.index("@media print") :]
    for hidden in ('[data-testid="stSidebar"]', '[data-testid="stHeader"]', ".modebar-container"):
        assert hidden in printing.split("display: none")[0]
    assert "break-inside: avoid" in printing


def contrast(colour: str, background: str = "#ffffff") -> float:
    """WCAG 2 contrast ratio of two sRGB colours."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(colour), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_footer_is_muted_but_readable() -> None:
    assert contrast(footer.MUTED) >= 4.5 and contrast(footer.LINK) >= 4.5
    css = footer.style()
    assert f".st-key-{footer.KEY} p, .st-key-{footer.KEY} span {{ color: {footer.MUTED};" in css
    assert f"a span {{ color: {footer.LINK}; text-decoration: underline; }}" in css
