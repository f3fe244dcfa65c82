"""History (extracts.md §7, issue 3 §3): any loaded date can be answered as at, late and
restated deliveries land on their own date, and history keeps one row per version."""

from __future__ import annotations

import contextlib
from datetime import date

import duckdb
import pyarrow.parquet as pq
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from ingest_factories import (
    cluster_delivery,
    contingent,
    employees,
    ingest,
    make_settings,
    query,
)

from core.warehouse import connect_readonly
from pipeline.ingest.history import HistoryTable, apply_snapshot
from pipeline.ingest.load import CONTINGENT, EMPLOYEES, MANAGERS, SALARIES

# A year back, so that December is not after today (deliveries from the future are refused).
SEP, OCT, NOV, DEC = date(2025, 9, 30), date(2025, 10, 31), date(2025, 11, 30), date(2025, 12, 31)


def changed(month: int) -> list[dict]:
    """The 400 employees as at the month: everyone's salary rises in November (a pay award),
    employee 3 is promoted in October, 4 leaves in November and 400 joins in December."""
    rows = employees(401)
    rows[3]["grade"] = "G6" if month >= 10 else "G7"
    if month >= 11:
        for row in rows:
            row["annual_salary_gbp"] += 1_000
    keep = [
        r
        for i, r in enumerate(rows)
        if not (i == 4 and month >= 11) and not (i == 400 and month < 12)
    ]
    return keep


def assert_every_delivery_answers_as_at(settings) -> None:
    """For every loaded (cluster, date): as at that date = the delivered rows minus the
    quarantined ones, for employees and contingent labour."""
    with contextlib.closing(connect_readonly(settings.warehouse)) as con:
        loaded = con.execute(
            "SELECT feed::VARCHAR, extract_date FROM snapshots WHERE feed <> 'PROGRAMME'"
        ).fetchall()
        for cluster, when in loaded:
            folder = settings.landing / cluster / when.isoformat()
            for file, macro, key in (
                ("employees.parquet", "employees_as_at", "person_key"),
                ("contingent_labour.parquet", "contingent_as_at", "worker_id"),
            ):
                held = {
                    n
                    for (n,) in con.execute(
                        "SELECT row_number FROM quarantine WHERE feed = $c AND extract_date = $d"
                        " AND file = $f",
                        {"c": cluster, "d": when, "f": file},
                    ).fetchall()
                }
                rows = [
                    r
                    for i, r in enumerate(pq.read_table(folder / file).to_pylist())
                    if i not in held
                ]
                got = con.execute(
                    f"SELECT * EXCLUDE (cluster, extract_date) FROM {macro}($d)"
                    f" WHERE cluster = $c ORDER BY {key}",
                    {"d": when, "c": cluster},
                )
                names = [d[0] for d in got.description]
                got_rows = [dict(zip(names, r, strict=True)) for r in got.fetchall()]
                want = sorted(rows, key=lambda r: r[key])
                assert got_rows == want, f"{cluster} {when} {file}"


def assert_history_is_coalesced(settings) -> None:
    with contextlib.closing(connect_readonly(settings.warehouse)) as con:
        for history in (EMPLOYEES, SALARIES, MANAGERS, CONTINGENT):
            table, key = history.name, history.key[0]
            overlaps = con.execute(
                f"""SELECT count(*) FROM {table} a JOIN {table} b USING (cluster, {key})
                WHERE a.rowid < b.rowid
                    AND a.valid_from < b.valid_to AND b.valid_from < a.valid_to"""
            ).fetchone()[0]
            same = " AND ".join(f"a.{c} IS NOT DISTINCT FROM b.{c}" for c in history.content)
            mergeable = con.execute(
                f"""SELECT count(*) FROM {table} a JOIN {table} b USING (cluster, {key})
                WHERE a.valid_to = b.valid_from AND {same}"""
            ).fetchone()[0]
            assert (overlaps, mergeable) == (0, 0), table


def test_history_keeps_one_row_per_version(tmp_path, capsys):
    settings = make_settings(tmp_path)
    for when in (SEP, OCT, NOV, DEC):
        cluster_delivery(settings.landing, "SYNERGY", when, employees_rows=changed(when.month))
    assert ingest(settings, capsys)[0] == 0
    assert_every_delivery_answers_as_at(settings)
    assert_history_is_coalesced(settings)
    # 400 first versions, +1 promotion, +1 joiner; the pay award touches salaries only
    assert query(settings, "SELECT count(*) FROM employee_history") == [(402,)]
    assert query(settings, "SELECT count(*) FROM salary_history") == [(400 + 399 + 1,)]
    assert query(settings, "SELECT count(*) FROM persons") == [(401,)]


