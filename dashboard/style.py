"""The app's global CSS: keyboard focus, target sizes and contrast (WCAG 2.2 AA).

:func:`inject` is called by ``dashboard.navigation.serve`` on every run, before the page.  The
style goes to Streamlit's event container (``st.html`` of a ``<style>`` alone takes no space).

What each rule fixes, and in whose markup (Streamlit 1.67):

* **Focus** (WCAG 2.4.7 Focus Visible): GOV.UK's focus style, a 3px yellow (#ffdd00) ring
  with a black (#0b0c0c) ring outside it, so the focus shows on white, on grey and on the
  primary blue alike.  Streamlit's own focus is a faint primary-coloured shadow, and none on
  some controls (links, the sidebar's collapse button).  Inputs whose box is drawn by a
  wrapper (text, date, select) show the ring on that wrapper, which holds the focus.  Two
  controls are drawn transparent until the pointer is over them, so their focus was
  invisible: a heading's "Link to heading" anchor and a Plotly chart's mode bar; they show
  while they hold the focus.
* **Target size** (WCAG 2.5.8, 24 by 24 CSS px): the help button beside a metric's or a
  widget's label is 16px square; the date input's day, month and year (each a spin button
  you can click into) are 18 to 32px wide and 20px high, and its calendar button 16px high.
  They are given a 24px box (the icon or text stays its size, centred).
* **Contrast** (WCAG 1.4.3, 4.5:1): a caption is the text colour at 60% opacity, and a link
  in it (the signed-in email in the sidebar) is faded with it: #1d70b8 at 60% on the
  sidebar's #f3f2f1 is 2.4:1.  Captions are drawn opaque in GOV.UK's secondary text
  colour (#505a5f: 7.1:1 on white, 6.3:1 on #f3f2f1), their links in GOV.UK's link blue
  (#1d70b8: 5.2:1 on white, 4.6:1 on #f3f2f1).

No upstream issue names these exactly; streamlit/streamlit#8399 ("Basic accessibility web
features", open) is the one for Streamlit's markup, and #13330 made help icons keyboard
reachable, not larger.
"""

from __future__ import annotations

import streamlit as st

from dashboard.tiles import CSS as TILES

YELLOW = "#ffdd00"  # GOV.UK focus colour
BLACK = "#0b0c0c"  # GOV.UK text colour
LINK = "#1d70b8"  # GOV.UK link colour
SECONDARY = "#505a5f"  # GOV.UK secondary text colour
TARGET = "24px"  # WCAG 2.5.8's minimum

# The ring: yellow inside, black outside it (outline then box-shadow, both outside the box).
RING = f"outline: 3px solid {YELLOW} !important; outline-offset: 0 !important; " + (
    f"box-shadow: 0 0 0 6px {BLACK} !important;"
)

# Controls whose focus is on an <input> inside a box drawn by its wrapper.
WRAPPED_INPUTS = (
    '[data-baseweb="input"]:focus-within',
    '[data-baseweb="select"] > div:focus-within',
    '[data-baseweb="textarea"]:focus-within',
)

FOCUS = f"""
a:focus-visible, button:focus-visible, summary:focus-visible, [role="tab"]:focus-visible,
[role="button"]:focus-visible, [role="checkbox"]:focus-visible, [role="radio"]:focus-visible,
[role="switch"]:focus-visible, [role="slider"]:focus-visible, [tabindex]:focus-visible,
input[type="checkbox"]:focus-visible + *, input[type="radio"]:focus-visible + * {{ {RING} }}
{", ".join(WRAPPED_INPUTS)} {{ {RING} }}
[data-baseweb="input"] input:focus-visible, [data-baseweb="select"] input:focus-visible,
[data-baseweb="textarea"] textarea:focus-visible {{ outline: none !important; }}
[data-testid="stHeaderActionElements"] a:focus-visible,
[data-testid="stPlotlyChart"] .modebar:focus-within,
[data-testid="stPlotlyChart"] .modebar:focus-within .modebar-group {{
  opacity: 1 !important; transition: none !important;
}}
"""

TARGETS = f"""
[data-testid="stTooltipHoverTarget"] button {{
  min-width: {TARGET}; min-height: {TARGET};
  display: inline-flex; align-items: center; justify-content: center;
}}
[data-testid="stDateInput"] [role="spinbutton"] {{
  min-width: {TARGET}; min-height: {TARGET};
  display: inline-flex; align-items: center; justify-content: center;
}}
[data-testid="stDateInputCalendarButton"] {{ min-width: {TARGET}; min-height: {TARGET}; }}
"""

CONTRAST = f"""
[data-testid="stCaptionContainer"] {{ opacity: 1 !important; color: {SECONDARY} !important; }}
[data-testid="stCaptionContainer"] a {{ color: {LINK} !important; }}
"""


def css() -> str:
    """The whole style sheet, as ``inject`` draws it (pure: tested without a browser)."""
    return f"<style>{FOCUS}{TARGETS}{CONTRAST}{TILES}</style>"


def inject() -> None:
    """Add the app's global CSS to this run's page."""
    st.html(css())
