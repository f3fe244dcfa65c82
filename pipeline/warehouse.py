"""Where the warehouse lives and how readers open it.

The warehouse is a folder of DuckDB files, one per published version, and a ``CURRENT`` file
naming the version readers should open.  A load copies the current version, loads into the
copy and, once it is complete and checkpointed, swaps ``CURRENT`` atomically (``os.replace``).
Readers open the version named by ``CURRENT`` read-only, so they never see half a load and
never hold the lock the writer needs: DuckDB allows one read-write process or many read-only
ones per file, and here they never share a file.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

CURRENT = "CURRENT"


class WarehouseMissing(RuntimeError):
    """No load has been published yet."""


def current_path(warehouse: Path) -> Path | None:
    """The published DuckDB file, or None when nothing has been loaded."""
    pointer = warehouse / CURRENT
    try:
        name = pointer.read_text().strip()
    except FileNotFoundError:
        return None
    path = warehouse / name
    return path if name and path.exists() else None


def connect_readonly(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published version."""
    path = current_path(warehouse)
    if path is None:
        raise WarehouseMissing(f"no warehouse at {warehouse}: run `workforce ingest` first")
    return duckdb.connect(str(path), read_only=True)
