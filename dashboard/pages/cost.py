"""Cost and efficiency: ledger spend over the 12 months to the as-at date, cost per FTE,
contingent labour and consultancy, the HR-to-ledger paybill reconciliation with its flagged
variances, HR and finance staff per 100 against the benchmarks, and spans and layers."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts_programme as cp
from dashboard import data
from dashboard.components import chart_with_table, open_page
from dashboard.filters import not_applied_text
from dashboard.formatting import format_count, format_date, format_gbp, format_percent
from dashboard.headlines import add_months
from queries.constants import RECONCILIATION_TOLERANCE, STANDARD_PARAMS
from queries.runner import load_sql

FLAG = "⚠ Over tolerance"

view = open_page(
    "Cost and efficiency",
    "Paybill and spend from the clusters' ledgers, cost per FTE, contingent labour and "
    "consultancy, the HR-to-ledger reconciliation, and the shape of the workforce.",
    page="cost",
)
filters, clusters, as_at = view.filters, view.clusters, view.filters.as_at
period_to = f"{as_at:%Y-%m}"
period_from = f"{add_months(as_at.replace(day=1), -11):%Y-%m}"
range_text = f"{add_months(as_at.replace(day=1), -11):%B %Y} to {as_at:%B %Y}"


def metric(name: str, params: dict, by: tuple[str, ...] = ()) -> pl.DataFrame:
    """The metric's rows with the filters it can apply, and the published rates."""
    where = filters.where(load_sql(name).dimensions)
    return data.metric(name, clusters, {**STANDARD_PARAMS, **params}, by, where)


def not_applied(name: str) -> None:
    ignored = filters.not_applied(load_sql(name).dimensions)
    if ignored:
        st.caption(f"Here {not_applied_text(ignored)}.")


def money(frame: pl.DataFrame, column: str) -> float:
    return float(frame[column].cast(pl.Float64).sum()) if not frame.is_empty() else 0.0


periods = {"period_from": period_from, "period_to": period_to}
spend = metric("spend", periods, ("period", "account_category"))
spend = spend.with_columns(pl.col("amount_gbp").cast(pl.Float64))
payroll = spend.filter(pl.col("account_category").str.starts_with("payroll_"))
contingent_spend = spend.filter(pl.col("account_category") == "contingent_labour")
consultancy = spend.filter(pl.col("account_category") == "consultancy")
contingent = metric("contingent", {"as_at": as_at}, ("cluster",))

st.subheader(f"{range_text}, as at {format_date(as_at)}")
tiles = (  # label, value, metric
    ("Paybill (£, 12 months)", format_gbp(money(payroll, "amount_gbp")), "spend"),
    ("Contingent labour (£, 12 months)", format_gbp(money(contingent_spend, "amount_gbp")),
     "spend"),
    ("Consultancy (£, 12 months)", format_gbp(money(consultancy, "amount_gbp")), "spend"),
    ("Contingent workers (FTE)", format_count(money(contingent, "fte"), 1), "contingent"),
)  # fmt: skip
for column, (label, value, name) in zip(st.columns(len(tiles)), tiles, strict=True):
    with column:
        st.metric(label, value, help=data.definition(name), border=True)

# --- spend ------------------------------------------------------------------------------------
st.subheader("Paybill and spend")
chart_with_table(
    cp.spend_chart(spend, f"Ledger spend by account category, {range_text} (£ a month)"),
    spend.sort("period", "account_category").select(
        pl.col("period").alias("Period"),
        pl.col("account_category").replace(cp.ACCOUNT_LABELS).alias("Account category"),
        pl.col("amount_gbp").alias("Spend (£)"),
    ),
)
st.caption(data.definition("spend"))
not_applied("spend")

# --- cost per FTE -----------------------------------------------------------------------------
st.subheader("Cost per FTE")
per_fte = metric("cost_per_fte", periods, ("cluster", "organisation_code")).sort(
    "cluster", "organisation_code"
)
chart_with_table(
    cp.bar_chart(
        per_fte,
        "organisation_code",
        (("annual_cost_per_fte_gbp", "Cost per FTE a year"),),
        f"Fully loaded cost per payroll FTE by organisation, {range_text} (£ a year)",
        ("Organisation", "Cost per payroll FTE (£ a year)"),
        number_format=",.0f",
        prefix="£",
    ),
    per_fte.select(
        pl.col("cluster").alias("Cluster"),
        pl.col("organisation_code").alias("Organisation"),
        pl.col("payroll_gbp").alias("Payroll (£)"),
        pl.col("contingent_gbp").alias("Contingent labour (£)"),
        pl.col("average_fte").alias("Average payroll FTE"),
        pl.col("months").alias("Months"),
        pl.col("annual_cost_per_fte_gbp").alias("Cost per FTE (£ a year)"),
    ),
)
st.caption(data.definition("cost_per_fte"))
not_applied("cost_per_fte")