def test_as_at_between_and_before_snapshots(tmp_path, capsys):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, "SYNERGY", SEP, employees_rows=changed(9))
    cluster_delivery(settings.landing, "SYNERGY", NOV, employees_rows=changed(11))
    cluster_delivery(settings.landing, "UNITY", OCT, employees_rows=employees(10, "UNITY"))
    assert ingest(settings, capsys)[0] == 0
    as_at = (
        "SELECT cluster::VARCHAR, extract_date, count(*) FROM employees_as_at($d)"
        " GROUP BY ALL ORDER BY 1"
    )
    assert query(settings, as_at, {"d": date(2025, 9, 29)}) == []
    assert query(settings, as_at, {"d": date(2025, 10, 15)}) == [("SYNERGY", SEP, 400)]
    assert query(settings, as_at, {"d": date(2025, 11, 29)}) == [
        ("SYNERGY", SEP, 400),
        ("UNITY", OCT, 10),
    ]
    assert query(settings, as_at, {"d": date(2026, 1, 1)}) == [
        ("SYNERGY", NOV, 399),
        ("UNITY", OCT, 10),
    ]
    assert query(
        settings, "SELECT feed::VARCHAR, extract_date FROM snapshots_as_at('2025-10-31') ORDER BY 1"
    ) == [("SYNERGY", SEP), ("UNITY", OCT)]


def test_late_delivery_loads_for_its_own_date(tmp_path, capsys):
    settings = make_settings(tmp_path)
    for when in (SEP, NOV, DEC):
        cluster_delivery(settings.landing, "SYNERGY", when, employees_rows=changed(when.month))
    assert ingest(settings, capsys)[0] == 0
    grade_of_3 = "SELECT grade FROM employees_as_at($d) WHERE person_key = 'PKSYNERGY00003'"
    assert query(settings, grade_of_3, {"d": OCT}) == [("G7",)]  # September's, for now
    cluster_delivery(settings.landing, "SYNERGY", OCT, employees_rows=changed(10))  # a week late
    code, out = ingest(settings, capsys)
    assert code == 0
    assert "loaded: SYNERGY 2025-10-31 (" in out
    assert query(settings, grade_of_3, {"d": OCT}) == [("G6",)]
    assert query(settings, grade_of_3, {"d": SEP}) == [("G7",)]
    assert_every_delivery_answers_as_at(settings)
    assert_history_is_coalesced(settings)
    assert query(settings, "SELECT count(*) FROM employee_history") == [(402,)]


def test_restatement_replaces_the_date_and_the_log_says_so(tmp_path, capsys):
    settings = make_settings(tmp_path)
    for when in (SEP, OCT, NOV):
        cluster_delivery(settings.landing, "SYNERGY", when, employees_rows=changed(when.month))
    assert ingest(settings, capsys)[0] == 0
    first = query(settings, "SELECT load_id FROM snapshots WHERE extract_date = $d", {"d": OCT})[0][
        0
    ]
    restated = changed(10)
    restated[7]["region"] = "TLM"
    del restated[8]
    cluster_delivery(
        settings.landing, "SYNERGY", OCT, employees_rows=restated, contingent_rows=contingent(5)
    )
    code, out = ingest(settings, capsys)
    assert code == 0, out
    assert f"restated (replaces load {first}): SYNERGY 2025-10-31 (" in out
    assert query(
        settings, "SELECT outcome, replaces_load_id FROM load_log ORDER BY load_id DESC LIMIT 1"
    ) == [("restated", first)]
    assert query(settings, "SELECT count(*) FROM employees_as_at($d)", {"d": OCT}) == [(399,)]
    assert query(settings, "SELECT count(*) FROM contingent_as_at($d)", {"d": OCT}) == [(5,)]
    assert_every_delivery_answers_as_at(settings)
    assert_history_is_coalesced(settings)
    # restating it back to the original bytes is a restatement too, and coalesces again
    cluster_delivery(settings.landing, "SYNERGY", OCT, employees_rows=changed(10))
    assert ingest(settings, capsys)[0] == 0
    assert_every_delivery_answers_as_at(settings)
    assert_history_is_coalesced(settings)
    assert query(settings, "SELECT count(*) FROM employee_history") == [(401,)]


