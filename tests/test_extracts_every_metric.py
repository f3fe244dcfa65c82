"""Every metric the pages show, offered by Extracts: each has a disclosure rule covering all its
measures (or counts no people), each new rule suppresses where it should on a small frame, and
each runs on the tiny warehouse under AppTest (once, and month by month where it runs over
time) to a preview and three downloads.
"""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from core.settings import Settings, get_settings
from dashboard import extracts as ex
from queries.catalogue import (
    EXTRACT_METRICS,
    LABELS,
    METRICS,
    ROW_KEYS,
    disclosure_rule,
)
from queries.disclosure import SUPPRESSED
from queries.runner import KEPT_APART, SQL_DIR, load_sql
from tests.pages import open_page
from tests.tiny_warehouse import build

COUNT_NO_PEOPLE = ("milestones", "milestone_slippage")  # the programme's, as run
ON_PAGES_ELSEWHERE = ("employee_records", "cluster_moves", "register_changes")  # own pages
BUILDING_BLOCKS = ("ledger_periods",)  # which periods are complete: marks the pages' periods


# --- the catalogue ----------------------------------------------------------------------------


def test_every_metric_file_is_offered_but_record_level_and_building_blocks() -> None:
    files = {p.stem for p in SQL_DIR.glob("[!_]*.sql")}
    assert set(EXTRACT_METRICS) == files - set(ON_PAGES_ELSEWHERE) - set(BUILDING_BLOCKS)
    assert METRICS == ("workforce", "flows", "contingent", "spend", "milestones", "benefits")


@pytest.mark.parametrize("metric", EXTRACT_METRICS)
def test_every_measure_is_covered_so_none_is_dropped(metric: str) -> None:
    rule = disclosure_rule(metric)
    if metric in COUNT_NO_PEOPLE:
        assert rule is None
        return
    assert rule is not None
    covered = {*rule.measures, *ROW_KEYS.get(metric, ()), *LABELS.get(metric, ())}
    assert [m for m in load_sql(metric).measures if m not in covered] == []


def protected(metric: str, frame: pl.DataFrame, dims: list[str]) -> ex.Extract:
    return ex.protected_rows(frame, dims, disclosure_rule(metric), LABELS.get(metric, ()))


def column(extract: ex.Extract, name: str) -> list[object]:
    return extract.rows[name].to_list()


# --- each people-counting rule, on a small frame ---------------------------------------------


def test_turnover_suppresses_a_rate_with_its_few_leavers() -> None:
    frame = pl.DataFrame(
        {
            "grade": ["AO", "EO", "HEO", "G7"],
            "period_end": [None] * 4,
            "month_ends_covered": [13] * 4,
            "leavers": [12.0, 3.0, 20.0, 30.0],
            "average_headcount": [100.0, 40.0, 150.0, 4.0],  # G7: 4 people on average
            "turnover_rate": [0.12, 0.075, 20 / 150, 7.5],
        }
    )
    rows = protected("turnover", frame, ["grade"])
    assert column(rows, "leavers")[1] == SUPPRESSED  # 3 leavers
    assert column(rows, "turnover_rate")[1] == SUPPRESSED  # ... and the rate that gives them
    assert column(rows, "average_headcount")[3] == SUPPRESSED  # a population under 5
    assert column(rows, "turnover_rate")[3] == SUPPRESSED
    assert column(rows, "turnover_rate")[0] in ("0.12", SUPPRESSED)
    assert column(rows, "month_ends_covered") == [13] * 4 and not rows.dropped


def test_representation_suppresses_counts_and_shares_of_few_people() -> None:
    frame = pl.DataFrame(
        {
            "grade": ["AO", "EO", "HEO", "SEO"],
            "headcount": [40, 30, 50, 3],
            "women": [20, 3, 25, 2],
            "sex_recorded": [40, 30, 50, 3],
            "ethnic_minority": [8, 6, 10, 1],
            "ethnicity_known": [35, 28, 45, 3],
            "women_share": [0.5, 0.1, 0.5, 2 / 3],
            "ethnic_minority_share": [8 / 35, 6 / 28, 10 / 45, 1 / 3],
        }
    )
    rows = protected("representation", frame, ["grade"])
    assert column(rows, "women")[1] == SUPPRESSED and column(rows, "women_share")[1] == SUPPRESSED
    assert set(rows.rows.row(3)[1:]) == {SUPPRESSED}  # 3 people: the whole row
    shown = [v for v in column(rows, "ethnic_minority_share") if v != SUPPRESSED]
    assert shown and all(len(v.split(".")[1]) <= 3 for v in shown)  # to 0.1 point


