"""Fixtures shared by every test module.  Keep this small: module-specific helpers stay local."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.settings import Settings, get_settings

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def workforce_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings whose landing zone, warehouse and access file are fresh temporary paths.

    The ``WORKFORCE_*`` variables are set, so code that calls ``get_settings()`` (whose result
    is cached per process) sees them too; the cache is cleared before and after.  The
    organisations register is the committed one.
    """
    monkeypatch.setenv("WORKFORCE_LANDING", str(tmp_path / "landing"))
    monkeypatch.setenv("WORKFORCE_WAREHOUSE", str(tmp_path / "warehouse"))
    monkeypatch.setenv("WORKFORCE_REFERENCE", str(REPO / "data" / "reference"))
    monkeypatch.setenv("WORKFORCE_ACCESS", str(tmp_path / "access.toml"))
    monkeypatch.delenv("WORKFORCE_DEMO_USER", raising=False)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()
