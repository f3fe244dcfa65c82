"""What the page tests share: a page under AppTest on a test warehouse, and reading it back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipeline.settings import Settings, get_settings

PAGES = Path(__file__).resolve().parents[1] / "dashboard" / "pages"


def open_page(name: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """``dashboard/pages/<name>.py`` reading ``settings``' warehouse, as the served app would."""
    monkeypatch.setenv("WORKFORCE_WAREHOUSE", str(settings.warehouse))
    monkeypatch.setenv("WORKFORCE_REFERENCE", str(settings.reference))
    get_settings.cache_clear()
    return AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)


def tiles(at: AppTest) -> dict[str, str]:
    """The headline figures: label → value as shown."""
    return {metric.label: metric.value for metric in at.metric}


def chart_specs(at: AppTest) -> dict[str, dict]:
    """The page's Plotly figures by title."""
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"]["title"]["text"]: spec for spec in specs}
