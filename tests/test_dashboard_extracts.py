"""The extract builders (dashboard/extracts.py): protection, the about rows and the files."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from datetime import UTC, date, datetime

import openpyxl
import polars as pl
import pyarrow.parquet as pq
import pytest

from dashboard import extracts as ex
from queries.catalogue import disclosure_rule
from queries.disclosure import DisclosureRule
from queries.runner import load_sql

RAW = pl.DataFrame(
    {
        "cluster": ["MATRIX", "SYNERGY", "UNITY"],
        "headcount": [1, 52, 47],
        "fte": [1.0, 50.4, 44.2],
        "paybill_gbp": [30_004.0, 1_500_123.0, 1_400_456.0],
    }
)


@pytest.fixture
def extract() -> ex.Extract:
    return ex.protected_rows(RAW, ["cluster"], disclosure_rule("workforce"))


def about(extract: ex.Extract) -> dict[str, str]:
    return ex.about_rows(
        metric="workforce",
        definition="Workforce: headcount, FTE and annualised basic paybill as at a date.",
        extracted_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        dimensions=["cluster"],
        dates={"as_at": "28 February 2026"},
        filters={"grade": ("EO", "HEO")},
        clusters=["MATRIX", "SYNERGY", "UNITY"],
        rule=ex.rule_text(disclosure_rule("workforce"), "workforce"),
        cells_suppressed=extract.cells_suppressed,
        rows=extract.rows.height,
        warehouse_version="wh-000003.duckdb",
    )


def test_rows_are_protected(extract: ex.Extract) -> None:
    rows = extract.rows.to_dicts()
    assert rows[0] == {"cluster": "MATRIX", "headcount": "[c]", "fte": "[c]", "paybill_gbp": "[c]"}
    assert extract.protected and extract.cells_suppressed >= 6  # MATRIX's row and a partner
    assert "[c]" in {rows[1]["headcount"], rows[2]["headcount"]}
    shown = [r for r in rows if r["headcount"] != "[c]"]
    assert all(int(r["headcount"]) % 5 == 0 and int(r["paybill_gbp"]) % 10 == 0 for r in shown)


def test_measures_outside_the_rule_are_left_out() -> None:
    frame = pl.DataFrame(
        {"measure": ["a", "b"], "planned_gbp": [100.0, 204.0], "actual_gbp": [90.0, 3.0],
         "hours_released": [12.0, 7.0]}
    )  # fmt: skip
    money_only = DisclosureRule(population=None, money=("planned_gbp", "actual_gbp"))
    extract = ex.protected_rows(frame, ["measure"], money_only)
    assert extract.dropped == ("hours_released",)
    assert extract.rows.columns == ["measure", "planned_gbp", "actual_gbp"]
    assert extract.rows["planned_gbp"].to_list() == ["100", "200"]


def test_no_rule_means_the_rows_as_run() -> None:
    frame = pl.DataFrame({"milestones": [3], "achieved": [1]})
    extract = ex.protected_rows(frame, [], disclosure_rule("milestones"))
    assert not extract.protected and extract.rows.equals(frame)
    assert "not under disclosure control" in ex.rule_text(None, "milestones")


def test_rule_text_states_the_rule() -> None:
    text = ex.rule_text(disclosure_rule("workforce"), "workforce")
    assert "under 5" in text and "[c]" in text and "nearest 5" in text
    assert "£10" in text and "secondary suppression" in text
    assert "£10" not in ex.rule_text(disclosure_rule("flows"), "flows")


def test_about_rows(extract: ex.Extract) -> None:
    said = about(extract)
    assert said["Metric"] == "workforce"
    assert said["Extracted at (UTC)"] == "2026-03-01 09:30:00"
    assert said["Dimensions"] == "cluster"
    assert said["Date: as_at"] == "28 February 2026"
    assert said["Filters"] == "grade in EO, HEO"
    assert said["Cells suppressed"] == str(extract.cells_suppressed)
    assert said["Warehouse version"] == "wh-000003.duckdb"
    assert "Measures left out" not in said


def test_csv_parses_and_shows_suppression(extract: ex.Extract) -> None:
    data = ex.to_csv(extract.rows)
    back = pl.read_csv(io.BytesIO(data), infer_schema=False)
    assert back.columns == ["cluster", "headcount", "fte", "paybill_gbp"]
    assert back.row(0) == ("MATRIX", "[c]", "[c]", "[c]")
    assert b"[c]" in data


def test_parquet_round_trips(extract: ex.Extract) -> None:
    table = pq.read_table(io.BytesIO(ex.to_parquet(extract.rows)))
    assert pl.from_arrow(table).equals(extract.rows)


def test_excel_has_data_and_about_sheets(extract: ex.Extract) -> None:
    data = ex.to_excel(extract.rows, about(extract))
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        workbook = book.read("xl/workbook.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    assert 'name="data"' in workbook and 'name="about"' in workbook
    for expected in ("MATRIX", "[c]", "wh-000003.duckdb", "Disclosure rule", "2026-03-01 09:30"):
        assert expected in strings


# --- text a spreadsheet would run (OWASP's CSV injection) -------------------------------------

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-2+3",
    "\t=1",
    "\r=1",
    "＝1+1",
    "-120",
    "-1,234.5",
    "Plain title",
    "http://evil.example",
    None,
]
NEUTRAL = [
    '\'=HYPERLINK("http://x","y")',
    "'+cmd|' /C calc'!A0",
    "'@SUM(1)",
    "'-2+3",
    "'\t=1",
    "'\r=1",
    "'＝1+1",
    "-120",  # a plain number written as text is not a formula
    "-1,234.5",
    "Plain title",
    "http://evil.example",
    None,
]
HOSTILE_ROWS = pl.DataFrame(
    {
        "title": HOSTILE,
        "owner": pl.Series(["=1+1"] * len(HOSTILE), dtype=pl.Categorical),
        "amount_gbp": [-5.5, -120.0, 3.0, 0.0, -1.0, 2.0, 1.0, -7.0, 8.0, 9.0, 10.0, 11.0],
        "headcount": list(range(-6, 6)),
    }
)


def test_csv_neutralises_text_a_spreadsheet_would_run() -> None:
    back = pl.read_csv(io.BytesIO(ex.to_csv(HOSTILE_ROWS)), infer_schema=False)
    assert back["title"].to_list() == NEUTRAL
    assert back["owner"].to_list() == ["'=1+1"] * len(HOSTILE)
    numbers = pl.read_csv(io.BytesIO(ex.to_csv(HOSTILE_ROWS)))
    assert numbers["amount_gbp"].to_list() == HOSTILE_ROWS["amount_gbp"].to_list()
    assert numbers["headcount"].to_list() == list(range(-6, 6))  # negatives stay numbers


def test_protected_measures_read_as_numbers_after_neutralising() -> None:
    frame = pl.DataFrame({"cost_centre": ["=CC1", "CC2"], "amount_gbp": [-1234.0, 50.0]})
    money = DisclosureRule(population=None, money=("amount_gbp",))
    rows = ex.protected_rows(frame, ["cost_centre"], money).rows
    back = pl.read_csv(io.BytesIO(ex.to_csv(rows)), infer_schema=False)
    assert back.rows() == [("'=CC1", "-1230"), ("CC2", "50")]


def test_parquet_keeps_the_text_as_delivered() -> None:
    back = pl.from_arrow(pq.read_table(io.BytesIO(ex.to_parquet(HOSTILE_ROWS))))
    assert back["title"].to_list() == HOSTILE


def _cells(book: zipfile.ZipFile, sheet: str) -> tuple[list[ET.Element], list[str]]:
    """The ``<c>`` elements of a worksheet and the workbook's shared strings, in order."""
    strings = [  # OOXML writes a control character as _xHHHH_
        re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m[1], 16)), "".join(si.itertext()))
        for si in ET.fromstring(book.read("xl/sharedStrings.xml")).iter(f"{XL}si")
    ]
    return list(ET.fromstring(book.read(sheet)).iter(f"{XL}c")), strings


