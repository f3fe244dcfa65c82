"""Audit log, for administrators: every page view, download and refused visit, newest first,
and whether the log is intact (numbered without a gap, each entry sealed with a keyed hash
chained to the one before, and in step with its anchor outside the database).

A missing, empty, unreadable or tampered log is an alarm with its reason, never "intact": the
view of this page is written before it draws, so a healthy log is never empty here.
"""

from __future__ import annotations

import streamlit as st

from core import audit
from core.settings import get_settings, is_database_url
from dashboard import tables, tiles, trail, url_state
from dashboard.components import open_gate
from dashboard.formatting import format_count
from dashboard.tiles import Tile

open_gate(
    "Audit log",
    "Who looked at what and who downloaded what: every page view, download and refused visit, "
    "with the filters in force, the rows and the cells suppressed. Nobody can change or delete "
    "an entry unnoticed.",
    page="audit_log",
)
path = get_settings().audit
on_server = is_database_url(path)  # PostgreSQL: a sealed head row stands for the anchor file

check = audit.verify(path)
if check.intact:
    st.success(
        f"The log is intact: {format_count(check.entries)} "
        f"{'entry' if check.entries == 1 else 'entries'}, numbered without a gap, each sealed "
        "with a keyed hash (HMAC-SHA256) chained to the one before, and in step with its "
        f"{'sealed head row' if on_server else 'anchor'}. Head: `{check.head}`."
    )
else:
    message = check.message
    st.error(f"{message[:1].upper()}{message[1:]}.")

left, middle, right = st.columns([2, 2, 1])
# Searched in the stored form of an email (normalised), so any case finds it.
user = url_state.text_input(left, "User (email)", key="audit_log.user").strip() or None
event = url_state.selectbox(
    middle, "Event", ("all", *audit.EVENTS), key="audit_log.event", format_func=str.capitalize
)
limit = url_state.number_input(
    right, "Latest", min_value=10, max_value=100_000, value=1000, step=100, key="audit_log.limit"
)
try:
    entries = audit.read(path, user=user, event=None if event == "all" else event, limit=int(limit))
except audit.AuditError as error:
    st.error(f"{str(error)[:1].upper()}{str(error)[1:]}.")
    st.stop()
trail.note(rows=entries.height)  # the entries an admin saw, in the view's "shown" entry

counts = dict(entries.group_by("event").len().iter_rows()) if entries.height else {}
tiles.draw(
    [Tile(f"{n.capitalize()} entries", format_count(counts.get(n, 0))) for n in audit.EVENTS],
    "audit",
    per_row=len(audit.EVENTS),
)

st.dataframe(
    tables.audit_table(entries),
    hide_index=True,
    column_config={
        "seq": st.column_config.NumberColumn("No.", format="%d"),
        "at": "When (UTC)",
        "user_email": "User",
        "role": "Role",
        "event": "Event",
        "page": "Page",
        "what": "What",
        "filters": "Filters and choices",
        "rows": st.column_config.NumberColumn("Rows", format="localized"),
        "cells_suppressed": st.column_config.NumberColumn("Cells suppressed", format="localized"),
    },
)
st.caption(
    f"The newest {format_count(entries.height)} entries matching the choices above. The log "
    + (
        f"is on PostgreSQL at `{path}` (password not shown), shared by every app server: the "
        "database refuses updates and deletions, and the keyed hashes, the numbering and the "
        "sealed head row show any entry changed, removed or added by other means. "
        if on_server
        else f"is an SQLite database at `{path}`: it refuses updates and deletions, and the "
        "keyed hashes, the numbering and the anchor show any entry changed, removed or added "
        "by other means. "
    )
    + "Record the head elsewhere and check it later with `workforce audit verify --expect-head`."
)
