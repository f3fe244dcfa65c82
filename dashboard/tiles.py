"""Rows of headline tiles that read whole on a laptop and on a phone, drawn as one element.

A page's tiles are one ``st.html`` element, not an ``st.metric`` (with its caption) in a column
each.  The Overview's seven tiles were 23 of the page's 73 elements (columns, metrics,
captions), each a message the server sends and the browser renders on its own; drawn as one,
the page has 51 (issue 14; the browser benchmark's figures are in docs/benchmarks.md).  The
tile keeps what ``st.metric`` showed:
the label, the value, the change beside it (an arrow, green or red only where up is good),
notes under it, and the definition behind a "?" that opens it (a ``<details>``: reached by
Tab, opened by Enter or a click, read by screen readers, no script).

Widths: beside the sidebar a page is about 820 px wide at 1280 px; four tiles a row leave
about 160 px for a value at 36 px (``£179.9m`` takes 128 px, ``Not available`` 197 px), three
leave about 230 px.  So a page asks for rows of at most ``FOUR`` tiles for short values and of
``THREE`` for longer ones (a date, "Not available").  A value that still does not fit wraps
between words, never cut short with "…".  Under 640 px (a phone) the tiles stack, one a line.
``tests/browser/test_viewport_browser.py`` measures every tile at both widths.

Every text is escaped here: labels, values, notes and definitions are the page's own, but
some carry names from deliveries (a milestone, an organisation).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

FOUR = 4  # values up to about 8 characters at 36 px: counts, £m, shares
THREE = 3  # values up to about 13 characters: a date, "Not available"

GREEN = "#00703c"  # GOV.UK green: 5.9:1 on white
RED = "#aa2b1d"  # GOV.UK's red darkened: 6.4:1 on white (its #d4351c is 4.5:1, too near)
GREY = "#505a5f"  # GOV.UK secondary text: 7.1:1 on white
BORDER = "rgba(49, 51, 63, 0.2)"  # Streamlit's own border colour, as st.metric's

CSS = f"""
.wp-tiles {{ display: flex; flex-direction: column; gap: 1rem; margin: 0; }}
.wp-tile-row {{ display: grid; gap: 1rem; }}
.wp-tile {{ position: relative; border: 1px solid {BORDER}; border-radius: 0.5rem;
  padding: calc(1rem - 1px); min-width: 0; break-inside: avoid; }}
.wp-tile p {{ margin: 0; }}
.wp-tile-head {{ display: flex; align-items: center; gap: 0.25rem; min-height: 1.5rem; }}
.wp-tile-label {{ font-size: 0.875rem; overflow-wrap: break-word; min-width: 0; }}
.wp-tile-value {{ font-size: 2.25rem; line-height: 1.25; padding-bottom: 0.25rem;
  overflow-wrap: break-word; }}
.wp-tile-change {{ font-size: 0.875rem; color: {GREY}; }}
.wp-tile-change.wp-good {{ color: {GREEN}; }}
.wp-tile-change.wp-bad {{ color: {RED}; }}
.wp-tile-notes {{ font-size: 0.875rem; color: {GREY}; margin-top: 0.25rem !important; }}
.wp-tile-help summary {{ list-style: none; cursor: pointer; min-width: 24px; min-height: 24px;
  display: inline-flex; align-items: center; justify-content: center; border-radius: 50%;
  color: {GREY}; font-size: 0.75rem; }}
.wp-tile-help summary::-webkit-details-marker {{ display: none; }}
.wp-tile-help summary span {{ display: inline-flex; align-items: center;
  justify-content: center; width: 1rem; height: 1rem; border: 1px solid {GREY};
  border-radius: 50%; line-height: 1; }}
.wp-tile-help[open] > div {{ position: absolute; left: 0.5rem; right: 0.5rem; z-index: 5;
  margin-top: 0.25rem; padding: 0.5rem 0.75rem; background: #ffffff; color: #0b0c0c;
  border: 1px solid {BORDER}; border-radius: 0.5rem; font-size: 0.875rem;
  box-shadow: 0 2px 6px rgba(0, 0, 0, 0.15); }}
.wp-hidden {{ position: absolute !important; width: 1px !important; height: 1px !important;
  margin: 0 !important; padding: 0 !important; overflow: hidden !important;
  clip: rect(0 0 0 0) !important; clip-path: inset(50%) !important; border: 0 !important;
  white-space: nowrap !important; }}
