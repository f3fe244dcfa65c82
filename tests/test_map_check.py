"""``workforce map check FOLDER`` (cli.md): a dry run of one native delivery that writes
nothing, lists what the mapping lacks with counts and the table to add each value to, and
exits 0 (would load), 1 (would be refused) or 2 (bad usage)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from ingest_factories import REFERENCE, cluster_delivery
from native_factories import (
    KNOWN_DOB,
    KNOWN_NI,
    MAPPINGS,
    SECRET,
    golden_delivery,
    oracle_delivery,
    oracle_rows,
)

ROOT = Path(__file__).resolve().parents[1]
WORKFORCE = Path(sys.executable).with_name("workforce")


def map_check(folder: Path, *args: str, secret: str | None = SECRET) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKFORCE_")}
    env["WORKFORCE_REFERENCE"] = str(REFERENCE)
    if secret:
        env["WORKFORCE_PERSON_KEY_SECRET"] = secret
    return subprocess.run(
        [str(WORKFORCE), "map", "check", str(folder), "--mappings", str(MAPPINGS), *args],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env=env,
    )  # fmt: skip


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and its sha256: equal before and after = nothing written."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_delivery_that_would_load(tmp_path):
    folder = golden_delivery(tmp_path / "landing", "workday")
    before = snapshot(tmp_path)
    run = map_check(folder)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines() == [
        "map check MATRIX 2026-10-31: mapping golden_workday.toml",
        "workers.csv: 3 rows",
        "contingent_workers.csv: 2 rows",
        "journal_lines.csv: 3 rows",
        "would load",
    ]
    assert snapshot(tmp_path) == before  # nothing written: no warehouse, no new file


def test_unmapped_values_with_counts_and_the_table_to_add_them_to(tmp_path):
    rows = oracle_rows(400)
    for i in (3, 4, 5):
        rows[i]["GradeCode"] = "B3"
    rows[6]["LocationCode"] = "FSL"
    rows[7]["FTE"] = "1.5"
    folder = oracle_delivery(tmp_path / "landing", rows)
    before = snapshot(tmp_path)
    run = map_check(folder)
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.stdout.splitlines() == [
        "map check DEFENCE 2026-10-31: mapping golden_oracle.toml",
        "workers.csv: 400 rows, 5 would be quarantined",
        "  unmapped GradeCode 'B3': 3 rows; add it to golden_oracle.toml [grade]",
        "  unmapped LocationCode 'FSL': 1 row; add it to golden_oracle.toml [region]",
        "  1 row: fte must be > 0 and <= 1",
        "contingent_workers.csv: 2 rows",
        "journal_lines.csv: 4 rows",
        "would be refused: DEFENCE 2026-10-31 workers.csv: 5 of 400 rows (1.25%) broke rules"
        " (limit 0.5%): 3 × grade 'B3' is not in golden_oracle.toml [grade], 1 × fte must be"
        " > 0 and <= 1, 1 × region 'FSL' is not in golden_oracle.toml [region]",
    ]
    assert snapshot(tmp_path) == before
    assert KNOWN_NI not in run.stdout and KNOWN_DOB not in run.stdout


def test_without_the_secret_it_checks_the_mapping_but_says_the_ingest_would_refuse(tmp_path):
    folder = golden_delivery(tmp_path / "landing", "sap_successfactors")
    run = map_check(folder, secret=None)
    assert run.returncode == 1
    assert run.stdout.splitlines()[1:] == [
        "workers.csv: 3 rows",
        "contingent_workers.csv: 1 row",
        "journal_lines.csv: 3 rows",
        "would be refused: UNITY 2026-10-31: no secret to make person_key from the NI numbers:"
        " set WORKFORCE_PERSON_KEY_SECRET to load native deliveries",
    ]


def test_a_bad_mapping_would_be_refused(tmp_path):
    folder = oracle_delivery(tmp_path / "landing", mapping="missing")
    run = map_check(folder)
    assert run.returncode == 1
    assert run.stdout.splitlines() == [
        "map check DEFENCE 2026-10-31: mapping missing",
        "would be refused: DEFENCE 2026-10-31: mapping missing.toml: not found in the mappings"
        f" folder {MAPPINGS}",
    ]


def test_bad_usage_exits_2_with_one_line(tmp_path):
    contract = cluster_delivery(tmp_path / "landing", "SYNERGY")
    incomplete = tmp_path / "landing" / "DEFENCE" / "2026-10-30"
    incomplete.mkdir(parents=True)
    for folder, message in [
        (tmp_path / "nowhere", "is not a delivery folder <landing>/<CLUSTER>/<YYYY-MM-DD>"),
        (tmp_path / "landing", "is not a delivery folder <landing>/<CLUSTER>/<YYYY-MM-DD>"),
        (contract, "is a contract delivery: its manifest names no mapping"),
        (incomplete, "has no manifest.json yet: the delivery is incomplete"),
    ]:
        run = map_check(folder)
        assert run.returncode == 2, run.stdout + run.stderr
        assert run.stderr == f"workforce map: {folder} {message}\n" and run.stdout == ""
    run = subprocess.run([str(WORKFORCE), "map", "check"], capture_output=True, text=True)
    assert run.returncode == 2 and "FOLDER" in run.stderr
