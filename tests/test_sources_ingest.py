"""Native deliveries through ``workforce ingest`` (sources.md §1, §4): loaded like contract
deliveries (quarantine, the 0.5% refusal, idempotency, restatement), refused in one line when
the mapping or the secret is missing, re-tried once the mapping changes or the secret is set,
and never keeping an NI number or a date of birth anywhere."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from ingest_factories import cluster_delivery, query, warehouse_state
from native_factories import (
    KNOWN_DOB,
    KNOWN_NI,
    MAPPINGS,
    ORACLE_WORKERS,
    SECRET,
    copy_mappings,
    golden_delivery,
    manifest,
    native_settings,
    oracle_delivery,
    oracle_rows,
)

from core.systems import NATIVE_FILES
from core.warehouse import current_path
from pipeline.ingest import ingest_main, status_main
from pipeline.sources.person_key import person_key

TODAY = date(2026, 11, 30)
OCT = date(2026, 10, 31)
ORACLE = "DEFENCE 2026-10-31"


def ingest(settings, capsys) -> tuple[int, str]:
    code = ingest_main(settings, today=TODAY)
    return code, capsys.readouterr().out


def refusals(settings) -> int:
    return query(settings, "SELECT count(*) FROM load_log WHERE outcome = 'refused'")[0][0]


def test_the_three_golden_deliveries_load_beside_a_contract_delivery(tmp_path, capsys):
    settings = native_settings(tmp_path)
    for system in ("oracle_hcm", "workday", "sap_successfactors"):
        golden_delivery(settings.landing, system)
    cluster_delivery(settings.landing, "SYNERGY", OCT)
    code, out = ingest(settings, capsys)
    assert code == 0, out
    for label in ("DEFENCE", "MATRIX", "UNITY", "SYNERGY"):
        assert f"loaded: {label} 2026-10-31 (" in out
    as_at = "SELECT cluster::VARCHAR, count(*) FROM employees_as_at($d) GROUP BY 1 ORDER BY 1"
    assert query(settings, as_at, {"d": OCT}) == [
        ("DEFENCE", 4), ("MATRIX", 3), ("SYNERGY", 400), ("UNITY", 3)
    ]  # fmt: skip
    keys = query(settings, "SELECT person_key FROM persons ORDER BY person_id")
    assert (person_key("AB123456C", SECRET),) in keys
    spend = "SELECT sum(amount_gbp) FROM ledger_lines WHERE cluster = 'DEFENCE'"
    assert query(settings, spend)[0][0] == Decimal("1204567.89") + 312000 - 2500 + Decimal(
        "8000.25"
    )
    files = query(settings, "SELECT files FROM load_log WHERE feed = 'DEFENCE'")[0][0]
    assert [f["name"] for f in files] == [
        "workers.csv",
        "contingent_workers.csv",
        "journal_lines.csv",
    ]
    assert files[0]["extra_columns"] == ["PersonNumber"]
    logged = "SELECT mapping, mapping_system, mapping_sha256 FROM load_log WHERE feed = 'UNITY'"
    sha = hashlib.sha256((MAPPINGS / "golden_sap.toml").read_bytes()).hexdigest()
    assert query(settings, logged) == [("golden_sap.toml", "sap_successfactors", sha)]
    contract = "SELECT mapping FROM load_log WHERE feed = 'SYNERGY'"
    assert query(settings, contract) == [(None,)]
    # idempotent: the same bytes again change nothing
    state = warehouse_state(settings)
    code, out = ingest(settings, capsys)
    assert code == 0 and "unchanged: DEFENCE 2026-10-31" in out
    assert warehouse_state(settings) == state


def test_a_changed_native_file_is_a_restatement(tmp_path, capsys):
    settings = native_settings(tmp_path)
    oracle_delivery(settings.landing)
    assert ingest(settings, capsys)[0] == 0
    rows = oracle_rows()[:-1]  # someone left: restated without them
    oracle_delivery(settings.landing, rows)
    code, out = ingest(settings, capsys)
    assert code == 0 and "restated (replaces load 1): DEFENCE 2026-10-31" in out
    assert query(settings, "SELECT count(*) FROM employees_as_at($d)", {"d": OCT}) == [(399,)]


def test_no_secret_refuses_in_one_line_until_it_is_set(tmp_path, capsys):
    settings = native_settings(tmp_path, secret=None)
    oracle_delivery(settings.landing)
    reason = (
        f"{ORACLE}: no secret to make person_key from the NI numbers: set"
        " WORKFORCE_PERSON_KEY_SECRET to load native deliveries"
    )
    code, out = ingest(settings, capsys)
    assert code == 1 and f"refused: {reason}" in out.splitlines()
    code, out = ingest(settings, capsys)  # the same again, not logged twice
    assert code == 1 and f"refused: {reason}" in out.splitlines() and refusals(settings) == 1
    code, out = ingest(native_settings(tmp_path), capsys)
    assert code == 0, out
    assert f"loaded: {ORACLE} (" in out


def test_a_missing_mapping_is_refused_and_retried_once_it_exists(tmp_path, capsys):
    mappings = copy_mappings(tmp_path)
    (mappings / "golden_oracle.toml").rename(tmp_path / "aside.toml")
    settings = native_settings(tmp_path, mappings=mappings)
    oracle_delivery(settings.landing)
    code, out = ingest(settings, capsys)
    reason = f"{ORACLE}: mapping golden_oracle.toml: not found in the mappings folder {mappings}"
    assert code == 1 and f"refused: {reason}" in out.splitlines()
    (tmp_path / "aside.toml").rename(mappings / "golden_oracle.toml")
    code, out = ingest(settings, capsys)
    assert code == 0 and f"loaded: {ORACLE} (" in out


def test_a_mapping_name_that_is_a_path_is_refused(tmp_path, capsys):
    settings = native_settings(tmp_path)
    folder = oracle_delivery(settings.landing, mapping="../golden_oracle")
    code, out = ingest(settings, capsys)
    assert code == 1
    assert f"refused: {ORACLE} manifest.json: mapping: String should match pattern" in out
    assert folder.exists()


def test_unmapped_values_quarantine_their_rows_with_the_table_to_add_them_to(tmp_path, capsys):
    settings = native_settings(tmp_path)
    rows = oracle_rows(400)
    rows[3]["GradeCode"] = "B3"
    oracle_delivery(settings.landing, rows)
    code, out = ingest(settings, capsys)
    assert code == 0 and f"loaded with 1 rows quarantined: {ORACLE} (" in out
    held = 'SELECT file, row_number, reason, "row" FROM quarantine'
    ((file, row, reason, kept),) = query(settings, held)
    assert (file, row, reason) == (
        "workers.csv",
        3,
        "grade 'B3' is not in golden_oracle.toml [grade]",
    )
    kept = json.loads(kept)
    assert kept["GradeCode"] == "B3" and kept["AssignmentNumber"] == "E00003"
    assert "NationalIdentifier" not in kept and "DateOfBirth" not in kept


def test_past_the_limit_the_refusal_lists_each_unmapped_value_and_a_changed_mapping_retries(
    tmp_path, capsys
):
    mappings = copy_mappings(tmp_path)
    settings = native_settings(tmp_path, mappings=mappings)
    rows = oracle_rows(400)
    for i in (3, 4, 5):
        rows[i]["GradeCode"] = "B3"
    rows[6]["LocationCode"] = "FSL"
    oracle_delivery(settings.landing, rows)
    reason = (
        f"{ORACLE} workers.csv: 4 of 400 rows (1%) broke rules (limit 0.5%):"
        " 3 × grade 'B3' is not in golden_oracle.toml [grade],"
        " 1 × region 'FSL' is not in golden_oracle.toml [region]"
    )
    code, out = ingest(settings, capsys)
    assert code == 1 and f"refused: {reason}" in out.splitlines()
    assert query(settings, "SELECT count(*) FROM snapshots") == [(0,)]  # nothing loaded
    assert query(settings, "SELECT count(*) FROM quarantine") == [(0,)]
    assert ingest(settings, capsys)[0] == 1 and refusals(settings) == 1  # same bytes: not retried
    path = mappings / "golden_oracle.toml"
    text = path.read_text().replace('D = "EO"', 'D = "EO"\nB3 = "G6"')
    path.write_text(text.replace('"GLA" = "TLM"', '"GLA" = "TLM"\n"FSL" = "TLJ"'))
    code, out = ingest(settings, capsys)
    assert code == 0 and f"loaded: {ORACLE} (" in out, out
    grades = (
        "SELECT grade::VARCHAR, count(*) FROM employees_as_at($d) WHERE grade = 'G6' GROUP BY 1"
    )
    assert query(settings, grades, {"d": OCT}) == [("G6", 80 - 1 + 3)]  # row 5 was B1


def test_a_malformed_ni_number_quarantines_the_row_without_naming_it(tmp_path, capsys):
    settings = native_settings(tmp_path)
    rows = oracle_rows(400)
    rows[8]["NationalIdentifier"] = "QQ 12 34 5"
    oracle_delivery(settings.landing, rows)
    code, out = ingest(settings, capsys)
    assert code == 0, out
    (reason, kept), = query(settings, 'SELECT reason, "row" FROM quarantine')  # fmt: skip
    assert (
        reason == "NationalIdentifier is not a national insurance number (2 letters, 6 digits, A-D)"
    )
    assert "QQ" not in kept and "QQ" not in out


def test_ni_numbers_and_birth_dates_reach_no_table_file_log_or_output(tmp_path, capsys):
    settings = native_settings(tmp_path)
    rows = oracle_rows(400)
    rows[0]["GradeCode"] = "B3"  # the row with the known NI number is quarantined
    rows[1]["DateOfBirth"] = "01/01/2015"  # under 16: quarantined, the date not named
    oracle_delivery(settings.landing, rows)
    later = oracle_rows(400)
    later[0]["DateOfBirth"] = "31/02/1977"  # unparseable: refused without the date
    oracle_delivery(settings.landing, later, when=date(2026, 11, 29))
    code, out = ingest(settings, capsys)
    assert code == 1
    assert "DEFENCE 2026-11-29 workers.csv: column DateOfBirth, row 1: is not a date" in out
    assert status_main(settings, "json") == 0
    status = capsys.readouterr().out
    reasons = str(query(settings, 'SELECT reason, "row" FROM quarantine'))
    assert "under 16" in reasons
    forms = {KNOWN_NI, KNOWN_NI.replace(" ", ""), KNOWN_DOB, "1977-06-17", "31/02/1977",
             "01/01/2015", "2015-01-01"}  # fmt: skip
    stored = b"".join(p.read_bytes() for p in Path(settings.warehouse).rglob("*") if p.is_file())
    tables = [t for (t,) in query(settings, "SELECT table_name FROM duckdb_tables()")]
    stored += str([query(settings, f'SELECT * FROM "{t}"') for t in tables]).encode()  # compressed
    for form in forms:
        assert form.encode() not in stored, form
        assert form not in out and form not in status and form not in reasons, form


def test_a_linked_or_unlisted_csv_is_refused(tmp_path, capsys):
    settings = native_settings(tmp_path)
    folder = oracle_delivery(settings.landing)
    (folder / "notes.csv").write_text("a\n1\n")
    code, out = ingest(settings, capsys)
    assert code == 1
    assert f"refused: {ORACLE} notes.csv: data file is not listed in the manifest" in out
    (folder / "notes.csv").unlink()
    target = tmp_path / "elsewhere.csv"
    (folder / "workers.csv").rename(target)
    (folder / "workers.csv").symlink_to(target)
    code, out = ingest(settings, capsys)
    assert code == 1
    assert (
        f"refused: {ORACLE} workers.csv: a symbolic link; deliveries must be real files inside"
        " the landing zone" in out.splitlines()
    )


def test_a_day_without_journal_lines_and_an_empty_workers_file(tmp_path, capsys):
    settings = native_settings(tmp_path)
    folder = oracle_delivery(settings.landing)
    (folder / "journal_lines.csv").write_bytes(
        (folder / "journal_lines.csv").read_bytes().split(b"\r\n")[0] + b"\r\n"
    )
    manifest(folder, "DEFENCE", OCT, "golden_oracle")
    code, out = ingest(settings, capsys)
    assert code == 0 and f"loaded: {ORACLE} (" in out
    empty = oracle_delivery(settings.landing, [], when=date(2026, 11, 29))
    code, out = ingest(settings, capsys)
    assert code == 1
    assert (
        "refused: DEFENCE 2026-11-29 workers.csv: has no rows: a full snapshot cannot be empty;"
        " if the cluster really has nobody in post, load it with --allow-empty"
        " DEFENCE/2026-11-29" in out.splitlines()
    )
    code = ingest_main(settings, today=TODAY, allow_empty={("DEFENCE", date(2026, 11, 29))})
    assert code == 0 and "loaded: DEFENCE 2026-11-29 (" in capsys.readouterr().out
    assert empty.exists()


def test_a_changed_mapping_does_not_restate_deliveries_already_loaded(tmp_path, capsys):
    """Only a refusal is re-tried (sources.md §1): history loaded under a mapping stays as it
    was; a cluster restates a date by sending it again."""
    mappings = copy_mappings(tmp_path)
    settings = native_settings(tmp_path, mappings=mappings)
    oracle_delivery(settings.landing)
    assert ingest(settings, capsys)[0] == 0
    path = mappings / "golden_oracle.toml"
    path.write_text(path.read_text().replace('B1 = "G6"', 'B1 = "G7"'))
    state = warehouse_state(settings)
    code, out = ingest(settings, capsys)
    assert code == 0 and f"unchanged: {ORACLE}" in out
    assert warehouse_state(settings) == state


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"mapping": 5}, "manifest.json: mapping: Input should be a valid string"),
        (
            {"files": {"workers.csv": {}}},
            "manifest.json: files.workers.csv.rows: Field required",
        ),
    ],
)
def test_a_native_manifest_is_checked_like_a_contract_one(tmp_path, capsys, change, reason):
    settings = native_settings(tmp_path)
    folder = oracle_delivery(settings.landing)
    document = json.loads((folder / "manifest.json").read_text())
    document.update(change)
    (folder / "manifest.json").write_text(json.dumps(document))
    code, out = ingest(settings, capsys)
    assert code == 1 and f"refused: {ORACLE} {reason}" in out.splitlines(), out


def test_a_version_3_warehouse_gains_the_mapping_columns(tmp_path, capsys):
    settings = native_settings(tmp_path)
    cluster_delivery(settings.landing, "SYNERGY", OCT)
    assert ingest(settings, capsys)[0] == 0
    with duckdb.connect(str(current_path(settings.warehouse))) as con:
        for column in ("mapping", "mapping_system", "mapping_sha256"):
            con.execute(f"ALTER TABLE load_log DROP COLUMN {column}")
        con.execute("UPDATE warehouse_meta SET value = '3' WHERE key = 'schema_version'")
    oracle_delivery(settings.landing)
    code, out = ingest(settings, capsys)
    assert code == 0 and "warehouse schema upgraded from version 3 to 4" in out
    logged = "SELECT feed::VARCHAR, mapping, mapping_system FROM load_log ORDER BY load_id"
    assert query(settings, logged) == [
        ("SYNERGY", None, None), ("DEFENCE", "golden_oracle.toml", "oracle_hcm")
    ]  # fmt: skip


def test_values_and_names_from_the_files_are_printed_escaped(tmp_path, capsys):
    settings = native_settings(tmp_path)
    rows = oracle_rows(400)
    for i in (3, 4, 5):
        rows[i]["GradeCode"] = "B\x1b[2J\x07"
    columns = [*ORACLE_WORKERS, "Note\x1b]8;;x"]
    oracle_delivery(settings.landing, rows, columns=columns)
    code, out = ingest(settings, capsys)
    assert code == 1
    assert "3 × grade 'B\\x1b[2J\\x07' is not in golden_oracle.toml [grade]" in out
    assert "\x1b" not in out and "\x07" not in out


def test_a_run_over_several_nights_keys_each_person_as_one_run_a_night_does(tmp_path, capsys):
    """Two nights of a cluster in one run give the warehouse a run per night makes: the
    same person_keys and quarantine."""
    nights = [oracle_rows(400), oracle_rows(400)]
    nights[1][8]["NationalIdentifier"] = "QQ 12 34 5"  # malformed: quarantined either way
    nights[1][9]["NationalIdentifier"] = "zz 99 88 77 d"  # a new person, written loosely
    stored = []
    for together in (True, False):
        settings = native_settings(tmp_path / str(together))
        for rows, when in zip(nights, (date(2026, 11, 28), date(2026, 11, 29)), strict=True):
            folder = oracle_delivery(settings.landing, rows, when=when)
            if rows is nights[1]:  # the journal lines were sent the night before
                journal = folder / "journal_lines.csv"
                journal.write_bytes(journal.read_bytes().split(b"\r\n")[0] + b"\r\n")
                manifest(folder, "DEFENCE", when, "golden_oracle")
            if not together:
                assert ingest(settings, capsys)[0] == 0
        code, out = ingest(settings, capsys)
        assert code == 0, out
        stored.append(
            query(settings, "SELECT person_key FROM persons ORDER BY ALL")
            + query(settings, "SELECT extract_date, reason FROM quarantine ORDER BY ALL")
        )
    assert stored[0] == stored[1]
    assert (person_key("ZZ998877D", SECRET),) in stored[0]
    assert (person_key("AA000008B", SECRET),) in stored[0]  # the first night's
    assert len([row for row in stored[0] if len(row) == 1]) == 401  # 400 people and 1 new


def test_each_csv_is_read_from_disk_twice(tmp_path, capsys, monkeypatch):
    """The fingerprint reads and hashes each CSV; the check reads it once more and keeps the
    text, from which its header and rows are parsed: no third open."""
    settings = native_settings(tmp_path)
    oracle_delivery(settings.landing, oracle_rows(400))
    opened, real_open = Counter(), Path.open

    def counting_open(self, *args, **kwargs):
        if self.name in NATIVE_FILES:
            opened[self.name] += 1
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", counting_open)
    code, out = ingest(settings, capsys)
    assert code == 0, out
    assert set(opened) == set(NATIVE_FILES)
    assert set(opened.values()) == {2}, opened
