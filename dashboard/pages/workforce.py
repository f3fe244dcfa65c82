"""Workforce: headcount and FTE from cluster down to organisation, the grade pyramid,
professions, the regions, diversity by grade (under disclosure control) and two dates
compared for any breakdown.

Two dates compared (issue 12): the one ``workforce`` metric run at both dates and joined by
:func:`dashboard.compare.compare_dates`; a sortable table with names beside codes, the largest
movers charted, and the table as CSV or Excel through the audit trail, under disclosure control
for every role but admin."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial

import polars as pl
import streamlit as st

from core.dates import add_months
from dashboard import compare, data, glossary, identity, scope, tables, tiles, trail, url_state
from dashboard import extracts as ex
from dashboard.charts import bar, diverging, pyramid, tilemap
from dashboard.charts.cache import figure
from dashboard.charts.measures import FTE, HEADCOUNT, PAYBILL, Measure
from dashboard.components import (
    CSV_MIME,
    XLSX_MIME,
    Download,
    audited_downloads,
    chart_with_table,
    open_page,
)
from dashboard.formatting import format_count, format_date, format_gbp, format_short_date
from dashboard.headlines import format_fte
from dashboard.safe_text import safe_markdown
from dashboard.tiles import Tile
from queries.catalogue import disclosure_rule
from queries.runner import load_sql

PAYBILL_HELP = glossary.PAYBILL  # HR paybill, never the ledger's pay spend

view = open_page(
    "Workforce",
    "Headcount and FTE by cluster, department and organisation; grades, professions, regions "
    "and diversity; and two dates compared for any of these breakdowns.",
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
tiles.draw(
    [
        Tile(
            "Headcount", format_count(total.get("headcount", 0)), help=data.definition("workforce")
        ),
        Tile("FTE", format_fte(total.get("fte", 0.0)), help=data.definition("workforce")),
        Tile(
            "Paybill (£ a year)",
            format_gbp(total.get("paybill_gbp", 0.0), fixed=True),
            help=PAYBILL_HELP,
        ),
    ],
    "workforce",
)
st.caption(data.definition("workforce"))


# --- two dates compared (the last tab) -------------------------------------------------------


def comparison_columns(key: str, date_a: date, date_b: date) -> dict:
    """How the comparison table's columns read: each date in its heading, signs on changes."""
    a, b = format_short_date(date_a), format_short_date(date_b)
    config: dict = {key: compare.KEYS[key], "name": "Name", "note": "Note"}
    for m, label in compare.MEASURES.items():
        whole = "localized" if m != "fte" else "%.1f"
        change = {"headcount": "%+d", "fte": "%+.1f", "paybill_gbp": "localized"}[m]
        helped = PAYBILL_HELP if m == "paybill_gbp" else None
        config |= {
            f"{m}_a": st.column_config.NumberColumn(f"{label} {a}", format=whole, help=helped),
            f"{m}_b": st.column_config.NumberColumn(f"{label} {b}", format=whole, help=helped),
            f"{m}_change": st.column_config.NumberColumn(
                f"{label} change", format=change, help=helped
            ),
            f"{m}_change_pct": st.column_config.NumberColumn(
                f"{label} % change",
                format="%+.1f%%",
                help=" ".join(filter(None, (helped, f"Not available where {a} had nobody."))),
            ),
        }
    return config


