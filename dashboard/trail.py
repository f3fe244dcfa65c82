"""What the dashboard writes to the audit log (:mod:`core.audit`): views, what they showed,
downloads and refused visits.

A view is recorded before its page draws any data (:func:`record_view`, as the page opens):
the page and the filters and choices in force.  If the log cannot be written, the page stops
there with one line saying so, so nothing is shown unrecorded.  Once the page has run, what it
showed is recorded (:func:`end_view`, event ``shown``): the rows its queries returned and the
cells disclosure control suppressed, both noted while the page ran (:func:`note`).  Reruns
that change nothing (the same page, filters and choices) are one view, not one per widget
event.  A chart's table is drawn only while its expander is open (issue 14), and an open
table is one of the page's choices (:func:`table_key`): opening it is a new view, recorded
before the table is drawn, and its ``shown`` entry comes from the run that drew it.

A download is recorded when its file is made, on the press of its button (:func:`audited_file`),
and only after the caller's grant has been read again from the policy file: someone removed,
or whose clusters or record-level rights were narrowed, since the page was drawn gets no file,
and the refusal is recorded under the role they hold at the press.  Nothing here reads the log
back.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import date

import streamlit as st

from core import audit
from core.access import AccessPolicyError, Grant, grant_for
from core.settings import get_settings
from dashboard.identity import Caller, plain

_RUN = "_audit_run"  # this run: page, rows, cells suppressed, whether it queried data
_LAST_VIEW = "_audit_last_view"  # page and filters of the view last recorded (or shown)
_LAST_SHOWN = "_audit_last_shown"  # the last "shown" entry written in this session
_LAST_DENIED = "_audit_last_denied"  # the last refused visit recorded in this session
_TABLE = "table."  # after the page's prefix: a chart's table, drawn only while open
# What writing the log can raise: the file system, SQLite, and the log's own refusals.
WRITE_ERRORS = (OSError, sqlite3.Error, audit.AuditError)
UNWRITABLE = "The audit log cannot be written, so nothing is shown"


class DownloadRefused(Exception):
    """A download's grant no longer holds at the press of its button; one line saying why."""


def begin(page: str) -> None:
    """Start counting for a run of ``page`` (``dashboard.components.open_gate`` calls it)."""
    st.session_state[_RUN] = {"page": page, "rows": 0, "cells_suppressed": 0, "noted": False}
    st.session_state.pop(_LAST_DENIED, None)  # a later refusal is a new visit


def table_key(name: str) -> str:
    """The key of the expander holding a chart's table on the page now running
    (``<page>.table.<name>``): a page's choice like any other, so the view is recorded again
    when the table is opened, and the ``shown`` entry names it (:func:`filters_in_force`)."""
    run = st.session_state.get(_RUN)
    return f"{run['page'] if run else 'page'}.{_TABLE}{name}"


def note(*, rows: int = 0, cells_suppressed: int = 0) -> None:
    """Add what the current page just showed: rows returned, cells suppressed."""
    run = st.session_state.get(_RUN)
    if run is not None:
        run["rows"] += rows
        run["cells_suppressed"] += cells_suppressed
        run["noted"] = True


