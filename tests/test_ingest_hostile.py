"""The ingest against a hostile or broken landing zone (issue 11): deliveries from the future,
empty or shrunk snapshots, escape codes in names, duplicate manifest keys and symbolic links.
Each is refused (or ignored) in one printable line, and what was loaded before stays as it
was."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pyarrow as pa
from ingest_factories import (
    cluster_delivery,
    data_contents,
    edit_manifest,
    employees,
    make_settings,
    query,
    table,
    warehouse_state,
)
from native_factories import manifest, native_settings, oracle_delivery, oracle_rows

from core.errors import printable
from pipeline.demo.generate import generate
from pipeline.ingest import ingest_main, status_main

ROOT = Path(__file__).resolve().parents[1]
WORKFORCE = Path(sys.executable).with_name("workforce")
REGISTER = ROOT / "data" / "reference" / "organisations.csv"
SEP, OCT, NOV = date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 30)
TODAY = NOV
LINK = "deliveries must be real files inside the landing zone"


def ingest(settings, capsys, **options) -> tuple[int, str]:
    code = ingest_main(settings, today=options.pop("today", TODAY), **options)
    return code, capsys.readouterr().out


def loaded(settings, capsys) -> tuple:
    """A warehouse holding SYNERGY's September: (published state, data) to compare later."""
    cluster_delivery(settings.landing, "SYNERGY", SEP)
    code, out = ingest(settings, capsys)
    assert code == 0, out
    return warehouse_state(settings), data_contents(settings)


def refusals(settings) -> int:
    return query(settings, "SELECT count(*) FROM load_log WHERE outcome = 'refused'")[0][0]


def cli_ingest(settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(WORKFORCE),
            "ingest",
            *args,
            "--landing",
            str(settings.landing),
            "--warehouse",
            str(settings.warehouse),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


# --- item 8: implausible deliveries -----------------------------------------------------------


def test_a_delivery_dated_after_today_is_refused_until_its_date_comes(tmp_path, capsys):
    settings = make_settings(tmp_path)
    before, data = loaded(settings, capsys)
    december = date(2026, 12, 31)
    cluster_delivery(settings.landing, "SYNERGY", december)
    code, out = ingest(settings, capsys)
    assert code == 1
    assert "refused: SYNERGY 2026-12-31: extract date 2026-12-31 is after today 2026-11-30" in (
        out.splitlines()
    )
    assert data_contents(settings) == data  # nothing of it loaded
    assert query(settings, "SELECT max(extract_date) FROM snapshots") == [(SEP,)]
    # the same bytes next day: refused again, with that day's date, and not logged twice
    state = warehouse_state(settings)
    code, out = ingest(settings, capsys, today=date(2026, 12, 1))
    assert code == 1
    assert "refused: SYNERGY 2026-12-31: extract date 2026-12-31 is after today 2026-12-01" in (
        out.splitlines()
    )
    assert warehouse_state(settings) == state and refusals(settings) == 1
    # once its date has come, the same bytes load
    code, out = ingest(settings, capsys, today=december)
    assert code == 0, out
    assert "loaded: SYNERGY 2026-12-31 (" in out
    assert before != warehouse_state(settings)


def test_the_command_refuses_a_delivery_from_2099_by_the_machines_date(tmp_path, capsys):
    settings = make_settings(tmp_path)
    _, data = loaded(settings, capsys)
    cluster_delivery(settings.landing, "UNITY", date(2099, 1, 1))
    run = cli_ingest(settings)
    assert run.returncode == 1, run.stdout + run.stderr
    today = date.today().isoformat()
    assert f"refused: UNITY 2099-01-01: extract date 2099-01-01 is after today {today}" in (
        run.stdout.splitlines()
    )
    assert data_contents(settings) == data
    as_at = "SELECT count(*) FROM employees_as_at(DATE '2099-12-31')"
    assert query(settings, as_at) == [(400,)]  # SYNERGY's September only


def test_an_empty_employees_file_is_refused_unless_allowed_for_that_delivery(tmp_path, capsys):
    settings = make_settings(tmp_path)
    _, data = loaded(settings, capsys)
    cluster_delivery(settings.landing, "SYNERGY", OCT, employees_rows=[])
    reason = (
        "SYNERGY 2026-10-31 employees.parquet: has no rows: a full snapshot cannot be empty; if"
        " the cluster really has nobody in post, load it with --allow-empty SYNERGY/2026-10-31"
    )
    code, out = ingest(settings, capsys)
    assert code == 1
    assert f"refused: {reason}" in out.splitlines()
    assert data_contents(settings) == data  # the workforce did not all leave
    as_at = "SELECT count(*) FROM employees_as_at($d)"
    assert query(settings, as_at, {"d": OCT}) == [(400,)]
    # reported again while it is there; an --allow-empty for another delivery changes nothing
    state = warehouse_state(settings)
    code, out = ingest(settings, capsys, allow_empty={("SYNERGY", SEP), ("UNITY", OCT)})
    assert code == 1
    assert f"refused: {reason}" in out.splitlines()
    assert "note: --allow-empty UNITY/2026-10-31: no such delivery found" in out.splitlines()
    assert warehouse_state(settings) == state and refusals(settings) == 1
    # named precisely, the same bytes load: the cluster has nobody in post
    code, out = ingest(settings, capsys, allow_empty={("SYNERGY", OCT)})
    assert code == 0, out
    assert "loaded: SYNERGY 2026-10-31 (" in out
    assert query(settings, as_at, {"d": OCT}) == [(0,)]


def test_allow_empty_on_the_command_line(tmp_path, capsys):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, "UNITY", OCT, employees_rows=[])
    assert cli_ingest(settings).returncode == 1
    run = cli_ingest(settings, "--allow-empty", "UNITY/2026-10-31")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "loaded: UNITY 2026-10-31 (" in run.stdout
    for bad, message in [
        ("ATLANTIS/2026-10-31", "'ATLANTIS/2026-10-31' is not CLUSTER/YYYY-MM-DD"),
        ("PROGRAMME/2026-10-31", "'PROGRAMME/2026-10-31' is not CLUSTER/YYYY-MM-DD"),
        ("UNITY/20261031", "not a date (YYYY-MM-DD): '20261031'"),
    ]:
        run = cli_ingest(settings, "--allow-empty", bad)
        assert run.returncode == 2 and "Traceback" not in run.stderr
        assert message in run.stderr.splitlines()[-1]


