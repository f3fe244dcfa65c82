"""Workforce: headcount and FTE from cluster down to organisation, the grade pyramid,
professions, the regions, diversity by grade (under disclosure control) and two dates
compared."""

from __future__ import annotations

import bisect

import polars as pl
import streamlit as st

from dashboard import charts, data, trail
from dashboard import charts_workforce as cw
from dashboard.components import chart_with_table, open_page
from dashboard.formatting import format_count, format_date, format_gbp
from dashboard.headlines import format_fte
from pipeline.contract import REGIONS
from queries.runner import load_sql

view = open_page(
    "Workforce",
    "Headcount and FTE by cluster, department and organisation; grades, professions, regions "
    "and diversity; and how the headcount has changed.",
    page="workforce",
)
filters, clusters, as_at = view.filters, view.clusters, view.filters.as_at
WORKFORCE = load_sql("workforce").dimensions
REPRESENTATION = load_sql("representation").dimensions
where = filters.where(WORKFORCE)
params = {"as_at": as_at}


def workforce(by: tuple[str, ...] = (), day=as_at) -> pl.DataFrame:
    return data.metric("workforce", clusters, {"as_at": day}, by, where)


st.subheader(f"As at {format_date(as_at)}")
totals = workforce()
total = totals.row(0, named=True) if not totals.is_empty() else {}
for column, (label, value) in zip(
    st.columns(3),
    (
        ("Headcount", format_count(total.get("headcount", 0))),
        ("FTE", format_fte(total.get("fte", 0.0))),
        ("Paybill (£ a year)", format_gbp(total.get("paybill_gbp", 0.0))),
    ),
    strict=True,
):
    column.metric(label, value, help=data.definition("workforce"), border=True)
st.caption(data.definition("workforce"))

# --- from cluster to organisation -------------------------------------------------------------
st.subheader("From cluster to organisation")
LEVELS = {"cluster": "Cluster", "department": "Department", "organisation_code": "Organisation"}
MEASURES = {"Headcount": charts.HEADCOUNT, "FTE": charts.FTE}
left, right = st.columns(2)
level = left.selectbox("Break down by", list(LEVELS), format_func=LEVELS.get, key="workforce.by")
measure = MEASURES[right.radio("Measure", list(MEASURES), horizontal=True, key="workforce.measure")]
departments = view.options.departments(filters.clusters)
organisations = view.options.organisations_in(filters.clusters, ())
names = {
    "cluster": {},
    "department": {code: f"{name} ({code})" for code, name in departments.items()},
    "organisation_code": {code: f"{name} ({code})" for code, name in organisations.items()},
}[level]
groups = workforce((level,)).sort(measure.column, descending=True)
chart_with_table(
    cw.bar_chart(
        groups,
        level,
        measure,
        f"{measure.label} by {LEVELS[level].lower()} ({measure.unit})",
        labels=names,
        horizontal=True,
        category_title=LEVELS[level],
    ),
    groups.with_columns(pl.col(level).replace(names).alias(LEVELS[level])).select(
        LEVELS[level], "headcount", "fte", "paybill_gbp"
    ),
    {
        "fte": st.column_config.NumberColumn("FTE", format="%.1f"),
        "paybill_gbp": st.column_config.NumberColumn("Paybill (£ a year)", format="localized"),
    },
)

# --- grades and professions -------------------------------------------------------------------
st.subheader("Grades and professions")
by_grade = workforce(("grade",))
chart_with_table(
    cw.grade_pyramid(by_grade, charts.HEADCOUNT, "Headcount by grade (people)"),
    by_grade.sort(pl.col("grade").map_elements(cw.grade_rank, return_dtype=pl.Int64)),
)
st.caption("Grades run from administrative assistant (AA) up to permanent secretary (PS).")
TOP = 10
by_profession = workforce(("profession",)).sort("headcount", descending=True).head(TOP)
chart_with_table(
    cw.bar_chart(
        by_profession.with_columns(pl.col("profession").str.replace_all("_", " ")),
        "profession",
        charts.HEADCOUNT,
        f"The {TOP} largest professions by headcount (people)",
        horizontal=True,
        category_title="Profession",
    ),
    by_profession,
)

# --- regions ----------------------------------------------------------------------------------
st.subheader("Where people work")
by_region = workforce(("region",))
chart_with_table(
    cw.region_tiles(by_region, charts.HEADCOUNT, "Headcount by ITL1 region (people)"),
    by_region.with_columns(
        pl.col("region")
        .replace_strict(REGIONS, default="Not recorded", return_dtype=pl.String)
        .alias("region name")
    ).select("region", "region name", "headcount", "fte", "paybill_gbp"),
)
unplaced = by_region.filter(~pl.col("region").is_in(list(cw.TILES)))["headcount"].sum()
st.caption(
    "One tile per International Territorial Level 1 (ITL1) region of the UK, and one for "
    f"staff based overseas. Region not recorded: {format_count(unplaced)} people."
)

# --- diversity --------------------------------------------------------------------------------
st.subheader("Diversity by grade")
representation = data.metric(
    "representation", clusters, params, ("grade",), filters.where(REPRESENTATION)
)
diversity = cw.diversity_table(representation, ("grade",))
trail.note(cells_suppressed=cw.suppressed_cells(diversity))
chart_with_table(
    cw.shares_chart(diversity, "Women and ethnic minorities by grade (% of those recorded)"),
    diversity.sort(pl.col("grade").map_elements(cw.grade_rank, return_dtype=pl.Int64)).select(
        pl.col("grade").alias("Grade"),
        pl.col("headcount_text").alias("Headcount"),
        pl.col("women_share_text").alias("Women"),
        pl.col("ethnic_minority_share_text").alias("Ethnic minority"),
    ),
)
st.caption(
    f"{data.definition('representation')} Under disclosure control: counts are rounded to the "
    "nearest 5, and a grade with fewer than 5 people (or a count that would reveal one) "
    "reads [c]; shares are worked out from the rounded counts."
)

# --- two dates --------------------------------------------------------------------------------
st.subheader("Two dates compared")
dates = view.options.dates
earlier = dates[max(bisect.bisect_left(dates, as_at) - 1, 0)]
other = view.date_input(st, "Compare with", earlier, key="workforce.compare")
compared = cw.compare_table(workforce(("cluster",), other), workforce(("cluster",)), clusters)
st.dataframe(
    compared,
    hide_index=True,
    column_config={
        "cluster": "Cluster",
        "before": st.column_config.NumberColumn(
            f"Headcount {format_date(other)}", format="localized"
        ),
        "after": st.column_config.NumberColumn(
            f"Headcount {format_date(as_at)}", format="localized"
        ),
        "change": st.column_config.NumberColumn("Change (people)", format="%+d"),
    },
)
change = compared["change"][-1]
st.caption(
    f"Headcount changed by {'+' if change > 0 else ''}{format_count(change)} people between "
    f"{format_date(other)} and {format_date(as_at)}."
)
