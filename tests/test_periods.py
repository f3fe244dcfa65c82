"""Complete and partial accounting periods, and the as-at cut of ledger lines, on a ledger that
ends in the middle of a month (tests/tiny_periods.py: every number below is counted from its
docstring), and the pure helpers that label them (dashboard/periods.py).

SYNERGY delivers to 20 November 2026 (month-ends to 31 October, then 10 and 20 November);
UNITY to 15 October 2026 (month-ends to 30 September, then 15 October).
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest

from core.warehouse import connect_readonly
from dashboard import periods
from queries.constants import STANDARD_PARAMS
from queries.runner import CLUSTERS, Request, run
from tests.tiny_periods import FIRST, MID_OCTOBER, NOV_10, NOV_20, build

ALL = CLUSTERS
NOV_15 = date(2026, 11, 15)
OCT_30, OCT_31 = date(2026, 10, 30), date(2026, 10, 31)


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    connection = connect_readonly(build(tmp_path_factory.mktemp("periods")).warehouse)
    yield connection
    connection.close()


def rows(con, metric: str, clusters=ALL, by=(), **params) -> list[dict]:
    return run(con, Request(metric, tuple(clusters), params, tuple(by))).to_dicts()


def complete(con, as_at: date, by=("cluster", "period")) -> dict[tuple, bool]:
    got = rows(con, "ledger_periods", by=by, period_from="2026-09", period_to="2026-11",
               as_at=as_at)  # fmt: skip
    return {tuple(r[d] for d in by): r["complete"] for r in got}


def spend(con, as_at: date | None, period: str) -> float:
    """A period's spend as at a date (None: every line loaded, the CLI's spend)."""
    if as_at is None:
        got = rows(con, "spend", period_from=period, period_to=period)
    else:
        got = rows(con, "spend_as_at", period_from=period, period_to=period, as_at=as_at)
    return float(got[0]["amount_gbp"]) if got else 0.0


# --- which periods are complete ---------------------------------------------------------------


def test_a_period_is_complete_once_its_cluster_has_delivered_past_its_end(con) -> None:
    # As at 15 November: SYNERGY's latest delivery is 10 November, so September and October are
    # complete and November is partial; UNITY's is 15 October, so only September is.
    assert complete(con, NOV_15) == {
        ("SYNERGY", "2026-09"): True,
        ("SYNERGY", "2026-10"): True,
        ("SYNERGY", "2026-11"): False,
        ("UNITY", "2026-09"): True,
        ("UNITY", "2026-10"): False,
        ("UNITY", "2026-11"): False,
    }
    # As at 30 October SYNERGY has nothing past 30 September: October is not complete yet;
    # its delivery of 31 October (the month's last day) completes it.
    assert complete(con, OCT_30)[("SYNERGY", "2026-10")] is False
    assert complete(con, OCT_31)[("SYNERGY", "2026-10")] is True


def test_a_period_is_complete_for_a_group_only_when_every_cluster_has_it(con) -> None:
    assert complete(con, NOV_20, by=("period",)) == {
        ("2026-09",): True,
        ("2026-10",): False,  # UNITY's October is still open
        ("2026-11",): False,
    }
    assert complete(con, NOV_20, by=("period",)) != complete(con, NOV_20, by=("cluster", "period"))
    synergy = rows(con, "ledger_periods", clusters=["SYNERGY"], by=["period"],
                   period_from="2026-10", period_to="2026-11", as_at=NOV_20)  # fmt: skip
    assert [(r["period"], r["complete"], r["delivered_to"]) for r in synergy] == [
        ("2026-10", True, NOV_20),
        ("2026-11", False, NOV_20),
    ]


def test_the_delivery_dates_and_last_postings_say_how_far_the_ledger_reaches(con) -> None:
    (total,) = rows(con, "ledger_periods", period_from="2026-11", period_to="2026-11", as_at=NOV_15)
    # The earliest of the clusters' latest deliveries is UNITY's 15 October; November's last
    # line as at the 15th was posted on the 10th (the line posted on the 12th came on the 20th).
    assert (total["clusters"], total["complete"]) == (2, False)
    assert (total["delivered_to"], total["last_posting_date"]) == (MID_OCTOBER, NOV_10)


def test_a_cluster_without_deliveries_does_not_hold_the_others_back(con) -> None:
    # DEFENCE has never delivered: in scope, it adds no rows and completes nothing.
    got = rows(con, "ledger_periods", clusters=["DEFENCE", "SYNERGY"], by=["period"],
               period_from="2026-10", period_to="2026-10", as_at=NOV_20)  # fmt: skip
    assert [(r["period"], r["clusters"], r["complete"]) for r in got] == [("2026-10", 1, True)]
    assert rows(con, "ledger_periods", clusters=["DEFENCE"], period_from="2026-10",
                period_to="2026-10", as_at=NOV_20) == []  # fmt: skip


# --- the as-at cut of ledger lines ------------------------------------------------------------


def test_spend_as_at_a_date_in_the_middle_of_a_month(con) -> None:
    # November as at the 15th: SYNERGY's consultancy of 300 (posted 10 Nov).  Not the salary of
    # 400 posted on the 20th, nor the 70 posted on the 12th but delivered on the 20th.
    assert spend(con, NOV_15, "2026-11") == 300.0
    assert spend(con, NOV_20, "2026-11") == 300.0 + 400.0 + 70.0
    assert spend(con, None, "2026-11") == 770.0  # the CLI's spend: every line loaded
    assert spend(con, date(2026, 11, 9), "2026-11") == 0.0


def test_a_late_posting_counts_from_the_day_it_was_delivered(con) -> None:
    # September: SYNERGY 1,000 + UNITY 2,000, then SYNERGY's arrears of 50 posted on 31 October.
    assert spend(con, OCT_30, "2026-09") == 3_000.0
    assert spend(con, OCT_31, "2026-09") == 3_050.0


def test_spend_as_at_by_period_and_category(con) -> None:
    got = rows(con, "spend_as_at", by=["period", "account_category"], period_from="2026-10",
               period_to="2026-11", as_at=NOV_15)  # fmt: skip
    assert [(r["period"], r["account_category"], float(r["amount_gbp"])) for r in got] == [
        ("2026-10", "consultancy", 500.0),  # UNITY, 15 Oct
        ("2026-10", "payroll_salary", 1_000.0),  # SYNERGY, 31 Oct
        ("2026-11", "consultancy", 300.0),
    ]


def test_reconciliation_counts_the_ledger_as_it_stood(con) -> None:
    def ledger_salary(as_at: date) -> float:
        (row,) = rows(con, "reconciliation", clusters=["SYNERGY"], period="2026-09", as_at=as_at,
                      **STANDARD_PARAMS)  # fmt: skip
        return row["ledger_salary_gbp"]

    assert ledger_salary(OCT_30) == 1_000.0
    assert ledger_salary(NOV_20) == 1_050.0  # with the arrears posted on 31 October


# --- rates over complete periods --------------------------------------------------------------


def test_cost_per_fte_over_the_year_to_the_last_complete_period(con) -> None:
    (got,) = rows(con, "cost_per_fte", period_from="2025-10", period_to="2026-09", as_at=NOV_20)
    # Cost: SYNERGY 12 × 1,000 + 50 arrears, UNITY 12 × 2,000 = 36,050.  FTE at the 12
    # month-ends: SYNERGY 8.8 × 6 (October to March) + 7.8 × 6 (E00009 gone from April) =
    # 99.6, UNITY 4.2 × 12 = 50.4; 150 ÷ 12 = 12.5.  36,050 ÷ 12.5 = 2,884.
    assert got == {
        "payroll_gbp": 36_050.0,
        "contingent_gbp": 0.0,
        "cost_gbp": 36_050.0,
        "months": 12,
        "average_fte": pytest.approx(12.5),
        "cost_per_fte_gbp": pytest.approx(2_884.0),
        "annual_cost_per_fte_gbp": pytest.approx(2_884.0),
    }


def test_cost_per_fte_leaves_partial_periods_out(con) -> None:
    # To November as at 20 November: October and November are partial for the scope (UNITY),
    # so the periods are December 2025 to September 2026, 10 of them, as if asked to September.
    to_november = rows(con, "cost_per_fte", period_from="2025-12", period_to="2026-11",
                       as_at=NOV_20)  # fmt: skip
    to_september = rows(con, "cost_per_fte", period_from="2025-12", period_to="2026-09",
                        as_at=NOV_20)  # fmt: skip
    assert to_november == to_september
    assert to_november[0]["months"] == 10
    # SYNERGY alone is complete through October: its October counts.
    (synergy,) = rows(con, "cost_per_fte", clusters=["SYNERGY"], period_from="2026-10",
                      period_to="2026-11", as_at=NOV_20)  # fmt: skip
    assert (synergy["months"], synergy["payroll_gbp"]) == (1, 1_000.0)


def test_turnover_at_the_first_month_end_is_not_available_rather_than_zero(con) -> None:
    (first,) = rows(con, "turnover", as_at=FIRST)
    assert (first["month_ends_covered"], first["leavers"], first["turnover_rate"]) == (1, 0, None)


def test_turnover_over_a_whole_year(con) -> None:
    (got,) = rows(con, "turnover", as_at=NOV_20)
    # The 13 month-ends 31 Oct 2025 to 31 Oct 2026: SYNERGY 10 × 6 + 9 × 7 = 123, UNITY 5 × 13
    # = 65 (its 15 October snapshot at 31 October); one leaver.  1 ÷ (188 ÷ 13) = 13 ÷ 188.
    assert (got["month_ends_covered"], got["leavers"]) == (13, 1)
    assert got["turnover_rate"] == pytest.approx(13 / 188)


# --- how the pages say it ---------------------------------------------------------------------


def status_of(frame: dict) -> periods.LedgerPeriods:
    return periods.ledger_status(pl.DataFrame(frame))


STATUS = status_of(
    {
        "period": ["2026-09", "2026-10", "2026-11"],
        "clusters": [2, 2, 2],
        "complete": [True, False, False],
        "delivered_to": [date(2026, 10, 15)] * 3,
        "last_posting_date": [date(2026, 9, 30), date(2026, 10, 15), None],
    }
)


def test_the_ledger_status_from_its_rows(con) -> None:
    assert periods.LedgerPeriods("2026-09", date(2026, 10, 15), ("2026-10", "2026-11")) == STATUS
    real = rows(con, "ledger_periods", by=["period"], period_from="2026-09", period_to="2026-11",
                as_at=NOV_20)  # fmt: skip
    assert periods.ledger_status(pl.DataFrame(real)) == STATUS
    assert periods.ledger_status(pl.DataFrame(real).clear()) == periods.LedgerPeriods(
        None, None, ()
    )


def test_partial_periods_are_labelled_so() -> None:
    assert periods.partial_label("2026-09", STATUS) == "2026-09"
    assert periods.partial_label("2026-10", STATUS) == "2026-10 (to 15 Oct, partial)"
    assert periods.partial_label("2026-11", STATUS) == "2026-11 (partial)"
    note = periods.partial_note(STATUS, "2026-11")
    assert note is not None and note.startswith("October 2026 and November 2026 are still")
    assert periods.partial_note(STATUS, "2026-09") is None


def test_windows_say_which_months_they_cover() -> None:
    assert periods.year_to("2026-10") == ("2025-11", "2026-10")
    assert periods.year_to("2026-01") == ("2025-02", "2026-01")
    assert periods.window_text("2025-11", "2026-10") == "12 months to October 2026"
    assert periods.window_text("2026-01", "2026-01") == "1 month to January 2026"
    assert periods.shift("2026-01", -1) == "2025-12"
    assert periods.months_back(date(2026, 3, 31), 1) == "2026-02"
    assert periods.window_dates(STATUS) == (date(2026, 8, 31), date(2025, 9, 30))


def test_a_rate_without_a_whole_year_says_why() -> None:
    first_extract = date(2026, 1, 15)
    assert periods.turnover_unavailable(2, first_extract) == (
        "Not available: needs 12 months of data (13 month-ends); the first month-end loaded "
        "is 31 Jan 2026."
    )
    assert periods.cost_unavailable(3, STATUS, first_extract) == (
        "Not available: needs 12 complete months of data, has 3 to September 2026; the first "
        "month-end loaded is 31 Jan 2026."
    )
    none_yet = periods.LedgerPeriods(None, date(2026, 1, 15), ("2026-01",))
    assert periods.cost_unavailable(None, none_yet, first_extract) == (
        "Not available: no month of the ledger is complete yet."
    )
    assert none_yet.is_partial("2025-12")


def test_partial_bars_are_hatched_and_the_others_are_not() -> None:
    from dashboard import charts
    from dashboard.charts import spend_chart

    frame = pl.DataFrame(
        {
            "period": ["2026-09", "2026-10 (to 15 Oct, partial)"],
            "account_category": ["payroll_salary"] * 2,
            "amount_gbp": [3_050.0, 1_000.0],
        }
    )
    figure = charts.mark_partial(spend_chart(frame, "Spend"), {"2026-10 (to 15 Oct, partial)"})
    (bars,) = figure.data
    assert list(bars.marker.pattern.shape) == ["", "/"]