# --- item 8: a snapshot that makes more than half the workforce leave ------------------------


def shrunk(day: date, rows: int, previous: int, on: date, feed: str = "SYNERGY") -> str:
    """The refusal line of an employees file of ``rows`` against ``previous`` on ``on``."""
    file = "workers.csv" if feed == "DEFENCE" else "employees.parquet"
    return (
        f"refused: {feed} {day.isoformat()} {file}: has {rows} rows against {previous} on"
        f" {on.isoformat()}: more than half the workforce would leave at once; if that is real,"
        f" load it with --allow-shrink {feed}/{day.isoformat()}"
    )


def headcount(settings, day: date, feed: str = "SYNERGY") -> int:
    sql = "SELECT count(*) FROM employees_as_at($d) WHERE cluster = $feed"
    return query(settings, sql, {"d": day, "feed": feed})[0][0]


def test_a_drop_to_49_percent_is_refused_and_to_50_percent_loads(tmp_path, capsys):
    settings = make_settings(tmp_path)
    _, data = loaded(settings, capsys)  # 400 people on 30 September
    cluster_delivery(settings.landing, "SYNERGY", OCT, employees_rows=employees(196))
    code, out = ingest(settings, capsys)
    assert code == 1
    assert shrunk(OCT, 196, 400, SEP) in out.splitlines()
    assert data_contents(settings) == data and headcount(settings, OCT) == 400
    cluster_delivery(settings.landing, "SYNERGY", OCT, employees_rows=employees(200))
    code, out = ingest(settings, capsys)
    assert code == 0, out
    assert "loaded: SYNERGY 2026-10-31 (" in out and headcount(settings, OCT) == 200


