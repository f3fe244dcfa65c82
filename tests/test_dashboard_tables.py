"""dashboard.tables: the table shaping beside the charts, pure polars, no Streamlit or Plotly.

Moved out of the chart modules and the pages (issue 17): the Workforce, Flows and Data health
pages' tables are tested here on small hand-made frames, the pages themselves under AppTest
(tests/test_app_*.py).  The diversity table's own test stays beside the shares chart it feeds
(tests/test_dashboard_chart_kinds.py and the shares chart tests).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from dashboard import tables
from dashboard.glossary import ACCOUNT_LABELS, OTHER_SPEND_GROUP, SPEND_GROUPS
from queries.disclosure import SUPPRESSED

CLUSTERS = ("SYNERGY", "UNITY", "MATRIX")
MOVES = pl.DataFrame(
    {
        "from_cluster": [a for a in CLUSTERS for _ in CLUSTERS],
        "to_cluster": list(CLUSTERS) * 3,
        "moves": [3, 41, 22, 58, 17, 36, 12, 64, 29],
        "moved_fte": [3.0] * 9,  # not shown: left out of the table
    }
)


def test_moves_are_rounded_and_small_counts_hidden() -> None:
    table = tables.moves_table(MOVES)
    assert table.columns == ["from_cluster", "to_cluster", "moves", "moves_text"]
    rows = {(r["from_cluster"], r["to_cluster"]): r for r in table.iter_rows(named=True)}
    small = rows[("SYNERGY", "SYNERGY")]
    assert small["moves"] is None and small["moves_text"] == SUPPRESSED  # 3: under 5
    shown = [r for r in rows.values() if r["moves_text"] != SUPPRESSED]
    assert shown, "some counts are shown"
    for row in shown:
        assert row["moves"] % 5 == 0  # rounded to the nearest 5
        assert row["moves_text"] == f"{row['moves']:,}"
    assert all(r["moves"] is None for r in rows.values() if r["moves_text"] == SUPPRESSED)


def test_suppressed_cells_counts_the_c_in_text_columns_only() -> None:
    table = pl.DataFrame(
        {
            "grade": [SUPPRESSED, "EO"],  # not a *_text column: not counted
            "headcount_text": [SUPPRESSED, "10"],
            "women_share_text": [SUPPRESSED, SUPPRESSED],
            "moves_text_count": [1, 2],  # not a text column
        }
    )
    assert tables.suppressed_cells(table) == 3
    assert tables.suppressed_cells(tables.moves_table(MOVES)) == int(
        (tables.moves_table(MOVES)["moves_text"] == SUPPRESSED).sum()
    )


def test_spend_is_added_up_by_period_and_group() -> None:
    pay = next(code for code in SPEND_GROUPS if code.startswith("payroll_"))
    other_pay = next(c for c in SPEND_GROUPS if c.startswith("payroll_") and c != pay)
    spend = pl.DataFrame(
        {
            "period": ["2026-09", "2026-09", "2026-09", "2026-10"],
            "account_category": [pay, other_pay, "not_a_category", pay],
            "amount_gbp": [100, 50, 7, 30],
        }
    )
    grouped = tables.spend_groups(spend)
    assert grouped.columns == ["period", "group", "amount_gbp"]
    rows = {(r["period"], r["group"]): r["amount_gbp"] for r in grouped.iter_rows(named=True)}
    assert rows[("2026-09", SPEND_GROUPS[pay])] == 150.0  # the payroll accounts are one group
    assert rows[("2026-09", OTHER_SPEND_GROUP)] == 7.0  # an unknown category: other non-pay
    assert rows[("2026-10", SPEND_GROUPS[pay])] == 30.0
    assert grouped["period"].to_list() == sorted(grouped["period"].to_list())


def test_the_average_leaves_out_the_partial_months() -> None:
    spend = pl.DataFrame(
        {
            "period": ["2026-08", "2026-08", "2026-09", "2026-10 (partial)"],
            "account_category": ["a", "b", "a", "a"],
            "amount_gbp": [60.0, 40.0, 200.0, 1.0],
        }
    )
    assert tables.complete_average(spend, {"2026-10 (partial)"}) == pytest.approx(150.0)
    assert tables.complete_average(spend) == pytest.approx(301.0 / 3)
    assert tables.complete_average(spend, spend["period"].to_list()) is None


def imported_roots(path: Path) -> set[str]:
    """The top-level package of every absolute import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }


def test_tables_draw_nothing() -> None:
    """Table shaping is pure: no module of it imports Streamlit or Plotly, and importing it
    (with all it imports in turn) loads neither."""
    modules = sorted(Path(tables.__file__).parent.glob("*.py"))
    assert len(modules) >= 6, modules  # the package and a module per page kind
    for module in modules:
        assert not imported_roots(module) & {"streamlit", "plotly"}, module.name
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, dashboard.tables; "
         "print(sorted(m for m in ('streamlit', 'plotly') if m in sys.modules))"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert loaded.stdout.strip() == "[]"


def test_the_cost_pages_tables_name_their_columns_as_read() -> None:
    recon = pl.DataFrame(
        {
            "cluster": ["UNITY", "UNITY"],
            "organisation_code": ["DWP", "HO"],
            "headcount": [10, 20],
            "hr_paybill_gbp": [1000.004, 2000.0],
            "ledger_paybill_gbp": [1100.0, 2000.0],
            "variance_gbp": [99.996, 0.0],
            "variance_pct": [0.09996, 0.0],
            "flagged": [True, False],
        }
    )
    table = tables.reconciliation_table(recon)
    assert table.columns[0] == "Flag" and "Variance (%)" in table.columns
    assert table["Flag"].to_list() == [tables.RECONCILIATION_FLAG, tables.WITHIN_TOLERANCE]
    assert table["HR pay cost (£)"].to_list() == [1000.0, 2000.0]  # to the penny
    assert table["Variance (%)"].to_list() == [10.0, 0.0]  # a percentage, one place
    spans = pl.DataFrame(
        {
            "cluster": ["UNITY"],
            "organisation_code": ["DWP"],
            "headcount": [40],
            "managers": [8],
            "mean_span": [4.44],
            "median_span": [4],
            "share_small_spans": [0.125],
            "layers": [5],
        }
    )
    (row,) = tables.spans_table(spans).iter_rows(named=True)
    assert row["Mean span"] == 4.4 and row["Managers with under 3 reports (%)"] == 12.5
    ratio = pl.DataFrame(
        {
            "cluster": ["UNITY"],
            "headcount": [300],
            "hr_staff": [4],
            "finance_staff": [7],
            "hr_per_100": [4 / 3],
            "finance_per_100": [7 / 3],
        }
    )
    (row,) = tables.ratio_table(ratio).iter_rows(named=True)
    assert (row["HR per 100"], row["Finance per 100"]) == (1.3, 2.3)
    per_fte = pl.DataFrame(
        {
            "cluster": ["UNITY"],
            "organisation_code": ["DWP"],
            "payroll_gbp": [1e6],
            "contingent_gbp": [1e5],
            "average_fte": [20.0],
            "months": [12],
            "annual_cost_per_fte_gbp": [55_000.0],
        }
    )
    assert tables.cost_per_fte_table(per_fte).columns == [
        "Cluster",
        "Organisation",
        "Pay spend (£)",
        "Contingent labour (£)",
        "Average payroll FTE",
        "Months",
        "Cost per FTE (£ a year)",
    ]


def test_spend_by_kind_and_the_spend_table() -> None:
    spend = pl.DataFrame(
        {
            "period": ["2026-10", "2026-09", "2026-09"],
            "account_category": ["payroll_salary", "payroll_overtime", "consultancy"],
            "amount_gbp": [10.0, 5.0, 2.0],
        }
    )
    assert tables.category_spend(spend, "pay") == 15.0  # every payroll_* account
    assert tables.category_spend(spend, "consultancy") == 2.0
    assert tables.category_spend(spend, "contingent_labour") == 0.0
    assert tables.total(spend.clear(), "amount_gbp") == 0.0
    table = tables.spend_table(spend)
    assert table.columns == ["Period", "Account category", "In the chart as", "Spend (£)"]
    assert table["Period"].to_list() == ["2026-09", "2026-09", "2026-10"]
    assert table["Account category"][0] == ACCOUNT_LABELS["consultancy"]
    assert table["In the chart as"].to_list() == [
        SPEND_GROUPS[c] for c in ("consultancy", "payroll_overtime", "payroll_salary")
    ]