# --- contingent labour and consultancy --------------------------------------------------------
st.subheader("Contingent labour and consultancy")
off_payroll = (
    spend.filter(pl.col("account_category").is_in(["contingent_labour", "consultancy"]))
    if not spend.is_empty()
    else spend
)
chart_with_table(
    cp.spend_chart(off_payroll, f"Contingent labour and consultancy spend, {range_text} (£)"),
    off_payroll.select(
        pl.col("period").alias("Period"),
        pl.col("account_category").replace(cp.ACCOUNT_LABELS).alias("Account category"),
        pl.col("amount_gbp").alias("Spend (£)"),
    ),
)
st.markdown(
    f"As at {format_date(as_at)}: **{format_count(money(contingent, 'workers'))}** contingent "
    f"workers, **{format_count(money(contingent, 'fte'), 1)}** FTE, annualised cost "
    f"**{format_gbp(money(contingent, 'annualised_cost_gbp'))}** a year."
)
st.caption(data.definition("contingent"))

# --- reconciliation ---------------------------------------------------------------------------
st.subheader("HR and finance reconciliation")
period_options = [f"{add_months(as_at.replace(day=1), -i):%Y-%m}" for i in range(12)]
period = st.selectbox("Accounting period", period_options, key="cost.period")
recon = metric("reconciliation", {"period": period}, ("cluster", "organisation_code")).sort(
    "cluster", "organisation_code"
)
flagged = int(recon["flagged"].sum()) if not recon.is_empty() else 0
st.markdown(
    f"**{flagged}** of {recon.height} organisations flagged in {period}: the ledger's paybill "
    f"differs from the HR records' by more than **{format_percent(RECONCILIATION_TOLERANCE)}** "
    "(the tolerance), or the ledger paid with no HR paybill behind it."
)
table = recon.select(
    pl.when(pl.col("flagged")).then(pl.lit(FLAG)).otherwise(pl.lit("Within tolerance"))
    .alias("Flag"),
    pl.col("cluster").alias("Cluster"),
    pl.col("organisation_code").alias("Organisation"),
    pl.col("headcount").alias("Headcount"),
    pl.col("hr_paybill_gbp").round(2).alias("HR paybill (£)"),
    pl.col("ledger_paybill_gbp").round(2).alias("Ledger paybill (£)"),
    pl.col("variance_gbp").round(2).alias("Variance (£)"),
    (pl.col("variance_pct") * 100).round(1).alias("Variance (%)"),
)  # fmt: skip


def _highlight(row) -> list[str]:
    colour = "background-color: #fbe9e7; font-weight: bold" if row["Flag"] == FLAG else ""
    return [colour] * len(row)


st.dataframe(
    table.to_pandas()
    .style.apply(_highlight, axis=1)
    .format(
        {
            "HR paybill (£)": "£{:,.2f}",
            "Ledger paybill (£)": "£{:,.2f}",
            "Variance (£)": "£{:,.2f}",
            "Variance (%)": "{:+.1f}%",
        },
        na_rep="[x]",
    ),
    hide_index=True,
)
st.caption(data.definition("reconciliation"))
not_applied("reconciliation")

# --- HR and finance per 100 -------------------------------------------------------------------
st.subheader("HR and finance staff per 100 employees")
ratio = metric("hr_finance_ratio", {"as_at": as_at}, ("cluster",))
chart_with_table(
    cp.bar_chart(
        ratio,
        "cluster",
        (("hr_per_100", "HR staff"), ("finance_per_100", "Finance staff")),
        "HR and finance staff per 100 employees by cluster (people per 100)",
        ("Cluster", "Staff per 100 employees"),
        references=((1.0, "HR target: 1 per 100"), (2.5, "Civil service 2023: 2.5 (1 per 40)")),
    ),
    ratio.select(
        pl.col("cluster").alias("Cluster"),
        pl.col("headcount").alias("Headcount"),
        pl.col("hr_staff").alias("HR staff"),
        pl.col("finance_staff").alias("Finance staff"),
        pl.col("hr_per_100").round(1).alias("HR per 100"),
        pl.col("finance_per_100").round(1).alias("Finance per 100"),
    ),
)
st.caption(
    f"{data.definition('hr_finance_ratio')} Benchmarks: the civil service's target of 1 HR "
    "person per 100 staff, and 1 per 40 (2.5 per 100) for both HR and finance in 2023."
)
not_applied("hr_finance_ratio")

# --- spans and layers -------------------------------------------------------------------------
st.subheader("Spans and layers")
spans = metric("spans_layers", {"as_at": as_at}, ("cluster", "organisation_code")).sort(
    "cluster", "organisation_code"
)
chart_with_table(
    cp.bar_chart(
        spans,
        "organisation_code",
        (("mean_span", "Mean span"), ("layers", "Layers")),
        f"Mean span of control and layers by organisation, as at {format_date(as_at)} "
        "(direct reports; layers)",
        ("Organisation", "Direct reports a manager; layers"),
    ),
    spans.select(
        pl.col("cluster").alias("Cluster"),
        pl.col("organisation_code").alias("Organisation"),
        pl.col("headcount").alias("Headcount"),
        pl.col("managers").alias("Managers"),
        pl.col("mean_span").round(1).alias("Mean span"),
        pl.col("median_span").alias("Median span"),
        (pl.col("share_small_spans") * 100).round(1).alias("Managers with under 3 reports (%)"),
        pl.col("layers").alias("Layers"),
    ),
)
st.caption(data.definition("spans_layers"))
not_applied("spans_layers")
