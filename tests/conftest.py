"""Fixtures shared by every test module.  Keep this small: module-specific helpers stay local."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings, get_settings

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def workforce_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings whose landing zone and warehouse are fresh temporary paths.

    The ``WORKFORCE_*`` variables are set, so code that calls ``get_settings()`` (whose result
    is cached per process) sees them too; the cache is cleared before and after.  The
    organisations register is the committed one.
    """
    monkeypatch.setenv("WORKFORCE_LANDING", str(tmp_path / "landing"))
    monkeypatch.setenv("WORKFORCE_WAREHOUSE", str(tmp_path / "warehouse"))
    monkeypatch.setenv("WORKFORCE_REFERENCE", str(REPO / "data" / "reference"))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def signed_in_admin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test starts as an admin in demo mode, with its own policy file and audit log (so
    a test never reads the developer's ``data/access.toml`` or writes their audit log); a test
    of another role calls ``tests.pages.sign_in`` again.  Yields the audit log's path."""
    from tests.pages import sign_in

    audit = tmp_path / "audit" / "audit.sqlite"
    sign_in(tmp_path, monkeypatch, audit=audit)
    yield audit
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """Headless Chromium (``tests/browser/conftest.py``), one for the whole session: shared by
    tests/browser and tests/cluster, as Playwright's sync API runs one instance at a time."""
    from tests.browser.conftest import launch_browser

    yield from launch_browser()
