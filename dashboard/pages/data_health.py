"""Data health, for administrators: how fresh each feed is, what each cluster's system sends and
through which mapping file, the values missing from those files that hold rows back, what was
refused, what was held back in quarantine and why, and the load log."""

from __future__ import annotations

import streamlit as st

from dashboard import data, health_data, tables, tiles
from dashboard.components import open_page
from dashboard.filters import not_applied_text
from dashboard.formatting import format_count, format_date, format_short_date
from dashboard.safe_text import inline_code
from dashboard.tiles import Tile

view = open_page(
    "Data health",
    "What has been loaded, how fresh each feed is, and what was held back. For administrators.",
    page="data_health",
)
clusters, as_at = view.clusters, view.filters.as_at
ignored = view.filters.not_applied(())  # only the clusters and the date apply here
if ignored:
    st.caption(f"On this page {not_applied_text(ignored)}.")

DATE = "D MMMM YYYY"
WHEN = "D MMM YYYY, HH:mm"
COLUMNS = {
    "feed": "Feed",
    "extract_date": st.column_config.DateColumn("Extract date", format=DATE),
    "outcome": "Outcome",
    "rows_loaded": st.column_config.NumberColumn("Rows loaded", format="localized"),
    "rows_quarantined": st.column_config.NumberColumn("Rows quarantined", format="localized"),
    "resent_skipped": st.column_config.NumberColumn("Re-sent lines skipped", format="localized"),
    "conflicts": st.column_config.NumberColumn("Conflicting lines", format="localized"),
    "replaces_load_id": "Replaces load",
    "reason": st.column_config.TextColumn("Reason", width="large"),
    "source_system": "Source system",
    "started_at": st.column_config.DatetimeColumn("Started (UTC)", format=WHEN),
    "duration_ms": st.column_config.NumberColumn("Duration (ms)", format="localized"),
    "load_id": "Load",
    "file": "File",
    "rows": st.column_config.NumberColumn("Rows", format="localized"),
    "row_number": st.column_config.NumberColumn("Row of file (from 0)"),
    "row": st.column_config.TextColumn("Row as delivered", width="large"),
}

feeds = data.feed_summary(clusters)
log = tables.load_log_table(data.load_log(clusters))
refused = data.load_log(clusters, refused_only=True)
held, held_rows = data.quarantine(clusters)

tiles.draw(
    [
        Tile("Latest extract", format_short_date(view.options.latest_date)),
        Tile(
            "Deliveries loaded",
            format_count(feeds["loads"].sum()),
            help="Delivery attempts that loaded data, with or without quarantined rows.",
        ),
        Tile("Deliveries refused", format_count(feeds["refused"].sum())),
        Tile("Rows in quarantine", format_count(feeds["quarantined"].sum())),
    ],
    "health",
    per_row=tiles.FOUR,
    widths=(3, 2, 2, 2),  # the date wider: "29 Nov 2026" is cut in a quarter
)

st.subheader(f"Freshness by feed, as at {format_date(as_at)}")
st.dataframe(
    tables.freshness_table(feeds, data.feed_status(as_at, clusters)),
    hide_index=True,
    column_config={
        "feed": "Feed",
        "status": "Status as at the date",
        "snapshot_used": st.column_config.DateColumn("Extract used", format=DATE),
        "latest_extract_date": st.column_config.DateColumn("Latest extract loaded", format=DATE),
        "extracts": st.column_config.NumberColumn("Extract dates loaded", format="localized"),
        "last_attempt_at": st.column_config.DatetimeColumn("Last delivery (UTC)", format=WHEN),
        "last_outcome": "Last outcome",
        "loads": st.column_config.NumberColumn("Deliveries loaded", format="localized"),
        "refused": st.column_config.NumberColumn("Refused", format="localized"),
        "quarantined": st.column_config.NumberColumn("Rows in quarantine", format="localized"),
    },
)
st.caption(
    "PROGRAMME is the strategy office's milestone and benefits register: it has no status, as "
    "the clusters' figures do not depend on it."
)

st.subheader("Source systems and mappings")
st.caption(
    "What each cluster sent last: a delivery already in the contract's form (contract parquet),"
    " or its own system's export (native export), which a mapping file turns into the contract's"
    " codes."
)
st.dataframe(
    health_data.source_systems(clusters),
    hide_index=True,
    column_config={
        "cluster": "Cluster",
        "latest_extract_date": st.column_config.DateColumn("Latest delivery", format=DATE),
        "latest_outcome": None,
        "kind": "Delivered as",
        "system": st.column_config.TextColumn(
            "Source system",
            help="For a native export, the system its mapping file is written for; for a"
            " contract delivery, the system its manifest names.",
        ),
        "mapping": "Mapping file",
        "mapping_changed_at": st.column_config.DatetimeColumn(
            "Mapping last changed (UTC)",
            format=WHEN,
            help="When a delivery was first read with the mapping file as it is now.",
        ),
        "unmapped_rows": st.column_config.NumberColumn(
            "Rows held back by unmapped values", format="localized"
        ),
    },
)
unmapped = health_data.unmapped_values(clusters)
if unmapped.is_empty():
    st.success("No value missing from a mapping file is holding rows back.")
else:
    st.caption(
        "Values the clusters' exports hold that their mapping file does not list: each row with"
        " one is held back. Add the value, with the code it stands for, to the table named in"
        " the mapping file, then run the ingest again. A delivery refused under the old mapping"
        " is tried again once the mapping file changes; a delivery already loaded keeps these"
        " rows held back until the cluster sends that date again."
    )
    st.dataframe(  # the values are the clusters' text: a table draws them as text
        tables.unmapped_table(unmapped),
        hide_index=True,
        column_config={
            "cluster": "Cluster",
            "mapping": "Mapping file",
            "table": "Table in the mapping file",
            "value": st.column_config.TextColumn("Value", width="medium"),
            "rows": st.column_config.NumberColumn("Rows held back", format="localized"),
            "extract_dates": st.column_config.TextColumn("Extract dates", width="medium"),
        },
    )

st.subheader("Refused deliveries")
if refused.is_empty():
    st.success("No delivery has been refused.")
else:
    st.caption("Nothing of a refused delivery is loaded; the feed's earlier data stands.")
    st.markdown(  # the reasons as code on one line: a reason may quote a delivery's text
        "\n".join(
            f"- **{row['feed']}, {format_date(row['extract_date'])}** (load {row['load_id']}, "
            f"{row['started_at']:%-d %b %Y %H:%M} UTC): {inline_code(row['reason'])}"
            for row in refused.head(10).iter_rows(named=True)
        )
    )
    with st.expander("Show the refusals as a table"):
        st.dataframe(
            tables.refusals_table(refused),
            hide_index=True,
            column_config=COLUMNS,
        )

st.subheader("Quarantined rows")
if held.is_empty():
    st.success("No rows are held in quarantine.")
else:
    st.caption("Rows that broke a rule, held back from the warehouse, by delivery and reason.")
    st.dataframe(held, hide_index=True, column_config=COLUMNS)
    with st.expander("Show the quarantined rows as delivered (the latest 500)"):
        st.dataframe(held_rows, hide_index=True, column_config=COLUMNS)

st.subheader("Load log")
st.caption(f"Every delivery attempt, newest first (the latest {format_count(log.height)}).")
st.dataframe(log, hide_index=True, column_config=COLUMNS)
