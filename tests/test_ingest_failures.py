"""The ingest when the machine fails it (issue 11): a full disk, a read-only warehouse, a path
through a file, another ingest holding the lock.  One line and exit 2, no traceback, no
unpublished version left behind, and the published version as it was.

A full or read-only disk is a real one: a small tmpfs mounted over the warehouse folder (root
only, and only where mounting is allowed; skipped elsewhere).  No database call is faked."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from ingest_factories import cluster_delivery, employees, ingest, make_settings, warehouse_state

from core.warehouse import LOCK, ingest_lock

ROOT = Path(__file__).resolve().parents[1]
WORKFORCE = Path(sys.executable).with_name("workforce")
SEP, OCT = date(2026, 9, 30), date(2026, 10, 31)
UNCHANGED = "; nothing was published and the warehouse is as it was"


def cli_ingest(settings, *args: str, **popen) -> subprocess.CompletedProcess | subprocess.Popen:
    command = [str(WORKFORCE), "ingest", *args, "--landing", str(settings.landing)]
    command += ["--warehouse", str(settings.warehouse)]
    if popen:
        return subprocess.Popen(command, cwd=ROOT, text=True, **popen)
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """The warehouse folder, on a tmpfs of its own (resized by the test with :func:`_mount`)."""
    folder = tmp_path / "warehouse"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small disk needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _published_once(settings, capsys) -> tuple[tuple, int]:
    """SYNERGY's September loaded; (the published state, the bytes the folder holds)."""
    cluster_delivery(settings.landing, "SYNERGY", SEP)
    assert ingest(settings, capsys)[0] == 0
    used = sum(p.stat().st_size for p in settings.warehouse.iterdir())
    return warehouse_state(settings), used


def _left_as_it_was(settings, state) -> None:
    assert warehouse_state(settings) == state
    assert sorted(p.name for p in settings.warehouse.iterdir()) == [
        LOCK,
        "CURRENT",
        "wh-000001.duckdb",
    ]  # no partial wh-000002.duckdb (nor its .wal, nor CURRENT.tmp)


def _one_line(run: subprocess.CompletedProcess) -> str:
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    return lines[0]


def test_a_full_disk_while_copying_the_version(small_disk, capsys):
    settings = make_settings(small_disk.parent)
    state, used = _published_once(settings, capsys)
    _mount("-o", f"remount,size={used + 100_000}", str(small_disk))  # no room for a copy
    cluster_delivery(settings.landing, "SYNERGY", OCT)
    line = _one_line(cli_ingest(settings))
    wh = settings.warehouse
    assert line == (
        f"workforce ingest: could not write the warehouse {wh}: No space left on device"
        f" ({wh}/wh-000002.duckdb){UNCHANGED}"
    )
    _left_as_it_was(settings, state)


def test_a_full_disk_while_loading(small_disk, capsys):
    settings = make_settings(small_disk.parent)
    state, used = _published_once(settings, capsys)
    _mount("-o", f"remount,size={2 * used + 64_000}", str(small_disk))  # a copy, and no more
    cluster_delivery(settings.landing, "SYNERGY", OCT, employees_rows=employees(3000))
    line = _one_line(cli_ingest(settings))
    assert line.startswith(f"workforce ingest: could not write the warehouse {settings.warehouse}")
    assert "No space left on device" in line and line.endswith(UNCHANGED)
    _left_as_it_was(settings, state)
    # room again: the same landing zone loads, nothing left stuck
    _mount("-o", "remount,size=64m", str(small_disk))
    run = cli_ingest(settings)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "loaded: SYNERGY 2026-10-31 (" in run.stdout


def test_a_read_only_warehouse(small_disk, capsys):
    settings = make_settings(small_disk.parent)
    state, _ = _published_once(settings, capsys)
    _mount("-o", "remount,ro", str(small_disk))
    cluster_delivery(settings.landing, "SYNERGY", OCT)
    line = _one_line(cli_ingest(settings))
    wh = settings.warehouse
    assert line == (
        f"workforce ingest: could not write the warehouse {wh}: Read-only file system"
        f" ({wh}/{LOCK}){UNCHANGED}"
    )
    _left_as_it_was(settings, state)


def test_a_warehouse_path_through_a_file(tmp_path):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, "SYNERGY", SEP)
    (tmp_path / "afile").write_text("not a folder\n")
    settings.warehouse = tmp_path / "afile" / "warehouse"
    line = _one_line(cli_ingest(settings))
    wh = settings.warehouse
    assert line == (
        f"workforce ingest: could not write the warehouse {wh}: Not a directory ({wh}){UNCHANGED}"
    )


def test_a_second_ingest_says_that_it_waits(tmp_path):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, "SYNERGY", SEP)
    with ingest_lock(settings.warehouse):  # another ingest, as far as the lock can tell
        second = cli_ingest(settings, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ready, _, _ = select.select([second.stderr], [], [], 60)
        assert ready, "the second ingest said nothing"
        assert second.stderr.readline() == (
            f"waiting for another ingest to finish (lock held on {settings.warehouse / LOCK})\n"
        )
        assert second.poll() is None  # and it waits
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, out + err
    assert "loaded: SYNERGY 2026-09-30 (" in out


def test_no_wait_stops_at_once_when_another_ingest_runs(tmp_path):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, "SYNERGY", SEP)
    with ingest_lock(settings.warehouse):
        line = _one_line(cli_ingest(settings, "--no-wait"))
    lock = settings.warehouse / LOCK
    assert line == f"workforce ingest: another ingest is running (lock held on {lock})"
    assert not (settings.warehouse / "CURRENT").exists()
