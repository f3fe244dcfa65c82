"""The cluster_moves metric on the tiny warehouse (tests/tiny_warehouse.py).

From A to B two people change cluster: p04 SYNERGY → UNITY and p08 MATRIX → UNITY (MATRIX's
stale A snapshot still holds p08, but UNITY's B snapshot wins).  p05 moves department within
SYNERGY, which is not a move between clusters; joiners and leavers are not moves either.
"""

from __future__ import annotations

import duckdb
import pytest

from core.warehouse import connect_readonly
from queries.runner import CLUSTERS, QueryError, Request, load_sql, run
from tests.tiny_warehouse import A, B, build


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    settings = build(tmp_path_factory.mktemp("tiny"))
    connection = connect_readonly(settings.warehouse)
    yield connection
    connection.close()


def rows(con, clusters=CLUSTERS, date_from=A, date_to=B) -> list[dict]:
    request = Request(
        "cluster_moves", tuple(clusters), {"date_from": date_from, "date_to": date_to}
    )
    return run(con, request).to_dicts()


def test_the_header_declares_no_dimensions_and_the_three_columns() -> None:
    sql = load_sql("cluster_moves")
    assert sql.dimensions == ()
    assert sql.measures == ("from_cluster", "to_cluster", "moves")
    assert sql.params == {"date_from": "DATE", "date_to": "DATE", "clusters": "VARCHAR[]"}


def test_moves_between_the_two_extracts_by_origin_and_destination(con) -> None:
    assert rows(con) == [
        {"from_cluster": "SYNERGY", "to_cluster": "UNITY", "moves": 1},
        {"from_cluster": "MATRIX", "to_cluster": "UNITY", "moves": 1},
    ]


def test_a_move_counts_only_when_both_ends_are_in_scope(con) -> None:
    assert rows(con, ["UNITY"]) == []
    assert rows(con, ["MATRIX"]) == []
    assert rows(con, ["SYNERGY", "UNITY"]) == [
        {"from_cluster": "SYNERGY", "to_cluster": "UNITY", "moves": 1},
    ]


def test_no_scope_means_no_rows(con) -> None:
    assert rows(con, []) == []


def test_the_same_date_twice_has_no_moves(con) -> None:
    assert rows(con, date_from=B, date_to=B) == []


def test_it_cannot_be_grouped(con) -> None:
    with pytest.raises(QueryError, match="allowed: none"):
        run(con, Request("cluster_moves", CLUSTERS, {"date_from": A, "date_to": B}, ("cluster",)))