def test_spans_are_suppressed_over_fewer_than_ten_managers() -> None:
    frame = pl.DataFrame(
        {
            "organisation_code": ["A", "B", "C", "D", "E"],
            "headcount": [300, 4, 100, 200, 500],
            "managers": [40, 1, 20, 30, 7],
            "mean_span": [6.44, 3.0, 4.0, 5.66, 8.0],
            "median_span": [6.0, 3.0, 4.0, 5.0, 8.0],
            "share_small_spans": [0.1, 1.0, 0.2, 0.3, 0.0],
            "layers": [4, 2, 3, 4, 5],
        }
    )
    rows = protected("spans_layers", frame, ["organisation_code"])
    assert set(rows.rows.row(1)[1:]) == {SUPPRESSED}  # B: 4 people
    e = rows.rows.row(4, named=True)  # E: 7 managers, a count shown, its means not
    assert e["managers"] == "5" and e["layers"] == "5"
    assert {e["mean_span"], e["median_span"], e["share_small_spans"]} == {SUPPRESSED}
    a = rows.rows.row(0, named=True)
    assert (a["mean_span"], a["share_small_spans"]) == ("6.4", "0.1")


def test_cost_per_fte_needs_ten_fte_and_keeps_its_identity() -> None:
    frame = pl.DataFrame(
        {
            "organisation_code": ["A", "B", "C", "D"],
            "payroll_gbp": [500_004.0, 60_000.0, 2_000_000.0, 3_000_000.0],
            "contingent_gbp": [10_000.0, 0.0, 50_000.0, 20_000.0],
            "cost_gbp": [510_004.0, 60_000.0, 2_050_000.0, 3_020_000.0],
            "months": [12] * 4,
            "average_fte": [8.0, 2.0, 60.0, 90.0],
            "cost_per_fte_gbp": [63_750.5, 30_000.0, 34_166.7, 33_555.6],
            "annual_cost_per_fte_gbp": [63_750.5, 30_000.0, 34_166.7, 33_555.6],
        }
    )
    rows = protected("cost_per_fte", frame, ["organisation_code"])
    assert set(rows.rows.row(1)[1:]) - {12} == {SUPPRESSED}  # B: 2 FTE, all but the label
    assert column(rows, "cost_per_fte_gbp")[0] == SUPPRESSED  # A: 8 FTE, under 10
    for row in rows.rows.iter_rows(named=True):
        money = [row["payroll_gbp"], row["contingent_gbp"], row["cost_gbp"]]
        assert money.count(SUPPRESSED) != 1  # the identity: none recoverable from the others
        if row["cost_per_fte_gbp"] != SUPPRESSED:
            assert int(row["cost_per_fte_gbp"]) % 10 == 0


def test_hr_finance_ratio_suppresses_a_ratio_with_its_few_staff() -> None:
    frame = pl.DataFrame(
        {
            "cluster": ["A", "B", "C"],
            "headcount": [200, 300, 400],
            "hr_staff": [3, 6, 8],
            "finance_staff": [6, 7, 9],
            "hr_per_100": [1.5, 2.0, 2.0],
            "finance_per_100": [3.0, 7 / 3, 2.25],
            "hr_target_per_100": [1.0] * 3,
            "hr_2023_per_100": [2.5] * 3,
            "finance_2023_per_100": [2.5] * 3,
        }
    )
    rows = protected("hr_finance_ratio", frame, ["cluster"])
    assert column(rows, "hr_staff")[0] == SUPPRESSED
    assert column(rows, "hr_per_100")[0] == SUPPRESSED
    assert column(rows, "finance_per_100")[0] == "3.0"
    assert column(rows, "hr_target_per_100") == [1.0] * 3  # benchmarks, as they are


