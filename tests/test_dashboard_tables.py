"""dashboard.tables: the table shaping beside the charts, pure polars, no Streamlit or Plotly.

Moved out of the chart modules (issue 17); the diversity table's own test stays beside the
shares chart it feeds (tests/test_dashboard_chart_kinds.py and the shares chart tests).
"""

from __future__ import annotations

import ast
from datetime import date
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


def test_tables_draw_nothing() -> None:
    """Table shaping is pure: it imports neither Streamlit nor Plotly."""
    tree = ast.parse((Path(tables.__file__)).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not imported & {"streamlit", "plotly"}


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
