"""Cost and efficiency: the clusters' ledgers as they stood at the as-at date (pay spend,
contingent labour and consultancy over the 12 complete months to the last complete one, and
each month of the year with the one still being posted marked partial), cost per FTE, the
HR-to-ledger reconciliation with its flagged variances, HR and finance staff per 100 against
the benchmarks, and spans and layers.

"Pay spend" is the ledger's payroll lines, money spent in accounting periods; "paybill" (the
Overview's) is the HR records' annual basic salary × FTE.  The two are named apart here.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import data, periods, tables, tiles, url_state
from dashboard.charts import bar, stacked
from dashboard.charts.cache import figure
from dashboard.components import chart_with_table, open_page
from dashboard.filters import not_applied_text
from dashboard.formatting import format_count, format_date, format_gbp, format_percent
from dashboard.tiles import Tile
from queries.constants import RECONCILIATION_TOLERANCE, STANDARD_PARAMS
from queries.definitions import defaults
from queries.runner import load_sql

BENCHMARKS = defaults("hr_finance_ratio")  # the HR benchmarks, drawn as reference lines

CONTINGENT_SPEND_HELP = (
    "Contingent labour spend: what the ledgers posted for agency, interim and other "
    "off-payroll workers in the periods shown, as the ledger stood at the as-at date."
)
CONSULTANCY_HELP = (
    "Consultancy spend: what the ledgers posted for consultancy in the periods shown, as the "
    "ledger stood at the as-at date."
)

view = open_page(
    "Cost and efficiency",
    "Pay spend and other spend from the clusters' ledgers, cost per FTE, contingent labour and "
    "consultancy, the HR-to-ledger reconciliation, and the shape of the workforce.",
    page="cost",
)
filters, clusters, as_at = view.filters, view.clusters, view.filters.as_at
shown_to, chart_from = (
    periods.period_of(as_at),
    periods.months_back(as_at, 11),
)  # the year on the chart
range_text = f"{periods.month_name(chart_from)} to {periods.month_name(shown_to)}"


def metric(name: str, params: dict, by: tuple[str, ...] = ()) -> pl.DataFrame:
    """The metric's rows with the filters it can apply, and the published rates."""
    where = filters.where(load_sql(name).dimensions)
    return data.metric(name, clusters, {**STANDARD_PARAMS, **params}, by, where)


def not_applied(name: str) -> None:
    ignored = filters.not_applied(load_sql(name).dimensions)
    if ignored:
        st.caption(f"Here {not_applied_text(ignored)}.")


# --- which periods are complete, and the year of them the totals cover ------------------------
status = periods.ledger_status(
    metric(
        "ledger_periods",
        {"period_from": periods.months_back(as_at, 23), "period_to": shown_to, "as_at": as_at},
        ("period",),
    )
)
last = status.complete_through
first = periods.year_to(last)[0] if last else chart_from
spend = metric(
    "spend_as_at",
    {"period_from": min(first, chart_from), "period_to": shown_to, "as_at": as_at},
    ("period", "account_category"),
).with_columns(pl.col("amount_gbp").cast(pl.Float64))
year = tables.year_rows(spend, first, last)
window = periods.window_text(
    max(first, year["period"].min()) if year.height else first, last or first
)
chart_rows = tables.labelled(tables.since(spend, chart_from), status)
partial = {periods.partial_label(p, status) for p in status.partial}


def category_total(frame: pl.DataFrame, kind: str) -> str:
    """A category's total over the complete year, or not available without one."""
    if last is None:
        return periods.NOT_AVAILABLE
    return format_gbp(tables.category_spend(frame, kind), fixed=True)  # one precision in a row


