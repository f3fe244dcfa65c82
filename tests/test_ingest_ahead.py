"""Native deliveries conformed one ahead of the load (pipeline.ingest.ahead): the worker does
the conforming, and a run gives the same warehouse, quarantine and refusals with the worker as
without it, including when the worker cannot conform a file or read a mapping that has changed
since."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from ingest_factories import query
from native_factories import (
    SECRET,
    copy_mappings,
    manifest,
    native_settings,
    oracle_delivery,
    oracle_rows,
)

from pipeline.ingest import ingest_main
from pipeline.ingest import run as ingest_run
from pipeline.ingest.ahead import Ahead
from pipeline.ingest.discover import discover
from pipeline.reference import organisations_by_cluster
from pipeline.sources import conform

TODAY = date(2026, 11, 30)
NIGHTS = (date(2026, 11, 27), date(2026, 11, 28), date(2026, 11, 29))
WORKER = "conform-ahead"
STORED = (
    "SELECT p.person_key, h.* EXCLUDE (person_id) FROM employee_history AS h"
    " JOIN persons AS p USING (person_id) ORDER BY ALL",
    "SELECT p.person_key, s.* EXCLUDE (person_id) FROM salary_history AS s"
    " JOIN persons AS p USING (person_id) ORDER BY ALL",
    "SELECT extract_date, file, row_number, reason FROM quarantine ORDER BY ALL",
    "SELECT feed, extract_date, outcome, reason, rows_loaded, rows_quarantined"
    " FROM load_log ORDER BY ALL",
)


def _nights(settings, change=None) -> None:
    for i, when in enumerate(NIGHTS):
        rows = oracle_rows(300)
        rows[5 + i]["NationalIdentifier"] = "QQ 12 34 5"  # malformed: quarantined
        rows[7]["GradeCode"] = ("C1", "D", "B2")[i]  # a promotion, a move back
        if change:
            change(i, rows)
        folder = oracle_delivery(settings.landing, rows, when=when)
        if i:  # the journal lines were sent the first night
            journal = folder / "journal_lines.csv"
            journal.write_bytes(journal.read_bytes().split(b"\r\n")[0] + b"\r\n")
            manifest(folder, "DEFENCE", when, "golden_oracle")


def _run(tmp_path, capsys, monkeypatch, *, worker: bool, change=None, name: str = ""):
    """Three nights in one run; which threads conformed a workers file; what was stored."""
    settings = native_settings(tmp_path / f"{name}{worker}")
    _nights(settings, change)
    threads: list[str] = []
    real = conform.conform_file

    def conform_file(*args, **kwargs):
        if kwargs["native"] == "workers.csv":
            threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(conform, "conform_file", conform_file)
    if not worker:
        monkeypatch.setattr(ingest_run._Run, "_ahead", lambda self, plans, register: None)
    code = ingest_main(settings, today=TODAY)
    out = capsys.readouterr().out
    monkeypatch.undo()
    return code, out, threads, [query(settings, sql) for sql in STORED]


def test_the_worker_conforms_every_night_and_the_warehouse_is_the_same(
    tmp_path, capsys, monkeypatch
):
    code, out, threads, stored = _run(tmp_path, capsys, monkeypatch, worker=True)
    assert code == 0, out
    assert len(threads) == 3 and all(t.startswith(WORKER) for t in threads), threads
    code, out_alone, alone, stored_alone = _run(tmp_path, capsys, monkeypatch, worker=False)
    assert code == 0 and alone and not any(t.startswith(WORKER) for t in alone)
    assert stored == stored_alone
    assert len(stored[2]) == 3  # one malformed NI number a night, quarantined either way
    assert [line.split(" (")[0] for line in out.splitlines()] == [
        line.split(" (")[0] for line in out_alone.splitlines()
    ]


def test_a_file_the_worker_cannot_conform_is_refused_in_the_same_words(
    tmp_path, capsys, monkeypatch
):
    def unparseable(night, rows):
        if night == 1:
            rows[12]["FTE"] = "one"

    results = [
        _run(tmp_path, capsys, monkeypatch, worker=w, change=unparseable) for w in (True, False)
    ]
    (code, out, threads, stored), (code_alone, out_alone, _, stored_alone) = results
    assert code == code_alone == 1
    refusal = "refused: DEFENCE 2026-11-28 workers.csv: column FTE, row 13: 'one' is not a number"
    assert refusal in out and refusal in out_alone
    assert stored == stored_alone
    # the worker tried it, then the load did it again itself to say what is wrong
    assert threads.count("MainThread") == 1 and len(threads) == 4


def test_a_mapping_changed_after_the_worker_read_it_is_not_used(tmp_path, capsys, monkeypatch):
    """The worker conforms with the mapping as it read it; the load checks the mapping's sha256
    and conforms again with the mapping it reads itself."""
    settings = native_settings(tmp_path, mappings=copy_mappings(tmp_path))
    _nights(settings)
    stale = copy_mappings(tmp_path / "stale")
    toml = stale / "golden_oracle.toml"
    toml.write_text(toml.read_text().replace('B2 = "G7"', 'B2 = "G6"'))
    assert 'B2 = "G6"' in toml.read_text()
    real = Ahead.__init__

    def stale_worker(self, order, *, mappings, organisations, secret):
        real(self, order, mappings=stale, organisations=organisations, secret=secret)

    monkeypatch.setattr(Ahead, "__init__", stale_worker)
    code = ingest_main(settings, today=TODAY)
    assert code == 0, capsys.readouterr().out
    b2 = "SELECT DISTINCT grade FROM employee_history WHERE employee_id = 'E00001'"
    assert query(settings, b2) == [("G7",)]


def test_a_linked_delivery_is_not_read_by_the_worker(tmp_path):
    settings = native_settings(tmp_path)
    folder = oracle_delivery(settings.landing)
    target = tmp_path / "elsewhere.csv"
    (folder / "workers.csv").rename(target)
    (folder / "workers.csv").symlink_to(target)
    deliveries, _ = discover(settings.landing, settings.mappings)
    ahead = Ahead(deliveries, mappings=settings.mappings, organisations=frozenset(), secret=SECRET)
    try:
        ahead.begin(deliveries[0])
        assert ahead.take(deliveries[0]) == {}
    finally:
        ahead.close()


@pytest.mark.parametrize("taken", [0, 1])
def test_closing_drops_what_was_not_taken(tmp_path, taken):
    settings = native_settings(tmp_path)
    _nights(settings)
    deliveries, _ = discover(settings.landing, settings.mappings)
    registered = frozenset().union(*organisations_by_cluster(settings.organisations_csv).values())
    ahead = Ahead(deliveries, mappings=settings.mappings, organisations=registered, secret=SECRET)
    ahead.begin(deliveries[0])
    if taken:
        prepared = ahead.take(deliveries[0])
        assert prepared["workers.csv"].stage is not None
        assert prepared["workers.csv"].scan.data is None  # the text let go once staged
    ahead.close()
    assert ahead.take(deliveries[1]) == {}
