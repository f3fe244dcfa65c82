"""The pages' one way to data: the published warehouse, its metrics and its load records.

Which version to read.  :func:`published` reads ``CURRENT`` (one small file) on every call, and
everything below is cached per published file: a connection (:func:`open_warehouse`) and every
result.  So the next load is picked up on the next rerun, without restarting the server, and a
result of one version is never served for another.  The time to live only bounds memory.

Scope.  Every function takes the clusters to show and keeps only those the caller may see
(:func:`dashboard.scope.current_clusters`), so a page cannot widen its own scope; the clusters
are part of every cache key.

Threads.  DuckDB connections are not safe to share between threads, and Streamlit runs each
session in its own thread, so every query runs on a cursor of its own.  Nothing here draws a
widget: cached functions must not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from core.contract import PROGRAMME  # the strategy office's register: a feed, not a cluster
from core.settings import get_settings
from core.warehouse import WarehouseMissing, current_path, unreadable
from dashboard import trail
from dashboard.scope import current_clusters, record_level_clusters
from queries import runner
from queries.constants import STANDARD_PARAMS
from queries.definitions import definition as metric_definition

CACHE_TTL = "1h"
# DuckDB keeps what it reads in a buffer pool of up to 80% of the machine's memory by default;
# the server's share is bounded here so that its memory stays flat (issue 7: under 2 GB).  The
# pages' heaviest query, an as-at view of the whole civil service, needs a fraction of this.
DUCKDB_MEMORY = "1GB"


def published() -> Path | None:
    """The published DuckDB file, or None before the first load."""
    return current_path(get_settings().warehouse)


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    # The path is the cache key: a new CURRENT means a new connection.  The previous one is
    # dropped from the cache and closes when the last session using it lets go.
    return duckdb.connect(path, read_only=True, config={"memory_limit": DUCKDB_MEMORY})


def open_warehouse() -> duckdb.DuckDBPyConnection | None:
    """A read-only connection to the published warehouse, or None before the first load.

    Retries when the version named by ``CURRENT`` is deleted between reading the name and
    opening it (two loads published in quick succession)."""
    for _ in range(20):
        path = published()
        if path is None:
            return None
        try:
            return _connection(str(path))
        except duckdb.Error as error:
            if path.exists():
                raise unreadable(path, error) from None
    raise WarehouseMissing("the published warehouse kept changing while being opened")


def warehouse_path() -> str:
    """The published file's path, the cache key of every read; raises before the first load."""
    if open_warehouse() is None:
        raise WarehouseMissing(f"no warehouse at {get_settings().warehouse}: load one first")
    return str(published())


def scoped(clusters: Iterable[str]) -> tuple[str, ...]:
    """``clusters`` limited to the caller's scope, in the scope's order."""
    wanted = set(clusters)
    return tuple(c for c in current_clusters() if c in wanted)


def read(path: str, sql: str, params: Mapping[str, object] | None = None) -> pl.DataFrame:
    """``sql`` on a cursor of its own over ``path``: for the cached readers of the page modules."""
    with _connection(path).cursor() as cursor:
        return cursor.sql(sql, params=dict(params or {})).pl()


# --- metrics ----------------------------------------------------------------------------------


@st.cache_data(ttl=CACHE_TTL, max_entries=1024, show_spinner=False)
def _metric(
    path: str,
    name: str,
    clusters: tuple[str, ...],
    params: tuple[tuple[str, object], ...],
    by: tuple[str, ...],
    where: tuple[tuple[str, tuple[str, ...]], ...],
) -> pl.DataFrame:
    request = runner.Request(name, clusters, dict(params), by, dict(where))
    return runner.run(_connection(path), request)


def metric(
    name: str,
    clusters: Iterable[str],
    params: Mapping[str, object] | None = None,
    by: Sequence[str] = (),
    where: Mapping[str, Sequence[str]] | None = None,
) -> pl.DataFrame:
    """A metric's rows (``queries/sql/<name>.sql``) for the clusters in scope, cached.

    The published rates (``queries.constants.STANDARD_PARAMS``) are bound unless ``params``
    gives others; a metric ignores values it does not declare.
    """
    values = {**STANDARD_PARAMS, **(params or {})}
    frame = _metric(
        warehouse_path(),
        name,
        scoped(clusters),
        tuple(sorted(values.items())),
        tuple(by),
        filter_key(where),
    )
    trail.note(rows=frame.height)
    return frame


FilterKey = tuple[tuple[str, tuple[str, ...]], ...]


