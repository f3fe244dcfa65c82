"""The Accessibility statement and the navigation drawn for it, under AppTest on the tiny
warehouse: every role and someone without a grant reach the statement, it writes no audit
entry and keeps the audit rules of the pages around it, it says what the GOV.UK model asks
(compliance, known issues with their upstream issues, how to report a problem, enforcement,
how it was tested), and the sidebar links each role's own pages, in order, with correct
markup (``st.page_link``, not Streamlit's list)."""

from __future__ import annotations

import re
from pathlib import Path

import axe_playwright_python
import pytest
from streamlit.testing.v1 import AppTest

from core import audit
from core.access import PAGES_BY_ROLE
from core.settings import Settings
from dashboard import style
from dashboard.navigation import BY_KEY, STATEMENT
from tests import pages
from tests.tiny_warehouse import build

STATEMENT_FILE = "dashboard/pages/accessibility.py"
TITLE = "Accessibility statement for Workforce Picture"
CONTACT = "workforce-picture-accessibility@cabinetoffice.gov.uk"
# The copy of axe-core the browser test runs (tests/browser/test_axe_browser.py).
AXE_JS = Path(axe_playwright_python.__file__).parent / "axe.min.js"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build(tmp_path_factory.mktemp("tiny"))


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def sidebar_links(at: AppTest) -> list[str]:
    """The labels of the sidebar's page links, in order."""
    return [link.proto.label for link in at.sidebar.get("page_link")]


def entries(log: Path) -> int:
    return audit.read(log).height if log.exists() else 0


def open_statement(at: AppTest) -> AppTest:
    return at.switch_page(STATEMENT_FILE).run()


@pytest.mark.parametrize("role", list(PAGES_BY_ROLE))
def test_every_role_is_linked_to_its_own_pages_and_the_statement(
    role: str, tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_app(tiny, monkeypatch, role=role).run()
    assert not at.exception
    expected = [BY_KEY[key].title for key in PAGES_BY_ROLE[role]]
    assert sidebar_links(at) == [*expected, STATEMENT.title]
    sections = [m.value for m in at.sidebar.markdown if re.fullmatch(r"\*\*[^*]+\*\*", m.value)]
    assert sections[-1] == "**Help**"


@pytest.mark.parametrize("role", list(PAGES_BY_ROLE))
def test_every_role_reads_the_statement_and_no_audit_entry_is_written(
    role: str, tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_app(tiny, monkeypatch, role=role).run()
    log = pages.audit_log()
    before = entries(log)
    open_statement(at)
    assert not at.exception and not at.error
    assert TITLE in titles(at)
    assert entries(log) == before


def test_someone_without_a_grant_reads_the_statement(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_app(tiny, monkeypatch, listed=False, email="stranger@example.com").run()
    assert titles(at) == ["Workforce Picture"]  # no access, and the refusal audited
    assert sidebar_links(at) == [STATEMENT.title]
    log = pages.audit_log()
    denied = entries(log)
    assert denied == 1
    open_statement(at)
    assert not at.exception and not at.error
    assert titles(at) == [TITLE]
    assert entries(log) == denied  # the statement writes nothing


def test_a_page_opened_again_after_the_statement_is_a_new_view(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Views are recorded once per change of page or filters: the statement in between is a
    change, so the Overview seen again is recorded again (the audit rules of the pages)."""
    at = pages.open_app(tiny, monkeypatch).run()
    log = pages.audit_log()
    assert audit.read(log, event="view")["page"].to_list() == ["overview"]
    open_statement(at)
    at.switch_page("dashboard/pages/overview.py").run()
    assert not at.exception
    assert audit.read(log, event="view")["page"].to_list() == ["overview", "overview"]


def statement_alone() -> AppTest:
    return AppTest.from_file(str(pages.PAGES / "accessibility.py"), default_timeout=30).run()


def test_the_statement_says_what_the_gov_uk_model_asks() -> None:
    at = statement_alone()
    assert not at.exception
    said = text(at)
    assert [h.value for h in at.header] == [
        "How accessible this service is",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Technical information about this service's accessibility",
        "How we tested this service",
    ]
    assert "partially compliant" in said and "Guidelines version 2.2" in said
    assert f"[{CONTACT}](mailto:{CONTACT})" in said
    assert "Equality and Human Rights Commission (EHRC)" in said
    assert "Equality Commission for Northern Ireland (ECNI)" in said
    assert "30 November 2026" in said and "1280 and 390 pixels wide" in said
    # The known issues: each names the criterion it fails; Streamlit's name their issue.
    issues = [line for line in said.splitlines() if "(WCAG 2.2 success criterion" in line]
    assert len(issues) >= 3
    upstream = re.findall(r"https://github\.com/streamlit/streamlit/issues/\d+", said)
    assert len(upstream) == sum("Streamlit" in line for line in issues) >= 2


def test_the_statement_names_the_axe_core_version_the_browser_test_runs() -> None:
    installed = re.search(r"axe v(\d+\.\d+)", AXE_JS.read_text()[:500])
    assert installed is not None
    assert f"axe-core {installed.group(1)} " in text(statement_alone())


def test_the_style_gives_focus_a_ring_and_targets_24_pixels() -> None:
    css = style.css()
    assert css.startswith("<style>") and css.endswith("</style>")
    assert "outline: 3px solid #ffdd00" in css and "0 0 0 6px #0b0c0c" in css
    assert css.count("min-height: 24px") >= 3  # help buttons, date fields, calendar button
