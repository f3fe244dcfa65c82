"""The extract builders (dashboard/extracts.py): protection, the about rows and the files."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from datetime import UTC, datetime

import polars as pl
import pyarrow.parquet as pq
import pytest

from dashboard import extracts as ex
from queries.catalogue import disclosure_rule
from queries.disclosure import DisclosureRule

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