contingent = metric("contingent", {"as_at": as_at}, ("cluster",))
st.subheader(f"{window if last else 'No complete month yet'}, as at {format_date(as_at)}")
# Short labels, so each reads whole in a quarter of a laptop's page: the window they cover is
# the heading above them, and each definition a click away.
spend_tiles = (  # label, value, definition
    ("Pay spend", category_total(year, "pay"), periods.PAY_SPEND_HELP),
    ("Contingent labour", category_total(year, "contingent_labour"), CONTINGENT_SPEND_HELP),
    ("Consultancy", category_total(year, "consultancy"), CONSULTANCY_HELP),
    ("Contingent FTE", format_count(tables.total(contingent, "fte"), 1),
     data.definition("contingent")),
)  # fmt: skip
tiles.draw(
    [Tile(label, value, help=help_text) for label, value, help_text in spend_tiles],
    "cost",
    per_row=tiles.FOUR,
)
note = periods.partial_note(status, shown_to)
if last is None:
    st.caption(periods.cost_unavailable(None, status, view.options.first_date))
elif note:
    st.caption(f"{note} In the charts a partial month's bars are hatched and labelled partial.")


def spend_tab() -> None:
    """Ledger spend by group of account categories, month by month (the first tab)."""
    st.subheader("Pay spend and other spend")
    chart_with_table(
        figure(
            stacked.spend_chart,
            chart_rows,
            f"Ledger spend by account category, {range_text} (£ a month)",
            partial,
        ),
        tables.spend_table(chart_rows),
        key="spend",
    )
    st.caption(
        f"{data.definition('spend_as_at')} Pay spend is the payroll accounts' lines (salary to "
        "employer National Insurance); it is not the paybill, the HR records' annual basic "
        "salary × FTE. Hatched bars: a month still being posted, left out of the dashed average."
    )
    not_applied("spend_as_at")


def per_fte_tab() -> None:
    """The ledger's cost per FTE a year, by organisation, once a whole year is complete."""
    st.subheader("Cost per FTE")
    per_fte = pl.DataFrame()
    if last:
        per_fte = metric(
            "cost_per_fte", {"period_from": first, "period_to": last, "as_at": as_at},
            ("cluster", "organisation_code"),
        ).sort("cluster", "organisation_code")  # fmt: skip
    months = int(per_fte["months"].max()) if per_fte.height else None
    if months == periods.FULL_YEAR_PERIODS:
        chart_with_table(
            figure(
                bar.bar_chart,
                per_fte,
                "organisation_code",
                (("annual_cost_per_fte_gbp", "Cost per FTE a year"),),
                "Fully loaded cost per payroll FTE by organisation, "
                f"{periods.window_text(first, last)} (£ a year)",
                ("Organisation", "Cost per payroll FTE (£ a year)"),
                number_format=",.0f",
                prefix="£",
            ),
            tables.cost_per_fte_table(per_fte),
            key="per_fte",
        )
    else:
        st.info(
            f"Cost per FTE: {periods.cost_unavailable(months, status, view.options.first_date)}"
        )
    st.caption(data.definition("cost_per_fte"))
    not_applied("cost_per_fte")


def contingent_tab() -> None:
    """Contingent labour and consultancy: the ledger's spend and the workers in HR."""
    st.subheader("Contingent labour and consultancy")
    off_payroll = tables.off_payroll(chart_rows)
    chart_with_table(
        figure(
            stacked.spend_chart,
            off_payroll,
            f"Contingent labour and consultancy spend, {range_text} (£ a month)",
            partial,
        ),
        tables.spend_table(off_payroll),
        key="off_payroll",
    )
    workers, fte, cost = (
        tables.total(contingent, column) for column in ("workers", "fte", "annualised_cost_gbp")
    )
    st.markdown(
        f"As at {format_date(as_at)}: **{format_count(workers)}** contingent workers, "
        f"**{format_count(fte, 1)}** FTE, annualised cost **{format_gbp(cost)}** a year."
    )
    st.caption(data.definition("contingent"))


