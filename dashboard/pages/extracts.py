"""Extracts, for analysts: any metric the pages show, by the dimensions chosen (a month among
them for the metrics over time), under disclosure control, previewed and downloaded as CSV,
Excel or Parquet; and, for analysts with record-level rights, the records of their clusters.
Every download is written to the audit log, when its button is pressed and after the grant is
checked again (``dashboard.trail.audited_file``).

Records are personal data, so they leave only as an audited file: the page shows how many
there are by cluster and organisation, never a person's row, so nothing personal is on screen
to copy or to take from a table's toolbar."""

from __future__ import annotations

import bisect
from datetime import UTC, date, datetime
from functools import partial

import duckdb
import polars as pl
import streamlit as st

from core.dates import add_months, financial_year, month_end
from dashboard import data, glossary, identity, scope, trail, url_state
from dashboard import extracts as ex
from dashboard.components import (
    CSV_MIME,
    PARQUET_MIME,
    XLSX_MIME,
    Download,
    audited_downloads,
    open_page,
)
from dashboard.filters import not_applied_text
from dashboard.formatting import format_count, format_date
from queries.catalogue import EXTRACT_METRICS, LABELS, ROW_KEYS, disclosure_rule
from queries.runner import KEPT_APART, QueryError, load_sql

view = open_page(
    "Extracts",
    "Any metric the pages show, by the dimensions you choose, under disclosure control, to "
    "preview and download as CSV, Excel or Parquet.",
    page="extracts",
)
filters, clusters, as_at = view.filters, view.clusters, view.filters.as_at


def plain_name(metric: str) -> str:
    """``Cost per FTE`` for ``cost_per_fte``: the name its definition starts with."""
    return data.definition(metric).split(":", 1)[0].removesuffix(".")


# --- what to extract --------------------------------------------------------------------------
left, right = st.columns(2)
metric = url_state.selectbox(
    left, "Metric", EXTRACT_METRICS, format_func=plain_name, key="extracts.metric"
)
url_state.forget("extracts.by.", keep=f"extracts.by.{metric}")  # other metrics' dimensions
sql = load_sql(metric)
definition = data.definition(metric)
left.caption(definition)
series = ex.series_dimension(sql)
chosen = url_state.multiselect(
    right,
    "Dimensions",
    [*((series,) if series else ()), *sql.dimensions],
    format_func=ex.dimension_label,
    key=f"extracts.by.{metric}",  # one per metric: each offers its own dimensions
    placeholder="None: one row of totals",
)
by = [d for d in chosen if d != series]
if metric in KEPT_APART:  # the runner refuses these unless split by measure
    split = KEPT_APART[metric][0]
    by += [] if split in by else [split]
    right.caption("Always split by measure: benefits and programme cost are never added together.")
monthly = series in chosen

dates: dict[str, object] = {}
first, second = st.columns(2)
if monthly and series == "month_end":
    back = -12 if "as_at" in sql.params else -6  # a year of month-ends; half a year of flows
    start = max(month_end(add_months(as_at.replace(day=1), back)), view.options.first_date)
    dates["from"] = view.date_input(first, "From", start, key="extracts.series_from")
    dates["to"] = view.date_input(second, "To", as_at, key="extracts.series_to")
    if dates["from"] >= dates["to"]:
        st.warning("Choose a From date before the To date.")
        st.stop()
elif "as_at" in sql.params:
    dates["as_at"] = view.date_input(first, "As at", as_at, key="extracts.as_at")
if "date_from" in sql.params and not monthly:
    loaded = view.options.dates
    earlier = loaded[max(bisect.bisect_left(loaded, as_at) - 1, 0)]
    if "month_end" in sql.measures:  # a trend: a year of month-ends, as far as loaded
        earlier = max(add_months(as_at, -12), view.options.first_date)
    dates["date_from"] = url_state.date_input(
        first, "From", earlier, max_value=as_at, format="DD/MM/YYYY", key="extracts.from"
    )
    dates["date_to"] = url_state.date_input(
        second,
        "To",
        as_at,
        max_value=view.options.latest_date,
        format="DD/MM/YYYY",
        key="extracts.to",
    )
    if dates["date_from"] >= dates["date_to"]:
        st.warning("Choose a From date before the To date.")
        st.stop()
