"""The month-end mart (queries/sql/_month_end_groups.sql, pipeline/ingest/marts.py): after any
sequence of loads (one night at a time, a late delivery, a restatement, a move between
clusters) the mart the ingest kept up incrementally equals one built from scratch, and equals
what the as-at views say at each month-end."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from ingest_factories import cluster_delivery, employees, ingest, make_settings

from core.warehouse import current_path
from pipeline.ingest.marts import refresh_month_end_groups
from queries.runner import prepare

AUG, SEP, OCT = date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31)
NOV3, NOV5, SEP15 = date(2026, 11, 3), date(2026, 11, 5), date(2026, 9, 15)
MART = {
    "month_end_groups": "SELECT * FROM month_end_groups ORDER BY ALL",
    "latest_groups": "SELECT * FROM latest_groups ORDER BY ALL",
}


def tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {name: con.execute(sql).fetchall() for name, sql in MART.items()}


def kept_and_rebuilt(path: Path, scratch: Path) -> tuple[dict, dict]:
    """The published mart, and the mart built from scratch on a copy of the same version."""
    copy = scratch / "copy.duckdb"
    shutil.copyfile(path, copy)
    with duckdb.connect(str(path), read_only=True) as con:
        kept = tables(con)
    with duckdb.connect(str(copy)) as con:
        refresh_month_end_groups(con, None)
        rebuilt = tables(con)
    copy.unlink()
    return kept, rebuilt


def people_rows(n: int, cluster: str, first: int, leave: set[int] = frozenset()) -> list[dict]:
    return [r for r in employees(n, cluster, first=first) if int(r["employee_id"][1:]) not in leave]


@pytest.fixture
def loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """Ingest deliveries one run at a time; after each, check the mart."""
    settings = make_settings(tmp_path)

    def load(*deliveries: tuple[str, date, list[dict]]) -> tuple[dict, dict]:
        for cluster, when, rows in deliveries:
            cluster_delivery(settings.landing, cluster, when, employees_rows=rows)
        code, out = ingest(settings, capsys)
        assert code == 0, out
        return kept_and_rebuilt(current_path(settings.warehouse), tmp_path)

    return load, settings


def test_the_incremental_mart_equals_a_full_rebuild(loads) -> None:
    load, _ = loads
    synergy = people_rows(30, "SYNERGY", 0)
    unity = people_rows(20, "UNITY", 100)
    mover = dict(synergy[5], organisation_code="HMRC", employee_id="U0", manager_employee_id=None)
    mover["organisation_start_date"] = date(2026, 10, 10)
    steps = [
        [("SYNERGY", AUG, synergy), ("UNITY", AUG, unity)],
        [("SYNERGY", SEP, people_rows(30, "SYNERGY", 0, leave={3, 4}))],  # two leave
        [("UNITY", OCT, [*unity, mover])],  # a move between clusters; SYNERGY stale
        [("SYNERGY", OCT, people_rows(32, "SYNERGY", 0, leave={5, 3, 4}))],
        [("SYNERGY", NOV3, people_rows(32, "SYNERGY", 0, leave={5, 3, 4, 7}))],  # a night
        [("UNITY", NOV5, unity[:15])],
        [("UNITY", SEP15, unity[:18])],  # a late delivery, before two month-ends
        [("SYNERGY", OCT, people_rows(33, "SYNERGY", 0, leave={5, 3}))],  # a restatement
    ]
    for step in steps:
        kept, rebuilt = load(*step)
        assert kept == rebuilt, f"after {[(c, d) for c, d, _ in step]}"
        assert kept["month_end_groups"] and kept["latest_groups"]


def test_the_mart_is_what_the_as_at_views_say(loads) -> None:
    load, settings = loads
    load(
        ("SYNERGY", AUG, people_rows(30, "SYNERGY", 0)),
        ("UNITY", AUG, people_rows(5, "UNITY", 100)),
    )
    load(("SYNERGY", SEP, people_rows(30, "SYNERGY", 0, leave={1, 2, 5})))
    load(("SYNERGY", NOV3, people_rows(31, "SYNERGY", 0, leave={1, 2, 5, 9})))
    with duckdb.connect(str(current_path(settings.warehouse)), read_only=True) as con:
        month_ends = con.execute(
            "SELECT month_end, sum(headcount), sum(leavers) FROM month_end_groups"
            " GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        latest = con.execute("SELECT sum(headcount) FROM latest_groups").fetchone()[0]
        # the definition, worked out person by person from the as-at views
        sql = (
            "SELECT count(*) FROM people_at($d) AS p WHERE NOT EXISTS"
            " (SELECT 1 FROM people_at($n) AS q WHERE q.person_id = p.person_id)"
        )
        with prepare(con, sql) as cursor:
            leavers = {
                m: cursor.execute(sql, {"d": m, "n": n}).fetchone()[0]
                for m, n in ((AUG, SEP), (SEP, OCT))
            }
            heads = {
                m: cursor.execute("SELECT count(*) FROM people_at($d)", {"d": m}).fetchone()[0]
                for m in (AUG, SEP, OCT, NOV3)
            }
    # August: 35 people; September: SYNERGY lost 3; October reads the same snapshots as
    # September (none between), and its leavers are read against the 3 November night.
    assert month_ends == [
        (AUG, heads[AUG], leavers[AUG]),
        (SEP, heads[SEP], leavers[SEP]),
        (OCT, heads[OCT], 1),
    ]
    assert (heads[AUG], heads[SEP], leavers[AUG], leavers[SEP]) == (35, 32, 3, 0)
    assert latest == heads[NOV3] == 32


@pytest.mark.parametrize("chunk", [1, 2])
def test_building_in_chunks_gives_the_same_mart(
    loads, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    load, settings = loads
    synergy = people_rows(30, "SYNERGY", 0)
    load(("SYNERGY", AUG, synergy), ("UNITY", AUG, people_rows(5, "UNITY", 100)))
    load(("SYNERGY", SEP, people_rows(30, "SYNERGY", 0, leave={1, 2})))
    load(("UNITY", OCT, people_rows(4, "UNITY", 100)), ("SYNERGY", NOV3, synergy[:25]))
    whole = tmp_path / "whole.duckdb"
    shutil.copyfile(current_path(settings.warehouse), whole)
    with duckdb.connect(str(whole)) as con:
        monkeypatch.setattr("pipeline.ingest.marts.CHUNK", 100)
        assert refresh_month_end_groups(con, None) == 4  # August to October, and after
        at_once = tables(con)
        monkeypatch.setattr("pipeline.ingest.marts.CHUNK", chunk)
        refresh_month_end_groups(con, None)
        assert tables(con) == at_once