XL = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def test_excel_writes_no_formula_and_no_link(extract: ex.Extract) -> None:
    hostile_about = {**about(extract), "Date: as_at": '=HYPERLINK("http://x","y")'}
    data = ex.to_excel(HOSTILE_ROWS, hostile_about)
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheets = {name: book.read(name).decode() for name in book.namelist()}
        data_cells, strings = _cells(book, "xl/worksheets/sheet1.xml")
        about_cells, _ = _cells(book, "xl/worksheets/sheet2.xml")
    assert not any(c.find(f"{XL}f") is not None for c in data_cells + about_cells)
    assert not any("<hyperlink" in text for text in sheets.values())
    assert all(text in strings for text in NEUTRAL if text is not None)
    assert "'=1+1" in strings and '\'=HYPERLINK("http://x","y")' in strings
    numbers = [
        float(c.findtext(f"{XL}v"))
        for c in data_cells
        if c.get("t") is None and c.find(f"{XL}v") is not None
    ]
    assert -120.0 in numbers and -6.0 in numbers  # the numeric columns stay numbers
    assert "-120" in strings  # the text "-120" stays text, unprefixed


# --- typed Excel cells, names beside codes, who extracted ------------------------------------

JAN, FEB = date(2026, 1, 31), date(2026, 2, 28)
TREND = pl.DataFrame(
    {
        "month_end": [JAN, JAN, JAN, FEB, FEB, FEB],
        "organisation_code": ["DWP", "D01", "HO", "DWP", "D01", "HO"],
        "headcount": [52, 3, 31, 55, 40, 33],
        "fte": [50.4, 3.0, 30.0, 53.0, 38.0, 32.5],
        "paybill_gbp": [1_500_123.0, 90_004.0, 900_000.0, 1_600_006.0, 1_200_000.0, 960_000.0],
    }
)
REGISTER = {"DWP": "Department for Work and Pensions", "D01": "Small Body", "HO": "Home Office"}