months = [f"{add_months(as_at.replace(day=1), -i):%Y-%m}" for i in range(36)]
if "period_from" in sql.params:
    dates["period_from"] = url_state.selectbox(
        first, "From period", months, index=11, key="extracts.period_from"
    )
    dates["period_to"] = url_state.selectbox(
        second, "To period", months, index=0, key="extracts.period_to"
    )
    if dates["period_from"] > dates["period_to"]:
        st.warning("Choose a From period no later than the To period.")
        st.stop()
if "period" in sql.params:
    dates["period"] = url_state.selectbox(
        first, "Accounting period", months[:12], index=0, key="extracts.period"
    )
if "base_year" in sql.params:  # discounted to the financial year of the (last) date, as shown
    last = dates.get("to", dates.get("as_at", as_at))
    dates["base_year"] = financial_year(last if isinstance(last, date) else as_at)

where = filters.where(sql.dimensions)
ignored = filters.not_applied(sql.dimensions)
if ignored:
    st.caption(f"{not_applied_text(ignored).capitalize()} to {plain_name(metric)}.")


# --- the rows, protected ----------------------------------------------------------------------
def run() -> pl.DataFrame:
    """The metric's rows: once, or once a month (the month's key first)."""
    params = {k: v for k, v in dates.items() if k not in ("from", "to")}
    if not monthly or series is None:
        return data.metric(metric, clusters, params, tuple(by), where)
    ends = (dates["period_from"], dates["period_to"]) if series == "period" else None
    first_run, last_run = ends or (dates["from"], dates["to"])
    runs = ex.series_runs(sql, params, first_run, last_run)
    if not runs:
        st.warning("There is no month-end in that range: choose a wider one.")
        st.stop()
    frames = [(key, data.metric(metric, clusters, p, tuple(by), where)) for key, p in runs]
    if len(runs) == ex.MOST_RUNS:
        st.caption(f"At most {ex.MOST_RUNS} months in one extract: the latest are taken.")
    return ex.series_rows(series, frames)


protecting = True
if not scope.disclosure_control():  # admins may take the rows as run
    protecting = url_state.toggle(
        st,
        "Apply disclosure control",
        value=True,
        key="extracts.protect",
        help="Administrators may extract unprotected rows; every other role always gets "
        "protected ones.",
    )
rule = disclosure_rule(metric) if protecting else None
keys = [*((series,) if monthly and series else ()), *ROW_KEYS.get(metric, ()), *by]
try:
    raw = run()
    raw = raw.select(*keys, *(c for c in raw.columns if c not in keys))  # the keys first
    extract = ex.protected_rows(raw, keys, rule, LABELS.get(metric, ()))
except (QueryError, duckdb.Error, ValueError) as error:
    st.error(f"{plain_name(metric)} could not be extracted: {str(error).splitlines()[0]}")
    st.stop()
register = data.organisations(clusters)
extract = ex.with_names(
    extract,
    dict(zip(register["organisation_code"], register["organisation_name"], strict=True)),
    dict(zip(register["department"], register["department_name"], strict=True)),
)
trail.note(cells_suppressed=extract.cells_suppressed)
rows = extract.rows

st.subheader("Preview")
st.dataframe(  # headings and codes in words; the files keep the column names and codes
    glossary.plain_table(rows.head(ex.PREVIEW_ROWS), keep=[c for c in ex.NAMED if c in rows]),
    hide_index=True,
    column_config=glossary.column_labels(rows.columns),
)
shown = min(rows.height, ex.PREVIEW_ROWS)
st.caption(
    f"{format_count(rows.height)} {'row' if rows.height == 1 else 'rows'}"
    + (f"; the first {format_count(shown)} are shown." if rows.height > shown else ".")
)
rule_said = (
    ex.rule_text(rule, metric)
    if protecting
    else "Not applied: an administrator chose unprotected rows."
)
if extract.protected:
    st.info(
        f"Disclosure control applied: {format_count(extract.cells_suppressed)} cells "
        f"suppressed ({ex.SUPPRESSED}). {rule_said}"
    )
else:
    st.info(rule_said)
if extract.dropped:
    st.caption(
        "Left out, as the disclosure rule does not cover them: "
        f"{', '.join(map(glossary.column_label, extract.dropped))}."
    )

