"""File-level faults (extracts.md §2, §7): each refuses the whole delivery, with one line naming
the cluster, the date, the file and the column or rule, and loads nothing of it.

Every test loads a good SYNERGY delivery for 2026-09-30 first, then lands an honestly broken
one for 2026-10-31, and checks the exit code, the exact message, that no data changed, that
the refusal is logged once, and that a second run reports it again (exit 1) without changing
the warehouse at all.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from ingest_factories import (
    cluster_delivery,
    data_contents,
    edit_manifest,
    employees,
    ingest,
    ledger,
    make_settings,
    query,
    reseal,
    table,
    warehouse_state,
)

BROKEN = date(2026, 10, 31)
LABEL = "SYNERGY 2026-10-31"


@pytest.fixture
def loaded(tmp_path, capsys):
    """Settings of a warehouse holding one good delivery, and its data before the fault."""
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, "SYNERGY", date(2026, 9, 30))
    assert ingest(settings, capsys)[0] == 0
    return settings, data_contents(settings)


def assert_refused(settings, capsys, before, message: str) -> None:
    code, out = ingest(settings, capsys)
    assert code == 1, out
    assert f"refused: {message}\n" in out
    assert "unchanged: SYNERGY 2026-09-30" in out
    assert data_contents(settings) == before
    assert query(
        settings, "SELECT outcome, reason FROM load_log WHERE extract_date = $d", {"d": BROKEN}
    ) == [("refused", message)]
    # reported again on the next run, exit 1, and nothing written this time
    state = warehouse_state(settings)
    code, out = ingest(settings, capsys)
    assert code == 1
    assert f"refused: {message}\n" in out
    assert warehouse_state(settings) == state


def broken_delivery(settings, **kwargs) -> Path:
    return cluster_delivery(settings.landing, "SYNERGY", BROKEN, **kwargs)


def test_truncated_parquet_whose_checksum_matches(loaded, capsys):
    settings, before = loaded
    folder = broken_delivery(settings)
    data = (folder / "employees.parquet").read_bytes()
    (folder / "employees.parquet").write_bytes(data[: len(data) // 2])
    reseal(folder, "employees.parquet")
    assert (
        hashlib.sha256(data[: len(data) // 2]).hexdigest() in (folder / "manifest.json").read_text()
    )
    code, out = ingest(settings, capsys)
    assert code == 1
    line = next(x for x in out.splitlines() if x.startswith("refused:"))
    assert line.startswith(f"refused: {LABEL} employees.parquet: not a readable parquet file (")
    assert data_contents(settings) == before


def test_corrupt_data_page_behind_a_good_footer(loaded, capsys):
    settings, before = loaded
    folder = broken_delivery(settings)
    path = folder / "employees.parquet"
    data = bytearray(path.read_bytes())
    for i in range(8, len(data) // 2, 7):  # scramble the column chunks, keep the footer
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    reseal(folder, "employees.parquet")
    code, out = ingest(settings, capsys)
    assert code == 1
    line = next(x for x in out.splitlines() if x.startswith("refused:"))
    assert line.startswith(f"refused: {LABEL} employees.parquet: not a readable parquet file (")
    assert data_contents(settings) == before


def test_checksum_mismatch(loaded, capsys):
    settings, before = loaded
    folder = broken_delivery(settings)
    edit_manifest(folder, lambda m: m["files"]["ledger.parquet"].update(sha256="0" * 64))
    actual = hashlib.sha256((folder / "ledger.parquet").read_bytes()).hexdigest()
    assert_refused(
        settings,
        capsys,
        before,
        f"{LABEL} ledger.parquet: sha256 {actual[:12]}…"
        " does not match the manifest's 000000000000…",
    )


def test_row_count_mismatch(loaded, capsys):
    settings, before = loaded
    folder = broken_delivery(settings)
    edit_manifest(folder, lambda m: m["files"]["employees.parquet"].update(rows=401))
    assert_refused(
        settings,
        capsys,
        before,
        f"{LABEL} employees.parquet: has 400 rows but the manifest says 401",
    )


def test_missing_column(loaded, capsys):
    settings, before = loaded
    emp = table(employees(), "employees.parquet").drop_columns(["fte"])
    broken_delivery(settings, tables={"employees.parquet": emp})
    assert_refused(settings, capsys, before, f"{LABEL} employees.parquet: column fte is missing")


def test_wrong_column_type(loaded, capsys):
    settings, before = loaded
    emp = table(employees(), "employees.parquet")
    emp = emp.set_column(emp.schema.get_field_index("fte"), "fte", pc.cast(emp["fte"], pa.string()))
    broken_delivery(settings, tables={"employees.parquet": emp})
    assert_refused(
        settings,
        capsys,
        before,
        f"{LABEL} employees.parquet: column fte has type string, expected double",
    )


def test_wrong_type_names_every_accepted_type(loaded, capsys):
    settings, before = loaded
    led = table(ledger(), "ledger.parquet")
    led = led.set_column(1, "line_number", pc.cast(led["line_number"], pa.string()))
    broken_delivery(settings, tables={"ledger.parquet": led})
    assert_refused(
        settings,
        capsys,
        before,
        f"{LABEL} ledger.parquet: column line_number has type string, expected int64 or int32",
    )


@pytest.mark.parametrize("name", ["extra.parquet", "../x.parquet", "/etc/passwd"])
def test_unknown_or_path_like_file_name_in_manifest(loaded, capsys, name):
    settings, before = loaded
    folder = broken_delivery(settings)
    # the bait: a valid copy at the path the name points to; it must never be opened
    (folder.parent / "x.parquet").write_bytes((folder / "ledger.parquet").read_bytes())
    edit_manifest(folder, lambda m: m["files"].update({name: m["files"]["ledger.parquet"]}))
    assert_refused(
        settings,
        capsys,
        before,
        f"{LABEL} manifest.json: file {name!r} is not a file of the SYNERGY feed",
    )


def test_file_missing_from_the_manifest(loaded, capsys):
    settings, before = loaded
    folder = broken_delivery(settings)
    edit_manifest(folder, lambda m: m["files"].pop("ledger.parquet"))
    assert_refused(
        settings,
        capsys,
        before,
        f"{LABEL} manifest.json: file 'ledger.parquet' is missing from the manifest",
    )


def test_listed_file_missing_from_the_folder(loaded, capsys):
    settings, before = loaded
    folder = broken_delivery(settings)
    (folder / "contingent_labour.parquet").unlink()
    assert_refused(
        settings,
        capsys,
        before,
        f"{LABEL} contingent_labour.parquet: listed in the manifest but missing from the folder",
    )


def test_unlisted_data_file(loaded, capsys):
    settings, before = loaded
    folder = broken_delivery(settings)
    (folder / "extra.parquet").write_bytes((folder / "ledger.parquet").read_bytes())
    assert_refused(
        settings, capsys, before, f"{LABEL} extra.parquet: data file is not listed in the manifest"
    )


def test_unsupported_contract_version(loaded, capsys):
    settings, before = loaded
    folder = broken_delivery(settings)
    edit_manifest(folder, lambda m: m.update(contract_version="2.0"))
    assert_refused(
        settings,
        capsys,
        before,
        f"{LABEL} manifest.json: unsupported contract version '2.0' (this project reads 1.0)",
    )


def test_manifest_cluster_not_matching_the_folder(loaded, capsys):
    settings, before = loaded
    folder = broken_delivery(settings)
    edit_manifest(folder, lambda m: m.update(cluster="UNITY"))
    assert_refused(
        settings,
        capsys,
        before,
        f"{LABEL} manifest.json: cluster 'UNITY' does not match the folder SYNERGY",
    )


def test_manifest_date_not_matching_the_folder(loaded, capsys):
    settings, before = loaded
    folder = broken_delivery(settings)
    edit_manifest(folder, lambda m: m.update(extract_date="2026-10-30"))
    assert_refused(
        settings,
        capsys,
        before,
        f"{LABEL} manifest.json: extract_date '2026-10-30' does not match the folder 2026-10-31",
    )


def test_manifest_not_json(loaded, capsys):
    settings, before = loaded
    folder = broken_delivery(settings)
    (folder / "manifest.json").write_text('{"contract_version": "1.0",')
    code, out = ingest(settings, capsys)
    assert code == 1
    assert f"refused: {LABEL} manifest.json: not valid JSON (" in out
    assert data_contents(settings) == before


def test_manifest_field_of_the_wrong_kind(loaded, capsys):
    settings, before = loaded
    folder = broken_delivery(settings)
    edit_manifest(folder, lambda m: m["files"]["ledger.parquet"].update(rows="many"))
    assert_refused(
        settings,
        capsys,
        before,
        f"{LABEL} manifest.json: files.ledger.parquet.rows: Input should be a valid integer,"
        " unable to parse string as an integer",
    )


def test_corrected_delivery_loads_on_a_later_run(loaded, capsys):
    settings, _ = loaded
    folder = broken_delivery(settings)
    edit_manifest(folder, lambda m: m["files"]["employees.parquet"].update(rows=401))
    assert ingest(settings, capsys)[0] == 1
    broken_delivery(settings)  # the cluster sends the delivery again, correct this time
    code, out = ingest(settings, capsys)
    assert code == 0, out
    assert f"loaded: {LABEL} (" in out
    assert query(settings, "SELECT count(*) FROM employees_as_at(DATE '2026-10-31')") == [(400,)]


def test_refused_delivery_removed_from_landing_stops_failing(loaded, capsys):
    settings, _ = loaded
    folder = broken_delivery(settings)
    edit_manifest(folder, lambda m: m.update(contract_version="2.0"))
    assert ingest(settings, capsys)[0] == 1
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
    assert ingest(settings, capsys)[0] == 0


def test_extra_columns_are_ignored_and_reported(tmp_path, capsys):
    settings = make_settings(tmp_path)
    emp = table(employees(), "employees.parquet").append_column("shoe_size", pa.array([42] * 400))
    cluster_delivery(settings.landing, tables={"employees.parquet": emp})
    code, out = ingest(settings, capsys)
    assert code == 0
    assert "extra columns ignored: employees.parquet: shoe_size" in out
    files = query(settings, "SELECT files FROM load_log")[0][0]
    assert {f["name"]: f["extra_columns"] for f in files}["employees.parquet"] == ["shoe_size"]


def test_unreadable_file(loaded, capsys):
    settings, before = loaded
    folder = broken_delivery(settings)
    (folder / "ledger.parquet").unlink()
    (folder / "ledger.parquet").mkdir()  # a name that cannot be read as a file
    code, out = ingest(settings, capsys)
    assert code == 1
    assert f"refused: {LABEL} ledger.parquet: " in out
    assert data_contents(settings) == before