def test_a_previous_snapshot_under_100_people_is_not_checked(tmp_path, capsys):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, "UNITY", SEP, employees_rows=employees(99, "UNITY"))
    cluster_delivery(settings.landing, "SYNERGY", SEP, employees_rows=employees(100))
    assert ingest(settings, capsys)[0] == 0
    cluster_delivery(settings.landing, "UNITY", OCT, employees_rows=employees(1, "UNITY"))
    cluster_delivery(settings.landing, "SYNERGY", OCT, employees_rows=employees(49))
    code, out = ingest(settings, capsys)
    assert code == 1
    assert "loaded: UNITY 2026-10-31 (" in out and headcount(settings, OCT, "UNITY") == 1
    assert shrunk(OCT, 49, 100, SEP) in out.splitlines()


def test_a_shrink_refusal_is_reported_again_until_allow_shrink_names_it(tmp_path, capsys):
    settings = make_settings(tmp_path)
    _, data = loaded(settings, capsys)
    cluster_delivery(settings.landing, "SYNERGY", OCT, employees_rows=employees(150))
    run = cli_ingest(settings)
    assert run.returncode == 1, run.stdout + run.stderr
    assert shrunk(OCT, 150, 400, SEP) in run.stdout.splitlines()
    # the same bytes next run: the same line, exit 1, nothing written or logged again
    state = warehouse_state(settings)
    code, out = ingest(settings, capsys, allow_empty={("UNITY", OCT)})
    assert code == 1 and shrunk(OCT, 150, 400, SEP) in out.splitlines()
    assert warehouse_state(settings) == state and refusals(settings) == 1
    assert data_contents(settings) == data
    # named precisely, under the override's other name, the same bytes load
    run = cli_ingest(settings, "--allow-shrink", "SYNERGY/2026-10-31")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "loaded: SYNERGY 2026-10-31 (" in run.stdout and headcount(settings, OCT) == 150


def test_a_restatement_is_measured_against_the_snapshot_before_its_date(tmp_path, capsys):
    settings = make_settings(tmp_path)
    loaded(settings, capsys)  # 400 on 30 September
    cluster_delivery(settings.landing, "SYNERGY", OCT, employees_rows=employees(250))
    assert ingest(settings, capsys)[0] == 0
    # 150 is 60% of October's own 250 but 37.5% of September's 400: refused
    cluster_delivery(settings.landing, "SYNERGY", OCT, employees_rows=employees(150))
    code, out = ingest(settings, capsys)
    assert code == 1 and shrunk(OCT, 150, 400, SEP) in out.splitlines()
    assert headcount(settings, OCT) == 250  # the October in effect stays
    cluster_delivery(settings.landing, "SYNERGY", OCT, employees_rows=employees(210))
    code, out = ingest(settings, capsys)
    assert code == 0 and "restated (replaces load 2): SYNERGY 2026-10-31 (" in out, out
    assert headcount(settings, OCT) == 210


def test_a_late_delivery_is_measured_against_the_snapshot_before_its_date(tmp_path, capsys):
    settings = make_settings(tmp_path)
    loaded(settings, capsys)  # 400 on 30 September
    cluster_delivery(settings.landing, "SYNERGY", NOV, employees_rows=employees(300))
    assert ingest(settings, capsys)[0] == 0
    # October arrives late: 150 is half of November's 300, but under half of September's 400
    cluster_delivery(settings.landing, "SYNERGY", OCT, employees_rows=employees(150))
    code, out = ingest(settings, capsys)
    assert code == 1 and shrunk(OCT, 150, 400, SEP) in out.splitlines()
    assert query(settings, "SELECT max(extract_date) FROM snapshots") == [(NOV,)]
    assert headcount(settings, OCT) == 400  # as at October: September's people