def typed_extract() -> ex.Extract:
    rule = disclosure_rule("workforce_trend")
    protected = ex.protected_rows(TREND, ["month_end", "organisation_code"], rule)
    return ex.with_names(protected, REGISTER, {})


def read_back(data: bytes) -> tuple[list[tuple], dict[str, str]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(book[ex.DATA_SHEET].iter_rows(values_only=True))
    about_sheet = {k: v for k, v in book[ex.ABOUT_SHEET].iter_rows(min_row=2, values_only=True)}
    return rows, about_sheet


def test_excel_cells_are_typed_and_sum(extract: ex.Extract) -> None:
    typed = typed_extract()
    said = {**about(extract), "Extracted by": "ana.lyst@workforce.local (analyst)"}
    rows, about_sheet = read_back(ex.to_excel(typed.typed, said, typed.suppressed))
    header, body = rows[0], rows[1:]
    assert header == (
        "month_end", "organisation_code", "organisation_name", "headcount", "fte", "paybill_gbp"
    )  # fmt: skip
    assert all(isinstance(r[0], datetime) for r in body)  # dates, not text
    assert [r[0].date() for r in body] == TREND["month_end"].to_list()
    assert [r[2] for r in body] == [REGISTER[r[1]] for r in body]  # the name beside the code
    small = body[1]  # D01 in January: 3 people, suppressed as text
    assert small[3:] == ("[c]", "[c]", "[c]")
    shown = [r[3] for r in body if r[3] != "[c]"]
    assert shown and all(isinstance(v, int | float) and v % 5 == 0 for v in shown)
    assert sum(shown) == sum(int(v) for v in typed.rows["headcount"] if v != "[c]")  # SUM works
    assert about_sheet["Extracted by"] == "ana.lyst@workforce.local (analyst)"


def test_excel_number_format_of_dates() -> None:
    typed = typed_extract()
    book = openpyxl.load_workbook(io.BytesIO(ex.to_excel(typed.typed, {}, typed.suppressed)))
    cell = book[ex.DATA_SHEET]["A2"]
    assert cell.is_date and cell.number_format == ex.DATE_FORMAT


def test_unprotected_rows_are_numbers_too() -> None:
    extract = ex.protected_rows(TREND, ["month_end", "organisation_code"], None)
    rows, _ = read_back(ex.to_excel(extract.typed, {}, extract.suppressed))
    assert rows[2][2] == 3 and rows[2][4] == 90_004.0


def test_csv_has_the_same_columns_and_plain_numbers() -> None:
    typed = typed_extract()
    back = pl.read_csv(io.BytesIO(ex.to_csv(typed.rows)), infer_schema=False)
    assert back.columns == list(typed.typed.columns)
    assert back["organisation_name"].to_list()[:2] == [REGISTER["DWP"], REGISTER["D01"]]
    assert all(v == "[c]" or re.fullmatch(r"-?[0-9]+", v) for v in back["paybill_gbp"])


def test_names_beside_department_region_and_unknown_codes() -> None:
    frame = pl.DataFrame(
        {"department": ["DWP", "unknown"], "region": ["TLI", "unknown"], "headcount": [50, 60]}
    )
    named = ex.with_names(ex.protected_rows(frame, ["department", "region"], None), {}, REGISTER)
    assert named.rows.columns == ["department", "department_name", "region", "region_name",
                                  "headcount"]  # fmt: skip
    assert named.rows["department_name"].to_list() == [REGISTER["DWP"], ex.NOT_RECORDED]
    assert named.rows["region_name"].to_list() == ["London", ex.NOT_RECORDED]


def test_labels_stay_beside_the_protected_rows_without_being_dimensions() -> None:
    frame = pl.DataFrame(
        {
            "grade": ["AO", "EO", "HEO"],
            "period_end": [date(2026, 2, 28)] * 3,
            "month_ends_covered": [13, 13, 13],
            "leavers": [12.0, 3.0, 20.0],
            "average_headcount": [100.0, 40.0, 150.0],
            "turnover_rate": [0.12, 0.075, 20 / 150],
        }
    )
    rule = disclosure_rule("turnover")
    extract = ex.protected_rows(frame, ["grade"], rule, ("period_end", "month_ends_covered"))
    assert extract.rows.columns == frame.columns and not extract.dropped
    assert extract.rows["month_ends_covered"].to_list() == [13, 13, 13]
    assert extract.rows["leavers"].to_list()[1] == "[c]"
    assert extract.rows["turnover_rate"].to_list()[1] == "[c]"


def test_the_about_rows_name_who_extracted() -> None:
    said = ex.about_rows(
        metric="turnover", definition="d", extracted_at=datetime(2026, 3, 1, tzinfo=UTC),
        dimensions=[], dates={}, filters={}, clusters=["UNITY"], rule="r", cells_suppressed=0,
        rows=1, warehouse_version="v", extracted_by="ana.lyst@workforce.local (analyst)",
    )  # fmt: skip
    assert said["Extracted by"] == "ana.lyst@workforce.local (analyst)"


# --- months and the clusters a link asks for ---------------------------------------------------


def test_series_runs_month_by_month() -> None:
    as_at = ex.series_runs(load_sql("workforce"), {}, date(2025, 11, 15), date(2026, 2, 28))
    assert [key for key, _ in as_at] == [date(2025, 11, 30), date(2025, 12, 31),
                                          date(2026, 1, 31), date(2026, 2, 28)]  # fmt: skip
    assert as_at[0][1] == {"as_at": date(2025, 11, 30)}
    flows = ex.series_runs(load_sql("flows"), {}, date(2026, 1, 15), date(2026, 3, 31))
    assert [p for _, p in flows] == [
        {"date_from": date(2026, 1, 15), "date_to": date(2026, 1, 31)},
        {"date_from": date(2026, 1, 31), "date_to": date(2026, 2, 28)},
        {"date_from": date(2026, 2, 28), "date_to": date(2026, 3, 31)},
    ]
    spend = ex.series_runs(load_sql("cost_per_fte"), {"as_at": 1}, "2025-11", "2026-01")
    assert [p["period_from"] for _, p in spend] == ["2025-11", "2025-12", "2026-01"]
    assert len(ex.series_runs(load_sql("workforce"), {}, date(2020, 1, 1), date(2026, 1, 1))) == (
        ex.MOST_RUNS
    )


def test_the_month_dimension_each_metric_gets() -> None:
    assert ex.series_dimension(load_sql("turnover")) == "month_end"
    assert ex.series_dimension(load_sql("flows")) == "month_end"
    assert ex.series_dimension(load_sql("cost_per_fte")) == "period"
    for own in ("workforce_trend", "spend", "milestone_slippage", "benefits_cumulative"):
        assert ex.series_dimension(load_sql(own)) is None  # a time dimension of its own
