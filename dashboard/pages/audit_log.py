"""Audit log, for administrators: every page view, download and refused visit, newest first,
and whether the log is intact (each entry chained to the one before)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.components import open_gate
from dashboard.formatting import format_count
from pipeline import audit
from pipeline.settings import get_settings

open_gate(
    "Audit log",
    "Who looked at what and who downloaded what: every page view, download and refused visit, "
    "with the filters in force, the rows and the cells suppressed. Nobody can change or delete "
    "an entry.",
    page="audit_log",
)
path = get_settings().audit

check = audit.verify(path)
if check.intact:
    st.success(
        f"The log is intact: {format_count(check.entries)} "
        f"{'entry' if check.entries == 1 else 'entries'}, each chained to the one before it by "
        "a SHA-256 hash."
    )
else:
    st.error(f"The log has been tampered with: {check.reason}. Entries checked: {check.entries}.")

left, middle, right = st.columns([2, 2, 1])
user = left.text_input("User (email)", key="audit_log.user").strip().lower() or None
event = middle.selectbox(
    "Event", ("all", *audit.EVENTS), key="audit_log.event", format_func=str.capitalize
)
limit = right.number_input(
    "Latest", min_value=10, max_value=100_000, value=1000, step=100, key="audit_log.limit"
)
entries = audit.read(path, user=user, event=None if event == "all" else event, limit=int(limit))

counts = dict(entries.group_by("event").len().iter_rows()) if entries.height else {}
for column, name in zip(st.columns(3), audit.EVENTS, strict=True):
    column.metric(f"{name.capitalize()}s shown", format_count(counts.get(name, 0)), border=True)

st.dataframe(
    entries.with_columns(pl.col("at").str.slice(0, 19).str.replace("T", " ")),
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
    f"is an SQLite database at `{path}`: it refuses updates and deletions, and the hash chain "
    "shows any entry changed or removed by other means."
)