def test_a_shrink_refusal_is_judged_again_once_the_snapshot_before_it_changes(tmp_path, capsys):
    settings = make_settings(tmp_path)
    loaded(settings, capsys)  # 400 on 30 September
    october = cluster_delivery(settings.landing, "SYNERGY", OCT, employees_rows=employees(150))
    assert ingest(settings, capsys)[0] == 1
    # September restated in the same run as the refused October: October is judged after it
    cluster_delivery(settings.landing, "SYNERGY", SEP, employees_rows=employees(350))
    code, out = ingest(settings, capsys)
    assert code == 1 and shrunk(OCT, 150, 350, SEP) in out.splitlines()
    # September restated in a run that does not see October: the next run judges it again
    aside = shutil.move(october, tmp_path / "aside")
    cluster_delivery(settings.landing, "SYNERGY", SEP, employees_rows=employees(290))
    assert ingest(settings, capsys)[0] == 0
    shutil.move(aside, october)
    code, out = ingest(settings, capsys)
    assert code == 0 and "loaded: SYNERGY 2026-10-31 (" in out, out
    assert headcount(settings, OCT) == 150


def test_a_native_workers_file_is_measured_like_an_employees_file(tmp_path, capsys):
    settings = native_settings(tmp_path)
    oracle_delivery(settings.landing, when=SEP)  # 400 workers
    assert ingest(settings, capsys)[0] == 0
    october = oracle_delivery(settings.landing, oracle_rows(199), when=OCT)
    journal = october / "journal_lines.csv"  # September's lines again would be conflicts
    journal.write_bytes(journal.read_bytes().split(b"\r\n")[0] + b"\r\n")
    manifest(october, "DEFENCE", OCT, "golden_oracle")
    code, out = ingest(settings, capsys)
    assert code == 1 and shrunk(OCT, 199, 400, SEP, "DEFENCE") in out.splitlines()
    code = ingest_main(settings, today=TODAY, allow_empty={("DEFENCE", OCT)})
    assert code == 0 and "loaded: DEFENCE 2026-10-31 (" in capsys.readouterr().out


def test_the_demo_landing_zone_loads_with_nothing_refused(tmp_path, capsys):
    """The demo's nights have leavers and joiners but never halve a cluster."""
    settings = make_settings(tmp_path)
    end = date(2026, 11, 24)
    generate(settings.landing, REGISTER, scale=0.01, start=SEP, end=end, seed=7)
    code, out = ingest(settings, capsys)
    assert code == 0, out
    assert " 0 refused;" in out.splitlines()[-1]
    big = "SELECT count(*) FROM snapshots WHERE employees >= 100 AND extract_date > $d"
    assert query(settings, big, {"d": SEP})[0][0] > 0  # the check was made, and passed


# --- item 12: control characters ------------------------------------------------------------


def test_escape_codes_and_newlines_in_names_are_printed_escaped(tmp_path, capsys):
    settings = make_settings(tmp_path)
    _, data = loaded(settings, capsys)
    (settings.landing / "SYN\x1b[31mERGY\nloaded: DEFENCE 2026-10-31").mkdir()
    (settings.landing / "UNITY" / "2026-10-31\x1b]8;;evil\x07").mkdir(parents=True)
    folder = cluster_delivery(settings.landing, "SYNERGY", OCT)
    shutil.copy(folder / "ledger.parquet", folder / "x\x1b[2J\n.parquet")
    code, out = ingest(settings, capsys)
    assert code == 1
    landing = settings.landing
    assert [line for line in out.splitlines() if not line.startswith("unchanged: ")][:3] == [
        f"ignored {landing}/SYN\\x1b[31mERGY\\nloaded: DEFENCE 2026-10-31: not a feed of the"
        " contract",
        f"ignored {landing}/UNITY/2026-10-31\\x1b]8;;evil\\x07: not a YYYY-MM-DD extract"
        " date folder",
        "refused: SYNERGY 2026-10-31 x\\x1b[2J\\n.parquet: data file is not listed in the manifest",
    ]
    assert "\x1b" not in out and "\x07" not in out
    assert not any(line.startswith("loaded: DEFENCE") for line in out.splitlines())
    assert data_contents(settings) == data
    # stored escaped as well, so the status table (and the dashboard) print it as it was
    (stored,) = query(settings, "SELECT reason FROM load_log WHERE outcome = 'refused'")[0]
    assert (
        stored == "SYNERGY 2026-10-31 x\\x1b[2J\\n.parquet: data file is not listed in the manifest"
    )
    assert status_main(settings, "table") == 0
    shown = capsys.readouterr().out
    assert "  " + stored in shown.splitlines() and "\x1b" not in shown