def test_reconciliation_suppresses_a_small_row_with_its_variance_and_flag() -> None:
    money = {"hr_salary_gbp": 10_000.0, "hr_pension_gbp": 2_700.0, "hr_ni_gbp": 1_400.0}
    frame = pl.DataFrame(
        {
            "organisation_code": ["A", "B", "C"],
            "headcount": [3, 40, 50],
            **{k: [v, v * 13, v * 17] for k, v in money.items()},
            "hr_paybill_gbp": [14_100.0, 183_300.0, 239_700.0],
            "ledger_salary_gbp": [12_000.0, 130_000.0, 170_000.0],
            "ledger_pension_gbp": [2_700.0, 35_100.0, 45_900.0],
            "ledger_ni_gbp": [1_400.0, 18_200.0, 23_800.0],
            "ledger_paybill_gbp": [16_100.0, 183_300.0, 239_700.0],
            "variance_gbp": [2_000.0, 0.0, 0.0],
            "variance_pct": [0.1418, 0.0, 0.0],
            "flagged": [True, False, False],
        }
    )
    rows = protected("reconciliation", frame, ["organisation_code"])
    assert set(rows.rows.row(0)[1:]) == {SUPPRESSED}  # 3 people, flag and all
    assert rows.typed["flagged"].dtype == pl.Int64 and not rows.dropped


# --- the page, on the tiny warehouse ----------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build(tmp_path_factory.mktemp("tiny"))


@pytest.fixture
def app(tiny: Settings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    yield open_page("extracts", tiny, monkeypatch, role="analyst")
    get_settings.cache_clear()


def rendered(at: AppTest) -> pd.DataFrame:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert [b.proto.label for b in at.get("download_button")] == [
        "Download CSV",
        "Download Excel",
        "Download Parquet",
    ]
    (frame,) = at.dataframe
    return frame.value


@pytest.mark.parametrize("metric", EXTRACT_METRICS)
def test_every_metric_runs_to_a_preview(app: AppTest, metric: str) -> None:
    app.run()
    app.selectbox(key="extracts.metric").set_value(metric).run()
    preview = rendered(app)
    sql = load_sql(metric)
    assert not preview.empty
    assert set(preview.columns) <= {
        *sql.dimensions, *sql.measures, *ex.NAMED.values(), "measure"
    }  # fmt: skip
    if metric in KEPT_APART:  # benefits and cost never added together
        assert "measure" in preview.columns
        assert any("Always split by measure" in c.value for c in app.caption)


@pytest.mark.parametrize(
    "metric", [m for m in EXTRACT_METRICS if ex.series_dimension(load_sql(m)) is not None]
)
def test_every_metric_over_time_runs_month_by_month(app: AppTest, metric: str) -> None:
    series = ex.series_dimension(load_sql(metric))
    app.run()
    app.selectbox(key="extracts.metric").set_value(metric).run()
    app.multiselect(key=f"extracts.by.{metric}").set_value([series]).run()
    preview = rendered(app)
    assert preview.columns[0] == series
    if series == "month_end":  # the tiny warehouse's month-ends, A and B
        wanted = 1 if "date_from" in load_sql(metric).params else 2
        assert preview[series].nunique() == wanted


def test_the_metric_choice_reads_plain_names(app: AppTest) -> None:
    app.run()
    options = app.selectbox(key="extracts.metric").options
    assert "Cost per FTE" in options and "Turnover" in options
    assert not [o for o in options if "_" in o]  # no file names
    app.selectbox(key="extracts.metric").set_value("spans_layers").run()
    assert any(c.value.startswith("Spans and layers: ") for c in app.caption)


def test_names_sit_beside_organisation_codes(app: AppTest) -> None:
    app.run()
    app.multiselect(key="extracts.by.workforce").set_value(["organisation_code", "region"]).run()
    preview = rendered(app)
    assert list(preview.columns[:4]) == [
        "organisation_code", "organisation_name", "region", "region_name"
    ]  # fmt: skip
    assert preview["organisation_name"].notna().all()
