"""Extracts: a metric's rows under disclosure control, as CSV, Excel or Parquet bytes.

Pure functions, tested without Streamlit: :func:`protected_rows` applies the metric's
disclosure rule (``queries.catalogue.disclosure_rule``) and keeps the rows twice, as text
("[c]" where a cell is suppressed: the preview and the CSV) and typed (numbers, dates: the
Excel workbook, whose cells an analyst sums); :func:`with_names` puts each organisation's,
department's and region's name beside its code; :func:`series_runs` splits a date range into
months, for the metrics the page runs once a month; :func:`about_rows` says what was
extracted, when, by whom and how; the ``to_*`` builders turn the rows into the bytes of a file.

Text in the rows comes from deliveries (a milestone's title, a cost centre) and the about rows
hold filters from the URL: all of it is hostile.  The CSV and Excel builders neutralise every
text cell a spreadsheet could run as a formula (:mod:`core.spreadsheet`), and the Excel
workbook is told never to turn a string into a formula, a link or a number.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import polars as pl
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from core.contract import REGIONS
from core.dates import month_end, month_ends
from core.spreadsheet import neutral_text, neutralise
from dashboard import glossary
from queries.disclosure import (
    COUNT_BASE,
    MIN_AVERAGE_POPULATION,
    MIN_COUNT,
    MONEY_BASE,
    SUPPRESSED,
    DisclosureRule,
    protect,
    render,
)
from queries.runner import SqlFile

PREVIEW_ROWS = 200
MOST_RUNS = 24  # months a metric is run for in one extract (each run is a query)
NOT_RECORDED = "Not recorded"  # the name of the "unknown" group
# A code column and the column of names put beside it.
NAMED = {
    "organisation_code": "organisation_name",
    "department": "department_name",
    "region": "region_name",
}
DATE_FORMAT = "yyyy-mm-dd"
# How the dimensions read in the page's choice (the files keep the column names).
DIMENSION_LABELS = {
    "month_end": "Month (each month-end)",
    "period": "Month (accounting period)",
    "organisation_code": "Organisation",
    "region": "Region",
    "dca_rating": "Delivery confidence rating",
    "measure": "Benefit or cost",
}


def dimension_label(dimension: str) -> str:
    """``Employment type`` for ``employment_type``; the labels above where a name says less."""
    return DIMENSION_LABELS.get(dimension, dimension.replace("_", " ").capitalize())


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
    "remove_timezone": True,  # Excel has no time zones: times are written as UTC
}


@dataclass(frozen=True, eq=False)
class Extract:
    """A metric's rows as they may leave the dashboard.

    Attributes:
        rows: the rows, measures as text under a rule ("[c]" where suppressed), else as run.
        cells_suppressed: the cells the rule suppressed (primary and secondary).
        dropped: measures left out because the rule does not cover them (fail closed).
        protected: whether a disclosure rule was applied.
        values: the same rows typed: rounded numbers, null where suppressed (as run without a
            rule).
        suppressed: per protected measure, True where its cell is suppressed; None without a
            rule.
    """

    rows: pl.DataFrame
    cells_suppressed: int
    dropped: tuple[str, ...]
    protected: bool
    values: pl.DataFrame | None = None
    suppressed: pl.DataFrame | None = None

    @property
    def typed(self) -> pl.DataFrame:
        """The rows with numbers as numbers (suppressed cells null)."""
        return self.rows if self.values is None else self.values


def protected_rows(
    frame: pl.DataFrame,
    dims: Sequence[str],
    rule: DisclosureRule | None,
    labels: Sequence[str] = (),
) -> Extract:
    """``frame`` (a metric's rows grouped by ``dims``) under ``rule``.

    A measure the rule does not name is dropped rather than published unprotected.  ``labels``
    (columns that say how every row was worked out, such as turnover's period end) are kept
    aside during protection, so that they cannot pass for dimensions, and put back in place.
    A yes/no measure (reconciliation's ``flagged``) is protected as 1 or 0.  Without a rule (a
    metric that counts no people) the rows are returned as they are."""
    if rule is None:
        return Extract(frame, 0, (), protected=False, values=frame)
    kept_aside = [c for c in frame.columns if c in labels and c not in dims]
    covered = set(dims) | set(rule.measures) | set(kept_aside)
    dropped = tuple(c for c in frame.columns if c not in covered)
    kept = frame.drop(dropped).with_columns(
        pl.col(c).cast(pl.Int8) for c in rule.measures if frame.schema.get(c) == pl.Boolean
    )
    result = protect(kept.drop(kept_aside), list(dims), rule)
    order = kept.columns

    def back(protected: pl.DataFrame) -> pl.DataFrame:
        return protected.with_columns(kept.select(kept_aside)).select(order)

    return Extract(
        back(render(result)),
        result.cells_suppressed,
        dropped,
        protected=True,
        values=back(result.values),
        suppressed=result.suppressed,
    )


def with_names(
    extract: Extract, organisations: Mapping[str, str], departments: Mapping[str, str]
) -> Extract:
    """``extract`` with a name column after each code column it has: the organisation's and
    department's names from the register, the region's (ITL1) from the contract.  The group
    ``unknown`` reads "Not recorded"; a code outside the register has no name."""
    names = {"organisation_code": organisations, "department": departments, "region": REGIONS}

    def named(frame: pl.DataFrame) -> pl.DataFrame:
        columns: list[pl.Expr] = []
        for column in frame.columns:
            columns.append(pl.col(column))
            if column in NAMED and NAMED[column] not in frame.columns:
                lookup = {**names[column], "unknown": NOT_RECORDED}
                columns.append(
                    pl.col(column)
                    .cast(pl.String)
                    .replace_strict(lookup, default=None, return_dtype=pl.String)
                    .alias(NAMED[column])
                )
        return frame.select(columns)

    values = None if extract.values is None else named(extract.values)
    return replace(extract, rows=named(extract.rows), values=values)


def rule_text(rule: DisclosureRule | None, metric: str) -> str:
    """The disclosure rule applied to a metric's extract, in a sentence or two."""
    if rule is None:
        return (
            f"None: {glossary.metric_name(metric)} counts no people, so its rows are not under "
            "disclosure control."
        )
    parts = []
    if rule.count_columns:
        parts.append(
            f"counts under {MIN_COUNT} are shown as {SUPPRESSED} (with every measure of a row "
            f"whose population is under {MIN_COUNT}), other counts are rounded to the nearest "
            f"{COUNT_BASE}"
        )
    if rule.money:
        parts.append(f"money is rounded to the nearest £{MONEY_BASE}")
    if rule.ratios:
        parts.append(
            f"rates, shares and means ({', '.join(map(glossary.column_label, rule.ratio_columns))})"
            f" are rounded and shown as "
            f"{SUPPRESSED} with the counts they are worked out from, or when they are over too "
            f"few people (under {MIN_COUNT}; under {MIN_AVERAGE_POPULATION} for means and £ per "
            "FTE)"
        )
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
    extracted_by: str = "unknown",
) -> dict[str, str]:
    """What an extract holds and how it was made, item → text (the Excel "about" sheet).
    ``extracted_by`` names the caller: their email and role."""
    about = {
        "Metric": metric,
        "Definition": definition,
        "Extracted at (UTC)": extracted_at.strftime("%Y-%m-%d %H:%M:%S"),
        "Extracted by": extracted_by,
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


# --- months ---------------------------------------------------------------------------------


def periods(first: str, last: str) -> list[str]:
    """The accounting periods (``YYYY-MM``) from ``first`` to ``last``, both included."""
    start = date.fromisoformat(f"{first}-01")
    end = month_end(date.fromisoformat(f"{last}-01"))
    return [f"{m:%Y-%m}" for m in month_ends(start, end)]


def series_dimension(sql: SqlFile) -> str | None:
    """The month dimension the page adds to a metric with no time dimension of its own:
    ``month_end`` (an as-at metric run at each month-end; a metric between two dates run
    month by month), ``period`` (a metric over periods run period by period) or None."""
    own = {"month_end", "period", "extract_date", "financial_year"}
    if own & {*sql.dimensions, *sql.measures}:
        return None
    if "period_from" in sql.params:  # before as_at: a ledger metric may take both
        return "period"
    if "as_at" in sql.params or "date_from" in sql.params:
        return "month_end"
    return None


def series_runs(
    sql: SqlFile, params: Mapping[str, object], first: object, last: object
) -> list[tuple[object, dict[str, object]]]:
    """Each run of ``sql``'s metric over a range, as (the row key, the run's parameters:
    ``params`` and the run's dates), oldest first; at most :data:`MOST_RUNS`, the latest.

    Over periods: one run a period from ``first`` to ``last``.  Between two dates: one run a
    month-end in the range, from the month-end before (or ``first``) to it.  As at a date: one
    run at each month-end from ``first`` to ``last``."""
    runs: list[tuple[object, dict[str, object]]] = []
    if "period_from" in sql.params:
        for period in periods(str(first), str(last)):
            runs.append((period, {**params, "period_from": period, "period_to": period}))
    elif isinstance(first, date) and isinstance(last, date):
        ends = month_ends(first, last)
        if "date_from" in sql.params:
            ends = [m for m in ends if m > first]
            for start, end in zip([first, *ends], ends, strict=False):
                runs.append((end, {**params, "date_from": start, "date_to": end}))
        else:
            runs = [(m, {**params, "as_at": m}) for m in ends]
    return runs[-MOST_RUNS:]


def series_rows(series: str, frames: Iterable[tuple[object, pl.DataFrame]]) -> pl.DataFrame:
    """The runs' rows in one frame, the run's key (``series``) first."""
    keyed = [frame.select(pl.lit(key).alias(series), pl.all()) for key, frame in frames]
    return pl.concat(keyed, how="diagonal_relaxed") if keyed else pl.DataFrame()


# --- files ------------------------------------------------------------------------------------


def to_csv(frame: pl.DataFrame) -> bytes:
    """The rows as UTF-8 CSV with a header line, text a spreadsheet could run neutralised."""
    return neutralise(frame).write_csv().encode("utf-8")


def to_parquet(frame: pl.DataFrame) -> bytes:
    """The rows as a Parquet file, values exactly as they are: Parquet is typed data read by
    programs, not cells a spreadsheet evaluates, so nothing is prefixed."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def to_excel(
    frame: pl.DataFrame, about: Mapping[str, str], suppressed: pl.DataFrame | None = None
) -> bytes:
    """An .xlsx workbook: the rows on a "data" sheet, ``about`` on an "about" sheet.

    Cells are typed, so that an analyst can sum them: numbers as numbers, dates as dates
    (shown yyyy-mm-dd), text as text, never as a formula or link, and neutralised as in the
    CSV.  Where ``suppressed`` (a column per protected measure) says so, the cell is the text
    "[c]"; a null value is an empty cell."""
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS) as workbook:
        bold = workbook.add_format({"bold": True})
        sheet = workbook.add_worksheet(DATA_SHEET)
        rows = neutralise(frame)
        for j, name in enumerate(rows.columns):
            sheet.write_string(0, j, neutral_text(name), bold)
            write = _cell_writer(workbook, sheet, rows.schema[name])
            values = rows[name].to_list()
            for i, value in enumerate(values, start=1):
                if value is not None:
                    write(i, j, value)
            if suppressed is not None and name in suppressed.columns:
                for i in suppressed[name].arg_true().to_list():
                    sheet.write_string(i + 1, j, SUPPRESSED)
        sheet.autofit()
        _about_sheet(workbook, about, bold)
    return buffer.getvalue()


def _cell_writer(
    workbook: xlsxwriter.Workbook, sheet: Worksheet, dtype: pl.DataType
) -> Callable[[int, int, object], object]:
    """How a column's cells are written, chosen once for the column by its type: a number,
    a date (shown yyyy-mm-dd), a yes/no, or text (already neutralised)."""
    if dtype == pl.Boolean:
        return sheet.write_boolean
    if dtype.is_numeric():
        return lambda i, j, value: sheet.write_number(i, j, float(value))
    if dtype == pl.Date:
        dated = workbook.add_format({"num_format": DATE_FORMAT})
        return lambda i, j, value: sheet.write_datetime(i, j, value, dated)
    if isinstance(dtype, pl.Datetime):
        timed = workbook.add_format({"num_format": DATE_FORMAT + " hh:mm:ss"})
        return lambda i, j, value: sheet.write_datetime(i, j, value, timed)
    if dtype == pl.String:
        return sheet.write_string
    return lambda i, j, value: sheet.write_string(i, j, neutral_text(str(value)))


def _about_sheet(workbook: xlsxwriter.Workbook, about: Mapping[str, str], bold: object) -> None:
    sheet = workbook.add_worksheet(ABOUT_SHEET)
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 100)
    sheet.write_row(0, 0, ("Item", "Value"), bold)
    for i, (item, value) in enumerate(about.items(), start=1):
        sheet.write_string(i, 0, neutral_text(item), bold)
        sheet.write_string(i, 1, neutral_text(value), wrap)
