"""Scope is enforced where data is queried: every SQL file, run on the tiny warehouse with all
clusters, returns rows; with one cluster, only that cluster's; with none, nothing."""

from __future__ import annotations

import duckdb
import pytest

from core.warehouse import connect_readonly
from queries.constants import STANDARD_PARAMS
from queries.runner import CLUSTERS, KEPT_APART, SQL_DIR, Request, load_sql, run
from tests.tiny_warehouse import A, B, build

METRICS = sorted(p.stem for p in SQL_DIR.glob("[!_]*.sql"))
VALUES = {
    **STANDARD_PARAMS,
    "as_at": B,
    "date_from": A,
    "date_to": B,
    "period_from": "2026-01",
    "period_to": "2026-02",
    "period": "2026-02",
    "base_year": "2025-26",
}


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    connection = connect_readonly(build(tmp_path_factory.mktemp("tiny")).warehouse)
    yield connection
    connection.close()


def frame(con: duckdb.DuckDBPyConnection, metric: str, clusters: tuple[str, ...], by=()):
    params = {k: v for k, v in VALUES.items() if k in load_sql(metric).params}
    if metric in KEPT_APART:  # benefits and programme cost are never added together
        by = (*by, KEPT_APART[metric][0])
    return run(con, Request(metric, clusters, params, by))


@pytest.mark.parametrize("metric", METRICS)
def test_no_scope_means_no_rows(con: duckdb.DuckDBPyConnection, metric: str) -> None:
    assert not frame(con, metric, CLUSTERS).is_empty(), f"{metric}: nothing to scope away"
    assert frame(con, metric, ()).is_empty()


@pytest.mark.parametrize("metric", [m for m in METRICS if "cluster" in load_sql(m).dimensions])
def test_one_cluster_in_scope_means_only_its_rows(
    con: duckdb.DuckDBPyConnection, metric: str
) -> None:
    # UNITY delivers on both dates; a scoped row of any other cluster is a leak.
    clusters = set(frame(con, metric, ("UNITY",), ("cluster",))["cluster"])
    assert clusters <= {"UNITY", "ALL"}  # "ALL": the programme's own milestones and benefits