def test_extra_column_names_are_printed_escaped(tmp_path, capsys):
    settings = make_settings(tmp_path)
    rows = table(employees(), "employees.parquet")
    rows = rows.append_column("note\x1b[2J", pa.array(["x"] * rows.num_rows))
    cluster_delivery(settings.landing, "SYNERGY", OCT, tables={"employees.parquet": rows})
    code, out = ingest(settings, capsys)
    assert code == 0, out
    assert "extra columns ignored: employees.parquet: note\\x1b[2J" in out
    assert "\x1b" not in out


def test_a_manifests_source_system_is_stored_printable(tmp_path, capsys):
    settings = make_settings(tmp_path)
    folder = cluster_delivery(settings.landing, "SYNERGY", OCT)
    edit_manifest(folder, lambda m: m.update(source_system="HR\x1b[2J\udcff"))
    code, out = ingest(settings, capsys)
    assert code == 0, out
    assert query(settings, "SELECT source_system FROM load_log") == [("HR\\x1b[2J\\udcff",)]


def test_printable_escapes_what_a_terminal_would_obey():
    assert printable("plain name, £ and é") == "plain name, £ and é"
    assert printable("a\x1b[31mb\nc\rd\te\x00") == "a\\x1b[31mb\\nc\\rd\\te\\x00"
    assert printable("evil\u202etxt.exe\u2028") == "evil\\u202etxt.exe\\u2028"
    assert printable("bad \udcff byte") == "bad \\udcff byte"  # a file name that is not UTF-8
    assert printable(printable("\x1b")) == "\\x1b"


# --- item 13: duplicate keys and symbolic links ---------------------------------------------


def _with_duplicate(folder: Path, key: str, value: object, within: str | None) -> None:
    """Rewrite the manifest with ``key`` given twice: first ``value``, then its real value
    (json keeps the last, so the delivery would have loaded as if nothing were wrong)."""
    manifest = json.loads((folder / "manifest.json").read_text())
    target = manifest[within] if within else manifest
    first = json.dumps({key: value})[1:-1]
    rest = json.dumps(target)[1:]
    text = "{" + first + ", " + rest
    if within:
        outer = json.dumps({k: v for k, v in manifest.items() if k != within})[:-1]
        text = f'{outer}, "{within}": {text}}}'
    (folder / "manifest.json").write_text(text)


def test_a_manifest_that_lists_a_file_twice_is_refused(tmp_path, capsys):
    settings = make_settings(tmp_path)
    _, data = loaded(settings, capsys)
    folder = cluster_delivery(settings.landing, "SYNERGY", OCT)
    _with_duplicate(folder, "employees.parquet", {"rows": 1, "sha256": "0" * 64}, "files")
    code, out = ingest(settings, capsys)
    assert code == 1
    assert (
        "refused: SYNERGY 2026-10-31 manifest.json: key 'employees.parquet' appears more than"
        " once: each key must be given once"
    ) in out.splitlines()
    assert data_contents(settings) == data


def test_a_manifest_that_names_its_cluster_twice_is_refused(tmp_path, capsys):
    settings = make_settings(tmp_path)
    folder = cluster_delivery(settings.landing, "SYNERGY", OCT)
    _with_duplicate(folder, "cluster", "UNITY", None)
    code, out = ingest(settings, capsys)
    assert code == 1
    assert (
        "refused: SYNERGY 2026-10-31 manifest.json: key 'cluster' appears more than once:"
        " each key must be given once"
    ) in out.splitlines()
    assert query(settings, "SELECT count(*) FROM snapshots") == [(0,)]


