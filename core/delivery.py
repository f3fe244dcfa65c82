"""Writes one delivery folder the way a cluster does: data files first, manifest last."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from core.contract import CONTRACT_VERSION, Manifest, arrow_schema, files_for
from core.hashing import sha256_file


def write_table(table: pa.Table, path: Path) -> None:
    """Parquet with fixed settings so that the same table always gives the same bytes."""
    pq.write_table(
        table,
        path,
        compression="zstd",
        compression_level=3,
        row_group_size=256 * 1024,
        write_statistics=True,
        store_schema=False,
    )


def write_delivery(
    landing: Path,
    feed: str,
    extract_date: date,
    tables: dict[str, pa.Table],
    *,
    generated_at: datetime,
    source_system: str | None = None,
    conform: bool = True,
) -> Path:
    """Write ``<landing>/<feed>/<date>/`` with its tables and a manifest, and return the folder.

    With ``conform`` (the default) each table is cast to the contract's Arrow schema first, so
    a conforming generator cannot drift from the contract by accident.  Tests that need a broken
    file pass ``conform=False``.
    """
    folder = landing / feed / extract_date.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    models = files_for(feed)
    entries = {}
    for name, table in tables.items():
        if conform and name in models:
            table = table.select(arrow_schema(models[name]).names).cast(arrow_schema(models[name]))
        path = folder / name
        write_table(table, path)
        entries[name] = {"rows": table.num_rows, "sha256": sha256_file(path)}
    manifest = {
        "contract_version": CONTRACT_VERSION,
        "cluster": feed,
        "extract_date": extract_date.isoformat(),
        "source_system": source_system,
        "generated_at": generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "files": entries,
    }
    if conform:
        Manifest.model_validate(manifest)
    tmp = folder / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2) + "\n")
    tmp.replace(folder / "manifest.json")
    return folder