def comparison_downloads(
    at_a: pl.DataFrame, at_b: pl.DataFrame, key: str, names: dict, dates: tuple[date, date]
) -> None:
    """The comparison as CSV and Excel, each made and audited when its button is pressed,
    under disclosure control unless the caller is an administrator."""
    protecting = scope.disclosure_control()
    rule = disclosure_rule("workforce")
    assert rule is not None  # the workforce metric counts people: it always has a rule
    if protecting:
        table, cells = compare.protected_compare(at_a, at_b, key, rule)
        rule_said = ex.rule_text(rule, "workforce")
    else:
        table, cells = compare.compare_dates(at_a, at_b, key), 0
        rule_said = "Not applied: administrators' files are not under disclosure control."
    rows, hidden = compare.download_rows(table, key, names, dates)
    text = compare.as_text(rows, hidden) if protecting else rows
    who = identity.caller()
    version = data.published()
    about = tables.comparison_about(
        key,
        dates,
        clusters,
        where,
        definition=data.definition("workforce"),
        paybill=PAYBILL_HELP,
        rule_said=rule_said,
        cells=cells,
        rows=rows.height,
        extracted_by=who.name,
        extracted_at=datetime.now(UTC),
        version=version.name if version is not None else None,
    )
    choices = {
        "breakdown": key,
        "date_a": dates[0],
        "date_b": dates[1],
        "clusters": clusters,
        **where,
        "disclosure_control": protecting,
    }
    stem = f"workforce_compared_{key}_{dates[0]}_{dates[1]}"
    audited_downloads(
        (
            Download("CSV", partial(ex.to_csv, text), "csv", CSV_MIME),
            Download("Excel", partial(ex.to_excel, rows, about, hidden), "xlsx", XLSX_MIME),
        ),
        stem=stem,
        who=who,
        page="workforce",
        choices=choices,
        rows=rows.height,
        cells_suppressed=cells,
        clusters=clusters,
        protected=protecting,
        key="workforce.compare.download",
        label="Download the comparison as {}",
    )
    st.caption(
        "Each file holds every row of the table, with the dates in its column names, and is "
        "recorded in the audit log. "
        + (
            f"Under disclosure control: {rule_said[0].lower()}{rule_said[1:]} Changes are worked "
            "out from the protected figures."
            if protecting
            else rule_said
        )
    )


def show_comparison(date_a: date, date_b: date, key: str, measure: Measure) -> None:
    """The table of both dates, the largest movers' chart and the downloads."""
    at_a, at_b = workforce((key,), date_a), workforce((key,), date_b)
    table = compare.compare_dates(at_a, at_b, key)
    organisations = view.options.organisations_in((), ())
    names = compare.group_names(
        key, table[key].to_list(), organisations, view.options.departments(())
    )
    st.dataframe(
        compare.screen_rows(table, key, names, date_a),
        hide_index=True,
        column_config=comparison_columns(key, date_a, date_b),
    )
    a, b = format_short_date(date_a), format_short_date(date_b)
    st.caption(
        f"From {a} to {b}, headcount {format_count(table['headcount_a'].sum())} to "
        f"{format_count(table['headcount_b'].sum())}. Sort by any column by clicking its "
        f"heading. A group with nobody at {a} has no % change (not available)."
    )
    labels = tables.mover_labels(names, key)
    movers = compare.largest_movers(table, measure.column, diverging.TOP_MOVERS)
    title = (
        f"The largest movers by {compare.KEYS[key].lower()}: change in "
        f"{measure.label.lower()}, {a} to {b} ({measure.unit})"
    )
    st.plotly_chart(
        figure(diverging.movers_chart, movers, key, measure, title, labels=labels),
        width="stretch",
        config={"displaylogo": False},
    )
    st.caption(
        f"The {diverging.TOP_MOVERS} groups whose {measure.label.lower()} changed most either way. "
        "Increases are teal and marked +, decreases maroon and marked \u2212."
    )
    comparison_downloads(at_a, at_b, key, names, (date_a, date_b))


LEVELS = {"cluster": "Cluster", "department": "Department", "organisation_code": "Organisation"}
MEASURES = {"Headcount": HEADCOUNT, "FTE": FTE}
TOP = 10
MOVERS = {"headcount": HEADCOUNT, "fte": FTE, "paybill_gbp": PAYBILL}


def organisation_tab() -> None:
    """Headcount or FTE by cluster, department or organisation (the first tab)."""
    st.subheader("From cluster to organisation")
    left, right = st.columns(2)
    level = url_state.selectbox(
        left, "Break down by", list(LEVELS), format_func=LEVELS.get, key="workforce.by"
    )
    measure = MEASURES[
        url_state.radio(right, "Measure", list(MEASURES), horizontal=True, key="workforce.measure")
    ]
    departments = view.options.departments(filters.clusters)
    organisations = view.options.organisations_in(filters.clusters, ())
    names = {
        "cluster": {},
        "department": tables.with_codes(departments),
        "organisation_code": tables.with_codes(organisations),
    }[level]
    groups = tables.most_first(workforce((level,)), measure.column)
    chart_with_table(
        figure(
            bar.bar_chart,
            groups,
            level,
            measure,
            f"{measure.label} by {LEVELS[level].lower()} ({measure.unit})",
            labels=names,
            horizontal=True,
            category_title=LEVELS[level],
        ),
        tables.groups_table(groups, level, LEVELS[level], names),
        {
            "fte": st.column_config.NumberColumn("FTE", format="%.1f"),
            "paybill_gbp": st.column_config.NumberColumn(
                "Paybill (£ a year)", format="localized", help=PAYBILL_HELP
            ),
        },
        key="groups",
    )


