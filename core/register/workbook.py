"""The register as a workbook to edit in Excel, and the edited workbook read back.

:func:`write` gives a workbook with a ``milestones`` and a ``benefits`` sheet (the contract's
columns as headers, in its order; a dropdown on each coded column; dates as dates), and an
``about`` sheet saying which version it is and how to send it back.  Text is written as text
(never a formula or a link), neutralised as every spreadsheet this project writes
(:mod:`core.spreadsheet`).

:func:`read` takes an uploaded file and gives back the register it holds, or every fault in it:
by sheet, row (the spreadsheet's own row number) and column, then the register's own faults
(:mod:`.check`).  Nothing is applied unless the whole workbook is valid: the caller saves the
register only when the list is empty.  An upload is hostile until read: it is refused beyond
:data:`MOST_BYTES`, when it is not an Excel workbook, or when its parts would unpack to more than
:data:`MOST_UNPACKED` (a zip bomb); its XML is parsed by openpyxl with defusedxml (no entities).
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import xlsxwriter
from openpyxl import load_workbook

from core.contract import BenefitRow, MilestoneRow, column_specs
from core.errors import printable
from core.register.check import BENEFITS, MILESTONES, Fault, check
from core.register.versions import Register, Version
from core.spreadsheet import PREFIX, neutral_text

MOST_BYTES = 50 * 1024 * 1024
MOST_UNPACKED = 200 * 1024 * 1024
MOST_ROWS = 20_000  # far beyond any register; a sheet longer than this is not one
ABOUT = "about"
BASED_ON = "Taken from register load "  # the about sheet's last line: which version this is
SHEETS = {MILESTONES: MilestoneRow, BENEFITS: BenefitRow}
OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


class WorkbookRefused(ValueError):
    """The upload is not a register workbook at all (one line; nothing read)."""


# --- writing ----------------------------------------------------------------------------------


def write(register: Register) -> bytes:
    """The register as an .xlsx workbook (module docstring)."""
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, OPTIONS) as book:
        header = book.add_format({"bold": True, "bg_color": "#f3f2f1", "border": 1})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        money = book.add_format({"num_format": "#,##0.00"})
        for name, model in SHEETS.items():
            sheet = book.add_worksheet(name)
            rows = register.milestones if name == MILESTONES else register.benefits
            for c, spec in enumerate(column_specs(model)):
                sheet.write_string(0, c, spec.name, header)
                sheet.set_column(c, c, max(12, len(spec.name) + 2))
                if spec.allowed:
                    sheet.data_validation(1, c, MOST_ROWS, c, {
                        "validate": "list", "source": list(spec.allowed),
                        "error_title": spec.name,
                        "error_message": f"{spec.name} must be one of the contract's codes",
                    })  # fmt: skip
                for r, row in enumerate(rows, start=1):
                    _cell(sheet, r, c, row.get(spec.name), day, money)
            sheet.freeze_panes(1, 0)
        _about(book.add_worksheet(ABOUT), register.version)
    return buffer.getvalue()


def _cell(sheet, r: int, c: int, value: Any, day, money) -> None:
    if value is None:
        return
    if isinstance(value, date):
        sheet.write_datetime(r, c, datetime.combine(value, datetime.min.time()), day)
    elif isinstance(value, int | float):
        sheet.write_number(r, c, value, money)
    else:
        sheet.write_string(r, c, neutral_text(str(value)))


def _about(sheet, version: Version | None) -> None:
    lines = [
        "Workforce Picture: the Shared Services Strategy's milestone and benefits register",
        "This version: "
        + (version.describe() if version else "none yet (an empty register)")
        + (f"; extract date {version.extract_date.isoformat()}" if version else ""),
        "Edit the milestones and benefits sheets, keep their column headings, and upload the"
        " workbook on the Programme page. Nothing is applied unless the whole workbook is valid.",
        "If someone saves a newer version before you upload, the upload is refused: download"
        " the register again and re-apply your changes.",
        "Dates are YYYY-MM-DD; money is in pounds; coded columns take one of the dropdown's"
        " values (the extract contract's code lists).",
    ]
    lines.append(f"{BASED_ON}{version.load_id if version else 0} (do not edit this line)")
    sheet.set_column(0, 0, 110)
    for r, line in enumerate(lines):
        sheet.write_string(r, 0, neutral_text(line))


# --- reading ----------------------------------------------------------------------------------


def _open(data: bytes):
    if len(data) > MOST_BYTES:
        raise WorkbookRefused(
            f"the file is {len(data) / 1024 / 1024:.0f} MB: a register workbook is at most"
            f" {MOST_BYTES // 1024 // 1024} MB"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if "xl/workbook.xml" not in archive.namelist():
                raise WorkbookRefused("not an Excel workbook (.xlsx)")
    except zipfile.BadZipFile:
        raise WorkbookRefused("not an Excel workbook (.xlsx)") from None
    if unpacked > MOST_UNPACKED:
        raise WorkbookRefused("the workbook unpacks to too much data to be a register")
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise WorkbookRefused(
            f"the workbook cannot be read ({type(error).__name__}): save it again from Excel"
        ) from None


def _value(spec, raw: Any) -> tuple[Any, str | None]:
    """(the cell as the contract's type, or a fault's message)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if spec.arrow_type == "date32":
        if isinstance(raw, datetime):
            return raw.date(), None
        if isinstance(raw, date):
            return raw, None
        try:
            return date.fromisoformat(str(raw).strip()), None
        except ValueError:
            return None, f"{printable(str(raw))[:40]!r} is not a date (YYYY-MM-DD)"
    if spec.arrow_type == "double":
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            try:
                raw = float(str(raw).replace(",", "").strip())
            except ValueError:
                return None, f"{printable(str(raw))[:40]!r} is not a number"
        if not math.isfinite(raw):
            return None, "is not a finite number"
        return float(raw), None
    text = raw.isoformat() if isinstance(raw, datetime | date) else str(raw)
    text = text.strip()
    if text.startswith(PREFIX) and neutral_text(text[1:]) == text:
        text = text[1:]  # the quote this project wrote before a formula-like text
    return text, None