def test_the_programme_pages_tables_name_ratings_and_columns_as_read() -> None:
    ratings = pl.DataFrame(
        {"dca_rating": ["amber_red", "odd"], "milestones": [3, 1], "achieved": [1, 0],
         "overdue": [1, 1], "slipped": [2, 0]}
    )  # fmt: skip
    shown = tables.ratings_table(ratings)
    assert shown.columns == ["Rating", "Milestones", "Achieved", "Overdue", "Slipped"]
    assert shown["Rating"].to_list() == ["Amber/red", "Other rating"]
    slips = pl.DataFrame(
        {"milestone_id": ["M1"], "title": ["T"], "extract_date": [date(2026, 1, 31)],
         "slip_days": [17], "slip_change_days": [5], "cluster": ["UNITY"]}
    )  # fmt: skip
    assert tables.slippage_table(slips).row(0) == ("M1", "T", date(2026, 1, 31), 17, 5)
    benefits = pl.DataFrame(
        {"cluster": ["UNITY"], "financial_year": ["2025-26"], "planned_gbp": [10.0],
         "actual_gbp": [8.0], "cumulative_planned_gbp": [30.0], "cumulative_actual_gbp": [20.0],
         "measure": ["cashable_saving"]}
    )  # fmt: skip
    shown = tables.benefits_table(benefits)
    assert shown.columns[2:4] == ["Planned (£)", "Realised (£)"]
    assert shown.row(0) == ("UNITY", "2025-26", 10.0, 8.0, 30.0, 20.0)


def test_benefits_and_cost_are_kept_apart_and_an_empty_sum_is_not_a_zero() -> None:
    rows = pl.DataFrame(
        {"measure": ["cashable_saving", "programme_cost", "non_cashable_efficiency"],
         "planned_gbp": [10.0, 7.0, 5.0], "actual_gbp": [None, 3.0, None]}
    )  # fmt: skip
    gains, costs = tables.benefits_and_cost(rows)
    assert sorted(gains["measure"]) == ["cashable_saving", "non_cashable_efficiency"]
    assert costs["measure"].to_list() == ["programme_cost"]
    assert tables.sum_or_none(gains, "planned_gbp") == 15.0
    assert tables.sum_or_none(costs, "actual_gbp") == 3.0
    assert tables.sum_or_none(gains, "actual_gbp") is None  # nothing realised yet: not £0
    assert tables.sum_or_none(rows.clear(), "planned_gbp") is None
    assert tables.MEASURE_ORDER == (
        "cashable_saving", "non_cashable_efficiency", "programme_cost"
    )  # fmt: skip


def test_the_cost_pages_year_chart_months_and_off_payroll_rows() -> None:
    spend = pl.DataFrame(
        {"period": ["2025-03", "2025-04", "2026-03", "2026-04"],
         "account_category": ["consultancy", "payroll_salary", "contingent_labour", "travel"],
         "amount_gbp": [1.0, 2.0, 3.0, 4.0]}
    )  # fmt: skip
    assert tables.year_rows(spend, "2025-04", "2026-03")["period"].to_list() == [
        "2025-04", "2026-03"
    ]  # fmt: skip
    assert tables.year_rows(spend, "2025-04", None).is_empty()  # no complete month yet
    assert tables.since(spend, "2026-03")["period"].to_list() == ["2026-03", "2026-04"]
    assert tables.off_payroll(spend)["account_category"].to_list() == [
        "consultancy", "contingent_labour"
    ]  # fmt: skip


# --- the Workforce page's tables (issue 17: moved out of the page) -----------------------------


def test_grades_read_from_aa_up_to_ps_as_the_pyramid_draws_them() -> None:
    assert tables.GRADE_ORDER[0] == "AA" and tables.GRADE_ORDER[-2:] == ("PS", "unknown")
    assert tables.grade_rank("odd") == len(tables.GRADE_ORDER)  # anything else last
    frame = pl.DataFrame(
        {"grade": ["PS", "unknown", "EO", "AA", "SCS1", "G7"], "headcount": [1, 2, 3, 4, 5, 6]}
    )
    ordered = tables.in_grade_order(frame)
    assert ordered["grade"].to_list() == ["AA", "EO", "G7", "SCS1", "PS", "unknown"]
    assert ordered["headcount"].to_list() == [4, 3, 6, 5, 1, 2]  # whole rows move
    assert tables.turnover_by_grade(frame)["grade"].to_list() == ordered["grade"].to_list()


