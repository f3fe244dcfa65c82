"""Ledger lines (extracts.md §5): kept once per (cluster, journal_id, line_number); identical
re-sends are skipped and counted, different content is a conflict and quarantined."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ingest_factories import cluster_delivery, ingest, ledger, make_settings, query

SEP, OCT, NOV = date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 30)
CONFLICT = "(journal_id, line_number) was loaded before with different content"


def test_identical_resent_lines_are_skipped_and_counted(tmp_path, capsys):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, when=SEP, ledger_rows=ledger(when=SEP))
    # October re-sends all of September's lines (at-least-once) with 400 new ones
    cluster_delivery(settings.landing, when=OCT, ledger_rows=ledger(when=SEP) + ledger(when=OCT))
    code, out = ingest(settings, capsys)
    assert code == 0
    assert "400 re-sent ledger lines skipped" in out
    assert query(settings, "SELECT count(*), sum(amount_gbp) FROM ledger_lines") == [
        (800, 2 * sum(r["amount_gbp"] for r in ledger()))
    ]
    assert query(
        settings,
        "SELECT extract_date, resent_skipped, conflicts, rows_quarantined FROM load_log ORDER BY 1",
    ) == [(SEP, 0, 0, 0), (OCT, 400, 0, 0)]
    assert query(settings, "SELECT ledger_lines FROM snapshots ORDER BY extract_date") == [
        (400,),
        (400,),
    ]


def test_exact_duplicates_within_a_file_are_resends(tmp_path, capsys):
    settings = make_settings(tmp_path)
    rows = ledger()
    cluster_delivery(settings.landing, when=OCT, ledger_rows=rows + rows[:3])
    code, out = ingest(settings, capsys)
    assert code == 0
    assert "loaded: SYNERGY 2026-10-31 (" in out and "3 re-sent ledger lines skipped" in out
    assert query(settings, "SELECT count(*) FROM ledger_lines") == [(400,)]
    assert query(settings, "SELECT count(*) FROM quarantine") == [(0,)]


def test_conflicting_resend_is_quarantined_and_the_stored_line_kept(tmp_path, capsys):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, when=SEP, ledger_rows=ledger(when=SEP))
    resent = ledger(when=SEP)[:2]
    resent[1]["amount_gbp"] = Decimal("-5.00")
    cluster_delivery(settings.landing, when=OCT, ledger_rows=resent + ledger(when=OCT))
    code, out = ingest(settings, capsys)
    assert code == 0
    assert "loaded with 1 rows quarantined: SYNERGY 2026-10-31 (" in out
    assert "1 re-sent ledger lines skipped; 1 conflicting ledger lines quarantined" in out
    assert query(settings, "SELECT file, row_number, reason FROM quarantine") == [
        ("ledger.parquet", 1, CONFLICT)
    ]
    assert query(
        settings,
        "SELECT amount_gbp FROM ledger_lines WHERE journal_id = 'J20260930' AND line_number = 2",
    ) == [(ledger()[1]["amount_gbp"],)]
    assert query(
        settings,
        "SELECT resent_skipped, conflicts FROM load_log WHERE extract_date = $d",
        {"d": OCT},
    ) == [(1, 1)]


def test_late_delivery_of_lines_already_resent_later(tmp_path, capsys):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, when=OCT, ledger_rows=ledger(when=SEP) + ledger(when=OCT))
    assert ingest(settings, capsys)[0] == 0
    cluster_delivery(settings.landing, when=SEP, ledger_rows=ledger(when=SEP))  # arrives late
    code, out = ingest(settings, capsys)
    assert code == 0
    assert "400 re-sent ledger lines skipped" in out
    assert query(settings, "SELECT count(*) FROM ledger_lines") == [(800,)]


def test_restatement_replaces_the_lines_its_date_loaded(tmp_path, capsys):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, when=SEP, ledger_rows=ledger(when=SEP))
    cluster_delivery(settings.landing, when=OCT, ledger_rows=ledger(when=OCT))
    assert ingest(settings, capsys)[0] == 0
    fixed = ledger(when=OCT)[:300]  # October restated: 100 lines withdrawn, one amount fixed
    fixed[0]["amount_gbp"] = Decimal("1.23")
    cluster_delivery(settings.landing, when=OCT, ledger_rows=fixed + ledger(when=SEP)[:10])
    code, out = ingest(settings, capsys)
    assert code == 0, out
    assert "restated (replaces load 2): SYNERGY 2026-10-31 (" in out
    assert query(
        settings, "SELECT extract_date, count(*) FROM ledger_lines GROUP BY 1 ORDER BY 1"
    ) == [(SEP, 400), (OCT, 300)]
    assert query(
        settings,
        "SELECT amount_gbp FROM ledger_lines WHERE journal_id = 'J20261031' AND line_number = 1",
    ) == [(Decimal("1.23"),)]


def test_lines_are_kept_per_cluster(tmp_path, capsys):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, "SYNERGY", OCT)
    cluster_delivery(settings.landing, "UNITY", OCT)  # same journal ids, another cluster
    code, out = ingest(settings, capsys)
    assert code == 0
    assert "re-sent" not in out
    assert query(
        settings, "SELECT cluster::VARCHAR, count(*) FROM ledger_lines GROUP BY 1 ORDER BY 1"
    ) == [("SYNERGY", 400), ("UNITY", 400)]
