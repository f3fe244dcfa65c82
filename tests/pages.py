"""What the page tests share: a page under AppTest on a test warehouse, and reading it back."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from streamlit.runtime.state.common import user_key_from_element_id
from streamlit.testing.v1 import AppTest

from core.settings import Settings, get_settings

PAGES = Path(__file__).resolve().parents[1] / "dashboard" / "pages"


APP = PAGES.parents[1] / "app.py"
ADMIN = "test.admin@workforce.local"


def policy_text(
    email: str, role: str, clusters: Sequence[str] = ("*",), record_level: bool = False
) -> str:
    """An access policy file listing one user."""
    listed = ", ".join(f'"{c}"' for c in clusters)
    return (
        f'[[user]]\nemail = "{email}"\nrole = "{role}"\nclusters = [{listed}]\n'
        f"record_level = {str(record_level).lower()}\n"
    )


def sign_in(
    directory: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    role: str = "admin",
    clusters: Sequence[str] = ("*",),
    record_level: bool = False,
    email: str = ADMIN,
    listed: bool = True,
    audit: Path | None = None,
) -> None:
    """Be ``email`` in demo mode, with a policy (in ``directory``) granting them ``role`` over
    ``clusters`` (or not listing them at all); the audit log moves to ``audit`` when given.
    Each policy gets its own file, named by its content."""
    text = policy_text(email, role, clusters, record_level) if listed else ""
    policy = directory / f"access-{hashlib.sha256(text.encode()).hexdigest()[:12]}.toml"
    policy.write_text(text)
    monkeypatch.setenv("WORKFORCE_ACCESS", str(policy))
    monkeypatch.setenv("WORKFORCE_DEMO_USER", email)
    if audit is not None:
        monkeypatch.setenv("WORKFORCE_AUDIT", str(audit))
    get_settings.cache_clear()


def audit_log() -> Path:
    """The audit log of the current test (set by the ``signed_in_admin`` fixture)."""
    return get_settings().audit


def open_page(
    name: str, settings: Settings, monkeypatch: pytest.MonkeyPatch, **grant: object
) -> AppTest:
    """``dashboard/pages/<name>.py`` reading ``settings``' warehouse, as the served app would,
    for a demo user granted ``grant`` (:func:`sign_in`'s options; by default an admin)."""
    monkeypatch.setenv("WORKFORCE_WAREHOUSE", str(settings.warehouse))
    monkeypatch.setenv("WORKFORCE_REFERENCE", str(settings.reference))
    sign_in(settings.warehouse.parent, monkeypatch, **grant)  # type: ignore[arg-type]
    return AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)


def open_app(settings: Settings, monkeypatch: pytest.MonkeyPatch, **grant: object) -> AppTest:
    """``app.py`` (navigation, access, audit) over ``settings``' warehouse, as :func:`open_page`."""
    monkeypatch.setenv("WORKFORCE_WAREHOUSE", str(settings.warehouse))
    monkeypatch.setenv("WORKFORCE_REFERENCE", str(settings.reference))
    sign_in(settings.warehouse.parent, monkeypatch, **grant)  # type: ignore[arg-type]
    return AppTest.from_file(str(APP), default_timeout=60)


@dataclass
class ShownTile:
    """A headline tile as ``dashboard.tiles`` drew it, read back from its HTML: the change's
    direction is "up", "down" or "none" (no arrow), its tone "good", "bad" or "" (grey)."""

    label: str = ""
    value: str = ""
    change: str | None = None
    direction: str = "none"
    tone: str = ""
    said: str = ""  # the change's words for screen readers ("since 31 Oct 2026")
    notes: list[str] = field(default_factory=list)
    help: str | None = None


FIELDS = {"wp-tile-label": "label", "wp-tile-value": "value", "wp-tile-change": "change"}