def test_names_with_their_codes_and_the_movers_labels() -> None:
    assert tables.with_codes({"HO": "Home Office", "DWP": "Work and Pensions"}) == {
        "HO": "Home Office (HO)",
        "DWP": "Work and Pensions (DWP)",
    }
    assert tables.with_codes({}) == {}
    names = {"HO": "Home Office", "UNITY": "UNITY"}
    assert tables.mover_labels(names, "organisation_code") == {
        "HO": "Home Office (HO)",
        "UNITY": "UNITY",  # a name that is its code reads once
    }
    professions = {"policy": "Policy", "digital_data": "Digital and data"}
    assert tables.mover_labels(professions, "profession") == professions  # the name alone


def test_the_groups_table_names_each_group_and_keeps_the_measures() -> None:
    groups = pl.DataFrame(
        {
            "organisation_code": ["HO", "XYZ"],
            "headcount": [120, 30],
            "fte": [110.5, 29.0],
            "paybill_gbp": [4.2e6, 1.1e6],
            "cluster": ["UNITY", "UNITY"],  # not shown
        }
    )
    table = tables.groups_table(
        groups, "organisation_code", "Organisation", {"HO": "Home Office (HO)"}
    )
    assert table.columns == ["Organisation", "headcount", "fte", "paybill_gbp"]
    assert table.rows() == [
        ("Home Office (HO)", 120, 110.5, 4.2e6),
        ("XYZ", 30, 29.0, 1.1e6),  # a code without a name stays as it is
    ]
    clusters = pl.DataFrame({"cluster": ["UNITY"], "headcount": [1], "fte": [1.0],
                             "paybill_gbp": [1.0]})  # fmt: skip
    assert tables.groups_table(clusters, "cluster", "Cluster", {}).row(0) == ("UNITY", 1, 1.0, 1.0)


def test_the_most_first_the_largest_and_those_a_map_has_no_place_for() -> None:
    frame = pl.DataFrame(
        {
            "region": ["London", "Wales", "unknown", "Abroad?"],
            "headcount": [40, 70, 5, 3],
            "fte": [38.0, 66.5, 5.0, 3.0],
            "paybill_gbp": [1.0, 2.0, 3.0, 4.0],
            "cluster": ["A", "A", "A", "A"],
        }
    )
    assert tables.most_first(frame, "headcount")["region"].to_list() == [
        "Wales", "London", "unknown", "Abroad?"
    ]  # fmt: skip
    assert tables.largest(frame, "headcount", 2)["region"].to_list() == ["Wales", "London"]
    assert tables.regions_table(frame).columns == ["region", "headcount", "fte", "paybill_gbp"]
    assert tables.headcount_outside(frame, "region", ["London", "Wales"]) == 8
    assert tables.headcount_outside(frame.clear(), "region", ["London"]) == 0


def test_the_diversity_table_by_grade_reads_protected_text_in_grade_order() -> None:
    representation = pl.DataFrame(
        {
            "grade": ["SCS1", "AA", "unknown", "EO", "G7"],
            "headcount": [100, 200, 40, 3, 60],
            "women": [50, 120, 20, 1, 30],
            "sex_recorded": [100, 200, 40, 3, 60],
            "ethnic_minority": [20, 45, 10, 1, 15],
            "ethnicity_known": [80, 180, 40, 3, 60],
        }
    )
    shown = tables.diversity_grades_table(tables.diversity_table(representation, ("grade",)))
    assert shown.columns == ["Grade", "Headcount", "Women", "Ethnic minority"]
    assert shown["Grade"].to_list() == ["AA", "EO", "G7", "SCS1", "unknown"]
    rows = {row[0]: row[1:] for row in shown.rows()}
    assert rows["EO"] == (SUPPRESSED, SUPPRESSED, SUPPRESSED)  # 3 people: under 5
    assert rows["AA"] == ("200", "60.0%", "25.0%")  # shares from the rounded counts
    assert all(value == SUPPRESSED or value.endswith("%") for r in rows.values() for value in r[1:])
    hand_made = pl.DataFrame(
        {"grade": ["PS", "AA"], "headcount_text": ["10", "[c]"],
         "women_share_text": ["40.0%", "[c]"], "ethnic_minority_share_text": ["10.0%", "[c]"],
         "headcount": [10, None]}
    )  # fmt: skip
    assert tables.diversity_grades_table(hand_made).rows() == [
        ("AA", "[c]", "[c]", "[c]"),
        ("PS", "10", "40.0%", "10.0%"),
    ]


