"""Text from deliveries and the URL, made safe to draw: escaped, on one line, cut to a length.

A delivery's free text (a milestone's title and owner, a cost centre, a description) is
hostile.  Plotly reads a subset of HTML in every text it draws (titles, tick labels, legend
names, hover text, annotations): ``<a href>`` becomes a link, ``<span style>`` can draw over
the other labels, ``<br>`` breaks lines, and a 100,000-character title squeezes the plot to
nothing.  Streamlit's ``st.markdown``, ``st.caption`` and their kin read Markdown: a link, an
image, or text that leaves the code span it was put in.

:func:`safe_label` makes text fit for a figure and :func:`safe_markdown` and
:func:`inline_code` for Markdown; the full text stays in the table beside each chart
(``st.dataframe`` draws text as text).  Pure functions, no Streamlit or Plotly import.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

LABEL_LIMIT = 80
TITLE_LIMIT = 200
ELLIPSIS = "…"

_SPACE = re.compile(r"\s+")
# Control and format characters (a line feed, a bidi override, a zero-width space) and line
# and paragraph separators read as spaces.
_INVISIBLE = ("Cc", "Cf", "Zl", "Zp")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&])")


def one_line(text: object, limit: int = LABEL_LIMIT) -> str:
    """``text`` as a single line: control and format characters and runs of white space read as
    one space, and anything over ``limit`` characters is cut to end with "…".  None reads
    as an empty string."""
    if text is None:
        return ""
    chars = (" " if unicodedata.category(c) in _INVISIBLE else c for c in str(text))
    flat = _SPACE.sub(" ", "".join(chars)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + ELLIPSIS


def safe_label(text: object, limit: int = LABEL_LIMIT) -> str:
    """``text`` as Plotly should draw it: on one line, at most ``limit`` characters, with
    ``&``, ``<`` and ``>`` written as entities, which Plotly shows as the characters themselves
    (``<a href=...>`` reads as it was written, not as a link).  Cut before escaping, so that
    no entity is cut in half."""
    return one_line(text, limit).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def distinct(labels: Iterable[str]) -> list[str]:
    """``labels`` with a repeat told apart by " (2)", " (3)"...: two texts that read the same
    once cut must not share a bar or a row of a chart."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def safe_labels(texts: Iterable[object], limit: int = LABEL_LIMIT) -> list[str]:
    """:func:`safe_label` of each text, kept :func:`distinct` (category values, one a bar)."""
    return distinct(safe_label(text, limit) for text in texts)


def safe_markdown(text: object, limit: int = TITLE_LIMIT) -> str:
    """``text`` to put inside Markdown (``st.markdown``, ``st.caption``, ``st.subheader``...):
    on one line, cut at ``limit``, every Markdown special character escaped with a
    backslash, so a link, an image, emphasis or HTML reads as the characters it is."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", one_line(text, limit))


def inline_code(text: object, limit: int = 500) -> str:
    """``text`` as a Markdown code span: on one line (a blank line would end the span and let
    the rest be read as Markdown), cut at ``limit``, backticks read as quotes."""
    return "`" + one_line(text, limit).replace("`", "'") + "`"
