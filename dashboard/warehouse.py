"""The pages' way into the published warehouse, and what the overview shows of it.

Pages call :func:`open_warehouse` on every run.  It reads ``CURRENT`` (one small file) and
returns a read-only connection cached per published file, so the next load is picked up on the
next rerun without restarting the server.  ``max_entries=1`` drops the previous version's
connection once a new one is cached; it closes when the last session using it lets go.

DuckDB connections are not safe to share between threads, and Streamlit runs each session in
its own thread, so every query runs on its own cursor (:func:`query`).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from pipeline.settings import get_settings
from pipeline.warehouse import connect_readonly, current_path

LOAD_LOG = "load_log"


@st.cache_resource(max_entries=1, show_spinner=False)
def _connection(warehouse: Path, published: Path) -> duckdb.DuckDBPyConnection:
    # ``published`` is the cache key: a new CURRENT means a new connection.
    return connect_readonly(warehouse)


def open_warehouse() -> duckdb.DuckDBPyConnection | None:
    """A read-only connection to the published warehouse, or None before the first load."""
    warehouse = get_settings().warehouse
    published = current_path(warehouse)
    return None if published is None else _connection(warehouse, published)


def query(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pl.DataFrame:
    """Run ``sql`` with bound ``params`` on a cursor of its own."""
    with con.cursor() as cursor:
        return cursor.sql(sql, params=params or {}).pl()


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def tables(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every table in the warehouse: schema, table and DuckDB's estimate of its rows."""
    return query(
        con,
        "select schema_name as schema, table_name as table, estimated_size as rows"
        " from duckdb_tables() where not internal order by schema_name, table_name",
    )


def load_summary(con: duckdb.DuckDBPyConnection) -> pl.DataFrame | None:
    """Per cluster: the latest extract date loaded, and rows loaded over all deliveries.

    None when there is no load log yet.  Only columns the log has are asked for, because the
    log's shape is the ingest's to decide; ``cluster`` and ``extract_date`` are the contract's.
    """
    found = query(
        con,
        "select schema_name, list(column_name) as columns from duckdb_columns()"
        " where table_name = $table and not internal group by schema_name order by schema_name",
        {"table": LOAD_LOG},
    )
    if found.is_empty():
        return None
    schema, columns = found.row(0)
    if not {"cluster", "extract_date"} <= set(columns):
        return None
    measures = [
        f"sum({column}) as {column}"
        for column in ("rows_loaded", "rows_quarantined")
        if column in columns
    ]
    select = ", ".join(["cluster", "max(extract_date) as latest_extract_date", *measures])
    source = f"{quote_identifier(schema)}.{quote_identifier(LOAD_LOG)}"
    return query(con, f"select {select} from {source} group by cluster order by cluster")