# --- downloads --------------------------------------------------------------------------------
dates_text = {
    name: format_date(value) if isinstance(value, date) else str(value)
    for name, value in dates.items()
}
version = data.published()
who = identity.caller()
role = who.grant.role if who.grant is not None else "no role"
about = ex.about_rows(
    metric=metric,
    definition=definition,
    extracted_at=datetime.now(UTC),  # when the rows were read from the warehouse
    extracted_by=f"{who.name} ({role})",
    dimensions=[*((series,) if monthly and series else ()), *by],
    dates=dates_text,
    filters=where,
    clusters=clusters,
    rule=rule_said,
    cells_suppressed=extract.cells_suppressed,
    rows=rows.height,
    warehouse_version=version.name if version is not None else "unknown",
    dropped=extract.dropped,
)

stem = "_".join([metric, *chosen, *(str(v) for v in dates.values())])
choices = {
    "metric": metric,
    "dimensions": [*((series,) if monthly and series else ()), *by],
    **dates,
    "clusters": clusters,
    **where,
    "disclosure_control": protecting,
}
st.subheader("Download")
# Each file is made when its button is pressed, from this run's rows (bound here, not looked
# up when pressed).
audited_downloads(
    (
        Download("CSV", partial(ex.to_csv, rows), "csv", CSV_MIME),
        Download(
            "Excel",
            partial(ex.to_excel, extract.typed, about, extract.suppressed),
            "xlsx",
            XLSX_MIME,
        ),
        Download("Parquet", partial(ex.to_parquet, rows), "parquet", PARQUET_MIME),
    ),
    stem=stem,
    who=who,
    page="extracts",
    choices=choices,
    rows=rows.height,
    cells_suppressed=extract.cells_suppressed,
    clusters=clusters,
    protected=protecting,
    key="extracts.download",
)
st.caption(
    "Every download holds the rows shown above (all of them) and is recorded in the audit "
    "log. In the Excel workbook numbers are numbers and dates are dates (a suppressed cell is "
    f"the text {ex.SUPPRESSED}), and each organisation, department and region code has its "
    "name beside it. Its about sheet records the metric, its definition, the time of the "
    "extract and who made it, the filters, dimensions and dates, the disclosure rule and the "
    "warehouse version. Your access is checked again when you press a button: if it has "
    "changed since this page was drawn, no file is made (the button says the file could not "
    "be generated) and the refusal is recorded."
)

# --- record-level rows ------------------------------------------------------------------------
entitled = list(data.record_level(clusters))  # the clusters the caller's rights cover
if entitled:
    st.divider()
    st.subheader("Record-level extract")
    st.caption(
        "One row per person in post as at the date (one person one count), for the clusters "
        f"your record-level rights cover: {', '.join(entitled)}. Records are personal data: "
        "keep them only as long as the analysis needs them. Each download is audited."
    )
    records_at = view.date_input(st, "Records as at", as_at, key="extracts.records_as_at")
    record_where = filters.where(load_sql("employee_records").dimensions)
    # Counts only: no person's row is drawn (see the module's docstring), nor read to draw
    # the page; the rows are read when a file is made.
    counts = data.employee_record_counts(records_at, entitled, record_where)
    total = int(counts["records"].sum())
    st.dataframe(
        counts,
        hide_index=True,
        column_config={
            "cluster": "Cluster",
            "organisation_code": "Organisation",
            "records": st.column_config.NumberColumn("Records", format="localized"),
        },
    )
    st.caption(
        f"{format_count(total)} records, counted by cluster and organisation; the records "
        "themselves are only in the files below. Each holds: "
        f"{', '.join(map(glossary.column_label, load_sql('employee_records').measures))}."
    )
    record_stem = f"employee_records_{records_at}"
    record_choices = {"as_at": records_at, "clusters": entitled, **record_where}
    # bound now: the file is read from the warehouse this page read, for these clusters
    record_file = partial(
        data.records_file,
        path=data.warehouse_path(),
        as_at=records_at,
        clusters=tuple(entitled),
        where=data.filter_key(record_where),
    )
    audited_downloads(
        (
            Download("CSV", partial(record_file, ex.to_csv), "csv", CSV_MIME),
            Download("Parquet", partial(record_file, ex.to_parquet), "parquet", PARQUET_MIME),
        ),
        stem=record_stem,
        who=who,
        page="extracts",
        choices=record_choices,
        rows=total,
        cells_suppressed=0,
        clusters=entitled,
        key="extracts.records",
        label="Download records as {}",
        record_level=True,
    )