def test_a_person_moving_between_clusters_is_in_each_for_its_own_dates(tmp_path, capsys):
    settings = make_settings(tmp_path)
    mover = employees(1, "SYNERGY", first=50)[0]
    cluster_delivery(settings.landing, "SYNERGY", SEP, employees_rows=[*employees(10), mover])
    moved = dict(mover, organisation_code="HMRC", employee_id="U1", manager_employee_id=None)
    cluster_delivery(
        settings.landing, "UNITY", OCT, employees_rows=[*employees(10, "UNITY"), moved]
    )
    cluster_delivery(settings.landing, "SYNERGY", OCT, employees_rows=employees(10))
    assert ingest(settings, capsys)[0] == 0
    where = "SELECT cluster::VARCHAR FROM employees_as_at($d) WHERE person_key = $k"
    assert query(settings, where, {"d": SEP, "k": mover["person_key"]}) == [("SYNERGY",)]
    assert query(settings, where, {"d": OCT, "k": mover["person_key"]}) == [("UNITY",)]
    assert query(settings, "SELECT count(*) FROM persons") == [(21,)]


MOVERS = """SELECT DISTINCT p.person_key FROM mover_history JOIN persons AS p USING (person_id)
    ORDER BY 1"""
# mover_history, by brute force: every version of everyone with history in two clusters
MOVER_VERSIONS = """SELECT cluster, person_id, organisation_start_date, valid_from, valid_to
    FROM employee_history WHERE person_id IN (
        SELECT person_id FROM employee_history GROUP BY ALL HAVING count(DISTINCT cluster) > 1
    ) ORDER BY ALL"""


def test_movers_are_the_people_in_two_clusters_through_late_loads_and_restatements(
    tmp_path, capsys
):
    """`mover_history` holds exactly the versions of the persons with history in more than one
    cluster, whichever order the deliveries come in and whatever a restatement takes back."""
    settings = make_settings(tmp_path)
    mover = employees(1, "SYNERGY", first=50)[0]
    moved = dict(mover, organisation_code="HMRC", employee_id="U1", manager_employee_id=None)
    key = mover["person_key"]

    def movers() -> list[tuple]:
        versions = "SELECT * FROM mover_history ORDER BY ALL"
        assert query(settings, versions) == query(settings, MOVER_VERSIONS)
        return query(settings, MOVERS)

    cluster_delivery(
        settings.landing, "UNITY", OCT, employees_rows=[*employees(10, "UNITY"), moved]
    )
    cluster_delivery(settings.landing, "SYNERGY", OCT, employees_rows=employees(10))
    assert ingest(settings, capsys)[0] == 0
    assert movers() == []
    # SYNERGY's September, delivered late, still had them: now in two clusters' history
    cluster_delivery(settings.landing, "SYNERGY", SEP, employees_rows=[*employees(10), mover])
    assert ingest(settings, capsys)[0] == 0
    assert movers() == [(key,)]
    # a restatement of that September without them: never in SYNERGY after all
    cluster_delivery(settings.landing, "SYNERGY", SEP, employees_rows=employees(10))
    assert "restated (replaces load 3): SYNERGY 2025-09-30" in ingest(settings, capsys)[1]
    assert movers() == []
    # back in September, and UNITY's October restated without them: SYNERGY only
    cluster_delivery(settings.landing, "SYNERGY", SEP, employees_rows=[*employees(10), mover])
    cluster_delivery(settings.landing, "UNITY", OCT, employees_rows=employees(10, "UNITY"))
    assert ingest(settings, capsys)[0] == 0
    assert movers() == []
    # in both at once (a second post), and a change of grade there keeps them a mover
    cluster_delivery(
        settings.landing, "UNITY", NOV, employees_rows=[*employees(10, "UNITY"), moved]
    )
    assert ingest(settings, capsys)[0] == 0
    assert movers() == [(key,)]
    cluster_delivery(
        settings.landing,
        "UNITY",
        DEC,
        employees_rows=[*employees(10, "UNITY"), dict(moved, grade="G6")],
    )
    assert ingest(settings, capsys)[0] == 0
    assert movers() == [(key,)]
    assert_every_delivery_answers_as_at(settings)


# --- the interval algorithm on its own, against a brute-force model -------------------------

TABLE = HistoryTable("h", ("k",), ("v",))
DATES = [date(2026, 1, d) for d in range(1, 7)]