def filter_key(where: Mapping[str, Sequence[str]] | None) -> FilterKey:
    """The filters as a cache key (sorted, hashable)."""
    return tuple(sorted((dim, tuple(str(v) for v in vs)) for dim, vs in (where or {}).items()))


def record_level(clusters: Iterable[str]) -> tuple[str, ...]:
    """The clusters asked for that the caller has record-level rights to
    (:func:`dashboard.scope.record_level_clusters`), in the scope's order; none without them."""
    allowed = set(record_level_clusters())
    return tuple(c for c in scoped(clusters) if c in allowed)


def read_records(
    path: str,
    as_at: date,
    clusters: tuple[str, ...],
    where: FilterKey = (),
) -> pl.DataFrame:
    """Record-level rows (``queries/sql/employee_records.sql``) of ``clusters`` (already
    limited by :func:`record_level`) from the warehouse file ``path``.  Never cached: a
    person's row is read when a file of them is made, and not kept in the server's memory."""
    request = runner.Request("employee_records", clusters, {"as_at": as_at}, (), dict(where))
    return runner.run(_connection(path), request)


def records_file(
    to_bytes: Callable[[pl.DataFrame], bytes],
    path: str,
    as_at: date,
    clusters: tuple[str, ...],
    where: FilterKey,
) -> bytes:
    """A file of records, made when its download button is pressed (after the grant is
    checked again: :func:`dashboard.trail.audited_file`), from the warehouse the page read."""
    return to_bytes(read_records(path, as_at, clusters, where))


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _record_counts(
    path: str,
    as_at: date,
    clusters: tuple[str, ...],
    where: FilterKey,
) -> pl.DataFrame:
    return (
        read_records(path, as_at, clusters, where)
        .group_by("cluster", "organisation_code")
        .len("records")
        .sort("cluster", "organisation_code")
    )


def employee_record_counts(
    as_at: date, clusters: Iterable[str], where: Mapping[str, Sequence[str]] | None = None
) -> pl.DataFrame:
    """How many records :func:`read_records` gives the clusters of ``clusters`` the caller
    has record-level rights to (:func:`record_level`), by ``cluster`` and
    ``organisation_code`` (``records``): what the page shows, cached without the rows."""
    counts = _record_counts(warehouse_path(), as_at, record_level(clusters), filter_key(where))
    trail.note(rows=int(counts["records"].sum()))
    return counts


@st.cache_data(ttl=CACHE_TTL, max_entries=256, show_spinner=False)
def _feed_status(path: str, as_at: date, clusters: tuple[str, ...]) -> pl.DataFrame:
    return runner.feed_status(_connection(path), as_at, clusters)


def feed_status(as_at: date, clusters: Iterable[str]) -> pl.DataFrame:
    """Per cluster in scope: ``cluster``, ``extract_date`` (the snapshot an as-at view uses)
    and ``status``: current, stale (older than the newest) or absent (none on or before)."""
    return _feed_status(warehouse_path(), as_at, scoped(clusters))


def definition(name: str) -> str:
    """What a metric measures, in a sentence for a leader: the ``plain`` sentence of its
    definition (``queries/sql/<name>.toml``; tests/test_plain_words.py), as the pages' "how
    defined" texts and the extracts' about sheet say it.  Never its developers' description,
    which names columns and files."""
    return metric_definition(name).plain


# --- what the filters may offer ---------------------------------------------------------------


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _loaded_dates(path: str, clusters: tuple[str, ...]) -> tuple[date, ...]:
    try:
        frame = read(
            path,
            "SELECT DISTINCT extract_date FROM snapshots"
            " WHERE list_contains($clusters, CAST(feed AS VARCHAR)) ORDER BY extract_date",
            {"clusters": list(clusters)},
        )
    except duckdb.CatalogException:  # a warehouse from before the snapshots table
        return ()
    return tuple(frame["extract_date"])


def loaded_dates(clusters: Iterable[str]) -> tuple[date, ...]:
    """The extract dates loaded for any cluster in scope, oldest first."""
    return _loaded_dates(warehouse_path(), scoped(clusters))


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _organisations(path: str, clusters: tuple[str, ...]) -> pl.DataFrame:
    return read(
        path,
        "SELECT o.organisation_code, o.organisation_name, o.parent_department_code AS department,"
        " coalesce(d.organisation_name, o.parent_department_code) AS department_name, o.cluster"
        " FROM organisations AS o"
        " LEFT JOIN organisations AS d ON d.organisation_code = o.parent_department_code"
        " WHERE list_contains($clusters, o.cluster) ORDER BY o.organisation_name",
        {"clusters": list(clusters)},
    )


