"""register_changes.sql (issue 15's "what changed"): two register versions loaded by the real
ingest, and every kind of change between them, given rows, expected rows."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

import pytest
from ingest_factories import benefits, make_settings, milestones, programme_delivery

from core.warehouse import connect_readonly
from pipeline.ingest import ingest_main
from queries.runner import CLUSTERS, Request, run

OCT, NOV = date(2026, 10, 31), date(2026, 11, 20)


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("register_changes"))
    programme_delivery(settings.landing, OCT, milestone_rows=milestones(6))
    later = milestones(6)
    later[0]["forecast_date"] += timedelta(days=30)  # M000 slips a month
    later[1]["forecast_date"] -= timedelta(days=10)  # M001 brought forward
    later[2].update(actual_date=date(2026, 3, 20), forecast_date=None)  # M002 achieved
    later[3]["dca_rating"] = "red"  # M003 re-rated
    del later[4]  # M004 removed
    later.append({**later[0], "milestone_id": "M100", "title": "New", "cluster": "SYNERGY"})
    money = benefits()
    money[0]["actual_gbp"] = 250_000.0  # SYNERGY 2025-26
    money[3]["planned_gbp"] = 900_000.0  # UNITY 2026-27
    programme_delivery(settings.landing, NOV, milestone_rows=later, benefit_rows=money)
    assert ingest_main(settings, today=date(2026, 11, 30)) == 0
    return settings


def changes(settings, clusters=CLUSTERS, by=(), **params) -> list[tuple]:
    with contextlib.closing(connect_readonly(settings.warehouse)) as con:
        frame = run(con, Request("register_changes", tuple(clusters), params, tuple(by), {}))
    return [
        (r["item"], r["change"], r["field"], r["old_value"], r["new_value"], r["difference"])
        for r in frame.to_dicts()
    ]


def test_every_kind_of_change_between_two_versions(settings):
    assert changes(settings, date_from=OCT, date_to=NOV) == [
        ("M000", "slipped", "forecast_date", "2026-02-01", "2026-03-03", 30.0),
        ("M001", "brought_forward", "forecast_date", "2026-03-03", "2026-02-21", -10.0),
        ("M002", "achieved", "actual_date", "2026-04-02", "2026-03-20", -13.0),
        ("M003", "re_rated", "dca_rating", "amber", "red", None),
        ("M004", "removed", None, None, None, None),
        ("M100", "added", None, None, None, None),
        ("SYNERGY 2025-26 cashable_saving", "moved", "actual_gbp", None, "250000.0", 250000.0),
        ("UNITY 2026-27 cashable_saving", "moved", "planned_gbp", "1000000.0", "900000.0",
         -100000.0),
    ]  # fmt: skip


def test_a_scope_sees_its_clusters_only_and_strategy_wide_milestones_need_all_five(settings):
    got = changes(settings, clusters=("SYNERGY",), date_from=OCT, date_to=NOV)
    assert [(item, change) for item, change, *_ in got] == [
        ("M000", "slipped"),  # M000 is SYNERGY's; M002 (ALL) and M001, M004 (UNITY) are not
        ("M003", "re_rated"),
        ("M100", "added"),
        ("SYNERGY 2025-26 cashable_saving", "moved"),
    ]


def test_before_the_first_version_everything_is_added_and_one_version_is_no_change(settings):
    first = changes(settings, date_from=OCT - timedelta(days=1), date_to=OCT)
    assert {change for _, change, *_ in first} == {"added"}
    assert len(first) == 6 + 4  # six milestones, four benefit lines
    assert changes(settings, date_from=NOV, date_to=NOV + timedelta(days=5)) == []


def test_by_cluster(settings):
    with contextlib.closing(connect_readonly(settings.warehouse)) as con:
        frame = run(
            con,
            Request(
                "register_changes", CLUSTERS, {"date_from": OCT, "date_to": NOV}, ("cluster",), {}
            ),
        )
    assert frame.columns[:2] == ["cluster", "kind"]
    assert set(frame["cluster"]) == {"SYNERGY", "UNITY", "ALL"}
