"""Workforce trend, turnover, paybill reconciliation, cost per FTE, HR/finance ratios, spans and
layers, and representation on hand-made data (tests/tiny_warehouse_extra.py): given rows,
expected rows.  Every expected number can be counted from that module's docstring.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.warehouse import connect_readonly
from queries.constants import EMPLOYER_NI_RATE, EMPLOYER_PENSION_RATE, STANDARD_PARAMS
from queries.runner import CLUSTERS, Request, load_sql, prepare, run
from tests import tiny_warehouse
from tests.tiny_warehouse_extra import M1, M2, M3, MONTH_ENDS, build

ALL = CLUSTERS
FEB = date(2026, 2, 28)
RECONCILE = {"pension_rate": 0.27, "ni_rate": 0.14, "tolerance": 0.02, "as_at": M3}


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    connection = connect_readonly(build(tmp_path_factory.mktemp("extra")).warehouse)
    yield connection
    connection.close()


def rows(con, metric: str, clusters=ALL, by=(), where=None, **params) -> list[dict]:
    frame = run(con, Request(metric, tuple(clusters), params, tuple(by), where or {}))
    return frame.to_dicts()


def keyed(got: list[dict], key: str) -> dict[str, dict]:
    return {r.pop(key): r for r in got}


# --- workforce_trend -------------------------------------------------------------------------


def test_trend_reads_every_month_end_as_at_its_own_date(con) -> None:
    got = rows(con, "workforce_trend", by=["cluster"], date_from=M1, date_to=FEB)
    assert got == [
        # s01's pay rise from 96k to 100k shows at M2; February reads January's snapshots.
        {"cluster": "SYNERGY", "month_end": M1, "headcount": 9, "fte": 8.5, "paybill_gbp": 401e3},
        {"cluster": "SYNERGY", "month_end": M2, "headcount": 9, "fte": 8.5, "paybill_gbp": 405e3},
        {"cluster": "SYNERGY", "month_end": M3, "headcount": 7, "fte": 6.5, "paybill_gbp": 345e3},
        {"cluster": "SYNERGY", "month_end": FEB, "headcount": 7, "fte": 6.5, "paybill_gbp": 345e3},
        {"cluster": "UNITY", "month_end": M1, "headcount": 6, "fte": 5.5, "paybill_gbp": 192e3},
        {"cluster": "UNITY", "month_end": M2, "headcount": 5, "fte": 4.5, "paybill_gbp": 168e3},
        {"cluster": "UNITY", "month_end": M3, "headcount": 6, "fte": 5.5, "paybill_gbp": 198e3},
        {"cluster": "UNITY", "month_end": FEB, "headcount": 6, "fte": 5.5, "paybill_gbp": 198e3},
    ]


def test_trend_takes_only_month_ends_in_range_with_data(con) -> None:
    # September and October 2025 come before the first snapshot; 31 January is after the end.
    got = rows(con, "workforce_trend", date_from=date(2025, 9, 1), date_to=date(2026, 1, 30))
    assert [(r["month_end"], r["headcount"]) for r in got] == [(M1, 15), (M2, 14)]
    assert rows(con, "workforce_trend", date_from=date(2025, 12, 1), date_to=M2)[0] == {
        "month_end": M2,
        "headcount": 14,
        "fte": 13.0,
        "paybill_gbp": 573e3,
    }


@pytest.mark.parametrize("by", [(), ("cluster",), ("organisation_code", "grade")])
def test_trend_is_the_workforce_metric_at_each_month_end(con, by) -> None:
    trend = pl.DataFrame(rows(con, "workforce_trend", by=by, date_from=M1, date_to=M3))
    for month_end in MONTH_ENDS:
        want = pl.DataFrame(rows(con, "workforce", by=by, as_at=month_end))
        got = trend.filter(pl.col("month_end") == month_end).drop("month_end")
        assert got.select(*by, "headcount").to_dicts() == want.select(*by, "headcount").to_dicts()
        assert got["paybill_gbp"].to_list() == pytest.approx(want["paybill_gbp"].to_list())


def test_month_end_view_is_workforce_at_person_by_person(con, tmp_path) -> None:
    # workforce_month_ends restates workforce_at for many dates at once; hold them equal, here
    # and on the core tiny warehouse, whose p08 is in two clusters' snapshots as at B.
    core = connect_readonly(tiny_warehouse.build(tmp_path).warehouse)
    cases = [(con, (*MONTH_ENDS, FEB)), (core, (tiny_warehouse.A, tiny_warehouse.B))]
    for connection, month_ends in cases:
        with prepare(connection) as cursor:
            for month_end in month_ends:
                many = cursor.sql(
                    "SELECT * EXCLUDE (month_end) FROM workforce_month_ends($d, $d) ORDER BY ALL",
                    params={"d": month_end},
                ).fetchall()
                one = cursor.sql(
                    "SELECT * FROM workforce_at($d) ORDER BY ALL", params={"d": month_end}
                ).fetchall()
                assert many == one and one, month_end
    core.close()


# --- turnover --------------------------------------------------------------------------------


def test_turnover_by_cluster_counted_by_hand(con) -> None:
    got = rows(con, "turnover", by=["cluster"], as_at=M3)
    # SYNERGY: s07 left after M1, s05 after M2; headcounts 9, 9, 7.  UNITY: u05; 6, 5, 6.
    assert got == [
        {
            "cluster": "SYNERGY",
            "period_end": M3,
            "month_ends_covered": 3,
            "leavers": 2,
            "average_headcount": pytest.approx(25 / 3),
            "turnover_rate": pytest.approx(2 / (25 / 3)),
        },
        {
            "cluster": "UNITY",
            "period_end": M3,
            "month_ends_covered": 3,
            "leavers": 1,
            "average_headcount": pytest.approx(17 / 3),
            "turnover_rate": pytest.approx(3 / 17),
        },
    ]


def test_turnover_year_ends_at_the_last_month_end_on_or_before_the_date(con) -> None:
    assert rows(con, "turnover", as_at=date(2026, 2, 27)) == rows(con, "turnover", as_at=M3)
    at_m2 = rows(con, "turnover", as_at=date(2026, 1, 30))[0]
    assert at_m2 == {
        "period_end": M2,
        "month_ends_covered": 2,
        "leavers": 2,
        "average_headcount": 14.5,
        "turnover_rate": pytest.approx(2 / 14.5),
    }
    assert rows(con, "turnover", as_at=date(2025, 11, 29)) == []  # before any snapshot


def test_turnover_at_the_first_month_end_is_null_not_zero(con) -> None:
    # As at M1 there is one month-end and no pair to count leavers between: not 0%.
    (at_m1,) = rows(con, "turnover", as_at=M1)
    assert (at_m1["month_ends_covered"], at_m1["leavers"]) == (1, 0)
    assert at_m1["turnover_rate"] is None


def test_a_transfer_is_not_a_leaver_and_leavers_count_where_they_left(con) -> None:
    by_org = keyed(rows(con, "turnover", by=["organisation_code"], as_at=M3), "organisation_code")
    # h02 moved from HO to HMRC at M3: HO had 2, 2, 1 people and no leaver.
    assert by_org["HO"]["leavers"] == 0
    assert by_org["HO"]["average_headcount"] == pytest.approx(5 / 3)
    assert by_org["HMRC"]["leavers"] == 1  # u05
    by_grade = keyed(rows(con, "turnover", by=["grade"], as_at=M3), "grade")
    assert by_grade["AO"]["leavers"] == 2  # s07 and u05, both AO when they left
    assert by_grade["AO"]["average_headcount"] == pytest.approx(7 / 3)
    assert by_grade["EO"]["leavers"] == 1  # s05


def test_turnover_groups_sum_to_the_total(con) -> None:
    total = rows(con, "turnover", as_at=M3)[0]
    assert (total["leavers"], total["average_headcount"]) == (3, 14.0)
    for dim in load_sql("turnover").dimensions:
        frame = pl.DataFrame(rows(con, "turnover", by=[dim], as_at=M3))
        assert frame["leavers"].sum() == total["leavers"], dim
        assert frame["average_headcount"].sum() == pytest.approx(14.0), dim


# --- reconciliation --------------------------------------------------------------------------


def test_reconciliation_by_organisation_counted_by_hand(con) -> None:
    got = keyed(
        rows(con, "reconciliation", by=["organisation_code"], period="2026-01", **RECONCILE),
        "organisation_code",
    )
    assert sorted(got) == ["DVLA", "DWP", "HMRC", "HO", "MOJ"]
    # DWP as at 31 January: 300k a year of salary × FTE, so 25,000 a month, +27% and +14%.
    assert got["DWP"].pop("flagged") is False
    assert got["DWP"] == pytest.approx(
        {
            "headcount": 6,
            "hr_salary_gbp": 25_000.0,
            "hr_pension_gbp": 6_750.0,
            "hr_ni_gbp": 3_500.0,
            "hr_paybill_gbp": 35_250.0,
            "ledger_salary_gbp": 25_000.0,
            "ledger_pension_gbp": 6_750.0,
            "ledger_ni_gbp": 3_500.0,
            "ledger_paybill_gbp": 35_250.0,
            "variance_gbp": 0.0,
            "variance_pct": 0.0,
        }
    )
    # HO's ledger paid 250 more salary than h01's 45k a year implies: 4.7% out.
    assert got["HO"]["variance_gbp"] == pytest.approx(250.0)
    assert got["HO"]["variance_pct"] == pytest.approx(250 / 5_287.5)
    assert got["HO"]["flagged"] is True
    assert got["HMRC"]["variance_pct"] == pytest.approx(100 / 21_855)  # within 2%
    assert got["HMRC"]["flagged"] is False
    # DVLA's payroll posted nothing; MOJ's ledger pay has no staff behind it.
    assert (got["DVLA"]["ledger_paybill_gbp"], got["DVLA"]["variance_pct"]) == (0.0, -1.0)
    assert got["DVLA"]["flagged"] is True
    assert got["MOJ"]["headcount"] == 0 and got["MOJ"]["hr_paybill_gbp"] == 0.0
    assert got["MOJ"]["variance_pct"] is None
    assert got["MOJ"]["flagged"] is True


def test_reconciliation_flags_on_the_aggregate_it_is_asked_for(con) -> None:
    got = keyed(
        rows(con, "reconciliation", by=["cluster"], period="2026-01", **RECONCILE), "cluster"
    )
    # SYNERGY's HO and MOJ differences are 1.85% of its paybill together: not flagged.
    assert got["SYNERGY"]["variance_gbp"] == pytest.approx(750.0)
    assert got["SYNERGY"]["flagged"] is False
    assert got["UNITY"]["variance_gbp"] == pytest.approx(-1_310.0)
    assert got["UNITY"]["flagged"] is True
    looser = rows(
        con, "reconciliation", by=["cluster"], period="2026-01", **{**RECONCILE, "tolerance": 0.06}
    )
    assert [r["flagged"] for r in looser] == [False, False]


def test_reconciliation_takes_only_the_three_lines_of_the_period(con) -> None:
    # December: allowances, contingent labour and consultancy are left out; so is November.
    dwp = rows(
        con,
        "reconciliation",
        where={"organisation_code": ("DWP",)},
        period="2025-12",
        **RECONCILE,
    )[0]
    assert dwp["ledger_paybill_gbp"] == pytest.approx(26_000 + 7_000 + 3_600)
    assert dwp["hr_salary_gbp"] == pytest.approx(330_000 / 12)


def test_reconciliation_uses_the_bound_on_cost_rates(con) -> None:
    assert (EMPLOYER_PENSION_RATE, EMPLOYER_NI_RATE) == (0.27, 0.14)
    standard = rows(con, "reconciliation", period="2026-01", as_at=M3, **STANDARD_PARAMS)[0]
    assert standard["hr_pension_gbp"] == pytest.approx(0.27 * standard["hr_salary_gbp"])
    no_on_costs = rows(
        con, "reconciliation", period="2026-01", **{**RECONCILE, "pension_rate": 0, "ni_rate": 0}
    )[0]
    assert no_on_costs["hr_paybill_gbp"] == pytest.approx(no_on_costs["hr_salary_gbp"])


def test_reconciliation_groups_sum_to_the_total(con) -> None:
    total = rows(con, "reconciliation", period="2026-01", **RECONCILE)[0]
    for dim in load_sql("reconciliation").dimensions:
        frame = pl.DataFrame(rows(con, "reconciliation", by=[dim], period="2026-01", **RECONCILE))
        for measure in ("headcount", "hr_paybill_gbp", "ledger_paybill_gbp", "variance_gbp"):
            assert frame[measure].sum() == pytest.approx(total[measure]), (dim, measure)


# --- cost_per_fte ----------------------------------------------------------------------------


def test_cost_per_fte_counted_by_hand(con) -> None:
    got = keyed(
        rows(
            con,
            "cost_per_fte",
            by=["organisation_code"],
            period_from="2025-12",
            period_to="2026-01",
            as_at=M3,
        ),
        "organisation_code",
    )
    # DWP: payroll 37,600 (the -200 reversal netted) + 36,000; contingent 2 × 2,200; FTE 6.5
    # at 31 December and 5.5 at 31 January.  November's line and consultancy are left out.
    assert got["DWP"] == {
        "payroll_gbp": 73_600.0,
        "contingent_gbp": 4_400.0,
        "cost_gbp": 78_000.0,
        "months": 2,
        "average_fte": 6.0,
        "cost_per_fte_gbp": 13_000.0,
        "annual_cost_per_fte_gbp": 78_000.0,
    }
    assert got["MOJ"]["average_fte"] == 0.0 and got["MOJ"]["cost_per_fte_gbp"] is None
    assert got["HO"]["average_fte"] == 1.5  # h01 and h02, then h01
    assert got["DVLA"]["cost_gbp"] == 0.0  # staff but no ledger lines


def test_cost_per_fte_groups_sum_to_the_total(con) -> None:
    params = {"period_from": "2025-12", "period_to": "2026-01", "as_at": M3}
    total = rows(con, "cost_per_fte", **params)[0]
    assert total["cost_gbp"] == pytest.approx(105_992.5)
    assert total["average_fte"] == pytest.approx(12.5)
    for dim in load_sql("cost_per_fte").dimensions:
        frame = pl.DataFrame(rows(con, "cost_per_fte", by=[dim], **params))
        assert frame["cost_gbp"].sum() == pytest.approx(total["cost_gbp"]), dim
        assert frame["average_fte"].sum() == pytest.approx(total["average_fte"]), dim


# --- hr_finance_ratio ------------------------------------------------------------------------


def test_hr_and_finance_staff_per_100_with_benchmarks(con) -> None:
    benchmarks = {"hr_target_per_100": 1.0, "hr_2023_per_100": 2.5, "finance_2023_per_100": 2.5}
    assert rows(con, "hr_finance_ratio", by=["cluster"], as_at=M1) == [
        {
            "cluster": "SYNERGY",
            "headcount": 9,
            "hr_staff": 1,  # s02
            "finance_staff": 3,  # s03, s07, h01
            "hr_per_100": pytest.approx(100 / 9),
            "finance_per_100": pytest.approx(300 / 9),
            **benchmarks,
        },
        {
            "cluster": "UNITY",
            "headcount": 6,
            "hr_staff": 1,  # u03; u06's profession is unknown
            "finance_staff": 0,
            "hr_per_100": pytest.approx(100 / 6),
            "finance_per_100": 0.0,
            **benchmarks,
        },
    ]
    at_m3 = rows(con, "hr_finance_ratio", as_at=M3)[0]
    assert (at_m3["headcount"], at_m3["hr_staff"], at_m3["finance_staff"]) == (13, 2, 2)


# --- spans_layers ----------------------------------------------------------------------------


def test_spans_and_layers_per_organisation(con) -> None:
    got = keyed(rows(con, "spans_layers", by=["organisation_code"], as_at=M1), "organisation_code")
    # DWP: s01 manages s02, s03 and h01 (in HO); s02 three; s03 one.  Three layers.
    assert got["DWP"] == {
        "headcount": 7,
        "managers": 3,
        "mean_span": pytest.approx(7 / 3),
        "median_span": 3.0,
        "share_small_spans": pytest.approx(1 / 3),
        "layers": 3,
    }
    # HO's own hierarchy starts at h01, whose manager is outside HO.
    assert got["HO"] == {
        "headcount": 2,
        "managers": 1,
        "mean_span": 1.0,
        "median_span": 1.0,
        "share_small_spans": 1.0,
        "layers": 2,
    }
    assert got["HMRC"]["mean_span"] == 4.0 and got["HMRC"]["share_small_spans"] == 0.0
    assert got["DVLA"] == {
        "headcount": 1,
        "managers": 0,
        "mean_span": None,
        "median_span": None,
        "share_small_spans": None,
        "layers": 1,
    }


def test_spans_and_layers_per_cluster_and_in_total(con) -> None:
    by_cluster = keyed(rows(con, "spans_layers", by=["cluster"], as_at=M1), "cluster")
    # In SYNERGY h01 sits under s01, so h02 is on the third layer.
    assert by_cluster["SYNERGY"] == {
        "headcount": 9,
        "managers": 4,
        "mean_span": 2.0,
        "median_span": 2.0,
        "share_small_spans": 0.5,
        "layers": 3,
    }
    assert rows(con, "spans_layers", as_at=M1) == [
        {
            "headcount": 15,
            "managers": 5,
            "mean_span": pytest.approx(2.4),
            "median_span": 3.0,
            "share_small_spans": pytest.approx(0.4),
            "layers": 3,
        }
    ]
    # A filter makes its own group: HO alone is the by-organisation HO row.
    only_ho = rows(con, "spans_layers", where={"organisation_code": ("HO",)}, as_at=M1)
    assert only_ho[0]["layers"] == 2 and only_ho[0]["managers"] == 1


def test_spans_follow_the_as_at_snapshot_and_survive_a_management_cycle(con) -> None:
    at_m3 = keyed(
        rows(con, "spans_layers", by=["organisation_code"], as_at=M3), "organisation_code"
    )
    assert at_m3["HMRC"]["mean_span"] == 4.0  # u05 gone, h02 arrived under u01
    assert at_m3["HO"]["managers"] == 0 and at_m3["HO"]["layers"] == 1
    # At M2 u06 is recorded as its own manager: no span, no top, so no layer.
    at_m2 = keyed(
        rows(con, "spans_layers", by=["organisation_code"], as_at=M2), "organisation_code"
    )
    assert at_m2["DVLA"]["managers"] == 0 and at_m2["DVLA"]["layers"] is None


@pytest.mark.parametrize("as_at", MONTH_ENDS)
def test_spans_invariants(con, as_at) -> None:
    by_cluster = keyed(rows(con, "spans_layers", by=["cluster"], as_at=as_at), "cluster")
    for r in rows(con, "spans_layers", by=["cluster", "organisation_code"], as_at=as_at):
        assert r["managers"] <= r["headcount"]
        if r["managers"]:
            assert r["layers"] >= 1 and r["mean_span"] >= 1
            assert 0 <= r["share_small_spans"] <= 1
        if r["layers"] is not None:  # an organisation has no more layers than its cluster
            assert r["layers"] <= by_cluster[r["cluster"]]["layers"]


# --- representation --------------------------------------------------------------------------


def test_representation_shares_are_of_known_answers(con) -> None:
    total = rows(con, "representation", as_at=M1)[0]
    assert total == {
        "headcount": 15,
        "women": 8,
        "sex_recorded": 14,  # s06's sex is not recorded
        "ethnic_minority": 4,
        "ethnicity_known": 11,  # two not_declared, two unknown
        "women_share": pytest.approx(8 / 14),
        "ethnic_minority_share": pytest.approx(4 / 11),
    }
    eo = keyed(rows(con, "representation", by=["grade"], as_at=M1), "grade")["EO"]
    assert (eo["women_share"], eo["ethnic_minority_share"]) == (0.5, 0.75)
    dvla = rows(con, "representation", where={"organisation_code": ("DVLA",)}, as_at=M1)[0]
    assert dvla["ethnicity_known"] == 0 and dvla["ethnic_minority_share"] is None


# --- every metric ----------------------------------------------------------------------------

PARAMS = {
    "workforce_trend": {"date_from": M1, "date_to": M3},
    "turnover": {"as_at": M3},
    "reconciliation": {"period": "2026-01", **RECONCILE},
    "cost_per_fte": {"period_from": "2025-12", "period_to": "2026-01", "as_at": M3},
    "hr_finance_ratio": {"as_at": M1},
    "spans_layers": {"as_at": M1},
    "representation": {"as_at": M1},
}


@pytest.mark.parametrize("metric", sorted(PARAMS))
def test_scope_limits_every_row_and_no_scope_means_no_rows(con, metric) -> None:
    assert rows(con, metric, clusters=[], **PARAMS[metric]) == []
    unity = rows(con, metric, clusters=["UNITY"], by=["cluster"], **PARAMS[metric])
    assert {r["cluster"] for r in unity} == {"UNITY"}


@pytest.mark.parametrize("metric", sorted(PARAMS))
def test_measures_are_the_header_columns_in_order(con, metric) -> None:
    frame = run(con, Request(metric, ALL, PARAMS[metric], ("cluster",)))
    assert frame.columns == ["cluster", *load_sql(metric).measures]


COUNTS = {
    "workforce_trend": ("headcount",),
    "turnover": ("leavers",),
    "hr_finance_ratio": ("headcount", "hr_staff", "finance_staff"),
    "spans_layers": ("headcount", "managers"),
    "representation": ("headcount", "women", "sex_recorded", "ethnic_minority", "ethnicity_known"),
}


@settings(max_examples=40, deadline=None)
@given(
    metric=st.sampled_from(sorted(COUNTS)),
    as_at=st.sampled_from([*MONTH_ENDS, date(2025, 12, 15), FEB]),
    data=st.data(),
)
def test_groups_sum_to_the_total_and_shares_stay_in_bounds(con, metric, as_at, data) -> None:
    by = data.draw(st.lists(st.sampled_from(load_sql(metric).dimensions), unique=True, max_size=2))
    params = {"date_from": M1, "date_to": as_at} if metric == "workforce_trend" else {}
    params = params or {"as_at": as_at}
    total = pl.DataFrame(rows(con, metric, **params))
    grouped = pl.DataFrame(rows(con, metric, by=by, **params))
    counts = list(COUNTS[metric])
    if metric == "workforce_trend":
        summed = grouped.group_by("month_end").agg(pl.col(counts).sum()).sort("month_end")
        assert summed.to_dicts() == total.select("month_end", *counts).to_dicts()
    else:
        assert grouped.select(pl.col(counts).sum()).to_dicts() == total.select(counts).to_dicts()
    for column in grouped.columns:
        if column.endswith("_share"):
            assert grouped[column].drop_nulls().is_between(0, 1).all()
    if metric == "representation":
        assert (grouped["women"] <= grouped["sex_recorded"]).all()
        assert (grouped["sex_recorded"] <= grouped["headcount"]).all()
