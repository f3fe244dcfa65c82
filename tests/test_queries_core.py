"""The cli.md metrics on the tiny warehouse (tests/tiny_warehouse.py): given rows, expected rows.

Every expected number below can be counted by hand from the table in tiny_warehouse's docstring.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import polars as pl
import pytest
from ingest_factories import cluster_delivery, employees, ingest, make_settings

from core.warehouse import connect_readonly
from queries.runner import (
    CLUSTERS,
    QueryError,
    Request,
    _macros,
    feed_status,
    load_sql,
    prepare,
    run,
)
from tests.tiny_warehouse import A, B, build

ALL = CLUSTERS


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    settings = build(tmp_path_factory.mktemp("tiny"))
    connection = connect_readonly(settings.warehouse)
    yield connection
    connection.close()


def rows(con, metric: str, clusters=ALL, by=(), where=None, **params) -> list[dict]:
    frame = run(con, Request(metric, tuple(clusters), params, tuple(by), where or {}))
    return frame.to_dicts()


def test_workforce_as_at_each_date_one_person_one_count(con) -> None:
    assert rows(con, "workforce", as_at=A, by=["cluster"]) == [
        {"cluster": "MATRIX", "headcount": 2, "fte": 2.0, "paybill_gbp": 130_000.0},
        {"cluster": "SYNERGY", "headcount": 6, "fte": 5.6, "paybill_gbp": 213_000.0},
        {"cluster": "UNITY", "headcount": 2, "fte": 2.0, "paybill_gbp": 60_000.0},
    ]
    # As at B MATRIX is stale: p09 still counts from its January snapshot, and p08, in both
    # MATRIX's January snapshot and UNITY's February one, counts once, in UNITY.
    got = rows(con, "workforce", as_at=B, by=["cluster"])
    assert [(r["cluster"], r["headcount"]) for r in got] == [
        ("MATRIX", 1),
        ("SYNERGY", 5),
        ("UNITY", 4),
    ]
    unity = got[2]
    assert unity["fte"] == pytest.approx(3.5)
    assert unity["paybill_gbp"] == pytest.approx(36_000 + 31_000 + 58_000 + 12_000)


def test_a_date_between_snapshots_uses_the_latest_on_or_before_it(con) -> None:
    assert rows(con, "workforce", as_at=date(2026, 2, 27)) == rows(con, "workforce", as_at=A)
    assert rows(con, "workforce", as_at=date(2026, 1, 30)) == []  # before any snapshot


def test_feed_status_names_stale_and_absent_clusters(con) -> None:
    status = feed_status(con, B, ALL)
    assert dict(zip(status["cluster"], status["status"], strict=True)) == {
        "DEFENCE": "absent",
        "MATRIX": "stale",
        "OVERSEAS": "absent",
        "SYNERGY": "current",
        "UNITY": "current",
    }


def test_unknown_grade_is_its_own_group_and_filters_bind_values(con) -> None:
    by_grade = {r["grade"]: r["headcount"] for r in rows(con, "workforce", as_at=B, by=["grade"])}
    assert by_grade == {"AO": 2, "EO": 2, "G6": 1, "G7": 2, "HEO": 1, "SEO": 1, "unknown": 1}
    unknown = rows(con, "workforce", as_at=B, where={"grade": ("unknown",)})
    assert unknown[0]["headcount"] == 1
    hostile = rows(con, "workforce", as_at=B, where={"grade": ("EO' OR '1'='1",)})
    assert hostile == []


def test_scope_limits_every_row_and_no_scope_means_no_rows(con) -> None:
    assert rows(con, "workforce", clusters=["UNITY"], as_at=B, by=["organisation_code"]) == [
        {"organisation_code": "DVLA", "headcount": 1, "fte": 0.5, "paybill_gbp": 12_000.0},
        {"organisation_code": "HMRC", "headcount": 3, "fte": 3.0, "paybill_gbp": 125_000.0},
    ]
    for metric, params in (
        ("workforce", {"as_at": B}),
        ("flows", {"date_from": A, "date_to": B}),
        ("contingent", {"as_at": B}),
        ("spend", {"period_from": "2026-01", "period_to": "2026-12"}),
        ("milestones", {"as_at": B}),
        ("benefits", {"as_at": B}),
    ):
        by = ["measure"] if metric == "benefits" else []  # benefits never added to cost
        assert rows(con, metric, clusters=[], by=by, **params) == [], metric


def test_flows_by_cluster_counted_by_hand(con) -> None:
    got = rows(con, "flows", date_from=A, date_to=B, by=["cluster"])
    assert got == [
        {
            "cluster": "MATRIX",
            "headcount_start": 2,
            "joiners": 0,
            "leavers": 0,
            "transfers_in": 0,
            "transfers_out": 1,
            "headcount_end": 1,
        },
        {
            "cluster": "SYNERGY",
            "headcount_start": 6,
            "joiners": 1,
            "leavers": 1,
            "transfers_in": 0,
            "transfers_out": 1,
            "headcount_end": 5,
        },
        {
            "cluster": "UNITY",
            "headcount_start": 2,
            "joiners": 1,
            "leavers": 1,
            "transfers_in": 2,
            "transfers_out": 0,
            "headcount_end": 4,
        },
    ]


def test_flows_totals_move_only_across_the_scope_edge(con) -> None:
    assert rows(con, "flows", date_from=A, date_to=B) == [
        {
            "headcount_start": 10,
            "joiners": 2,
            "leavers": 2,
            "transfers_in": 0,
            "transfers_out": 0,
            "headcount_end": 10,
        }
    ]
    assert rows(con, "flows", clusters=["SYNERGY"], date_from=A, date_to=B) == [
        {
            "headcount_start": 6,
            "joiners": 1,
            "leavers": 1,
            "transfers_in": 0,
            "transfers_out": 1,
            "headcount_end": 5,
        }
    ]
    by_dept = {
        r["department"]: r
        for r in rows(con, "flows", clusters=["SYNERGY"], date_from=A, date_to=B, by=["department"])
    }
    assert by_dept["DWP"]["transfers_out"] == 2  # p04 to UNITY, p05 to MOJ
    assert by_dept["MOJ"]["transfers_in"] == 1 and by_dept["MOJ"]["joiners"] == 1


def test_flows_identity_holds_for_every_grouping(con) -> None:
    for by in (
        (),
        ("cluster",),
        ("department",),
        ("organisation_code",),
        ("cluster", "department"),
    ):
        for r in rows(con, "flows", date_from=A, date_to=B, by=by):
            assert r["headcount_end"] == (
                r["headcount_start"]
                + r["joiners"]
                - r["leavers"]
                + r["transfers_in"]
                - r["transfers_out"]
            ), (by, r)


def test_contingent_workers_fte_and_annualised_cost(con) -> None:
    assert rows(con, "contingent", as_at=B, by=["category"]) == [
        {"category": "agency_admin", "workers": 1, "fte": 1.0, "annualised_cost_gbp": 44_000.0},
        {"category": "consultant", "workers": 1, "fte": 0.5, "annualised_cost_gbp": 110_000.0},
    ]


def test_spend_counts_a_resent_line_once(con) -> None:
    got = rows(con, "spend", period_from="2026-01", period_to="2026-02", by=["period"])
    assert [(r["period"], float(r["amount_gbp"])) for r in got] == [
        ("2026-01", 1250.5),
        ("2026-02", 2000.0),
    ]
    only_jan = rows(con, "spend", period_from="2026-01", period_to="2026-01")
    assert float(only_jan[0]["amount_gbp"]) == 1250.5


def test_spend_as_at_counts_the_lines_delivered_by_the_date(con) -> None:
    # As at A only January's two lines (1,000 + 250.50) are in; February's 2,000 comes on B,
    # when January's first line is sent again and still counts once.
    def by_period(as_at) -> list[tuple[str, float]]:
        got = rows(con, "spend_as_at", period_from="2026-01", period_to="2026-02", by=["period"],
                   as_at=as_at)  # fmt: skip
        return [(r["period"], float(r["amount_gbp"])) for r in got]

    assert by_period(A) == [("2026-01", 1250.5)]
    assert by_period(B - timedelta(days=1)) == [("2026-01", 1250.5)]
    assert by_period(B) == [("2026-01", 1250.5), ("2026-02", 2000.0)]


def test_milestones_as_at_b(con) -> None:
    assert rows(con, "milestones", as_at=B) == [
        {"milestones": 3, "achieved": 1, "overdue": 1, "slipped": 2, "mean_slip_days": 33.0}
    ]
    # Strategy-wide (ALL) milestones belong only to a scope with every cluster.
    assert rows(con, "milestones", clusters=["UNITY"], as_at=B)[0]["milestones"] == 1
    # As at A the register of A is used: M1 not yet achieved, forecast after baseline.
    assert rows(con, "milestones", as_at=A, by=["cluster"])[1] == {
        "cluster": "SYNERGY",
        "milestones": 1,
        "achieved": 0,
        "overdue": 0,
        "slipped": 1,
        "mean_slip_days": 17.0,
    }


def test_benefits_sum_with_nulls_as_zero(con) -> None:
    got = rows(con, "benefits", as_at=B, by=["cluster", "measure"])
    assert [{k: v for k, v in r.items() if k != "measure"} for r in got] == [
        {"cluster": "SYNERGY", "planned_gbp": 100.0, "actual_gbp": 80.0, "hours_released": 0.0},
        {"cluster": "UNITY", "planned_gbp": 50.0, "actual_gbp": 0.0, "hours_released": 10.0},
    ]


def test_dimensions_are_checked_against_the_metric_list(con) -> None:
    with pytest.raises(QueryError, match="flows cannot be grouped or filtered by 'grade'"):
        rows(con, "flows", date_from=A, date_to=B, by=["grade"])
    with pytest.raises(QueryError, match="cannot be grouped or filtered by 'salary; drop'"):
        rows(con, "workforce", as_at=B, by=["salary; drop"])
    with pytest.raises(QueryError, match="must be a date"):
        rows(con, "workforce", as_at="2026-02-28")


def test_groups_sum_to_the_total(con) -> None:
    total = rows(con, "workforce", as_at=B)[0]
    for dim in ("cluster", "department", "grade", "sex", "region", "profession"):
        frame = pl.DataFrame(rows(con, "workforce", as_at=B, by=[dim]))
        assert frame["headcount"].sum() == total["headcount"], dim
        assert frame["paybill_gbp"].sum() == pytest.approx(total["paybill_gbp"]), dim


def test_a_cursor_defines_the_macros_its_sql_calls_and_only_those(con) -> None:
    defined = (
        "SELECT DISTINCT function_name FROM duckdb_functions()"
        " WHERE database_name = 'temp' ORDER BY 1"
    )
    with prepare(con, load_sql("workforce").text) as cursor:
        names = [n for (n,) in cursor.execute(defined).fetchall()]
    assert names == ["lost_at", "org_dim", "rows_at", "workforce_at"]
    with prepare(con, "SELECT * FROM feed_status($d)") as cursor:
        assert [n for (n,) in cursor.execute(defined).fetchall()] == ["feed_status"]
    with prepare(con) as cursor:  # no SQL named: every macro of _common.sql
        assert len(cursor.execute(defined).fetchall()) == len(_macros())


def test_every_sql_file_has_a_header_and_binds_only_declared_parameters() -> None:
    import re

    from queries.runner import SQL_DIR, load_sql

    for path in sorted(SQL_DIR.glob("[!_]*.sql")):
        sql = load_sql(path.stem)
        assert sql.measures and f"{path.stem}.toml" in sql.text.splitlines()[0], path.name
        used = set(re.findall(r"\$([a-z_][a-z0-9_]*)", sql.text))
        assert used - {"where_" + d for d in sql.dimensions} <= set(sql.params), path.name
        assert "clusters" in sql.params, f"{path.name} takes no scope"


# --- the as-at people and their pay, against the rule applied by brute force ---------------

# extracts.md §7 straight from the schema's employees_as_at (every cluster's snapshot, pay
# included): one row per person, the later organisation start, then the later snapshot, then
# the cluster code sorting first.
BY_THE_RULE = """
SELECT person_key, CAST(cluster AS VARCHAR) AS cluster, extract_date, organisation_code,
       CAST(grade AS VARCHAR), fte, annual_salary_gbp
