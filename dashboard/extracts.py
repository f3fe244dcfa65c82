"""Extracts: a metric's rows under disclosure control, as CSV, Excel or Parquet bytes.

Pure functions, tested without Streamlit: :func:`protected_rows` applies the metric's
disclosure rule (``queries.catalogue.disclosure_rule``) and renders the rows as text ("[c]"
where a cell is suppressed); :func:`about_rows` says what was extracted, when and how; the
``to_*`` builders turn a frame (and, for Excel, the about rows) into the bytes of a file.

Text in the rows comes from deliveries (a milestone's title, a cost centre) and the about rows
hold filters from the URL: all of it is hostile.  The CSV and Excel builders neutralise every
text cell a spreadsheet could run as a formula (:mod:`queries.spreadsheet`), and the Excel
workbook is told never to turn a string into a formula, a link or a number.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import polars as pl
import xlsxwriter

from queries.disclosure import (
    COUNT_BASE,
    MIN_COUNT,
    MONEY_BASE,
    SUPPRESSED,
    DisclosureRule,
    protect,
    render,
)
from queries.spreadsheet import neutral_text, neutralise

PREVIEW_ROWS = 200
DATA_SHEET = "data"
ABOUT_SHEET = "about"
# xlsxwriter's defaults turn a string starting "=" into a live formula and "http://..." into a
# link; every string is written as the text it is.  NaN and infinity become #NUM! cells rather
# than failing the download.
WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}


@dataclass(frozen=True, eq=False)
class Extract:
    """A metric's rows as they may leave the dashboard.

    Attributes:
        rows: the rows, measures as text under a rule ("[c]" where suppressed), else as run.
        cells_suppressed: the cells the rule suppressed (primary and secondary).
        dropped: measures left out because the rule does not cover them (fail closed).
        protected: whether a disclosure rule was applied.
    """

    rows: pl.DataFrame
    cells_suppressed: int
    dropped: tuple[str, ...]
    protected: bool


def protected_rows(
    frame: pl.DataFrame, dims: Sequence[str], rule: DisclosureRule | None
) -> Extract:
    """``frame`` (a metric's rows grouped by ``dims``) under ``rule``.

    A measure the rule does not name is dropped rather than published unprotected.  Without a
    rule (a metric that counts no people) the rows are returned as they are."""
    if rule is None:
        return Extract(frame, 0, (), protected=False)
    dropped = tuple(c for c in frame.columns if c not in dims and c not in rule.measures)
    kept = frame.drop(dropped)
    result = protect(kept, list(dims), rule)
    return Extract(render(result), result.cells_suppressed, dropped, protected=True)


def rule_text(rule: DisclosureRule | None, metric: str) -> str:
    """The disclosure rule applied to a metric's extract, in a sentence or two."""
    if rule is None:
        return f"None: {metric} counts no people, so its rows are not under disclosure control."
    parts = []
    if rule.count_columns:
        parts.append(
            f"counts under {MIN_COUNT} are shown as {SUPPRESSED} (with every measure of a row "
            f"whose population is under {MIN_COUNT}), other counts are rounded to the nearest "
            f"{COUNT_BASE}"
        )
    if rule.money:
        parts.append(f"money is rounded to the nearest £{MONEY_BASE}")
    parts.append(
        f"further cells are suppressed ({SUPPRESSED}) where needed so that no suppressed cell "
        "can be worked out from the totals (secondary suppression)"
    )
    text = "; ".join(parts)
    return f"Published disclosure rule: {text[0].lower()}{text[1:]}."


def about_rows(
    *,
    metric: str,
    definition: str,
    extracted_at: datetime,
    dimensions: Sequence[str],
    dates: Mapping[str, str],
    filters: Mapping[str, Sequence[str]],
    clusters: Sequence[str],
    rule: str,
    cells_suppressed: int,
    rows: int,
    warehouse_version: str,
    dropped: Sequence[str] = (),
) -> dict[str, str]:
    """What an extract holds and how it was made, item → text (the Excel "about" sheet)."""
    about = {
        "Metric": metric,
        "Definition": definition,
        "Extracted at (UTC)": extracted_at.strftime("%Y-%m-%d %H:%M:%S"),
        "Dimensions": ", ".join(dimensions) or "none (one row of totals)",
    }
    about.update({f"Date: {name}": value for name, value in dates.items()})
    about["Clusters"] = ", ".join(clusters) or "none"
    about["Filters"] = (
        "; ".join(f"{dim} in {', '.join(values)}" for dim, values in filters.items() if values)
        or "none"
    )
    about["Disclosure rule"] = rule
    about["Cells suppressed"] = str(cells_suppressed)
    if dropped:
        about["Measures left out"] = ", ".join(dropped) + " (not covered by the disclosure rule)"
    about["Rows"] = str(rows)
    about["Warehouse version"] = warehouse_version
    return about


def to_csv(frame: pl.DataFrame) -> bytes:
    """The rows as UTF-8 CSV with a header line, text a spreadsheet could run neutralised."""
    return neutralise(frame).write_csv().encode("utf-8")


def to_parquet(frame: pl.DataFrame) -> bytes:
    """The rows as a Parquet file, values exactly as they are: Parquet is typed data read by
    programs, not cells a spreadsheet evaluates, so nothing is prefixed."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def to_excel(frame: pl.DataFrame, about: Mapping[str, str]) -> bytes:
    """An .xlsx workbook: the rows on a "data" sheet, ``about`` on an "about" sheet.  Every
    string is written as text, never as a formula or link, and neutralised as in the CSV."""
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS) as workbook:
        neutralise(frame).write_excel(workbook=workbook, worksheet=DATA_SHEET, autofit=True)
        sheet = workbook.add_worksheet(ABOUT_SHEET)
        bold = workbook.add_format({"bold": True})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        sheet.set_column(0, 0, 24)
        sheet.set_column(1, 1, 100)
        sheet.write_row(0, 0, ("Item", "Value"), bold)
        for i, (item, value) in enumerate(about.items(), start=1):
            sheet.write_string(i, 0, neutral_text(item), bold)
            sheet.write_string(i, 1, neutral_text(value), wrap)
    return buffer.getvalue()
