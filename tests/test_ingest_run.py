"""A whole `workforce ingest` run: discovery, idempotency, exit codes, publication, status."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from ingest_factories import (
    cluster_delivery,
    data_contents,
    edit_manifest,
    employees,
    ingest,
    make_settings,
    milestones,
    programme_delivery,
    query,
    warehouse_state,
)

from core.contract import ContingentRow, EmployeeRow, column_specs
from core.errors import UsageError
from core.warehouse import WarehouseMissing, connect_readonly, current_path, versions
from pipeline.ingest import status_main
from pipeline.ingest.load import CONTINGENT, EMPLOYEES, MANAGERS, SALARIES
from pipeline.ingest.rules import faults_sql, row_rules
from pipeline.ingest.schema import SCHEMA_SQL, SCHEMA_VERSION
from pipeline.sql import Params

SEP, OCT, NOV = date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 30)
WORKFORCE = Path(sys.executable).with_name("workforce")


def cli(*args: str, settings) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(WORKFORCE), *args, "--warehouse", str(settings.warehouse)]
        + (["--landing", str(settings.landing)] if args[0] == "ingest" else []),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )


def test_the_same_landing_zone_twice_changes_nothing(tmp_path, capsys):
    settings = make_settings(tmp_path)
    for when in (SEP, OCT):
        cluster_delivery(settings.landing, "SYNERGY", when)
        cluster_delivery(settings.landing, "UNITY", when)
    programme_delivery(settings.landing, OCT)
    code, out = ingest(settings, capsys)
    assert code == 0
    assert out.count("loaded: ") == 5
    state, files = warehouse_state(settings), sorted(p.name for p in settings.warehouse.iterdir())
    code, out = ingest(settings, capsys)
    assert code == 0
    assert out.count("unchanged: ") == 5
    assert out.splitlines()[-1].startswith(
        "ingest: 5 deliveries: 0 loaded, 0 loaded with quarantine, 0 restated, 5 unchanged,"
        " 0 incomplete, 0 refused; warehouse unchanged"
    )
    assert warehouse_state(settings) == state
    assert sorted(p.name for p in settings.warehouse.iterdir()) == files


def test_a_new_manifest_over_the_same_data_is_unchanged(tmp_path, capsys):
    settings = make_settings(tmp_path)
    folder = cluster_delivery(settings.landing)
    assert ingest(settings, capsys)[0] == 0
    edit_manifest(folder, lambda m: m.update(generated_at="2026-11-02T09:00:00Z"))
    state = warehouse_state(settings)
    code, out = ingest(settings, capsys)
    assert (code, "unchanged: SYNERGY 2026-10-31" in out) == (0, True)
    assert warehouse_state(settings) == state


def test_incomplete_delivery_is_skipped_then_loaded_once_complete(tmp_path, capsys):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, "SYNERGY", SEP)
    folder = cluster_delivery(settings.landing, "SYNERGY", OCT)
    manifest = (folder / "manifest.json").read_bytes()
    (folder / "manifest.json").unlink()  # still in flight: data files written, manifest not yet
    code, out = ingest(settings, capsys)
    assert code == 0
    assert "skipped (incomplete): SYNERGY 2026-10-31: no manifest.json yet" in out
    assert query(settings, "SELECT extract_date FROM snapshots") == [(SEP,)]
    (folder / "manifest.json").write_bytes(manifest)
    code, out = ingest(settings, capsys)
    assert code == 0
    assert "loaded: SYNERGY 2026-10-31 (" in out
    assert query(settings, "SELECT extract_date FROM snapshots ORDER BY 1") == [(SEP,), (OCT,)]


def test_deliveries_load_oldest_first(tmp_path, capsys):
    settings = make_settings(tmp_path)
    for cluster, when in (("UNITY", NOV), ("SYNERGY", OCT), ("UNITY", SEP), ("SYNERGY", SEP)):
        cluster_delivery(settings.landing, cluster, when)
    programme_delivery(settings.landing, OCT)
    code, out = ingest(settings, capsys)
    assert code == 0
    order = [
        line.split(": ")[1].split(" (")[0] for line in out.splitlines() if line.startswith("loaded")
    ]
    assert order == [
        "SYNERGY 2026-09-30",
        "UNITY 2026-09-30",
        "SYNERGY 2026-10-31",
        "PROGRAMME 2026-10-31",
        "UNITY 2026-11-30",
    ]
    assert query(settings, "SELECT feed::VARCHAR, extract_date FROM load_log ORDER BY load_id")[
        0
    ] == ("SYNERGY", SEP)


def test_cli_exit_code_1_when_one_is_refused_while_the_others_load(tmp_path):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, "SYNERGY", OCT)
    bad = cluster_delivery(settings.landing, "UNITY", OCT)
    edit_manifest(bad, lambda m: m.update(contract_version="2.0"))
    done = cli("ingest", settings=settings)
    assert done.returncode == 1, done.stderr
    assert "loaded: SYNERGY 2026-10-31 (" in done.stdout
    assert (
        "refused: UNITY 2026-10-31 manifest.json: unsupported contract version '2.0'"
        " (this project reads 1.0)\n"
    ) in done.stdout
    assert query(settings, "SELECT feed::VARCHAR FROM snapshots") == [("SYNERGY",)]
    again = cli("ingest", settings=settings)
    assert again.returncode == 1
    assert "unchanged: SYNERGY 2026-10-31" in again.stdout
    assert "refused: UNITY 2026-10-31 manifest.json: unsupported contract version" in again.stdout
    status = cli("status", "--format", "json", settings=settings)
    assert status.returncode == 0
    report = json.loads(status.stdout)
    assert [(r["feed"], r["extract_date"]) for r in report["refused"]] == [("UNITY", "2026-10-31")]
    assert len(report["load_log"]) == 2  # the repeated refusal is not logged twice


def test_cli_exit_code_0_with_quarantined_rows_and_incomplete_deliveries(tmp_path):
    settings = make_settings(tmp_path)
    rows = employees()
    rows[5]["fte"] = 7.0
    cluster_delivery(settings.landing, "SYNERGY", OCT, employees_rows=rows)
    (cluster_delivery(settings.landing, "SYNERGY", NOV) / "manifest.json").unlink()
    done = cli("ingest", settings=settings)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "loaded with 1 rows quarantined: SYNERGY 2026-10-31 (" in done.stdout
    assert "skipped (incomplete): SYNERGY 2026-11-30" in done.stdout


def test_status_table_and_json(tmp_path, capsys):
    settings = make_settings(tmp_path)
    rows = employees()
    rows[5]["grade"] = "X"
    cluster_delivery(settings.landing, "SYNERGY", SEP)
    cluster_delivery(settings.landing, "SYNERGY", OCT, employees_rows=rows)
    bad = cluster_delivery(settings.landing, "UNITY", OCT)
    edit_manifest(bad, lambda m: m.update(cluster="MATRIX"))
    assert ingest(settings, capsys)[0] == 1
    assert status_main(settings, "table") == 0
    out = capsys.readouterr().out
    assert "SYNERGY" in out and "2026-10-31" in out and "loaded_with_quarantine" in out
    assert "quarantined rows held back (all loaded dates): 1" in out
    assert (
        "  UNITY 2026-10-31 manifest.json: cluster 'MATRIX' does not match the folder UNITY\n"
        in out
    )
    assert status_main(settings, "json") == 0
    report = json.loads(capsys.readouterr().out)
    (synergy,) = report["feeds"]
    assert synergy | {"loaded_at": None} == {
        "feed": "SYNERGY",
        "latest_extract_date": "2026-10-31",
        "snapshots": 2,
        "loaded_at": None,
        "outcome": "loaded_with_quarantine",
        "rows_loaded": 1199,
        "rows_quarantined": 1,
        "quarantined_in_effect": 1,
    }
    first = report["load_log"][0]
    assert first["source_system"] == "Test HR" and first["outcome"] == "loaded"
    assert {f["name"]: f["rows"] for f in first["files"]} == {
        "employees.parquet": 400,
        "contingent_labour.parquet": 400,
        "ledger.parquet": 400,
    }
    assert all(len(f["sha256"]) == 64 for f in first["files"])
    assert first["duration_ms"] >= 0 and first["started_at"] <= first["finished_at"]


def test_status_without_a_warehouse(tmp_path, capsys):
    assert status_main(make_settings(tmp_path), "table") == 2
    assert "run `workforce ingest` first" in capsys.readouterr().err


def test_programme_deliveries_are_kept_whole(tmp_path, capsys):
    settings = make_settings(tmp_path)
    programme_delivery(settings.landing, SEP)
    slipped = milestones()
    slipped[2]["forecast_date"] = date(2027, 6, 1)
    programme_delivery(settings.landing, OCT, milestone_rows=slipped)
    assert ingest(settings, capsys)[0] == 0
    forecast = "SELECT forecast_date FROM milestones_as_at($d) WHERE milestone_id = 'M002'"
    assert query(settings, forecast, {"d": SEP}) == [(milestones()[2]["forecast_date"],)]
    assert query(settings, forecast, {"d": NOV}) == [(date(2027, 6, 1),)]
    assert query(
        settings, "SELECT extract_date, count(*) FROM milestone_snapshots GROUP BY 1 ORDER BY 1"
    ) == [(SEP, 10), (OCT, 10)]
    assert query(settings, "SELECT count(*) FROM benefits_as_at($d)", {"d": OCT}) == [(4,)]


def test_an_older_warehouse_is_upgraded_and_a_newer_one_refused_in_one_line(tmp_path, capsys):
    settings = make_settings(tmp_path)
    mover = employees(1, "SYNERGY", first=50)[0]
    moved = dict(mover, organisation_code="HMRC", employee_id="U1", manager_employee_id=None)
    cluster_delivery(settings.landing, "SYNERGY", SEP, employees_rows=[*employees(10), mover])
    cluster_delivery(
        settings.landing, "UNITY", OCT, employees_rows=[*employees(10, "UNITY"), moved]
    )
    assert ingest(settings, capsys)[0] == 0
    movers = "SELECT DISTINCT p.person_key FROM mover_history JOIN persons AS p USING (person_id)"
    version = "SELECT value FROM warehouse_meta WHERE key = 'schema_version'"
    assert query(settings, movers) == [(mover["person_key"],)]

    marts = "SELECT * FROM month_end_groups ORDER BY ALL"
    built = query(settings, marts)
    assert built  # September and October, with the October view read from both clusters

    def set_version(value: str, drop_movers: bool = False) -> None:
        with duckdb.connect(str(current_path(settings.warehouse))) as con:
            if drop_movers:  # what version 1 did not have
                for table in ("mover_history", "month_end_groups", "latest_groups"):
                    con.execute(f"DROP TABLE {table}")
            con.execute(
                "UPDATE warehouse_meta SET value = $v WHERE key = 'schema_version'", {"v": value}
            )

    # a warehouse of schema version 1 (no mover_history): nothing new to load, still upgraded
    set_version("1", drop_movers=True)
    code, out = ingest(settings, capsys)
    assert code == 0, out
    assert f"warehouse schema upgraded from version 1 to {SCHEMA_VERSION}" in out
    assert query(settings, marts) == built  # the mart rebuilt whole
    assert query(settings, version) == [(SCHEMA_VERSION,)]
    assert query(settings, movers) == [(mover["person_key"],)]
    # filled with every version of the one mover (the fixture has no other)
    kept = "SELECT cluster, person_id, organisation_start_date, valid_from, valid_to"
    of_mover = "WHERE person_id = (SELECT min(person_id) FROM mover_history) ORDER BY ALL"
    assert query(settings, f"{kept} FROM mover_history ORDER BY ALL") == query(
        settings, f"{kept} FROM employee_history {of_mover}"
    )
    assert "published" not in ingest(settings, capsys)[1]  # and then left alone
    # a version this program does not know: refused in one line, the warehouse untouched
    set_version("99")
    state = warehouse_state(settings)
    with pytest.raises(UsageError) as refused:
        ingest(settings, capsys)
    assert str(refused.value).startswith(
        f"warehouse schema version '99' is not '{SCHEMA_VERSION}': rebuild"
    )
    assert "\n" not in str(refused.value)
    assert warehouse_state(settings) == state


def test_publication_keeps_the_current_and_previous_versions(tmp_path, capsys):
    settings = make_settings(tmp_path)
    for when in (SEP, OCT, NOV):
        cluster_delivery(settings.landing, "SYNERGY", when)
        assert ingest(settings, capsys)[0] == 0
    assert sorted(versions(settings.warehouse)) == [2, 3]
    assert (settings.warehouse / "CURRENT").read_text() == "wh-000003.duckdb\n"
    assert not list(settings.warehouse.glob("*.wal"))


def test_missing_landing_zone_is_bad_input(tmp_path):
    done = cli("ingest", settings=make_settings(tmp_path))
    assert done.returncode == 2
    assert done.stderr.startswith("workforce ingest: landing zone ")
    assert done.stderr.endswith(" does not exist or is not a folder\n")
    assert "Traceback" not in done.stderr


def test_empty_landing_zone_makes_an_empty_warehouse(tmp_path, capsys):
    settings = make_settings(tmp_path)
    settings.landing.mkdir()
    code, _out = ingest(settings, capsys)
    assert code == 0
    assert query(settings, "SELECT count(*) FROM employees_as_at(DATE '2026-01-01')") == [(0,)]
    state = warehouse_state(settings)
    assert ingest(settings, capsys)[0] == 0
    assert warehouse_state(settings) == state


def test_folders_that_are_not_deliveries_are_reported(tmp_path, capsys):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, "SYNERGY", OCT)
    (settings.landing / "ELSEWHERE" / "2026-10-31").mkdir(parents=True)
    (settings.landing / "SYNERGY" / "latest").mkdir()
    code, out = ingest(settings, capsys)
    assert code == 0
    assert f"ignored {settings.landing / 'ELSEWHERE'}: not a feed of the contract" in out
    assert (
        f"ignored {settings.landing / 'SYNERGY' / 'latest'}: not a YYYY-MM-DD extract date folder"
        in out
    )


def test_connect_readonly_without_a_warehouse(tmp_path):
    with pytest.raises(WarehouseMissing):
        connect_readonly(tmp_path)


def test_readers_cannot_write(tmp_path, capsys):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing)
    ingest(settings, capsys)
    with connect_readonly(settings.warehouse) as con, pytest.raises(duckdb.Error):
        con.execute("DELETE FROM snapshots")


# --- the schema and the SQL follow the contract -------------------------------------------


def test_schema_sql_documents_every_table_and_follows_the_contract(tmp_path, capsys):
    settings = make_settings(tmp_path)
    settings.landing.mkdir()
    assert ingest(settings, capsys)[0] == 0
    text = SCHEMA_SQL.read_text()
    tables = [t for (t,) in query(settings, "SELECT table_name FROM duckdb_tables() ORDER BY 1")]
    for table in tables:
        before = text.split(f"CREATE TABLE {table} (")[0].rstrip().splitlines()[-1]
        assert before.startswith("-- "), f"{table} has no comment in schema.sql"
    for history in (EMPLOYEES, SALARIES, MANAGERS, CONTINGENT):
        columns = [
            c for (c,) in query(settings, f"SELECT column_name FROM (DESCRIBE {history.name})")
        ]
        assert columns == ["cluster", *history.key, *history.content, "valid_from", "valid_to"]
    assert MANAGERS.content == ("manager_person_id", "manager_employee_id")
    kept = {*EMPLOYEES.content, *SALARIES.content, "manager_employee_id", "person_key"}
    assert kept == {s.name for s in column_specs(EmployeeRow)}
    for macro, model in (("employees_as_at", EmployeeRow), ("contingent_as_at", ContingentRow)):
        columns = [
            c
            for (c,) in query(
                settings, f"SELECT column_name FROM (DESCRIBE SELECT * FROM {macro}('2026-01-01'))"
            )
        ]
        assert columns == ["cluster", "extract_date", *(s.name for s in column_specs(model))]


def test_row_rules_bind_every_value():
    """Code lists, bounds, organisations and messages are parameters, never pasted into SQL."""
    p = Params(extract_date=OCT)
    rules = row_rules(EmployeeRow, "employees.parquet", "stage", p, "SYNERGY", ["DWP", "MOJ"])
    sql = faults_sql(rules, "stage", p, "_row")
    for value in ("'", "DWP", "G7", "1000000", "must be", "2026"):
        assert value not in sql
    assert ["DWP", "MOJ"] in p.values.values()
    assert list(p.values["extract_date"].isoformat() for _ in [0]) == ["2026-10-31"]
    assert "fte must be > 0 and <= 1" in p.values.values()


def test_a_loose_version_is_rewritten_compactly_with_everything_in_it(
    tmp_path, capsys, monkeypatch
):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, "SYNERGY", SEP)
    programme_delivery(settings.landing, SEP)
    assert ingest(settings, capsys)[0] == 0
    before = data_contents(settings)
    log = query(settings, "SELECT * FROM load_log")
    monkeypatch.setattr("core.warehouse.COMPACT_FREE_SHARE", -1.0)  # always worth it
    cluster_delivery(settings.landing, "UNITY", OCT)
    code, out = ingest(settings, capsys)
    assert code == 0
    assert "published wh-000002.duckdb (rewritten compactly)" in out
    after = data_contents(settings)
    assert {t: rows for t, rows in after.items() if t != "snapshots"} != {}
    assert query(settings, "SELECT * FROM load_log WHERE load_id <= 2") == log
    assert query(settings, "SELECT count(*) FROM employees_as_at($d)", {"d": OCT}) == [(800,)]
    assert query(settings, "SELECT count(*) FROM milestones_as_at($d)", {"d": OCT}) == [(10,)]
    for table in ("employee_history", "salary_history", "manager_history", "persons"):
        kept = [row for row in after[table] if "UNITY" not in row]
        assert kept == [row for row in before[table] if "UNITY" not in row] or table == "persons"
    assert query(settings, "SELECT block_size FROM pragma_database_size()") == [(65536,)]
