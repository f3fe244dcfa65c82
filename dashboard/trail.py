"""What the dashboard writes to the audit log (:mod:`pipeline.audit`): views, downloads and
refused visits.

A view is recorded once a page has run (:func:`end_view`, called by the navigation shell),
with the rows the page's queries returned and the cells disclosure control suppressed on it
(both noted while the page ran: :func:`note`).  Reruns that change nothing (the same page,
filters and choices) are one view, not one per widget event.  A download is recorded when its
file is made, on the press of its button (:func:`audited_file`): no file leaves unrecorded.
Nothing here reads the log back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date

import streamlit as st

from dashboard.identity import Caller
from pipeline import audit
from pipeline.settings import get_settings

_RUN = "_audit_run"  # this run: page, rows, cells suppressed
_LAST = "_audit_last"  # the last view recorded in this session


def begin(page: str) -> None:
    """Start counting for a run of ``page`` (``dashboard.components.open_page`` calls it)."""
    st.session_state[_RUN] = {"page": page, "rows": 0, "cells_suppressed": 0}


def note(*, rows: int = 0, cells_suppressed: int = 0) -> None:
    """Add what the current page just showed: rows returned, cells suppressed."""
    run = st.session_state.get(_RUN)
    if run is not None:
        run["rows"] += rows
        run["cells_suppressed"] += cells_suppressed


def _plain(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def filters_in_force(page: str) -> dict[str, object]:
    """The global filters (the URL) and the page's own choices (widgets keyed ``<page>.*``)."""
    chosen: dict[str, object] = {k: _plain(v) for k, v in st.query_params.to_dict().items()}
    for key in sorted(str(k) for k in st.session_state):
        if key.startswith(f"{page}."):
            chosen[key] = _plain(st.session_state[key])
    return chosen


def end_view(who: Caller) -> None:
    """Record the view of the page that just ran, unless it is the same as the last one."""
    run = st.session_state.pop(_RUN, None)
    if run is None or who.grant is None:
        return
    filters = filters_in_force(run["page"])
    key = json.dumps([run["page"], filters, run["rows"], run["cells_suppressed"]], default=str)
    if st.session_state.get(_LAST) == key:
        return
    _append(who, "view", run["page"], filters, rows=run["rows"], cells=run["cells_suppressed"])
    st.session_state[_LAST] = key


def record_denied(who: Caller, page: str) -> None:
    """Record a refused visit (no grant, or a page the role does not have), once a session."""
    key = json.dumps(["denied", who.name, page])
    if st.session_state.get(_LAST) == key:
        return
    _append(who, "denied", page, st.query_params.to_dict(), what=who.problem)
    st.session_state[_LAST] = key


def audited_file(
    build: Callable[[], bytes],
    who: Caller,
    page: str,
    what: str,
    filters: Mapping[str, object],
    rows: int,
    cells_suppressed: int,
) -> Callable[[], bytes]:
    """The data of a download button: makes the file when the button is pressed and records
    the download (the file, the filters and choices behind it, its rows and the cells
    disclosure control suppressed in it).

    Give it to ``st.download_button`` with ``on_click="ignore"``: the file is made outside the
    page's run (Streamlit's deferred download), so a download does not rerun the page, and a
    second button pressed straight after the first still holds a live file.  The file is
    handed over only once the entry is written: if the audit log cannot be written, nothing
    leaves.
    """
    plain = {k: _plain(v) for k, v in filters.items()}

    def make() -> bytes:
        payload = build()
        _append(who, "download", page, plain, what=what, rows=rows, cells=cells_suppressed)
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
