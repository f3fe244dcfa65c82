"""Overview: what the warehouse holds, or what to run when it holds nothing yet."""

from __future__ import annotations

import streamlit as st

from dashboard.formatting import format_count
from dashboard.warehouse import load_summary, open_warehouse, tables
from pipeline.settings import get_settings

st.title("Workforce Picture")
st.caption(
    "Cross-government workforce analytics for the Shared Services Strategy clusters: "
    "DEFENCE, OVERSEAS, MATRIX, SYNERGY and UNITY."
)

con = open_warehouse()
if con is None:
    st.info(
        "No data has been loaded yet, so there is nothing to show.\n\n"
        "To load synthetic demo data and serve the dashboard, run `make run` from the "
        "repository root.\n\n"
        "Or, step by step: `.venv/bin/workforce demo` writes demo deliveries to the landing "
        "zone, then `.venv/bin/workforce ingest` loads them into the warehouse. Reload this page "
        "afterwards.\n\n"
        f"Warehouse folder: `{get_settings().warehouse}`"
    )
    st.stop()

st.subheader("Latest data by cluster")
summary = load_summary(con)
if summary is None or summary.is_empty():
    st.info("The warehouse records no loads yet.")
else:
    st.dataframe(
        summary,
        hide_index=True,
        column_config={
            "cluster": "Cluster",
            "latest_extract_date": st.column_config.DateColumn(
                "Latest extract date", format="D MMMM YYYY"
            ),
            "rows_loaded": st.column_config.NumberColumn(
                "Rows loaded (all deliveries)", format="localized"
            ),
            "rows_quarantined": st.column_config.NumberColumn(
                "Rows quarantined (all deliveries)", format="localized"
            ),
        },
    )

with st.expander("Tables in the warehouse"):
    listed = tables(con)
    noun = "table" if listed.height == 1 else "tables"
    st.caption(f"{format_count(listed.height)} {noun}; row counts are DuckDB's estimates.")
    st.dataframe(listed, hide_index=True)