def reconciliation_tab() -> None:
    """HR's paybill against the ledger's pay spend for a month, the gaps flagged."""
    st.subheader("HR and finance reconciliation")
    period_options = [periods.months_back(as_at, i) for i in range(12)]
    period = url_state.selectbox(
        st,
        "Accounting period",
        period_options,
        index=period_options.index(last) if last in period_options else 0,
        format_func=lambda p: periods.partial_label(p, status),
        key="cost.period",
    )
    if status.is_partial(period):
        latest = f" The latest complete month is {periods.month_name(last)}." if last else ""
        st.warning(
            f"{periods.month_name(period)} is still being posted, so its ledger pay spend is "
            f"only part of the month and most organisations will show as over tolerance.{latest}"
        )
    recon = metric(
        "reconciliation", {"period": period, "as_at": as_at}, ("cluster", "organisation_code")
    ).sort("cluster", "organisation_code")
    flagged = int(recon["flagged"].sum()) if not recon.is_empty() else 0
    st.markdown(
        f"**{flagged}** of {recon.height} organisations flagged in {period}: the ledger's pay "
        "spend differs from the pay cost the HR records imply by more than "
        f"**{format_percent(RECONCILIATION_TOLERANCE)}** (the tolerance), or the ledger paid with "
        "no HR pay behind it."
    )
    table = tables.reconciliation_table(recon)

    def _highlight(row) -> list[str]:
        over = row["Flag"] == tables.RECONCILIATION_FLAG
        colour = "background-color: #fbe9e7; font-weight: bold" if over else ""
        return [colour] * len(row)

    st.dataframe(
        table.to_pandas()
        .style.apply(_highlight, axis=1)
        .format(
            {
                "HR pay cost (£)": "£{:,.2f}",
                "Ledger pay spend (£)": "£{:,.2f}",
                "Variance (£)": "£{:,.2f}",
                "Variance (%)": "{:+.1f}%",
            },
            na_rep="[x]",
        ),
        hide_index=True,
    )
    st.caption(
        f"{data.definition('reconciliation')} HR pay cost: the month's salary from the HR records "
        "(annual salary × FTE ÷ 12) with employer pension and National Insurance at the published "
        "rates. Ledger pay spend: the period's salary, employer pension and National Insurance "
        "lines."
    )
    not_applied("reconciliation")


def ratios_tab() -> None:
    """HR and finance staff per 100 employees, and spans and layers."""
    st.subheader("HR and finance staff per 100 employees")
    ratio = metric("hr_finance_ratio", {"as_at": as_at}, ("cluster",))
    chart_with_table(
        figure(
            bar.bar_chart,
            ratio,
            "cluster",
            (("hr_per_100", "HR staff"), ("finance_per_100", "Finance staff")),
            "HR and finance staff per 100 employees by cluster (people per 100)",
            ("Cluster", "Staff per 100 employees"),
            references=(  # the benchmarks the metric binds, from its definition
                (BENCHMARKS["hr_target_per_100"], "HR target: 1 per 100"),
                (BENCHMARKS["hr_2023_per_100"], "Civil service 2023: 2.5 (1 per 40)"),
            ),
        ),
        tables.ratio_table(ratio),
        key="ratio",
    )
    st.caption(
        f"{data.definition('hr_finance_ratio')} Benchmarks: the civil service's target of 1 HR "
        "person per 100 staff, and 1 per 40 (2.5 per 100) for both HR and finance in 2023."
    )
    not_applied("hr_finance_ratio")

    st.subheader("Spans and layers")
    spans = metric("spans_layers", {"as_at": as_at}, ("cluster", "organisation_code")).sort(
        "cluster", "organisation_code"
    )
    chart_with_table(
        figure(
            bar.bar_chart,
            spans,
            "organisation_code",
            (("mean_span", "Mean span"), ("layers", "Layers")),
            f"Mean span of control and layers by organisation, as at {format_date(as_at)} "
            "(direct reports; layers)",
            ("Organisation", "Direct reports a manager; layers"),
        ),
        tables.spans_table(spans),
        key="spans",
    )
    st.caption(data.definition("spans_layers"))
    not_applied("spans_layers")


# Lazy tabs (issue 14): the page starts with its tiles and the first tab; the others' charts
# and queries run only when their tab is opened.  The tab open is in the URL.
TABS = {
    "Spend": spend_tab,
    "Cost per FTE": per_fte_tab,
    "Contingent labour and consultancy": contingent_tab,
    "HR and finance reconciliation": reconciliation_tab,
    "Staff ratios and spans": ratios_tab,
}
url_state.draw_tabs(TABS, key="cost.tab")