class _TileReader(HTMLParser):
    """Every ``wpTile`` in an ``st.html`` body, field by field, as a reader sees the text."""

    def __init__(self) -> None:
        super().__init__()
        self.tiles: list[ShownTile] = []
        self.open: list[tuple[str, set[str], dict[str, str | None]]] = []

    def _inside(self, name: str) -> bool:
        return any(name in classes for _, classes, _ in self.open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        classes = set((named.get("class") or "").split())
        if "wp-tile" in classes:
            self.tiles.append(ShownTile())
        tile = self.tiles[-1] if self.tiles else None
        if tile is not None and "wp-tile-change" in classes:
            tile.change = ""
            tile.direction = named.get("data-direction") or "none"
            tile.tone = "good" if "wp-good" in classes else "bad" if "wp-bad" in classes else ""
        if tile is not None and "wp-tile-notes" in classes:
            tile.notes.append("")
        if tile is not None and named.get("role") == "note":
            tile.help = ""
        if tag == "br" and tile is not None and self._inside("wp-tile-notes"):
            tile.notes.append("")
            return
        if tag not in ("br", "img", "input"):
            self.open.append((tag, classes, named))

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.tiles or any(a.get("aria-hidden") == "true" for _, _, a in self.open):
            return
        tile = self.tiles[-1]
        if self._inside("wp-hidden"):
            tile.said += data.strip()
        elif any(a.get("role") == "note" for _, _, a in self.open):
            tile.help = (tile.help or "") + data
        elif self._inside("wp-tile-notes"):
            tile.notes[-1] += data
        else:
            for css, name in FIELDS.items():
                if self._inside(css):
                    setattr(tile, name, (getattr(tile, name) or "") + data)


def read_tiles(body: str) -> list[ShownTile]:
    """The tiles in one ``st.html`` body (none if it holds none)."""
    reader = _TileReader()
    reader.feed(body)
    reader.close()
    for tile in reader.tiles:
        tile.label, tile.value = tile.label.strip(), tile.value.strip()
        tile.change = tile.change.strip() if tile.change is not None else None
    return reader.tiles


def tile_list(node) -> list[ShownTile]:
    """Every headline tile under ``node`` (an AppTest, or its ``main`` or ``sidebar``), in
    the order drawn."""
    return [
        tile
        for element in node.html
        if 'data-testid="wpTiles"' in element.value
        for tile in read_tiles(element.value)
    ]


def tiles(at: AppTest) -> dict[str, str]:
    """The headline figures: label → value as shown."""
    return {tile.label: tile.value for tile in tile_list(at)}


def chart_specs(at: AppTest) -> dict[str, dict]:
    """The page's Plotly figures by title (a title wrapped to fit a phone read on one line)."""
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {spec["layout"]["title"]["text"].replace("<br>", " "): spec for spec in specs}


def open_tables(at: AppTest) -> AppTest:
    """Open every chart's table (drawn only while its expander is open, issue 14) and rerun,
    as a reader clicking each "Show the data as a table"."""
    for expander in at.expander:
        key = user_key_from_element_id(expander.proto.id)
        if key and ".table." in key:
            at.session_state[key] = True
    return at.run()


def on_tab(at: AppTest, key: str, label: str, *, tables: bool = False) -> AppTest:
    """The page run again with the lazy tabs ``key`` on ``label`` (a reader's click on it), and
    its charts' tables opened if ``tables``."""
    at.session_state[key] = label
    at.run()
    return open_tables(at) if tables else at


def every_tab(at: AppTest, key: str) -> tuple[dict[str, str], dict[str, dict]]:
    """The tiles and the charts (by title) of every tab of ``key``, each opened in turn, the
    page left on its first tab."""
    labels = [tab.label for tab in at.tabs]
    shown: dict[str, str] = {}
    charts: dict[str, dict] = {}
    for label in labels:
        on_tab(at, key, label)
        shown |= tiles(at)
        charts |= chart_specs(at)
    on_tab(at, key, labels[0])
    return shown, charts


# Each page's lazy tabs (issue 14), the first (the page's default) first: a browser test that
# must see every chart opens the others by URL (``<page>.tab=<label>``).
TABS = {
    "workforce": (
        "Cluster to organisation",
        "Grades and professions",
        "Regions",
        "Diversity",
        "Compare two dates",
    ),
    "flows": ("Joiners and leavers", "By cluster", "Turnover"),
    "cost": (
        "Spend",
        "Cost per FTE",
        "Contingent labour and consultancy",
        "HR and finance reconciliation",
        "Staff ratios and spans",
    ),
    "programme": (
        "Milestones",
        "Delivery confidence",
        "Slippage",
        "Benefits and cost",
        "The register",
    ),
}


def tab_paths(key: str) -> list[str]:
    """The page's path, then one per tab after its first (``/<key>?<key>.tab=<label>``)."""
    return [key] + [f"{key}?{urlencode({f'{key}.tab': label})}" for label in TABS.get(key, ())[1:]]