def organisations(clusters: Iterable[str]) -> pl.DataFrame:
    """The register's organisations of the clusters in scope: ``organisation_code``,
    ``organisation_name``, ``department`` (its code), ``department_name``, ``cluster``."""
    return _organisations(warehouse_path(), scoped(clusters))


# --- load records, for data health ------------------------------------------------------------


def _feeds(clusters: Iterable[str]) -> list[str]:
    return [*scoped(clusters), PROGRAMME]


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _feed_summary(path: str, feeds: tuple[str, ...]) -> pl.DataFrame:
    return read(
        path,
        "WITH feeds AS (SELECT unnest($feeds) AS feed),"
        " loaded AS (SELECT CAST(feed AS VARCHAR) AS feed, max(extract_date) AS"
        "   latest_extract_date, count(*) AS extracts FROM snapshots GROUP BY ALL),"
        " attempts AS (SELECT CAST(feed AS VARCHAR) AS feed, max(finished_at) AS last_attempt_at,"
        "   arg_max(outcome, load_id) AS last_outcome,"
        "   count(*) FILTER (WHERE outcome <> 'refused') AS loads,"
        "   count(*) FILTER (WHERE outcome = 'refused') AS refused FROM load_log GROUP BY ALL),"
        " held AS (SELECT CAST(feed AS VARCHAR) AS feed, count(*) AS quarantined"
        "   FROM quarantine GROUP BY ALL)"
        " SELECT feed, latest_extract_date, coalesce(extracts, 0) AS extracts, last_attempt_at,"
        "   last_outcome, coalesce(loads, 0) AS loads, coalesce(refused, 0) AS refused,"
        "   coalesce(quarantined, 0) AS quarantined"
        " FROM feeds LEFT JOIN loaded USING (feed) LEFT JOIN attempts USING (feed)"
        "   LEFT JOIN held USING (feed)"
        " ORDER BY list_position($feeds, feed)",
        {"feeds": list(feeds)},
    )


def feed_summary(clusters: Iterable[str]) -> pl.DataFrame:
    """Per feed in scope (and the programme register): the latest extract date loaded, the
    number of extract dates loaded, the time and outcome of the last delivery attempt, and the
    deliveries loaded, deliveries refused and rows in quarantine."""
    return _feed_summary(warehouse_path(), tuple(_feeds(clusters)))


LOAD_LOG_COLUMNS = (
    "load_id, CAST(feed AS VARCHAR) AS feed, extract_date, outcome, rows_loaded,"
    " rows_quarantined, resent_skipped, conflicts, replaces_load_id, reason, source_system,"
    " started_at, duration_ms"
)


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _load_log(path: str, feeds: tuple[str, ...], refused_only: bool, limit: int) -> pl.DataFrame:
    outcome = " AND outcome = 'refused'" if refused_only else ""
    return read(
        path,
        f"SELECT {LOAD_LOG_COLUMNS} FROM load_log"
        f" WHERE list_contains($feeds, CAST(feed AS VARCHAR)){outcome}"
        " ORDER BY load_id DESC LIMIT $limit",
        {"feeds": list(feeds), "limit": limit},
    )


def load_log(
    clusters: Iterable[str], *, refused_only: bool = False, limit: int = 1000
) -> pl.DataFrame:
    """The latest delivery attempts (``load_log``) of the feeds in scope, newest first."""
    return _load_log(warehouse_path(), tuple(_feeds(clusters)), refused_only, limit)


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def _quarantine(path: str, feeds: tuple[str, ...], limit: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    scope = "WHERE list_contains($feeds, CAST(feed AS VARCHAR))"
    summary = read(
        path,
        "SELECT CAST(feed AS VARCHAR) AS feed, extract_date, file, reason, count(*) AS rows"
        f" FROM quarantine {scope} GROUP BY ALL"
        " ORDER BY extract_date DESC, feed, file, rows DESC, reason LIMIT $limit",
        {"feeds": list(feeds), "limit": limit},
    )
    rows = read(
        path,
        "SELECT load_id, CAST(feed AS VARCHAR) AS feed, extract_date, file, row_number, reason,"
        f' CAST("row" AS VARCHAR) AS row FROM quarantine {scope}'
        " ORDER BY load_id DESC, file, row_number LIMIT $limit",
        {"feeds": list(feeds), "limit": limit},
    )
    return summary, rows


def quarantine(clusters: Iterable[str], limit: int = 500) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Quarantined rows of the feeds in scope: counts by delivery, file and reason, and the
    latest rows themselves as delivered."""
    return _quarantine(warehouse_path(), tuple(_feeds(clusters)), limit)
