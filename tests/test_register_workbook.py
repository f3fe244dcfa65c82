"""The register's Excel round trip (issue 15): the workbook written for editing, read back
with every fault by sheet, row and column, and uploads that are not a register refused in one
line before anything is read."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from ingest_factories import benefits, milestones
from openpyxl import load_workbook

from core.register.versions import Register, Version
from core.register.workbook import (
    MOST_BYTES,
    WorkbookRefused,
    read,
    write,
)

TODAY = date(2026, 11, 30)
VERSION = Version(date(2026, 10, 31), 7, datetime(2026, 11, 1, 2, 14), "Register")
HOSTILE = '=HYPERLINK("https://evil.example","click")'


def register() -> Register:
    rows = milestones(6)
    rows[2]["title"] = HOSTILE
    rows[3].update(actual_date=date(2026, 5, 1), forecast_date=None, owner="-Programme board")
    return Register(rows, benefits(), VERSION)


def edited(data: bytes, change) -> bytes:
    book = load_workbook(io.BytesIO(data))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_workbook_round_trips_the_register_exactly():
    original = register()
    back, faults = read(write(original), TODAY)
    assert faults == []
    assert back.milestones == original.milestones
    assert back.benefits == original.benefits
    assert back.based_on == VERSION.load_id  # which version it was taken from


def test_text_is_text_dates_are_dates_and_coded_columns_have_dropdowns():
    book = load_workbook(io.BytesIO(write(register())))
    sheet = book["milestones"]
    assert [c.value for c in sheet[1]][:3] == ["milestone_id", "cluster", "title"]
    title = sheet["C4"]
    assert title.data_type == "s" and title.value == "'" + HOSTILE  # never a live formula
    assert sheet["F2"].is_date and sheet["F2"].number_format == "yyyy-mm-dd"
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert '"DEFENCE,OVERSEAS,MATRIX,SYNERGY,UNITY,ALL"' in lists.values()
    assert any("amber_green" in f for f in lists.values())
    about = [row[0] or "" for row in book["about"].iter_rows(values_only=True)]
    assert any("delivered by Register" in line and "extract date 2026-10-31" in line
               for line in about)  # fmt: skip


def test_an_edit_made_in_excel_comes_back():
    def move(book):
        book["milestones"]["F3"] = datetime(2027, 1, 15)  # M001's forecast
        book["benefits"]["E2"] = 125_000.5  # SYNERGY 2025-26 actual

    back, faults = read(edited(write(register()), move), TODAY)
    assert faults == []
    assert back.milestones[1]["forecast_date"] == date(2027, 1, 15)
    assert back.benefits[0]["actual_gbp"] == 125_000.5


BAD = {
    "a date that is not a date": (
        lambda b: b["milestones"].__setitem__("E3", "next spring"),
        "milestones, row 3 (row 3), baseline_date: baseline_date 'next spring' is not a date",
    ),
    "a planned amount that is not a number": (
        lambda b: b["benefits"].__setitem__("D4", "lots"),
        "benefits, row 4 (row 4), planned_gbp: planned_gbp 'lots' is not a number",
    ),
    "an unknown rating, at its spreadsheet row": (
        lambda b: b["milestones"].__setitem__("H5", "purple"),
        "milestones, row 5 (M003), dca_rating: Input should be",
    ),
    "a renamed column": (
        lambda b: b["benefits"].__setitem__("D1", "planned"),
        "benefits, row 1 (header), planned_gbp: column planned_gbp is missing or renamed",
    ),
    "a missing sheet": (
        lambda b: b.remove(b["benefits"]),
        "benefits, row 1 (sheet), sheet: the benefits sheet is missing",
    ),
    "a duplicate milestone id": (
        lambda b: b["milestones"].__setitem__("A7", "M000"),
        "milestones, row 2 (M000), milestone_id: milestone_id appears 2 times",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_every_fault_is_named_by_sheet_row_and_column(case):
    change, expected = BAD[case]
    _, faults = read(edited(write(register()), change), TODAY)
    assert faults, case
    assert any(f.line().startswith(expected) for f in faults), [f.line() for f in faults]


def test_blank_rows_are_skipped_and_later_faults_keep_their_spreadsheet_row():
    def gap(book):
        sheet = book["milestones"]
        sheet.insert_rows(3, amount=2)  # M001 to M005 now on rows 5 to 9
        sheet["H9"] = "purple"

    back, faults = read(edited(write(register()), gap), TODAY)
    assert len(back.milestones) == 6
    assert [f.line()[:43] for f in faults] == ["milestones, row 9 (M005), dca_rating: Input"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"milestone_id,cluster\nM1,ALL\n", "not an Excel workbook (.xlsx)"),
        (b"\x00" * 100, "not an Excel workbook (.xlsx)"),
        (b"x" * (MOST_BYTES + 1), "the file is 50 MB: a register workbook is at most 50 MB"),
    ],
)
def test_an_upload_that_is_not_a_register_is_refused_in_one_line(data, message):
    with pytest.raises(WorkbookRefused) as refused:
        read(data, TODAY)
    assert str(refused.value) == message


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (201 * 1024 * 1024))
    with pytest.raises(WorkbookRefused, match="unpacks to too much data"):
        read(out.getvalue(), TODAY)


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(WorkbookRefused, match=r"not an Excel workbook \(\.xlsx\)"):
        read(out.getvalue(), TODAY)


def test_the_workbook_of_an_empty_register_reads_back_empty():
    back, faults = read(write(Register()), TODAY)
    assert (back.milestones, back.benefits, faults) == ([], [], [])


def test_the_differences_of_an_edited_workbook_are_its_changes():
    from core.register.edits import differences

    def move(book):
        book["milestones"]["F3"] = datetime(2027, 1, 15)  # M001's forecast
        book["milestones"].delete_rows(7)  # M005 gone
        book["benefits"]["E2"] = 125_000.5  # SYNERGY 2025-26 actual

    original = register()
    back, _ = read(edited(write(original), move), TODAY)
    changes = [(c.row, c.column, c.old, c.new) for c in differences(original, back, "r")]
    assert changes == [
        ("milestone M001", "forecast_date", date(2026, 3, 3), date(2027, 1, 15)),
        ("milestone M005", "row", "present", None),
        ("benefit SYNERGY 2025-26 cashable_saving", "actual_gbp", None, 125_000.5),
    ]