def grades_tab() -> None:
    """The grade pyramid and the largest professions."""
    st.subheader("Grades and professions")
    by_grade = workforce(("grade",))
    chart_with_table(
        figure(pyramid.grade_pyramid, by_grade, HEADCOUNT, "Headcount by grade (people)"),
        tables.in_grade_order(by_grade),
        key="grades",
    )
    st.caption("Grades run from administrative assistant (AA) up to permanent secretary (PS).")
    by_profession = tables.largest(workforce(("profession",)), "headcount", TOP)
    chart_with_table(
        figure(
            bar.bar_chart,
            glossary.plain_table(by_profession),
            "profession",
            HEADCOUNT,
            f"The {TOP} largest professions by headcount (people)",
            horizontal=True,
            category_title="Profession",
        ),
        by_profession,
        key="professions",
    )


def regions_tab() -> None:
    """Headcount by region, one tile each."""
    st.subheader("Where people work")
    by_region = workforce(("region",))
    chart_with_table(
        figure(tilemap.region_tiles, by_region, HEADCOUNT, "Headcount by ITL1 region (people)"),
        tables.regions_table(by_region),
        key="regions",
    )
    unplaced = tables.headcount_outside(by_region, "region", list(tilemap.TILES))
    st.caption(
        "One tile per International Territorial Level 1 (ITL1) region of the UK, and one for "
        f"staff based overseas. Region not recorded: {format_count(unplaced)} people."
    )


def diversity_tab() -> None:
    """Women and ethnic minorities by grade, under disclosure control."""
    st.subheader("Diversity by grade")
    representation = data.metric(
        "representation", clusters, params, ("grade",), filters.where(REPRESENTATION)
    )
    diversity = tables.diversity_table(representation, ("grade",))
    trail.note(cells_suppressed=tables.suppressed_cells(diversity))
    chart_with_table(
        figure(
            pyramid.shares_chart,
            diversity,
            "Women and ethnic minorities by grade (% of those recorded)",
        ),
        tables.diversity_grades_table(diversity),
        key="diversity",
    )
    st.caption(
        f"{data.definition('representation')} Under disclosure control: counts are rounded to the "
        "nearest 5, and a grade with fewer than 5 people (or a count that would reveal one) "
        "reads [c]; shares are worked out from the rounded counts."
    )


def compare_tab() -> None:
    """Two dates compared for any breakdown: the table, the largest movers, the files."""
    st.subheader("Compare two dates")
    first_date, latest_date = view.options.first_date, view.options.latest_date
    year_ago = min(max(add_months(as_at, -12), first_date), latest_date)
    pick_a, pick_b, pick_by, pick_measure = st.columns(4)
    date_a = view.date_input(pick_a, "First date", year_ago, key="workforce.compare.a")
    date_b = view.date_input(pick_b, "Second date", as_at, key="workforce.compare.b")
    key = url_state.selectbox(
        pick_by,
        "Break down by",
        list(compare.KEYS),
        format_func=compare.KEYS.get,
        key="workforce.compare.by",
    )
    chart_measure = MOVERS[
        url_state.selectbox(
            pick_measure,
            "Chart the change in",
            list(MOVERS),
            format_func=compare.MEASURES.get,
            key="workforce.compare.measure",
            help=PAYBILL_HELP,
        )
    ]
    if key not in compare.KEYS:  # a fixed list, whatever a link or a session holds
        st.error(f"Two dates cannot be compared by {safe_markdown(key)}.")
    elif date_a == date_b:
        st.info("Choose two different dates to compare.")
    else:
        show_comparison(date_a, date_b, key, chart_measure)


# Lazy tabs (issue 14): the page starts with its tiles and the first tab; the others' charts
# and queries run only when their tab is opened.  The tab open is in the URL.
TABS = {
    "Cluster to organisation": organisation_tab,
    "Grades and professions": grades_tab,
    "Regions": regions_tab,
    "Diversity": diversity_tab,
    "Compare two dates": compare_tab,
}
url_state.draw_tabs(TABS, key="workforce.tab")
