"""Creating the warehouse schema (``schema.sql``) and refreshing the organisations register."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from core.contract import FEEDS, ContingentRow, EmployeeRow, LedgerRow, column_specs
from core.errors import UsageError
from core.hashing import sha256_file
from pipeline.sql import ENUM_TYPE_SUFFIX, ident

SCHEMA_VERSION = "4"
SCHEMA_SQL = Path(__file__).with_name("schema.sql")


def table_ddl(*tables: str) -> str:
    """The ``CREATE TABLE`` statements of ``tables`` as schema.sql has them (one definition)."""
    text = SCHEMA_SQL.read_text()
    found = []
    for table in tables:
        match = re.search(rf"^CREATE TABLE {table} \(.*?^\);", text, re.MULTILINE | re.DOTALL)
        if match is None:
            raise LookupError(f"schema.sql defines no table {table}")
        found.append(match.group(0))
    return "\n".join(found)


# How an older warehouse is brought to the next version, in the ingest's transaction:
# version → (next version, SQL).  2 added `mover_history`, filled from the history so far;
# 3 added the month-end mart, which the ingest then builds whole (pipeline/ingest/marts.py);
# 4 added the mapping of native deliveries to the load log (sources.md).
UPGRADES = {
    "1": (
        "2",
        table_ddl("mover_history")
        + """
        INSERT INTO mover_history
        SELECT cluster, person_id, organisation_start_date, valid_from, valid_to
        FROM employee_history
        WHERE person_id IN (
            SELECT person_id FROM employee_history
            GROUP BY person_id HAVING min(cluster) <> max(cluster)
        )
        ORDER BY person_id, cluster, valid_from;""",
    ),
    "2": ("3", table_ddl("month_end_groups", "latest_groups")),
    "3": (
        "4",
        "ALTER TABLE load_log ADD COLUMN IF NOT EXISTS mapping VARCHAR;"
        " ALTER TABLE load_log ADD COLUMN IF NOT EXISTS mapping_system VARCHAR;"
        " ALTER TABLE load_log ADD COLUMN IF NOT EXISTS mapping_sha256 VARCHAR;",
    ),
}
# Files whose coded columns are stored as ENUMs (the register files are small: VARCHAR).
ENUM_MODELS = (EmployeeRow, ContingentRow, LedgerRow)


def enum_types() -> dict[str, tuple[str, ...]]:
    """ENUM type name → values, in the contract's order: feed_t, then ``<column>_t``."""
    types: dict[str, tuple[str, ...]] = {"feed_t": FEEDS}
    for model in ENUM_MODELS:
        for spec in column_specs(model):
            if spec.allowed is not None:
                name = spec.name + ENUM_TYPE_SUFFIX
                if types.setdefault(name, spec.allowed) != spec.allowed:
                    raise ValueError(f"column {spec.name} has two code lists in the contract")
    return types


ENUM_COLUMNS = frozenset(name.removesuffix(ENUM_TYPE_SUFFIX) for name in enum_types())


def has_schema(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()"
        " AND schema_name = 'main' AND table_name = 'warehouse_meta'"
    ).fetchone()
    return bool(found and found[0])


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The types, tables and macros of a new warehouse (inside the caller's transaction)."""
    for name, values in enum_types().items():
        con.execute(
            f"CREATE TYPE {ident(name)} AS ENUM (SELECT unnest($values))", {"values": list(values)}
        )
    con.execute(SCHEMA_SQL.read_text())
    con.execute("INSERT INTO warehouse_meta VALUES ('schema_version', $v)", {"v": SCHEMA_VERSION})


def schema_version(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute("SELECT value FROM warehouse_meta WHERE key = 'schema_version'").fetchone()
    return row[0] if row else None


def upgrade_schema(con: duckdb.DuckDBPyConnection) -> str | None:
    """Bring an older warehouse to :data:`SCHEMA_VERSION` (inside the caller's transaction) and
    return the version it had; refuse, in one line, one this program cannot read."""
    version = found = schema_version(con)
    while version in UPGRADES:
        version, sql = UPGRADES[version]
        con.execute(sql)
        con.execute(
            "UPDATE warehouse_meta SET value = $v WHERE key = 'schema_version'", {"v": version}
        )
    if version != SCHEMA_VERSION:
        raise UsageError(
            f"warehouse schema version {version!r} is not {SCHEMA_VERSION!r}: "
            "rebuild the warehouse (remove its folder and run `workforce ingest`)"
        )
    return found


def register_changed(con: duckdb.DuckDBPyConnection, csv: Path) -> bool:
    row = con.execute("SELECT value FROM warehouse_meta WHERE key = 'register_sha256'").fetchone()
    return (row[0] if row else None) != sha256_file(csv)


def refresh_organisations(con: duckdb.DuckDBPyConnection, csv: Path) -> None:
    """Replace the ``organisations`` table with the register file (inside a transaction)."""
    con.execute("DELETE FROM organisations")
    con.execute(
        "INSERT INTO organisations BY NAME SELECT * FROM read_csv($path, header = true,"
        " all_varchar = false, types = {'headcount_2023': 'BIGINT', 'fte_2023': 'BIGINT',"
        " 'median_salary_2023': 'BIGINT'})",
        {"path": str(csv)},
    )
    con.execute("DELETE FROM warehouse_meta WHERE key = 'register_sha256'")
    con.execute(
        "INSERT INTO warehouse_meta VALUES ('register_sha256', $sha)",
        {"sha": sha256_file(csv)},
    )
