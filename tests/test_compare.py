"""Two dates compared (dashboard/compare.py) against the tiny warehouse counted by hand.

The ``workforce`` metric is run by the real runner at A (31 January 2026) and B (28 February
2026) of tests/tiny_warehouse.py; the comparison joins the two.  Counted by hand from its
table (MATRIX is stale at B, so p09 still counts in CO; p08 counts once, in HMRC):

====================  =========================  ===============================  ==========
organisation          as at A (people, £)        as at B (people, £)              change
====================  =========================  ===============================  ==========
DWP  Work and Pens.   p01 p02 p04 p05 p12: 5,    p01 p12: 2, 30k + 63k = 93k      -3 (-60%)
                      30k+25k+36k+44k+60k = 195k
HMRC                  p06 p07: 2, 60k            p04 p06 p08: 3, 125k             +1 (+50%)
CO   Cabinet Office   p08 p09: 2, 130k           p09: 1, 72k                      -1 (-50%)
HO   Home Office      p11 0.6 FTE: 1, 18k        p11: 1, 18k                      0 (0%)
MOJ                   nobody                     p03 p05: 2, 24k + 44k = 68k      +2 (n/a)
DVLA                  nobody                     p10 0.5 FTE: 1, 12k              +1 (n/a)
====================  =========================  ===============================  ==========

By grade: A has EO p01 p07 p11 (3, 2.6 FTE), AO p02, HEO p04, SEO p05, G7 p08 p12, G6 p09 and
p06 with no grade (unknown); B has EO p01 p11 (2, 1.6 FTE), AO p03 p10 (2, 1.5 FTE), and the
same HEO, SEO, G7 (2), G6 and unknown (1 each).
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest

from core.warehouse import connect_readonly
from dashboard import compare
from queries.catalogue import disclosure_rule
from queries.runner import CLUSTERS, Request, run
from tests.tiny_warehouse import A, B, build


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    connection = connect_readonly(build(tmp_path_factory.mktemp("compare")).warehouse)
    yield connection
    connection.close()


def compared(con: duckdb.DuckDBPyConnection, key: str) -> dict[str, dict]:
    def at(day: date) -> pl.DataFrame:
        return run(con, Request("workforce", CLUSTERS, {"as_at": day}, (key,)))

    table = compare.compare_dates(at(A), at(B), key)
    return {row[key]: row for row in table.iter_rows(named=True)}


def test_by_organisation_counted_by_hand(con) -> None:
    got = compared(con, "organisation_code")
    assert {
        k: (r["headcount_a"], r["headcount_b"], r["headcount_change"]) for k, r in got.items()
    } == {
        "CO": (2, 1, -1),
        "DVLA": (0, 1, 1),
        "DWP": (5, 2, -3),
        "HMRC": (2, 3, 1),
        "HO": (1, 1, 0),
        "MOJ": (0, 2, 2),
    }
    assert got["DWP"]["headcount_change_pct"] == pytest.approx(-0.6)
    assert got["HMRC"]["headcount_change_pct"] == pytest.approx(0.5)
    assert got["HO"]["headcount_change_pct"] == 0.0
    assert (got["DWP"]["paybill_gbp_a"], got["DWP"]["paybill_gbp_b"]) == (195_000.0, 93_000.0)
    assert got["DWP"]["paybill_gbp_change"] == -102_000.0
    assert got["HMRC"]["paybill_gbp_change"] == 65_000.0
    assert got["CO"]["paybill_gbp_change_pct"] == pytest.approx(-58 / 130)
    assert (got["DVLA"]["fte_a"], got["DVLA"]["fte_b"], got["DVLA"]["fte_change"]) == (0, 0.5, 0.5)
    assert got["HO"]["fte_a"] == pytest.approx(0.6)


def test_a_group_new_at_the_second_date_has_no_percent_change(con) -> None:
    got = compared(con, "organisation_code")
    for new in ("MOJ", "DVLA"):  # nobody at A: a rate from nothing is not available, not inf
        assert got[new]["headcount_a"] == 0
        assert all(got[new][f"{m}_change_pct"] is None for m in compare.MEASURES)


def test_by_grade_counted_by_hand(con) -> None:
    got = compared(con, "grade")
    assert {k: (r["headcount_a"], r["headcount_b"]) for k, r in got.items()} == {
        "AO": (1, 2),
        "EO": (3, 2),
        "G6": (1, 1),
        "G7": (2, 2),
        "HEO": (1, 1),
        "SEO": (1, 1),
        "unknown": (1, 1),
    }
    assert got["EO"]["fte_change"] == pytest.approx(-1.0)  # 2.6 to 1.6
    assert got["EO"]["headcount_change_pct"] == pytest.approx(-1 / 3)
    assert got["AO"]["headcount_change_pct"] == 1.0
    assert sum(r["headcount_change"] for r in got.values()) == 0  # 10 people at both dates


def test_a_group_gone_by_the_second_date_reads_zero_there() -> None:
    at_a = pl.DataFrame({"grade": ["EO", "AA"], "headcount": [4, 2], "fte": [4.0, 1.5],
                         "paybill_gbp": [120.0, 40.0]})  # fmt: skip
    at_b = pl.DataFrame({"grade": ["EO"], "headcount": [5], "fte": [5.0], "paybill_gbp": [150.0]})
    got = {r["grade"]: r for r in compare.compare_dates(at_a, at_b, "grade").iter_rows(named=True)}
    assert (got["AA"]["headcount_b"], got["AA"]["headcount_change"]) == (0, -2)
    assert got["AA"]["headcount_change_pct"] == -1.0
    assert got["EO"]["paybill_gbp_change_pct"] == pytest.approx(0.25)


def test_only_the_fixed_breakdowns_are_compared() -> None:
    frame = pl.DataFrame({"sex": ["female"], "headcount": [1], "fte": [1.0], "paybill_gbp": [1.0]})
    with pytest.raises(ValueError, match="cannot compare by 'sex'"):
        compare.compare_dates(frame, frame, "sex")


def test_the_largest_movers_either_way_largest_first(con) -> None:
    table = compare.compare_dates(
        run(con, Request("workforce", CLUSTERS, {"as_at": A}, ("organisation_code",))),
        run(con, Request("workforce", CLUSTERS, {"as_at": B}, ("organisation_code",))),
        "organisation_code",
    )
    movers = compare.largest_movers(table, "headcount")
    assert list(zip(movers["organisation_code"], movers["headcount_change"], strict=True)) == [
        ("DWP", -3),
        ("MOJ", 2),
        ("CO", -1),
        ("DVLA", 1),
        ("HMRC", 1),
    ]  # HO did not move
    assert compare.largest_movers(table, "paybill_gbp", n=2)["organisation_code"].to_list() == [
        "DWP",
        "MOJ",
    ]  # -102k, +68k; HMRC's +65k is third


def test_names_beside_codes() -> None:
    orgs = {"DVLA": "Driver and Vehicle Licensing Agency"}
    assert compare.group_names("organisation_code", ["DVLA", "XX", "unknown"], orgs, {}) == {
        "DVLA": "Driver and Vehicle Licensing Agency",
        "XX": "XX",
        "unknown": "Not recorded",
    }
    assert compare.group_names("region", ["TLI", "OVERSEAS"], {}, {}) == {
        "TLI": "London",
        "OVERSEAS": "Overseas",
    }
    assert compare.group_names("profession", ["human_resources"], {}, {}) == {
        "human_resources": "Human resources"
    }


# --- under disclosure control -----------------------------------------------------------------

AT_A = pl.DataFrame(
    {
        "region": ["TLC", "TLD", "TLI"],
        "headcount": [102, 3, 48],
        "fte": [100.2, 3.0, 47.0],
        "paybill_gbp": [3_000_004.0, 90_000.0, 1_500_006.0],
    }
)
AT_B = pl.DataFrame(
    {
        "region": ["TLC", "TLD", "TLI", "TLM"],
        "headcount": [121, 4, 40, 60],
        "fte": [120.0, 4.0, 39.0, 59.5],
        "paybill_gbp": [3_600_001.0, 120_000.0, 1_300_000.0, 1_800_000.0],
    }
)


def test_protected_changes_come_from_the_protected_figures() -> None:
    table, cells = compare.protected_compare(AT_A, AT_B, "region", disclosure_rule("workforce"))
    got = {r["region"]: r for r in table.iter_rows(named=True)}
    # TLC: 102 reads 100, 121 reads 120; the change is theirs: +20, +20%.
    assert (got["TLC"]["headcount_a"], got["TLC"]["headcount_b"]) == (100, 120)
    assert got["TLC"]["headcount_change"] == 20
    assert got["TLC"]["headcount_change_pct"] == pytest.approx(0.2)
    assert got["TLC"]["paybill_gbp_a"] == 3_000_000
    # TLD (3 and 4 people) is suppressed at both dates, and so is every change from it.
    assert got["TLD"]["headcount_a"] is None and got["TLD"]["headcount_change"] is None
    assert got["TLD"]["paybill_gbp_change_pct"] is None
    assert cells > 0
    # TLI is suppressed too (the smallest beside TLD, so TLD cannot be worked out from the total).
    assert got["TLI"]["headcount_b"] is None
    # TLM: nobody at A (a 0, not a suppressed cell); so its % change is not available.
    typed, suppressed = compare.download_rows(
        table, "region", {"TLM": "Scotland"}, (date(2025, 2, 28), date(2026, 2, 28))
    )
    assert int(suppressed.sum_horizontal().sum()) >= cells  # changes beside them too
    read = {r["region"]: r for r in compare.as_text(typed, suppressed).iter_rows(named=True)}
    assert read["TLD"]["headcount_2025-02-28"] == "[c]"
    assert read["TLD"]["headcount_change"] == "[c]"
    assert read["TLD"]["headcount_change_pct"] == "[c]"
    assert read["TLC"]["headcount_2026-02-28"] == "120"
    assert read["TLC"]["headcount_change_pct"] == "20.0"
    assert read["TLM"]["headcount_2025-02-28"] == "0"
    assert read["TLM"]["headcount_change_pct"] == "not available"
    assert read["TLM"]["name"] == "Scotland"
    # Typed, for the workbook: numbers stay numbers, suppressed cells null beside the mask.
    tlc = typed.filter(pl.col("region") == "TLC").row(0, named=True)
    assert (tlc["paybill_gbp_2025-02-28"], tlc["headcount_change"]) == (3_000_000, 20)


def test_unprotected_download_keeps_numbers_and_names() -> None:
    table = compare.compare_dates(AT_A, AT_B, "region")
    rows, suppressed = compare.download_rows(
        table, "region", {"TLC": "North East"}, (date(2025, 2, 28), date(2026, 2, 28))
    )
    assert rows.columns[:6] == [
        "region",
        "name",
        "headcount_2025-02-28",
        "headcount_2026-02-28",
        "headcount_change",
        "headcount_change_pct",
    ]
    first = rows.row(0, named=True)
    assert (first["name"], first["headcount_change"], first["headcount_change_pct"]) == (
        "North East",
        19,
        18.6,
    )
    assert first["fte_2025-02-28"] == 100.2
    assert rows.filter(pl.col("region") == "TLM")["headcount_change_pct"].to_list() == [None]
    assert not suppressed.to_numpy().any()
