"""Milestone slippage, cumulative benefits and benefits NPV on the hand-made programme register
of tests/tiny_warehouse_extra.py: given rows, expected rows.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest

from core.warehouse import connect_readonly
from queries.constants import GREEN_BOOK_DISCOUNT_RATE, STANDARD_PARAMS
from queries.runner import CLUSTERS, QueryError, Request, load_sql, run
from tests.tiny_warehouse_extra import M1, M2, M3, build

ALL = CLUSTERS
BENEFITS = ("cashable_saving", "non_cashable_efficiency")


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    connection = connect_readonly(build(tmp_path_factory.mktemp("programme")).warehouse)
    yield connection
    connection.close()


def rows(con, metric: str, clusters=ALL, by=(), where=None, **params) -> list[dict]:
    frame = run(con, Request(metric, tuple(clusters), params, tuple(by), where or {}))
    return frame.to_dicts()


# --- milestone_slippage ----------------------------------------------------------------------


def slips(got: list[dict]) -> list[tuple]:
    return [
        (r["milestone_id"], r["extract_date"], r["slip_days"], r["slip_change_days"]) for r in got
    ]


def test_slippage_one_row_per_milestone_and_register_delivery(con) -> None:
    assert slips(rows(con, "milestone_slippage", as_at=M3)) == [
        ("X1", M1, 0, None),
        ("X1", M2, 45, 45),  # forecast moved from 1 March to 15 April
        ("X1", M3, 61, 16),  # ... and on to 1 May
        ("X2", M1, 5, None),
        ("X2", M2, 3, -2),  # achieved on 18 December, earlier than forecast
        ("X2", M3, 3, 0),
        ("X3", M1, 0, None),
        ("X3", M2, 0, 0),
        ("X3", M3, 0, 0),
        ("X4", M2, 0, None),  # first registered at M2
        ("X4", M3, 9, 9),
    ]
    x2 = rows(con, "milestone_slippage", as_at=M3)[4]
    assert x2 == {
        "milestone_id": "X2",
        "extract_date": M2,
        "title": "Milestone X2",
        "baseline_date": date(2025, 12, 15),
        "forecast_date": None,
        "actual_date": date(2025, 12, 18),
        "slip_days": 3,
        "slip_change_days": -2,
    }


def test_slippage_reads_only_deliveries_up_to_the_date(con) -> None:
    got = slips(rows(con, "milestone_slippage", as_at=date(2026, 1, 30)))
    assert {d for _, d, _, _ in got} == {M1, M2}
    assert len(got) == 7
    assert rows(con, "milestone_slippage", as_at=date(2025, 11, 29)) == []


def test_slippage_scope_and_dimensions(con) -> None:
    # The strategy-wide X3 belongs only to a scope with all five clusters.
    synergy = rows(con, "milestone_slippage", clusters=["SYNERGY"], by=["cluster"], as_at=M3)
    assert {(r["cluster"], r["milestone_id"]) for r in synergy} == {
        ("SYNERGY", "X1"),
        ("SYNERGY", "X4"),
    }
    assert {r["milestone_id"] for r in rows(con, "milestone_slippage", as_at=M3)} == {
        "X1",
        "X2",
        "X3",
        "X4",
    }
    soc = rows(con, "milestone_slippage", by=["stage"], where={"stage": ("SOC",)}, as_at=M3)
    assert [(r["stage"], r["milestone_id"], r["slip_days"]) for r in soc] == [
        ("SOC", "X4", 0),
        ("SOC", "X4", 9),
    ]


def test_latest_slip_agrees_with_the_milestones_metric(con) -> None:
    latest = [r for r in rows(con, "milestone_slippage", as_at=M3) if r["extract_date"] == M3]
    summary = rows(con, "milestones", as_at=M3)[0]
    assert summary["mean_slip_days"] == pytest.approx(
        sum(r["slip_days"] for r in latest) / len(latest)
    )
    assert summary["slipped"] == sum(r["slip_days"] > 0 for r in latest)


# --- benefits_cumulative ---------------------------------------------------------------------


def test_benefits_cumulate_over_financial_years(con) -> None:
    got = rows(con, "benefits_cumulative", clusters=["SYNERGY"], by=["measure"], as_at=M3)
    cashable = [r for r in got if r["measure"] == "cashable_saving"]
    assert cashable == [
        {
            "measure": "cashable_saving",
            "financial_year": "2024-25",
            "planned_gbp": 100.0,
            "actual_gbp": 90.0,
            "cumulative_planned_gbp": 100.0,
            "cumulative_actual_gbp": 90.0,
        },
        {
            "measure": "cashable_saving",
            "financial_year": "2025-26",
            "planned_gbp": 200.0,
            "actual_gbp": None,  # not realised yet: the actual line stops here
            "cumulative_planned_gbp": 300.0,
            "cumulative_actual_gbp": None,
        },
        {
            "measure": "cashable_saving",
            "financial_year": "2026-27",
            "planned_gbp": 300.0,
            "actual_gbp": None,
            "cumulative_planned_gbp": 600.0,
            "cumulative_actual_gbp": None,
        },
    ]
    cost = [r["cumulative_planned_gbp"] for r in got if r["measure"] == "programme_cost"]
    assert cost == [200.0, 350.0, 400.0]


def test_benefits_cumulative_runs_within_each_group(con) -> None:
    got = rows(con, "benefits_cumulative", by=["cluster", "measure"], as_at=M3)
    unity_cost = [r for r in got if (r["cluster"], r["measure"]) == ("UNITY", "programme_cost")]
    assert [(r["cumulative_planned_gbp"], r["cumulative_actual_gbp"]) for r in unity_cost] == [
        (80.0, 80.0),
        (180.0, None),
    ]
    # Benefits (cashable 100 + efficiency 50 in 2024-25; 200 + 100 + UNITY's 40; 300 + 100)
    # and cost (200 + 80; 150 + 100; 50) each cumulate on their own, never together.
    totals = rows(con, "benefits_cumulative", where={"measure": BENEFITS}, as_at=M3)
    assert [(r["financial_year"], r["cumulative_planned_gbp"]) for r in totals] == [
        ("2024-25", 150.0),
        ("2025-26", 490.0),
        ("2026-27", 890.0),
    ]
    assert totals[0]["cumulative_actual_gbp"] == 150.0  # 90 + 60
    cost = rows(con, "benefits_cumulative", where={"measure": ("programme_cost",)}, as_at=M3)
    assert [r["cumulative_planned_gbp"] for r in cost] == [280.0, 530.0, 580.0]


def test_benefits_cumulative_reads_the_register_as_at_the_date(con) -> None:
    at_m1 = rows(
        con,
        "benefits_cumulative",
        clusters=["SYNERGY"],
        where={"measure": ("cashable_saving",)},
        as_at=M1,
    )
    assert at_m1[0]["actual_gbp"] == 70.0  # revised to 90 in later deliveries


def test_cumulative_ends_at_the_benefits_metric_total(con) -> None:
    for by, where in (
        (("measure",), {}),
        (("cluster", "measure"), {}),
        (("cluster",), {"measure": BENEFITS}),
    ):
        got = pl.DataFrame(rows(con, "benefits_cumulative", by=by, where=where, as_at=M3))
        last = got.group_by(by).agg(pl.col("cumulative_planned_gbp").last()).sort(by)
        want = pl.DataFrame(rows(con, "benefits", by=by, where=where, as_at=M3)).sort(by)
        assert last["cumulative_planned_gbp"].to_list() == want["planned_gbp"].to_list()


# --- benefits and cost are never added together (issue 12) -----------------------------------

APART = "must be grouped by measure: benefits and programme cost are never added together"


@pytest.mark.parametrize("metric", ["benefits", "benefits_cumulative"])
@pytest.mark.parametrize(
    ("by", "where"),
    [
        ((), {}),
        (("cluster",), {}),
        (("cluster",), {"measure": ("cashable_saving", "programme_cost")}),
    ],
)
def test_the_runner_refuses_to_add_benefits_to_cost(con, metric, by, where) -> None:
    with pytest.raises(QueryError) as refused:
        rows(con, metric, clusters=[], by=by, where=where, as_at=M3)  # even with no scope
    assert str(refused.value) == f"{metric} {APART}"


def test_benefits_by_cluster_are_benefits_only(con) -> None:
    # SYNERGY plans 100 + 50 + 200 + 100 + 300 + 100 = 850 of benefits and 200 + 150 + 50 = 400
    # of cost: the 1,250 that adding them gave (issue 12: £950m for £550m) is never shown.
    by_measure = rows(con, "benefits", clusters=["SYNERGY"], by=["cluster", "measure"], as_at=M3)
    assert {r["measure"]: r["planned_gbp"] for r in by_measure} == {
        "cashable_saving": 600.0,
        "non_cashable_efficiency": 250.0,
        "programme_cost": 400.0,
    }
    gains = rows(con, "benefits", by=["cluster"], where={"measure": BENEFITS}, as_at=M3)
    assert {r["cluster"]: r["planned_gbp"] for r in gains} == {"SYNERGY": 850.0, "UNITY": 40.0}
    cost = rows(con, "benefits", by=["cluster"], where={"measure": ("programme_cost",)}, as_at=M3)
    assert {r["cluster"]: r["planned_gbp"] for r in cost} == {"SYNERGY": 400.0, "UNITY": 180.0}


# --- benefits_npv ----------------------------------------------------------------------------


def test_npv_discounts_each_year_to_the_base_year(con) -> None:
    # At 25% the factors for 2024-25, 2025-26 and 2026-27 are 1, 0.8 and 0.64.
    got = rows(
        con, "benefits_npv", by=["cluster"], as_at=M3, base_year="2024-25", discount_rate=0.25
    )
    assert got == [
        {
            "cluster": "SYNERGY",
            "planned_benefits_pv": pytest.approx(150 + 300 * 0.8 + 400 * 0.64),
            "planned_cost_pv": pytest.approx(200 + 150 * 0.8 + 50 * 0.64),
            "planned_npv": pytest.approx(294.0),
            "actual_benefits_pv": 150.0,  # 2024-25 realised: 90 + 60
            "actual_cost_pv": 210.0,
            "actual_npv": -60.0,
            "forecast_npv": pytest.approx(294.0 - 10),  # 2024-25 cost came in 10 over
        },
        {
            "cluster": "UNITY",
            "planned_benefits_pv": pytest.approx(32.0),
            "planned_cost_pv": pytest.approx(160.0),
            "planned_npv": pytest.approx(-128.0),
            "actual_benefits_pv": 0.0,
            "actual_cost_pv": 80.0,
            "actual_npv": -80.0,
            "forecast_npv": pytest.approx(-128.0),
        },
    ]


def test_npv_years_before_the_base_year_are_carried_forward(con) -> None:
    got = rows(
        con,
        "benefits_npv",
        clusters=["SYNERGY"],
        as_at=M3,
        base_year="2025-26",
        discount_rate=0.25,
    )[0]
    assert got["planned_benefits_pv"] == pytest.approx(150 * 1.25 + 300 + 400 * 0.8)
    assert got["planned_npv"] == pytest.approx(367.5)


def test_npv_at_zero_rate_is_the_plain_difference(con) -> None:
    got = rows(con, "benefits_npv", as_at=M3, base_year="2024-25", discount_rate=0.0)[0]
    by_measure = {
        r["measure"]: r["planned_gbp"] for r in rows(con, "benefits", by=["measure"], as_at=M3)
    }
    benefits = by_measure["cashable_saving"] + by_measure["non_cashable_efficiency"]
    assert got["planned_benefits_pv"] == pytest.approx(benefits)
    assert got["planned_npv"] == pytest.approx(benefits - by_measure["programme_cost"])


def test_npv_at_the_green_book_rate(con) -> None:
    assert GREEN_BOOK_DISCOUNT_RATE == 0.035
    got = rows(
        con, "benefits_npv", clusters=["UNITY"], as_at=M3, base_year="2024-25", **STANDARD_PARAMS
    )
    assert got[0]["planned_npv"] == pytest.approx(40 / 1.035 - 80 - 100 / 1.035)


def test_npv_groups_sum_to_the_total(con) -> None:
    params = {"as_at": M3, "base_year": "2024-25", "discount_rate": 0.035}
    total = pl.DataFrame(rows(con, "benefits_npv", **params))
    by_cluster = pl.DataFrame(rows(con, "benefits_npv", by=["cluster"], **params))
    for measure in load_sql("benefits_npv").measures:
        assert by_cluster[measure].sum() == pytest.approx(total[measure][0]), measure


# --- every metric ----------------------------------------------------------------------------

PARAMS = {
    "milestone_slippage": {"as_at": M3},
    "benefits_cumulative": {"as_at": M3},
    "benefits_npv": {"as_at": M3, "base_year": "2024-25", "discount_rate": 0.035},
}


# benefits_cumulative is always grouped by measure (benefits and cost apart).
MEASURE = {"benefits_cumulative": ("measure",)}


@pytest.mark.parametrize("metric", sorted(PARAMS))
def test_scope_limits_every_row_and_no_scope_means_no_rows(con, metric) -> None:
    assert rows(con, metric, clusters=[], by=MEASURE.get(metric, ()), **PARAMS[metric]) == []
    by = ["cluster", *MEASURE.get(metric, ())]
    unity = rows(con, metric, clusters=["UNITY"], by=by, **PARAMS[metric])
    assert unity and {r["cluster"] for r in unity} == {"UNITY"}


@pytest.mark.parametrize("metric", sorted(PARAMS))
def test_measures_are_the_header_columns_in_order(con, metric) -> None:
    by = ("cluster", *MEASURE.get(metric, ()))
    frame = run(con, Request(metric, ALL, PARAMS[metric], by))
    assert frame.columns == [*by, *load_sql(metric).measures]
    assert frame.height > 0
