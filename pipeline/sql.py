"""SQL building blocks shared by the ingest: identifier quoting, the warehouse's types, and
the one transaction block every write uses.

Values are always bound as ``$name`` parameters.  Identifiers come only from the contract's
column names and are quoted here, in one place.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import duckdb

from core.contract import ColumnSpec
from core.sqltext import quote as ident  # the one way an identifier enters SQL text

# Contract columns whose warehouse type is an ENUM named ``<column>_t`` (see schema.sql).
ENUM_TYPE_SUFFIX = "_t"
# Warehouse types for the contract's canonical Arrow types.
_SQL_TYPES = {
    "string": "VARCHAR",
    "double": "DOUBLE",
    "int64": "BIGINT",
    "int32": "INTEGER",
    "date32": "DATE",
    "decimal": "DECIMAL(18, 2)",
}
OPEN_END = "9999-12-31"  # valid_to of a version that is still current


def idents(names: list[str] | tuple[str, ...], prefix: str = "") -> str:
    """Comma-separated quoted identifiers, each optionally qualified by ``prefix``."""
    qual = f"{prefix}." if prefix else ""
    return ", ".join(qual + ident(n) for n in names)


def sql_type(spec: ColumnSpec, enums: frozenset[str] = frozenset()) -> str:
    """The warehouse type of a contract column: its ENUM when the column has one."""
    if spec.name in enums:
        return ident(spec.name + ENUM_TYPE_SUFFIX)
    return _SQL_TYPES[spec.arrow_type]


class Params:
    """Collects bound values and hands out ``$p<n>`` placeholders for them."""

    def __init__(self, **initial: object):
        self.values: dict[str, object] = dict(initial)

    def __call__(self, value: object) -> str:
        name = f"p{len(self.values)}"
        while name in self.values:
            name += "_"
        self.values[name] = value
        return "$" + name


def bound(sql: str, params: dict[str, object]) -> dict[str, object]:
    """The subset of ``params`` that ``sql`` uses (DuckDB refuses unused parameters)."""
    used = set(re.findall(r"\$(\w+)", sql))
    return {name: value for name, value in params.items() if name in used}


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """``BEGIN`` … ``COMMIT``; on any error, ``ROLLBACK`` and the error raised again.  A
    ``ROLLBACK`` that fails itself is passed over: a ``COMMIT`` that failed (a full disk) has
    ended the transaction already, and a fatal error ends the database, so the error to report
    is the one that stopped the work."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