def test_a_duplicate_key_in_a_loaded_deliverys_manifest_is_not_unchanged(tmp_path, capsys):
    """The last entry is the one loaded: before the fix the run said "unchanged"."""
    settings = make_settings(tmp_path)
    _, data = loaded(settings, capsys)
    folder = settings.landing / "SYNERGY" / SEP.isoformat()
    _with_duplicate(folder, "ledger.parquet", {"rows": 2, "sha256": "1" * 64}, "files")
    code, out = ingest(settings, capsys)
    assert code == 1
    assert "refused: SYNERGY 2026-09-30 manifest.json: key 'ledger.parquet' appears" in out
    assert data_contents(settings) == data


def _outside(tmp_path: Path) -> Path:
    """A complete, valid delivery outside the landing zone."""
    return cluster_delivery(tmp_path / "elsewhere", "SYNERGY", OCT)


def test_a_data_file_linked_to_outside_the_landing_zone_is_refused(tmp_path, capsys):
    settings = make_settings(tmp_path)
    _, data = loaded(settings, capsys)
    outside = _outside(tmp_path)
    folder = cluster_delivery(settings.landing, "SYNERGY", OCT)
    (folder / "employees.parquet").unlink()  # same bytes, so it would have loaded
    (folder / "employees.parquet").symlink_to(outside / "employees.parquet")
    code, out = ingest(settings, capsys)
    assert code == 1
    reason = f"SYNERGY 2026-10-31 employees.parquet: a symbolic link; {LINK}"
    assert f"refused: {reason}" in out.splitlines()
    assert data_contents(settings) == data
    state = warehouse_state(settings)
    assert ingest(settings, capsys)[0] == 1  # reported again, not logged again
    assert warehouse_state(settings) == state and refusals(settings) == 1


def test_a_linked_manifest_is_refused_without_being_read(tmp_path, capsys):
    settings = make_settings(tmp_path)
    folder = cluster_delivery(settings.landing, "SYNERGY", OCT)
    secret = tmp_path / "secret.json"
    (folder / "manifest.json").rename(secret)
    (folder / "manifest.json").symlink_to(secret)
    code, out = ingest(settings, capsys)
    assert code == 1
    assert f"refused: SYNERGY 2026-10-31 manifest.json: a symbolic link; {LINK}" in out


def test_a_linked_delivery_folder_is_refused_until_it_is_a_real_folder(tmp_path, capsys):
    settings = make_settings(tmp_path)
    _, data = loaded(settings, capsys)
    outside = _outside(tmp_path)
    link = settings.landing / "SYNERGY" / OCT.isoformat()
    link.symlink_to(outside, target_is_directory=True)
    code, out = ingest(settings, capsys)
    assert code == 1
    assert f"refused: SYNERGY 2026-10-31: {link} is a symbolic link; {LINK}" in out.splitlines()
    assert data_contents(settings) == data
    state = warehouse_state(settings)
    assert ingest(settings, capsys)[0] == 1
    assert warehouse_state(settings) == state and refusals(settings) == 1
    link.unlink()
    shutil.copytree(outside, link)
    code, out = ingest(settings, capsys)
    assert code == 0, out
    assert "loaded: SYNERGY 2026-10-31 (" in out


def test_a_linked_feed_folder_is_ignored_with_a_note(tmp_path, capsys):
    settings = make_settings(tmp_path)
    _, data = loaded(settings, capsys)
    cluster_delivery(tmp_path / "elsewhere", "UNITY", OCT)
    os.symlink(tmp_path / "elsewhere" / "UNITY", settings.landing / "UNITY")
    code, out = ingest(settings, capsys)
    assert code == 0
    assert f"ignored {settings.landing / 'UNITY'}: a symbolic link; {LINK}" in out.splitlines()
    assert data_contents(settings) == data


def test_a_file_name_that_is_not_utf8_is_refused_in_one_line(tmp_path, capsys):
    settings = make_settings(tmp_path)
    folder = cluster_delivery(settings.landing, "SYNERGY", OCT)
    shutil.copy(folder / "ledger.parquet", os.path.join(os.fsencode(folder), b"bad\xff.parquet"))
    code, out = ingest(settings, capsys)
    assert code == 1
    assert (
        "refused: SYNERGY 2026-10-31 bad\\udcff.parquet: data file is not listed in the manifest"
    ) in out.splitlines()
