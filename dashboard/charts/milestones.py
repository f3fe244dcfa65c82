"""How a programme milestone and its delivery-confidence rating read on a chart.

Shared by the timeline, the slippage lines and the ratings' bars (and the programme's tables,
:mod:`dashboard.programme_data`): a milestone's id and title cut short so the plot keeps its
width, and each rating's short mark and colour, so nobody has to read the colour alone.
"""

from __future__ import annotations

from dashboard.glossary import DCA_LABELS as DCA_LABELS  # the glossary's lists, named here
from dashboard.glossary import STAGE_LABELS as STAGE_LABELS
from dashboard.safe_text import one_line, safe_label

# How much of a milestone's id and title a page names (TITLE_LIMIT) and a chart shows
# (LABEL_TITLE_LIMIT): the row label stays readable and the plot keeps its width whatever the
# register holds, on a phone too (a 390 px screen has room for about 50 characters of label
# beside a plot); the hover and the table keep the whole.
ID_LIMIT = 16
TITLE_LIMIT = 56
LABEL_TITLE_LIMIT = 28

# The delivery-confidence ratings, best first, as they read, as a short mark written beside each
# marker (so nobody has to read the colour), and in colours from GOV.UK's palette that also
# step in lightness: dark green, olive, yellow, orange, red.  Markers get a dark outline so the
# yellow stands out on white.
DCA_MARKS = {
    "green": "G",
    "amber_green": "A/G",
    "amber": "A",
    "amber_red": "A/R",
    "red": "R",
    "unknown": "NR",
}
DCA_COLOURS = {
    "green": "#00703C",
    "amber_green": "#85994B",
    "amber": "#FFDD00",
    "amber_red": "#F47738",
    "red": "#D4351C",
    "unknown": "#B1B4B6",
}
OUTLINE = "#0B0C0C"


def milestone_label(row: dict) -> str:
    """How a milestone reads on the timeline: ``SYNERGY · X1 Go-live``, escaped and cut short
    (:func:`dashboard.safe_text.safe_label`)."""
    name = milestone_name(row, LABEL_TITLE_LIMIT)
    return safe_label(f"{one_line(row['cluster'], ID_LIMIT)} · {name}")


def milestone_name(row: dict, limit: int = TITLE_LIMIT) -> str:
    """``X1 Go-live``, the id and the title each cut short (not yet escaped)."""
    return f"{one_line(row['milestone_id'], ID_LIMIT)} {one_line(row['title'], limit)}"
