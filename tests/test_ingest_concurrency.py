"""Atomic publication: readers keep answering while a load runs, see the warehouse before or
after it (never half), and never stop a load; two ingests at once take turns."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from datetime import date, timedelta
from pathlib import Path

from ingest_factories import cluster_delivery, employees, ingest, make_settings, query

from core.warehouse import connect_readonly, versions

ROOT = Path(__file__).resolve().parents[1]
WORKFORCE = Path(sys.executable).with_name("workforce")
READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from core.warehouse import connect_readonly
    warehouse, final = Path(sys.argv[1]), int(sys.argv[2])
    seen, errors, deadline = [], [], time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            con = connect_readonly(warehouse)
            snaps = con.execute("SELECT count(*) FROM snapshots").fetchone()[0]
            people = con.execute(
                "SELECT count(*) FROM employees_as_at(DATE '2099-01-01')"
            ).fetchone()[0]
            con.close()
            seen.append([snaps, people, time.monotonic()])
        except Exception as error:  # every failure is a finding
            errors.append(repr(error))
        if len(seen) == 1:
            print("ready", flush=True)
        if seen and seen[-1][0] == final:
            break
    print(json.dumps({"seen": seen, "errors": errors}), flush=True)
    """
)


def _deliveries(settings, dates, n=3000):
    for when in dates:
        for cluster in ("SYNERGY", "UNITY"):
            cluster_delivery(settings.landing, cluster, when, employees_rows=employees(n, cluster))


def test_a_reader_keeps_answering_while_a_load_runs(tmp_path, capsys):
    settings = make_settings(tmp_path)
    dates = [date(2026, 1, 31) + timedelta(days=7 * i) for i in range(7)]
    _deliveries(settings, dates[:1])
    assert ingest(settings, capsys)[0] == 0  # the published version the reader starts on
    _deliveries(settings, dates[1:])
    final = 2 * len(dates)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(settings.warehouse), str(final)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout.readline().strip() == "ready"
    started = time.monotonic()
    writer = subprocess.run(
        [
            str(WORKFORCE),
            "ingest",
            "--landing",
            str(settings.landing),
            "--warehouse",
            str(settings.warehouse),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    finished = time.monotonic()
    out, err = reader.communicate(timeout=90)
    assert writer.returncode == 0, writer.stdout + writer.stderr
    assert reader.returncode == 0, err
    result = json.loads(out)
    assert result["errors"] == []
    seen = result["seen"]
    during = [s for s in seen if started < s[2] < finished]
    assert during, "no reader query ran while the load did"
    # before the load or after it, never half of it
    assert {(s[0], s[1]) for s in seen} <= {(2, 6000), (final, 6000)}
    assert seen[0][:2] == [2, 6000] and seen[-1][:2] == [final, 6000]


def test_an_open_reader_survives_publication_and_deletion_of_its_version(tmp_path, capsys):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, "SYNERGY", date(2026, 1, 31), employees_rows=employees(10))
    assert ingest(settings, capsys)[0] == 0
    con = connect_readonly(settings.warehouse)  # e.g. the dashboard's cached connection
    for i in range(3):
        cluster_delivery(settings.landing, "SYNERGY", date(2026, 2, 1) + timedelta(days=i))
        assert ingest(settings, capsys)[0] == 0
    assert 1 not in versions(settings.warehouse)  # its file is gone from the folder ...
    assert con.execute("SELECT count(*) FROM snapshots").fetchone() == (1,)  # ... yet it answers
    con.close()
    assert query(settings, "SELECT count(*) FROM snapshots") == [(4,)]


def test_two_ingests_at_once_take_turns(tmp_path):
    settings = make_settings(tmp_path)
    _deliveries(settings, [date(2026, 1, 31), date(2026, 2, 28)], n=1000)
    command = [
        str(WORKFORCE),
        "ingest",
        "--landing",
        str(settings.landing),
        "--warehouse",
        str(settings.warehouse),
    ]
    runs = [
        subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = [r.communicate(timeout=120)[0] for r in runs]
    assert [r.returncode for r in runs] == [0, 0]
    assert sorted(o.count("loaded: ") for o in outputs) == [0, 4]
    assert sorted(o.count("unchanged: ") for o in outputs) == [0, 4]
    assert query(settings, "SELECT count(*) FROM load_log") == [(4,)]