def test_the_comparison_files_about_sheet() -> None:
    about = tables.comparison_about(
        "grade",
        (date(2025, 11, 30), date(2026, 11, 30)),
        ["UNITY", "MATRIX"],
        {"grade": ["EO", "HEO"], "region": ["Wales"]},
        definition="People on the payroll.",
        paybill="HR paybill.",
        rule_said="Counts rounded to 5.",
        cells=3,
        rows=12,
        extracted_by="A Analyst",
        extracted_at=datetime(2026, 12, 1, 9, 5, 7, tzinfo=UTC),
        version=None,
    )
    assert list(about)[:3] == ["What", "Definition", "Paybill"]
    assert about["What"] == "Workforce at two dates compared, by grade"
    assert (about["First date"], about["Second date"]) == ("2025-11-30", "2026-11-30")
    assert about["Clusters"] == "UNITY, MATRIX"
    assert about["Filters"] == "grade in EO, HEO; region in Wales"
    assert (about["Cells suppressed"], about["Rows"]) == ("3", "12")
    assert about["Extracted at (UTC)"] == "2026-12-01 09:05:07"
    assert about["Warehouse version"] == "unknown"  # no published version
    assert tables.filters_text({}) == "none"
    assert all(isinstance(v, str) for v in about.values())


# --- the Flows page's tables ---------------------------------------------------------------------


def test_the_waterfall_steps_and_the_moves_as_read() -> None:
    from dashboard.charts import waterfall

    row = {"headcount_start": 10, "joiners": 2, "leavers": 3, "transfers_in": None,
           "transfers_out": 1, "headcount_end": 8}  # fmt: skip
    steps = tables.steps_table(waterfall.flow_steps(row))
    assert steps.columns == ["step", "people"] and steps.schema["people"] == pl.Int64
    assert steps.rows() == [
        ("Start", 10), ("Joiners", 2), ("Leavers", -3), ("Transfers in", 0),
        ("Transfers out", -1), ("End", 8),
    ]  # fmt: skip
    shown = tables.moves_shown(tables.moves_table(MOVES))
    assert shown.columns == ["from_cluster", "to_cluster", "moves_text"]
    assert shown.filter(pl.col("from_cluster") == pl.col("to_cluster"))["moves_text"][0] == (
        SUPPRESSED
    )  # SYNERGY to SYNERGY: 3


def test_turnover_reads_as_a_percentage_highest_first() -> None:
    turnover = pl.DataFrame(
        {
            "organisation_code": ["HO", "DWP", "MOJ", "NEW"],
            "leavers": [5, 12, 12, 0],
            "average_headcount": [40.04, 96.0, 120.06, None],
            "turnover_rate": [0.125, 0.125, 0.1, None],
            "period_end": [date(2026, 11, 30)] * 4,  # not shown
        }
    )
    ordered = tables.highest_turnover(turnover)
    assert ordered["organisation_code"].to_list() == ["NEW", "DWP", "HO", "MOJ"]  # ties by code
    table = tables.turnover_table(ordered, "organisation_code")
    assert table.columns == ["organisation_code", "leavers", "average_headcount", "turnover_rate"]
    assert table.rows() == [
        ("NEW", 0, None, None),  # no average headcount: no rate, not "0%"
        ("DWP", 12, 96.0, "12.5%"),
        ("HO", 5, 40.0, "12.5%"),
        ("MOJ", 12, 120.1, "10.0%"),
    ]


# --- the Data health page's tables -----------------------------------------------------------


def test_the_load_outcomes_in_words() -> None:
    log = pl.DataFrame(
        {
            "load_id": [4, 3, 2, 1],
            "outcome": ["refused", "loaded_with_quarantine", "restated", "something_new"],
            "reason": ["<b>x</b>", None, None, None],
        }
    )
    table = tables.load_log_table(log)
    assert table.columns == log.columns
    assert table["outcome"].to_list() == [
        "Refused", "Loaded, some rows held back", "Restated", "something_new"
    ]  # fmt: skip
    assert table["reason"][0] == "<b>x</b>"  # a table draws the clusters' text as text
    assert tables.outcomes_in_words(log, "outcome")["outcome"][0] == tables.LOAD_OUTCOMES["refused"]