def read(data: bytes, today: date) -> tuple[Register, list[Fault]]:
    """The register in an uploaded workbook and every fault in it (empty: it may be saved),
    each fault at the spreadsheet's own row number; :class:`WorkbookRefused` when the file is
    not a register workbook at all."""
    book = _open(data)
    faults: list[Fault] = []
    sheets: dict[str, list[tuple[int, dict[str, Any]]]] = {MILESTONES: [], BENEFITS: []}
    based_on = None
    try:
        if ABOUT in book.sheetnames:
            based_on = _based_on(book[ABOUT])
        for name, model in SHEETS.items():
            if name not in book.sheetnames:
                faults.append(Fault(name, 1, "sheet", "sheet", f"the {name} sheet is missing"))
                continue
            sheets[name] = _sheet(book[name], name, model, faults)
    finally:
        book.close()
    register = Register(*([row for _, row in sheets[n]] for n in (MILESTONES, BENEFITS)))
    register.based_on = based_on
    if faults:
        return register, faults
    at = {n: [r for r, _ in sheets[n]] for n in sheets}  # data row -> spreadsheet row
    return register, [replace(f, row=at[f.sheet][f.row - 1]) for f in check(register, today)]


def _based_on(sheet) -> int | None:
    """The load the workbook was taken from, from its about sheet (None if it was removed)."""
    for cell, *_ in sheet.iter_rows(max_row=40, values_only=True):
        text = str(cell or "")
        if text.startswith(BASED_ON):
            number = text.removeprefix(BASED_ON).split(" ", 1)[0]
            return int(number) if number.isdigit() else None
    return None


def _sheet(sheet, name: str, model, faults: list[Fault]) -> list[tuple[int, dict[str, Any]]]:
    """(spreadsheet row, row) for each row that is not blank; header faults stop the sheet."""
    specs = column_specs(model)
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    expected = [s.name for s in specs]
    for column in expected:
        if column not in header:
            faults.append(
                Fault(name, 1, "header", column, f"column {column} is missing or renamed")
            )
    for column in header:
        if column and column not in expected:
            shown = printable(column)[:40]
            message = f"column {shown!r} is not a register column"
            faults.append(Fault(name, 1, "header", shown, message))
    if any(f.sheet == name and f.key == "header" for f in faults):
        return []
    at = {column: header.index(column) for column in expected}
    out = []
    for r, cells in enumerate(rows, start=2):
        if r > MOST_ROWS:
            faults.append(Fault(name, r, "sheet", "sheet", f"more than {MOST_ROWS} rows"))
            break
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue  # a blank row (Excel keeps formatted ones)
        row = {}
        for spec in specs:
            i = at[spec.name]
            row[spec.name], problem = _value(spec, cells[i] if i < len(cells) else None)
            if problem:
                faults.append(Fault(name, r, f"row {r}", spec.name, f"{spec.name} {problem}"))
        out.append((r, row))
    return out
