"""Every page, under AppTest: with no warehouse it says what to run; with data it renders."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.settings import get_settings

REPO = Path(__file__).resolve().parents[1]
PAGES = sorted(p.stem for p in (REPO / "dashboard" / "pages").glob("[!_]*.py"))
NEEDS_NO_WAREHOUSE = ("audit_log", "accessibility")  # the audit log; no data at all


def test_every_page_is_routed_by_the_app() -> None:
    from core.access import PAGES_BY_ROLE
    from dashboard.navigation import PAGES as ROUTED
    from dashboard.navigation import STATEMENT

    assert sorted(spec.key for spec in (*ROUTED, STATEMENT)) == PAGES
    assert all((REPO / spec.path).exists() for spec in (*ROUTED, STATEMENT))
    # An admin has every page; the statement, open to everyone, needs no grant.
    assert sorted((*PAGES_BY_ROLE["admin"], STATEMENT.key)) == PAGES


@pytest.mark.parametrize("page", [p for p in PAGES if p not in NEEDS_NO_WAREHOUSE])
def test_without_a_warehouse_every_page_says_what_to_run(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKFORCE_WAREHOUSE", str(tmp_path / "none"))
    monkeypatch.setenv("WORKFORCE_REFERENCE", str(REPO / "data" / "reference"))
    get_settings.cache_clear()
    at = AppTest.from_file(str(REPO / "dashboard" / "pages" / f"{page}.py"), default_timeout=60)
    at.run()
    get_settings.cache_clear()
    assert not at.exception
    assert any("No data has been loaded yet" in info.value for info in at.info)
    assert any("make run" in info.value for info in at.info)
