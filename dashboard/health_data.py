"""Data health's view of the clusters' source systems: what each cluster delivers (a contract
parquet delivery or its system's native export, conformed by a mapping file), and the values
of native exports that their mapping files do not list, with the rows they hold back.

Why read the row, not parse the reason.  A value missing from a mapping quarantines its row
with the reason ``grade 'B3' is not in DEFENCE.toml [grade]`` (``pipeline/sources/derive.py``),
several reasons joined by ``'; '``.  The value is the cluster's text and may itself hold quotes,
``'; '`` or a whole made-up reason, so a pattern over the reason cannot tell where it ends.
Instead, for each mapped column of the delivery's system (``core.systems``), the
value is read from the row as delivered (the quarantine keeps its native columns), trimmed as
the ingest trims it, and counted when the reason holds exactly the segment the ingest writes
for that value.  A cluster can still forge a segment inside another column's value; it would
only mislead its own administrator, about its own rows.

"Currently holding rows back": the quarantine already holds only the delivery in force for each
cluster and extract date (a restatement replaces its date's rows); the join to ``snapshots``
on the load says so in the SQL too.  Every value travels as a bound parameter; the results are
cached per published file and scope, like :mod:`dashboard.data`.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl
import streamlit as st

from core import systems
from dashboard import data
from dashboard.tables import dates_text as dates_text  # moved (issue 17); still read here

# The systems' names as their users know them (sources.md §2 ``system``).
SYSTEM_NAMES = {
    "oracle_hcm": "Oracle Fusion HCM",
    "workday": "Workday",
    "sap_successfactors": "SAP SuccessFactors",
}
CONTRACT, NATIVE, NONE = "Contract parquet", "Native export", "No delivery yet"

# Per system and native file, each column read through a mapping table: the contract column
# named in the reason, the native column holding the value, and the table.
MAPPED = [
    {"system": system, "file": native, "column": d.column, "path": f'$."{d.source[0]}"',
     "tbl": d.table}
    for system, files in systems.COLUMNS.items()
    for native, derived in files.items()
    for d in derived
    if d.how == systems.MAPPED
]  # fmt: skip

# One row per (quarantined row in force, mapped column) whose value the mapping lacks.
UNMAPPED_CTE = """
WITH mapped AS (SELECT unnest($mapped, recursive := true)),
held AS (
    SELECT CAST(q.feed AS VARCHAR) AS cluster, q.extract_date, q.load_id, q.file, q.row_number,
           '; ' || q.reason || '; ' AS reasons, q."row", l.mapping, l.mapping_system
    FROM quarantine AS q
    JOIN snapshots AS s
        ON s.feed = q.feed AND s.extract_date = q.extract_date AND s.load_id = q.load_id
    JOIN {log} AS l ON l.load_id = q.load_id
    WHERE l.mapping IS NOT NULL AND list_contains($clusters, CAST(q.feed AS VARCHAR))
        AND contains(q.reason, ''' is not in ')  -- only rows a mapping held back: cheap
),
valued AS (
    SELECT h.*, m.column, m.tbl, trim(json_extract_string(h."row", m.path), ' ') AS value
    FROM held AS h JOIN mapped AS m ON m.system = h.mapping_system AND m.file = h.file
),
unmapped AS (
    SELECT * FROM valued
    WHERE value <> '' AND contains(reasons, '; ' || "column" || ' ''' || value
        || ''' is not in ' || mapping || ' [' || tbl || ']; ')
)
"""

VALUES_SQL = (
    UNMAPPED_CTE
    + """
SELECT cluster, mapping, '[' || tbl || ']' AS "table", value, count(*) AS rows,
       list(DISTINCT extract_date ORDER BY extract_date) AS extract_dates
FROM unmapped
GROUP BY cluster, mapping, tbl, value
ORDER BY list_position($clusters, cluster), mapping, rows DESC, "table", value
"""
)

# Per cluster in scope: its latest delivery attempt, the system of its mapping file as last
# read (a refusal may have stopped before reading it), when the mapping file in use was first
# read as it is now (its name or bytes differ from the delivery before), and the rows its
# unmapped values hold back.
SOURCES_SQL = (
    UNMAPPED_CTE.rstrip()
    + """,
clusters AS (SELECT unnest($clusters) AS cluster),
log AS (
    SELECT CAST(feed AS VARCHAR) AS cluster, load_id, extract_date, outcome, started_at,
           source_system, mapping, mapping_system, mapping_sha256
    FROM {log} AS l WHERE list_contains($clusters, CAST(feed AS VARCHAR))
),
latest AS (
    SELECT * FROM log QUALIFY row_number() OVER (PARTITION BY cluster ORDER BY load_id DESC) = 1
),
known AS (
    SELECT cluster, mapping, arg_max(mapping_system, load_id) AS system
    FROM log WHERE mapping_system IS NOT NULL GROUP BY ALL
),
versions AS (
    SELECT cluster, mapping, started_at, mapping || ' ' || mapping_sha256 AS version,
           lag(mapping || ' ' || mapping_sha256) OVER (PARTITION BY cluster ORDER BY load_id)
               AS previous
    FROM log WHERE mapping_sha256 IS NOT NULL
),
changed AS (
    SELECT cluster, mapping, max(started_at) AS changed_at
    FROM versions WHERE previous IS DISTINCT FROM version GROUP BY ALL
),
held_back AS (
    SELECT cluster, count(DISTINCT (load_id, file, row_number)) AS unmapped_rows
    FROM unmapped GROUP BY ALL
)
SELECT c.cluster, l.extract_date AS latest_extract_date, l.outcome AS latest_outcome,
       CASE WHEN l.load_id IS NULL THEN $none WHEN l.mapping IS NULL THEN $contract
            ELSE $native END AS kind,
       coalesce(l.mapping_system, k.system) AS mapping_system, l.source_system, l.mapping,
       ch.changed_at AS mapping_changed_at, coalesce(h.unmapped_rows, 0) AS unmapped_rows
FROM clusters AS c
LEFT JOIN latest AS l ON l.cluster = c.cluster
LEFT JOIN known AS k ON k.cluster = c.cluster AND k.mapping = l.mapping
LEFT JOIN changed AS ch ON ch.cluster = c.cluster AND ch.mapping = l.mapping
LEFT JOIN held_back AS h ON h.cluster = c.cluster
ORDER BY list_position($clusters, c.cluster)
"""
)


# A warehouse published before schema version 4 (read until the next ingest upgrades it) has
# no mapping columns: every delivery in it was a contract delivery.
LEGACY_LOG = (
    "(SELECT *, NULL::VARCHAR AS mapping, NULL::VARCHAR AS mapping_system,"
    " NULL::VARCHAR AS mapping_sha256 FROM load_log)"
)
HAS_MAPPING_SQL = (
    "SELECT count(*) AS n FROM duckdb_columns()"
    " WHERE table_name = 'load_log' AND column_name = 'mapping_sha256'"
)


@st.cache_data(ttl=data.CACHE_TTL, max_entries=64, show_spinner=False)
def _mappings(path: str, clusters: tuple[str, ...]) -> tuple[pl.DataFrame, pl.DataFrame]:
    log = "load_log" if data.read(path, HAS_MAPPING_SQL)["n"][0] else LEGACY_LOG
    params = {"mapped": MAPPED, "clusters": list(clusters)}
    kinds = {"none": NONE, "contract": CONTRACT, "native": NATIVE}
    sources = data.read(path, SOURCES_SQL.format(log=log), {**params, **kinds})
    values = data.read(path, VALUES_SQL.format(log=log), params)
    return sources, values


def source_systems(clusters: Iterable[str]) -> pl.DataFrame:
    """One row per cluster in scope: its latest delivery (``latest_extract_date``,
    ``latest_outcome``), its ``kind`` (contract parquet, native export, or no delivery yet),
    ``system`` (the plain name of the mapping's system; for a contract delivery the source
    system its manifest names), ``mapping`` (the mapping file), ``mapping_changed_at`` (UTC:
    the first delivery read with that mapping file as it is now) and ``unmapped_rows`` (rows
    in force held back by values their mapping lacks)."""
    sources, _ = _mappings(data.warehouse_path(), data.scoped(clusters))
    named = pl.col("mapping_system").replace_strict(SYSTEM_NAMES, default=pl.col("mapping_system"))
    return sources.with_columns(
        pl.when(pl.col("mapping").is_null())
        .then(pl.col("source_system"))
        .otherwise(named)
        .alias("system")
    ).select(
        "cluster",
        "latest_extract_date",
        "latest_outcome",
        "kind",
        "system",
        "mapping",
        "mapping_changed_at",
        "unmapped_rows",
    )


def unmapped_values(clusters: Iterable[str]) -> pl.DataFrame:
    """The values holding rows back in the clusters in scope, one row per cluster, mapping
    file, ``table`` (``[grade]``) and ``value``: the ``rows`` held back and their
    ``extract_dates``, oldest first.  Most rows first within each mapping file."""
    return _mappings(data.warehouse_path(), data.scoped(clusters))[1]