def test_freshness_beside_each_feeds_deliveries() -> None:
    summary = pl.DataFrame(
        {
            "feed": ["UNITY", "MATRIX", "OVERSEAS", "PROGRAMME"],
            "latest_extract_date": [date(2026, 11, 30), date(2026, 10, 31), None, None],
            "extracts": [2, 1, 0, 0],
            "last_outcome": ["loaded", "loaded_with_quarantine", "refused", None],
            "loads": [2, 1, 0, 0],
        }
    )
    status = pl.DataFrame(
        {
            "cluster": ["MATRIX", "UNITY", "OVERSEAS"],
            "extract_date": [date(2026, 10, 31), date(2026, 11, 30), None],
            "status": ["stale", "current", "absent"],
        }
    )
    table = tables.freshness_table(summary, status)
    assert table.columns == [
        "feed", "status", "snapshot_used", "latest_extract_date", "extracts", "last_outcome",
        "loads",
    ]  # fmt: skip
    assert table.rows() == [
        ("UNITY", "Current", date(2026, 11, 30), date(2026, 11, 30), 2, "Loaded", 2),
        ("MATRIX", "Stale", date(2026, 10, 31), date(2026, 10, 31), 1,
         "Loaded, some rows held back", 1),
        ("OVERSEAS", "No data", None, None, 0, "Refused", 0),
        ("PROGRAMME", tables.NO_STATUS, None, None, 0, None, 0),  # the register: no status
    ]  # fmt: skip


def test_the_refusals_and_the_unmapped_values_as_read() -> None:
    refused = pl.DataFrame(
        {
            "load_id": [9],
            "feed": ["OVERSEAS"],
            "extract_date": [date(2026, 2, 28)],
            "outcome": ["refused"],
            "reason": ["3 rows broke rules"],
            "started_at": [datetime(2026, 3, 1, 2, 0)],
            "duration_ms": [40],
        }
    )
    assert tables.refusals_table(refused).rows() == [
        ("OVERSEAS", date(2026, 2, 28), "3 rows broke rules", datetime(2026, 3, 1, 2, 0), 9)
    ]
    oct_, nov = date(2026, 10, 31), date(2026, 11, 30)
    many = [date(2026, m, 1) for m in range(1, 7)]
    assert tables.dates_text([oct_, nov]) == "31 Oct 2026, 30 Nov 2026"
    assert tables.dates_text(many) == "1 Jan 2026 to 1 Jun 2026, 6 dates"
    assert tables.dates_text(many, limit=6).count(",") == 5
    unmapped = pl.DataFrame(
        {
            "cluster": ["DEFENCE", "DEFENCE"],
            "value": ["B3", "<b>FAS</b>"],
            "rows": [3, 1],
            "extract_dates": [[oct_, nov], many],
        }
    )
    table = tables.unmapped_table(unmapped)
    assert table.schema["extract_dates"] == pl.String
    assert table["extract_dates"].to_list() == [
        "31 Oct 2026, 30 Nov 2026",
        "1 Jan 2026 to 1 Jun 2026, 6 dates",
    ]
    assert table["value"].to_list() == ["B3", "<b>FAS</b>"]  # the clusters' text as it came


def test_the_audit_entries_read_to_the_second_and_partial_periods_are_marked() -> None:
    entries = pl.DataFrame({"seq": [1], "at": ["2026-11-30T23:18:04.123456+00:00"]})
    assert tables.audit_table(entries).row(0) == (1, "2026-11-30 23:18:04")
    from dashboard.periods import LedgerPeriods

    status = LedgerPeriods("2026-10", date(2026, 11, 29), ("2026-11",))
    spend = pl.DataFrame({"period": ["2026-10", "2026-11"], "amount_gbp": [1.0, 2.0]})
    shown = tables.labelled(spend, status)["period"].to_list()
    assert shown[0] == "2026-10" and shown[1].startswith("2026-11 (") and "partial" in shown[1]