FROM employees_as_at($d)
QUALIFY row_number() OVER (
    PARTITION BY person_key
    ORDER BY organisation_start_date DESC, extract_date DESC, CAST(cluster AS VARCHAR)
) = 1
ORDER BY person_key
"""
AS_VIEWED = """
SELECT p.person_key, w.cluster, w.extract_date, w.organisation_code, CAST(w.grade AS VARCHAR),
       w.fte, w.annual_salary_gbp
FROM workforce_at($d) AS w JOIN persons AS p USING (person_id)
ORDER BY p.person_key
"""


def assert_views_follow_the_rule(connection, dates) -> None:
    with prepare(connection) as cursor:
        for when in dates:
            want = cursor.execute(BY_THE_RULE, {"d": when}).fetchall()
            assert cursor.execute(AS_VIEWED, {"d": when}).fetchall() == want, when
            people = "SELECT * FROM people_at($d) ORDER BY person_id"
            pay = "SELECT * EXCLUDE (annual_salary_gbp) FROM workforce_at($d) ORDER BY person_id"
            assert cursor.execute(people, {"d": when}).fetchall() == (
                cursor.execute(pay, {"d": when}).fetchall()
            ), when


def test_workforce_at_follows_the_rule_on_the_tiny_warehouse(con) -> None:
    assert_views_follow_the_rule(con, (A, date(2026, 2, 15), B, date(2026, 1, 1)))


def test_a_person_in_two_snapshots_counts_once_with_the_pay_of_the_snapshot_that_wins(
    tmp_path, capsys
) -> None:
    """m1 moves to UNITY (later organisation start); m2 is in both with the same start (the
    later snapshot wins); m3 is in both snapshots of one date with the same start (SYNERGY,
    sorting first, wins).  Every cluster's pay differs, so the wrong one would show."""
    settings = make_settings(tmp_path)
    sep, oct_ = date(2026, 9, 30), date(2026, 10, 31)
    people = employees(3, "SYNERGY", first=50)
    m1, m2, m3 = (dict(p, manager_employee_id=None, fte=1.0) for p in people)
    m1.update(organisation_start_date=date(2015, 1, 1), annual_salary_gbp=40_000.0)
    m2.update(organisation_start_date=date(2020, 1, 1), annual_salary_gbp=41_000.0)
    m3.update(organisation_start_date=date(2019, 1, 1), annual_salary_gbp=42_000.0)

    def in_unity(person: dict, salary: float, **change) -> dict:
        return dict(person, organisation_code="HMRC", employee_id="U" + person["employee_id"],
                    annual_salary_gbp=salary, **change)  # fmt: skip

    cluster_delivery(settings.landing, "SYNERGY", sep, employees_rows=[m1, m2, m3])
    cluster_delivery(settings.landing, "UNITY", sep, employees_rows=[in_unity(m3, 52_000.0)])
    cluster_delivery(
        settings.landing, "UNITY", oct_,
        employees_rows=[in_unity(m1, 50_000.0, organisation_start_date=date(2026, 10, 1)),
                        in_unity(m2, 51_000.0)],
    )  # fmt: skip
    assert ingest(settings, capsys)[0] == 0  # SYNERGY has no October: stale, still counted
    connection = connect_readonly(settings.warehouse)
    try:
        assert_views_follow_the_rule(connection, (sep, oct_))
        paid = {
            when: {
                (r["cluster"], r["headcount"], r["paybill_gbp"])
                for r in rows(connection, "workforce", as_at=when, by=["cluster"])
            }
            for when in (sep, oct_)
        }
        assert paid[sep] == {("SYNERGY", 3, 40_000 + 41_000 + 42_000.0)}
        assert paid[oct_] == {("SYNERGY", 1, 42_000.0), ("UNITY", 2, 50_000 + 51_000.0)}
    finally:
        connection.close()