def _load(con, when, snapshot):
    con.execute("CREATE OR REPLACE TEMP TABLE new_rows (k INTEGER, v INTEGER)")
    if snapshot:
        con.executemany("INSERT INTO new_rows VALUES (?, ?)", sorted(snapshot.items()))
    nxt = con.execute("SELECT min(d) FROM loaded WHERE d > $d", {"d": when}).fetchone()[0]
    again = con.execute("SELECT count(*) FROM loaded WHERE d = $d", {"d": when}).fetchone()[0]
    apply_snapshot(
        con,
        TABLE,
        "new_rows",
        cluster="SYNERGY",
        extract_date=when,
        next_date=nxt,
        restating=again > 0,
    )
    con.execute("DELETE FROM loaded WHERE d = $d", {"d": when})
    con.execute("INSERT INTO loaded VALUES ($d)", {"d": when})


snapshots = st.dictionaries(st.integers(0, 5), st.integers(0, 2), max_size=6)


@hsettings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(DATES), snapshots), min_size=1, max_size=10))
def test_any_order_of_loads_and_restatements_answers_every_date(loads):
    """Whatever the order (late deliveries, restatements), each loaded date answers its last
    delivered snapshot, versions never overlap and identical neighbours are always merged."""
    con = duckdb.connect()
    con.execute("CREATE TYPE feed_t AS ENUM ('SYNERGY')")
    con.execute(
        "CREATE TABLE h (cluster feed_t, k INTEGER, v INTEGER, valid_from DATE, valid_to DATE)"
    )
    con.execute("CREATE TABLE loaded (d DATE)")
    final: dict[date, dict[int, int]] = {}
    for when, snapshot in loads:
        _load(con, when, snapshot)
        final[when] = snapshot
    for when, snapshot in final.items():
        got = con.execute(
            "SELECT k, v FROM h WHERE valid_from <= $d AND $d < valid_to", {"d": when}
        ).fetchall()
        assert dict(got) == snapshot and len(got) == len(snapshot), when
    assert con.execute(
        "SELECT count(*) FROM h a JOIN h b ON a.k = b.k AND a.rowid < b.rowid"
        " AND a.valid_from < b.valid_to AND b.valid_from < a.valid_to"
    ).fetchone() == (0,)
    assert con.execute(
        "SELECT count(*) FROM h a JOIN h b ON a.k = b.k AND a.valid_to = b.valid_from AND a.v = b.v"
    ).fetchone() == (0,)
    # compact: as many rows as runs of equal values over the loaded dates, no more
    days = sorted(final)
    runs = sum(
        1
        for k in range(6)
        for i, d in enumerate(days)
        if k in final[d] and (i == 0 or final[days[i - 1]].get(k) != final[d][k])
    )
    assert con.execute("SELECT count(*) FROM h").fetchone() == (runs,)
    assert con.execute(
        "SELECT count(*) FROM h WHERE valid_from NOT IN (SELECT d FROM loaded)"
    ).fetchone() == (0,)


def test_line_managers_survive_an_id_migration_and_a_quarantined_manager(tmp_path, capsys):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, "SYNERGY", SEP)
    migrated = employees()  # the source system renumbers everyone: E00010 -> X00010, ...
    for row in migrated:
        row["employee_id"] = "X" + row["employee_id"][1:]
        if row["manager_employee_id"]:
            row["manager_employee_id"] = "X" + row["manager_employee_id"][1:]
    cluster_delivery(settings.landing, "SYNERGY", OCT, employees_rows=migrated)
    held_back = [dict(r) for r in migrated]
    held_back[10]["fte"] = 9.0  # the head of team 10..19 is quarantined; the team still names them
    cluster_delivery(settings.landing, "SYNERGY", NOV, employees_rows=held_back)
    code, out = ingest(settings, capsys)
    assert code == 0, out
    assert "loaded with 1 rows quarantined: SYNERGY 2025-11-30" in out
    assert_every_delivery_answers_as_at(settings)
    boss = "SELECT manager_employee_id FROM employees_as_at($d) WHERE employee_id LIKE '_00013'"
    assert query(settings, boss, {"d": SEP}) == [("E00010",)]
    assert query(settings, boss, {"d": OCT}) == [("X00010",)]
    assert query(settings, boss, {"d": NOV}) == [("X00010",)]
    # the migration is no change of manager; the quarantined head is, for their team of nine
    assert query(settings, "SELECT count(*) FROM manager_history") == [(400 + 9,)]