@media (max-width: 640px) {{ .wp-tile-row {{ grid-template-columns: minmax(0, 1fr) !important; }} }}
"""

_KEY = re.compile(r"[a-z][a-z0-9-]*")


@dataclass(frozen=True)
class Tile:
    """One headline figure: its label and value as shown, the change beside the value (its
    text, signed, and whether its arrow shows), whether up is good (green up, red down) or
    neutral (grey, ``None``), the notes under it and its definition."""

    label: str
    value: str
    change: str | None = None
    arrow: bool = True
    good_when_up: bool | None = None
    change_said: str = ""  # read after the change by screen readers: "since 31 Oct 2026"
    notes: tuple[str, ...] = ()
    help: str | None = None


def _direction(tile: Tile) -> str:
    """ "up", "down" or "" (no change, or no arrow), from the change's sign."""
    if not tile.change or not tile.arrow:
        return ""
    return {"+": "up", "-": "down"}.get(tile.change[0], "")


def _change_html(tile: Tile) -> str:
    if tile.change is None:
        return ""
    direction = _direction(tile)
    tone = ""
    if direction and tile.good_when_up is not None:
        tone = " wp-good" if (direction == "up") == tile.good_when_up else " wp-bad"
    arrow = {"up": "↑ ", "down": "↓ "}.get(direction, "")
    said = f'<span class="wp-hidden"> {html.escape(tile.change_said)}</span>' * bool(
        tile.change_said
    )
    return (
        f'<p class="wp-tile-change{tone}" data-direction="{direction or "none"}">'
        f'<span aria-hidden="true">{arrow}</span>{html.escape(tile.change)}{said}</p>'
    )


def _tile_html(tile: Tile, ident: str) -> str:
    label = html.escape(tile.label)
    helper = ""
    if tile.help:
        helper = (
            f'<details class="wp-tile-help"><summary aria-label="What {label} means">'
            f'<span aria-hidden="true">?</span></summary>'
            f'<div role="note">{html.escape(tile.help)}</div></details>'
        )
    notes = ""
    if tile.notes:
        notes = '<p class="wp-tile-notes">' + "<br>".join(map(html.escape, tile.notes)) + "</p>"
    return (
        f'<div class="wp-tile" data-testid="wpTile" role="group" aria-labelledby="{ident}">'
        f'<div class="wp-tile-head"><span class="wp-tile-label" id="{ident}">{label}</span>'
        f'{helper}</div><p class="wp-tile-value">{html.escape(tile.value)}</p>'
        f"{_change_html(tile)}{notes}</div>"
    )


def _rows(count: int, per_row: int | Sequence[int]) -> list[int]:
    """How many tiles each row holds: ``per_row`` a row, or row by row, the last repeated."""
    sizes = [per_row] if isinstance(per_row, int) else list(per_row)
    if not sizes or any(size < 1 for size in sizes):
        raise ValueError(f"rows of tiles need at least one tile each, not {per_row!r}")
    rows: list[int] = []
    while sum(rows) < count:
        rows.append(sizes[min(len(rows), len(sizes) - 1)])
    return rows


def tiles_html(
    tiles: Sequence[Tile],
    key: str,
    per_row: int | Sequence[int] = THREE,
    widths: Sequence[float] | None = None,
) -> str:
    """The tiles as one HTML block, in rows of ``per_row`` (a row short of tiles keeps the
    same widths, so the tiles line up); ``widths`` weighs the columns of every row (a date
    wider).  ``key`` names the block (lower case, digits and hyphens): ids must be unique."""
    if not _KEY.fullmatch(key):
        raise ValueError(f"a tiles key is lower case letters, digits and hyphens: {key!r}")
    out, start = [], 0
    for size in _rows(len(tiles), per_row):
        weights = list(widths) if widths else [1.0] * size
        if len(weights) != size:
            raise ValueError(f"{len(weights)} widths for a row of {size} tiles")
        columns = " ".join(f"minmax(0, {weight:g}fr)" for weight in weights)
        cells = "".join(
            _tile_html(tile, f"wp-tile-{key}-{start + i}")
            for i, tile in enumerate(tiles[start : start + size])
        )
        out.append(
            f'<div class="wp-tile-row" style="grid-template-columns: {columns}">{cells}</div>'
        )
        start += size
    return f'<div class="wp-tiles" data-testid="wpTiles" data-key="{key}">{"".join(out)}</div>'


def draw(
    tiles: Sequence[Tile],
    key: str,
    per_row: int | Sequence[int] = THREE,
    widths: Sequence[float] | None = None,
) -> None:
    """Draw the tiles (:func:`tiles_html`) as one element; the style is the app's
    (``dashboard.style``)."""
    st.html(tiles_html(tiles, key, per_row, widths))
