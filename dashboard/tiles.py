"""Rows of headline tiles (``st.metric``) that read whole on a laptop and on a phone.

A tile's value and label are cut with "…" when they do not fit its column, so "525,…" is
what a row of six reads at 1280 px.  Beside the sidebar a page is about 820 px wide at 1280
px: four tiles a row leave 161 px for a value at 36 px (``£179.9m`` takes 128 px, ``Not
available`` 197 px), three leave 231 px.  So a page asks for rows of at most ``per_row``
tiles, and keeps its longer values (a date, "Not available") in rows of three or in wider
columns.  On a phone (under 640 px) Streamlit stacks the columns, one tile a line.
``tests/browser/test_viewport_browser.py`` measures every tile at both widths.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

FOUR = 4  # values up to about 8 characters at 36 px: counts, £m, shares
THREE = 3  # values up to about 13 characters: a date, "Not available"


def tile_columns(count: int, per_row: int = THREE) -> list[DeltaGenerator]:
    """``count`` columns in rows of ``per_row`` (the last row keeps the same widths, so the
    tiles line up), for ``count`` tiles drawn in order."""
    columns: list[DeltaGenerator] = []
    while len(columns) < count:
        columns.extend(st.columns(per_row))
    return columns[:count]
