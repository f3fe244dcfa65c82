"""Every choice made on a page lives in the URL, so a copied link reopens the same view.

Each page widget is drawn through one wrapper here (:func:`selectbox`, :func:`radio`,
:func:`pills`, :func:`multiselect`, :func:`date_input`, :func:`toggle`,
:func:`number_input`, :func:`text_input`, and the lazy :func:`tabs`).  The URL parameter is
the widget's key (``workforce.by=department``).  A wrapper reads it, checks it and passes a
valid value to the widget as its default (``index=``, ``value=``, ``default=``: never by setting
``st.session_state[key]``, which Streamlit warns about beside a default), then writes the
value chosen back, or removes the parameter when the value is the page's own default, so
links stay short.  A widget keyed by Streamlit keeps its state once drawn, so the URL only
seeds it when a link is opened.

A URL is typed by anyone, so nothing in it is trusted: an option must be one of the options,
a date is ``YYYY-MM-DD`` and kept within the widget's bounds, a number within its bounds, a
switch ``1`` or ``0``, text at most :data:`MOST_TEXT` characters; anything else is ignored and
the default shown.  Reading and writing are pure (:func:`decode_option`, :func:`decode_date`,
... and :func:`encode`), tested without Streamlit.

Parameters are scoped by their page (the key's prefix): :func:`keep_only` drops every
parameter that is neither a global filter nor the current page's, so one page's choices never
leak into another page's link.  :func:`show_link` keeps the sidebar's "Copy link" up to date.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlencode

import streamlit as st

from core.dates import ISO_DATE

T = TypeVar("T")
MOST_TEXT = 200  # characters of text a link may carry into a text box
_TAB_DEFAULTS = "_url_state.tab_defaults"  # each lazy tabs' default, kept while drawn
_SLOT = "_url_state.slot"  # this run's sidebar placeholder for the link, and what it shows

# --- pure: reading a URL's values -------------------------------------------------------------


def decode_option(raw: Sequence[str], options: Sequence[T]) -> T | None:
    """The option the last value names (as the option reads), else None."""
    if not raw:
        return None
    by_text = {str(option): option for option in options}
    return by_text.get(raw[-1])


def decode_options(raw: Sequence[str], options: Sequence[T]) -> list[T] | None:
    """The options the values name, in the order given, once each (None if none given; an
    empty list for a parameter given empty: an explicit "none")."""
    if not raw:
        return None
    by_text = {str(option): option for option in options}
    return [by_text[text] for text in dict.fromkeys(raw) if text in by_text]


def _shift_years(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes the 28th in other years)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def decode_date(
    raw: Sequence[str], lowest: date | None = None, highest: date | None = None
) -> date | None:
    """The last value as a date written ``YYYY-MM-DD`` exactly, kept within the bounds."""
    if not raw or not ISO_DATE.fullmatch(raw[-1]):
        return None
    try:
        day = date.fromisoformat(raw[-1])
    except ValueError:
        return None
    if lowest is not None:
        day = max(day, lowest)
    if highest is not None:
        day = min(day, highest)
    return day


def decode_number(
    raw: Sequence[str],
    lowest: float | None = None,
    highest: float | None = None,
    whole: bool = True,
) -> int | float | None:
    """The last value as a number (whole if ``whole``) within the bounds, else None."""
    if not raw or len(raw[-1]) > 32:
        return None
    try:
        number: int | float = int(raw[-1]) if whole else float(raw[-1])
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    if (lowest is not None and number < lowest) or (highest is not None and number > highest):
        return None
    return number


def decode_bool(raw: Sequence[str]) -> bool | None:
    """``1`` is on, ``0`` off; anything else None."""
    return {"1": True, "0": False}.get(raw[-1]) if raw else None


def decode_text(raw: Sequence[str], most: int = MOST_TEXT) -> str | None:
    """The last value, at most ``most`` characters."""
    return raw[-1][:most] if raw else None


def encode(value: object) -> list[str]:
    """How a value is written in the URL: dates ISO, switches 1/0, lists repeated (an empty
    list as one empty value), anything else as it reads."""
    if isinstance(value, bool):
        return ["1" if value else "0"]
    if isinstance(value, date):
        return [value.isoformat()]
    if isinstance(value, list | tuple):
        return [str(v) for item in value for v in encode(item)] or [""]
    return [str(value)]


# --- the URL of this run ----------------------------------------------------------------------


def _raw(key: str) -> list[str]:
    return st.query_params.get_all(key)


def _write(key: str, value: object, default: object) -> None:
    """Write the value chosen, or remove the parameter when it is the default (or nothing)."""
    if value is None or value == default:
        if key in st.query_params:
            del st.query_params[key]
    else:
        wanted = encode(value)
        if st.query_params.get_all(key) != wanted:
            st.query_params[key] = wanted if len(wanted) > 1 else wanted[0]
    show_link()


def keep_only(page: str, shared: Collection[str]) -> None:
    """Drop every parameter that is neither in ``shared`` (the global filters) nor the
    page's own (``<page>.*``): another page's choices, or anything unknown."""
    for key in list(st.query_params):
        if key not in shared and not key.startswith(f"{page}."):
            del st.query_params[key]


def forget(prefix: str, keep: str) -> None:
    """Drop the parameters starting with ``prefix`` but ``keep``: the choices of widgets the
    page no longer draws (the dimensions of a metric no longer chosen)."""
    for key in list(st.query_params):
        if key.startswith(prefix) and key != keep:
            del st.query_params[key]


# --- the wrappers -----------------------------------------------------------------------------


def _indexed(
    draw: Callable[..., Any], label: str, options: Sequence[T], key: str, index: int | None, **kw
) -> T | None:
    options = list(options)
    default = options[index] if options and index is not None else None
    chosen = decode_option(_raw(key), options)
    start = options.index(chosen) if chosen is not None else index
    value = draw(label, options, index=start, key=key, **kw)
    _write(key, value, default)
    return value


def selectbox(where: Any, label: str, options: Sequence[T], *, key: str, index=0, **kw) -> Any:
    """``where.selectbox`` (``st`` or a column), its choice in the URL."""
    return _indexed(where.selectbox, label, options, key, index, **kw)


def radio(where: Any, label: str, options: Sequence[T], *, key: str, index=0, **kw) -> Any:
    """``where.radio``, its choice in the URL."""
    return _indexed(where.radio, label, options, key, index, **kw)


def pills(where: Any, label: str, options: Sequence[T], *, key: str, default=None, **kw) -> Any:
    """``where.pills`` of one choice (None for none), in the URL."""
    options = list(options)
    chosen = decode_option(_raw(key), options)
    value = where.pills(
        label, options, default=default if chosen is None else chosen, key=key, **kw
    )
    _write(key, value, default)
    return value


def multiselect(
    where: Any, label: str, options: Sequence[T], *, key: str, default=None, **kw
) -> list[T]:
    """``where.multiselect``, its choices in the URL (repeated: ``k=a&k=b``)."""
    options = list(options)
    default = list(default or [])
    chosen = decode_options(_raw(key), options)
    most = kw.get("max_selections")
    if chosen is not None and most:
        chosen = chosen[:most]
    value = where.multiselect(
        label, options, default=default if chosen is None else chosen, key=key, **kw
    )
    _write(key, list(value), default)
    return value


def date_input(
    where: Any,
    label: str,
    value: date,
    *,
    key: str,
    min_value: date | None = None,
    max_value: date | None = None,
    **kw,
) -> date:
    """``where.date_input`` of one day, in the URL as ``YYYY-MM-DD``.  Without bounds it has
    Streamlit's own (ten years either side of the page's default), fixed from that default so
    a link cannot move them."""
    lowest = min_value if min_value is not None else _shift_years(value, -10)
    highest = max_value if max_value is not None else _shift_years(value, 10)
    chosen = decode_date(_raw(key), lowest, highest)
    day = where.date_input(
        label,
        value=chosen or value,
        min_value=lowest,
        max_value=highest,
        key=key,
        **kw,
    )
    _write(key, day, value)
    return day


def toggle(where: Any, label: str, *, key: str, value: bool = False, **kw) -> bool:
    """``where.toggle``, in the URL as ``1`` or ``0``."""
    chosen = decode_bool(_raw(key))
    on = where.toggle(label, value=value if chosen is None else chosen, key=key, **kw)
    _write(key, on, value)
    return on


def number_input(
    where: Any,
    label: str,
    *,
    key: str,
    value: int | float,
    min_value: int | float | None = None,
    max_value: int | float | None = None,
    **kw,
) -> int | float:
    """``where.number_input``, in the URL; a number outside the bounds is ignored."""
    whole = isinstance(value, int) and not isinstance(value, bool)
    chosen = decode_number(_raw(key), min_value, max_value, whole)
    number = where.number_input(
        label,
        value=value if chosen is None else chosen,
        min_value=min_value,
        max_value=max_value,
        key=key,
        **kw,
    )
    _write(key, number, value)
    return number


def text_input(where: Any, label: str, *, key: str, value: str = "", **kw) -> str:
    """``where.text_input``, in the URL; a link's text is cut to :data:`MOST_TEXT` characters
    (or the box's ``max_chars``)."""
    chosen = decode_text(_raw(key), min(kw.get("max_chars") or MOST_TEXT, MOST_TEXT))
    text = where.text_input(label, value=value if chosen is None else chosen, key=key, **kw)
    _write(key, text, value)
    return text


def tabs(labels: Sequence[str], *, key: str) -> list[Any]:
    """``st.tabs`` run lazily (``on_change="rerun"``): only the open tab's content need run,
    each tab's ``.open`` saying whether it is the one, so a page starts with what its first tab
    holds, not every chart below the fold (issue 14).  The open tab's label is in the URL
    (the first tab, the default, is not).

    The tabs' identity includes their default: a default read from the URL at every run, as
    the other wrappers do, would make a new widget, and lose the click, each time the URL
    changed.  So the URL seeds the default once, when the tabs are first drawn in the session
    (or drawn again after another page), and that default is kept while they are drawn."""
    labels = list(labels)
    defaults = st.session_state.setdefault(_TAB_DEFAULTS, {})
    if key not in st.session_state or defaults.get(key) not in labels:  # first drawn
        defaults[key] = decode_option(_raw(key), labels) or labels[0]
    drawn = st.tabs(labels, default=defaults[key], key=key, on_change="rerun")
    _write(key, st.session_state.get(key), labels[0])
    return list(drawn)


def draw_tabs(sections: Mapping[str, Callable[[], None]], *, key: str) -> None:
    """:func:`tabs` labelled by ``sections``' keys, running only the open tab's function."""
    for tab, draw in zip(tabs(list(sections), key=key), sections.values(), strict=True):
        if tab.open:
            with tab:
                draw()


# --- the link ---------------------------------------------------------------------------------


def link(base: str | None, params: dict[str, list[str]]) -> str:
    """The full link of a view: the page's address and its parameters.  Without an address
    (under test) the query alone."""
    query = urlencode(params, doseq=True)
    return f"{base or ''}?{query}" if query else (base or "?")


def start_link() -> None:
    """Keep a place in the sidebar for "Copy link" (refilled as the run writes the URL)."""
    with st.sidebar:
        st.session_state[_SLOT] = (st.empty(), None)
    show_link()


def show_link() -> None:
    """Draw "Copy link" with the current link, if it changed since last drawn in this run.
    ``st.code`` shows the link as text (the URL is anyone's) with its own copy button."""
    slot, shown = st.session_state.get(_SLOT, (None, None))
    if slot is None:
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    current = link(st.context.url, params)
    if current == shown:
        return
    with slot.container(), st.popover("Copy link", icon=":material/link:", width="stretch"):
        st.caption("This link opens the page as you see it, filters and choices included.")
        st.code(current, language=None, wrap_lines=True)
    st.session_state[_SLOT] = (slot, current)