def _plain(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def filters_in_force(page: str) -> dict[str, object]:
    """The global filters (the URL and their widgets, ``filter.*``: a choice just made is in
    the widget before the URL) and the page's own choices (widgets keyed ``<page>.*``), with
    the charts' tables open (``<page>.table.*``: True), not those closed."""
    chosen: dict[str, object] = {k: _plain(v) for k, v in st.query_params.to_dict().items()}
    for key in sorted(str(k) for k in st.session_state):
        if not key.startswith((f"{page}.", "filter.")):
            continue
        value = st.session_state[key]
        if key.startswith(f"{page}.{_TABLE}") and not value:
            continue  # a closed table: not drawn, so not a choice worth a line
        chosen[key] = _plain(value)
    return chosen


def reason(error: BaseException) -> str:
    """Why the log could not be written, in one line naming the log."""
    if isinstance(error, OSError) and error.strerror:  # not "[Errno 17] ...": the words
        text = f"{error.filename}: {error.strerror}" if error.filename else error.strerror
    else:
        text = (str(error).strip().splitlines() or [type(error).__name__])[0]
    where = str(get_settings().audit)
    return text if where in text else f"{text} ({where})"


def _stop_unwritable(error: BaseException) -> None:
    st.error(f"{UNWRITABLE}: {plain(reason(error))}")
    st.stop()


def _key(*parts: object) -> str:
    return json.dumps(parts, default=str, sort_keys=True)


def record_view(who: Caller, page: str) -> None:
    """Record the view of ``page`` before it draws anything, unless it is the view last
    recorded; if the log cannot be written, say so in one line and stop the page."""
    filters = filters_in_force(page)
    key = _key(page, filters)
    if st.session_state.get(_LAST_VIEW) == key:
        return
    try:
        _append(who, "view", page, filters)
    except WRITE_ERRORS as error:
        _stop_unwritable(error)
    st.session_state[_LAST_VIEW] = key


def end_view(who: Caller) -> None:
    """Record what the page that just ran showed (rows, cells suppressed), if it showed data
    and it differs from what was last recorded."""
    run = st.session_state.pop(_RUN, None)
    if run is None or who.grant is None:
        return
    page = run["page"]
    filters = filters_in_force(page)
    view = _key(page, filters)  # the next run that starts with these filters is this view
    if not run["noted"]:
        st.session_state[_LAST_VIEW] = view
        return
    shown = _key(page, filters, run["rows"], run["cells_suppressed"])
    if st.session_state.get(_LAST_SHOWN) != shown:
        try:
            _append(who, "shown", page, filters, rows=run["rows"], cells=run["cells_suppressed"])
        except WRITE_ERRORS as error:
            st.session_state.pop(_LAST_VIEW, None)  # the next run must write its view first
            st.error(f"The audit log cannot be written: {plain(reason(error))}")
            return
        st.session_state[_LAST_SHOWN] = shown
    st.session_state[_LAST_VIEW] = view


def record_denied(who: Caller, page: str) -> None:
    """Record a refused visit (no grant, or a page the role does not have), once a visit; if
    the log cannot be written, say so in one line and stop."""
    key = _key("denied", who.name, page)
    if st.session_state.get(_LAST_DENIED) == key:
        return
    try:
        _append(who, "denied", page, st.query_params.to_dict(), what=who.problem or who.refused)
    except WRITE_ERRORS as error:
        _stop_unwritable(error)
    st.session_state[_LAST_DENIED] = key


def _refusal_at_press(
    who: Caller, page: str, clusters: Sequence[str], record_level: bool, protected: bool
) -> tuple[Grant | None, str | None]:
    """The caller's grant as the policy file reads now, and why it no longer covers the file
    (None when it does)."""
    try:
        grant = grant_for(who.email, get_settings().access)
    except AccessPolicyError as error:
        return None, f"the access policy is invalid: {error}"
    if grant is None:
        return None, f"{who.name} is no longer in the access policy"
    if not grant.may_see(page):
        return grant, f"the {page} page is no longer open to the role {grant.role}"
    outside = [c for c in clusters if c not in grant.clusters]
    if outside:
        return grant, f"{', '.join(outside)} is no longer in {who.name}'s clusters"
    if record_level:
        lost = [c for c in clusters if c not in grant.record_level_clusters]
        if lost:
            return grant, f"{who.name} no longer has record-level rights to {', '.join(lost)}"
    if not protected and grant.disclosure_control:
        return grant, "only an administrator may take rows without disclosure control"
    return grant, None


def audited_file(
    build: Callable[[], bytes],
    who: Caller,
    page: str,
    what: str,
    filters: Mapping[str, object],
    rows: int,
    cells_suppressed: int,
    *,
    clusters: Sequence[str],
    record_level: bool = False,
    protected: bool = True,
) -> Callable[[], bytes]:
    """The data of a download button: when the button is pressed, checks the grant again,
    makes the file and records the download (the file, the filters and choices behind it, its
    rows and the cells disclosure control suppressed in it), under the role held at the press.

    ``clusters`` are the clusters whose rows the file holds; ``record_level`` says it holds
    one row per person; ``protected`` whether disclosure control was applied.  If the policy
    no longer grants the page, those clusters, record-level rights to them or (for an
    unprotected file) the admin role, the refusal is recorded as ``denied`` and
    :class:`DownloadRefused` raised: no file is made.

    Give it to ``st.download_button`` with ``on_click="ignore"``: the file is made outside the
    page's run (Streamlit's deferred download), so a download does not rerun the page, and a
    second button pressed straight after the first still holds a live file.  The file is
    handed over only once the entry is written: if the audit log cannot be written, nothing
    leaves.
    """
    plain_filters = {k: _plain(v) for k, v in filters.items()}
    wanted = tuple(clusters)

    def make() -> bytes:
        grant, refused = _refusal_at_press(who, page, wanted, record_level, protected)
        pressed = dataclasses.replace(who, grant=grant)
        if refused is not None:
            _append(pressed, "denied", page, plain_filters, what=f"{what}: {refused}")
            raise DownloadRefused(f"{what} was not made: {refused}")
        payload = build()
        _append(
            pressed, "download", page, plain_filters, what=what, rows=rows, cells=cells_suppressed
        )
        return payload

    return make


def _append(
    who: Caller,
    event: audit.Event,
    page: str,
    filters: Mapping[str, object],
    *,
    what: str | None = None,
    rows: int | None = None,
    cells: int | None = None,
) -> None:
    entry = audit.Entry(
        user_email=who.name,
        role=who.role,
        event=event,
        page=page,
        what=what,
        filters={k: _plain(v) for k, v in filters.items()},
        rows=rows,
        cells_suppressed=cells,
    )
    audit.append(get_settings().audit, entry)
