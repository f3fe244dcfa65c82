"""The one transaction block every ingest write uses (pipeline.sql.transaction), on a
real DuckDB: what commits stays, what fails is rolled back whole and its error is the one
raised."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipeline.sql import transaction


def rows(path: Path) -> list[tuple[int]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT n FROM t ORDER BY n").fetchall()


def test_a_block_that_ends_is_committed(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE t (n INTEGER)")
        with transaction(con):
            con.execute("INSERT INTO t VALUES (1), (2)")
    assert rows(path) == [(1,), (2,)]


def test_a_block_that_fails_leaves_nothing_and_raises_its_own_error(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1)")
        with pytest.raises(ValueError, match="stopped half-way"), transaction(con):
            con.execute("INSERT INTO t VALUES (2)")
            con.execute("DELETE FROM t WHERE n = 1")
            raise ValueError("stopped half-way")
        with transaction(con):  # the connection is usable again: no transaction left open
            con.execute("INSERT INTO t VALUES (3)")
    assert rows(path) == [(1,), (3,)]


def test_a_database_error_inside_is_the_one_raised(tmp_path: Path) -> None:
    """A key broken inside the block: DuckDB's own error is raised, and nothing is kept."""
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE t (n INTEGER PRIMARY KEY); INSERT INTO t VALUES (1)")
        with pytest.raises(duckdb.ConstraintException), transaction(con):
            con.execute("INSERT INTO t VALUES (1)")
    assert rows(path) == [(1,)]
