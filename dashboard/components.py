"""Pieces every page draws: the opening (title, the empty-warehouse page, the filters, the
"Copy link" and the data freshness in the sidebar, and what a link asked for and did not get),
a headline figure with its changes, and a chart with its data as a table.

:func:`nothing_loaded` is pure; the rest draws.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import ModuleType

import plotly.graph_objects as go
import polars as pl
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.elements.lib.mutable_expander_container import ExpanderContainer

from core.settings import get_settings
from core.warehouse import WarehouseUnreadable
from dashboard import data, footer, glossary, identity, trail, url_state
from dashboard.filters import (
    URL_KEYS,
    Filters,
    Options,
    Organisation,
    link_refusals,
    refused_text,
    sidebar,
)
from dashboard.formatting import format_short_date
from dashboard.headlines import Change, freshness_label
from dashboard.identity import plain
from dashboard.tiles import Tile


def nothing_loaded(warehouse: str) -> str:
    """What to run when there is nothing to show yet."""
    return (
        "No data has been loaded yet, so there is nothing to show.\n\n"
        "To load synthetic demo data and serve the dashboard, run `make run` from the "
        "repository root.\n\n"
        "Or, step by step: `.venv/bin/workforce demo` writes demo deliveries to the landing "
        "zone, then `.venv/bin/workforce ingest` loads them into the warehouse. Reload this page "
        "afterwards.\n\n"
        f"Warehouse folder: `{warehouse}`"
    )


@dataclass(frozen=True)
class View:
    """What a page shows: the filters chosen, and the caller's scope and options."""

    filters: Filters
    options: Options

    @property
    def clusters(self) -> tuple[str, ...]:
        return self.filters.clusters_in(self.options.scope)

    def date_input(
        self, where: DeltaGenerator | ModuleType, label: str, value: date, key: str
    ) -> date:
        """A date within the loaded extracts (first to latest), written day first, drawn in
        ``where``: ``st`` itself or a column; kept in the URL (:mod:`dashboard.url_state`)."""
        return url_state.date_input(
            where,
            label,
            value,
            min_value=self.options.first_date,
            max_value=self.options.latest_date,
            format="DD/MM/YYYY",
            key=key,
        )


def _options(scope: tuple[str, ...], dates: tuple[date, ...]) -> Options:
    orgs = data.organisations(scope)
    return Options(
        scope=scope,
        dates=dates,
        organisations=tuple(Organisation(*row) for row in orgs.iter_rows()),
    )


def open_gate(title: str, caption: str, page: str) -> identity.Caller:
    """Title the page and check the caller may see it, stopping with the reason if not (the
    refusal audited); then record the view in the audit log before anything is drawn from the
    data, stopping with one line if the log cannot be written (:mod:`dashboard.trail`); then
    say who is looking (in demo mode, on the page itself) and start counting what the page
    shows.  Returns the caller."""
    who = identity.caller()
    st.title(title)
    if who.demo:
        st.markdown(identity.banner(who))
    if who.grant is None or not who.grant.may_see(page):
        refuse(who, page)
    url_state.keep_only(page, URL_KEYS)  # no other page's choices, nothing unknown
    trail.record_view(who, page)
    trail.begin(page)
    st.caption(caption)
    with st.sidebar:
        _who(who)
    url_state.start_link()
    return who


def open_page(title: str, caption: str, page: str) -> View:
    """:func:`open_gate`, then either stop with what to run (nothing loaded yet) or draw the
    sidebar (filters, data freshness) and return the view, limited to the caller's scope."""
    who = open_gate(title, caption, page)
    assert who.grant is not None  # open_gate stops callers without one
    try:
        opened = data.open_warehouse()
    except WarehouseUnreadable as error:  # a damaged version: say so, no traceback
        st.error(plain(str(error)))
        st.stop()
    if opened is None:
        st.info(nothing_loaded(str(get_settings().warehouse)))
        st.stop()
    scope = who.grant.clusters
    dates = data.loaded_dates(scope)
    if not dates:
        st.info(
            "The warehouse holds no cluster extracts yet, so there is nothing to show.\n\n"
            "Run `.venv/bin/workforce ingest` to load the deliveries in the landing zone "
            "(`make run` generates demo deliveries first), then reload this page."
        )
        st.stop()
    options = _options(scope, dates)
    view = View(sidebar(options, page), options)
    url_state.show_link()  # the filters as the sidebar wrote them
    with st.sidebar:
        freshness(view.filters.as_at, scope)
    glossary_drawer()  # the terms a leader may not know, a click away
    refusals = link_refusals()
    said = refused_text(refusals, lambda value: plain(value, 40))
    if said:
        covers = (
            f" These figures cover {', '.join(view.clusters)}." if "clusters" in refusals else ""
        )
        st.warning(said + covers)
    return view


def refusal(who: identity.Caller) -> str:
    """Why the caller sees nothing here, in a sentence or two of Markdown (what the user or
    the policy file controls escaped)."""
    if who.problem:
        return (
            f"Nobody has access while the access policy is invalid: {identity.plain(who.problem)}"
        )
    if who.refused:
        return (
            f"{identity.plain(who.name)} cannot be used to sign in: {identity.plain(who.refused)}."
        )
    if who.grant is not None:
        return f"This page is not open to your role ({who.grant.role.replace('_', ' ')})."
    if who.signed_in:
        return (
            f"{identity.plain(who.name)} has no access to Workforce Picture. Ask the service's "
            "administrator to add you to the access policy."
        )
    return (
        "Nobody is signed in, so there is nothing to show. Set WORKFORCE_DEMO_USER to a user "
        "of the access policy, or configure sign-in."
    )


def refuse(who: identity.Caller, page: str) -> None:
    """Record the refused visit, say why, and stop the page."""
    trail.record_denied(who, page)
    st.error(refusal(who))
    if who.signed_in and not who.demo:
        st.button("Sign out", on_click=st.logout, key="sign_out")
    st.stop()


def _who(who: identity.Caller) -> None:
    grant = who.grant
    assert grant is not None  # open_page has refused callers without one
    clusters = "all clusters" if len(grant.clusters) == 5 else ", ".join(grant.clusters)
    st.caption(f"{identity.plain(who.name)} · {grant.role.replace('_', ' ')} · {clusters}")
    if who.signed_in and not who.demo:
        st.button("Sign out", on_click=st.logout, key="sign_out")


def freshness(as_at: date, clusters: tuple[str, ...]) -> None:
    """Each cluster's data freshness as at the date: current, stale or absent, and its date."""
    st.subheader("Data freshness")
    status = data.feed_status(as_at, clusters)
    footer.record(as_at, status.iter_rows(named=True))  # the footer says it again, in print
    lines = [
        f"**{row['cluster']}** {freshness_label(row['status'], row['extract_date'], as_at)}"
        for row in status.iter_rows(named=True)
    ]  # each on its own line
    st.markdown("  \n".join(lines))
    st.caption(
        "Current: the newest extract any cluster has on or before the as-at date. "
        "Stale: an older one, whose figures are shown. No data: none loaded by then."
    )


def chart_with_table(
    figure: go.Figure, table: pl.DataFrame, column_config: dict | None = None, *, key: str
) -> None:
    """A chart, and the same numbers as a table for anyone who cannot read the chart.  Numbers
    read with thousands separators and every heading and code in plain words
    (:mod:`dashboard.glossary`) unless ``column_config`` says otherwise.

    The table is drawn only while its expander is open (``on_change="rerun"``): a closed
    expander's content was sent and mounted all the same, the data grid's code (1.3 MiB) and
    a grid nobody saw, on every chart.  Opening it reruns the page, which records the view
    again with the table open (:func:`dashboard.trail.table_key`), so the ``shown`` entry
    after it is the run that drew it.  ``key`` names the table within its page."""
    st.plotly_chart(figure, width="stretch", config={"displaylogo": False})
    drawer = lazy_expander("Show the data as a table", trail.table_key(key))
    if drawer is None:
        return
    headings = glossary.column_labels(table.columns)
    numbers = {
        name: st.column_config.NumberColumn(
            headings[name], format="localized", help=glossary.COLUMN_HELP.get(name)
        )
        for name, dtype in table.schema.items()
        if dtype.is_numeric()
    }
    with drawer:
        st.dataframe(
            glossary.plain_table(table),
            hide_index=True,
            column_config={**headings, **numbers, **(column_config or {})},
        )


def lazy_expander(label: str, key: str) -> ExpanderContainer | None:
    """An expander, closed, whose content is drawn only while it is open: the expander if it
    is open, None if not.  Opening it reruns the page (``on_change="rerun"``); a closed
    expander's content would otherwise be sent and mounted all the same on every visit,
    unseen (the sidebar's glossary, the Overview's definitions: long Markdown that a new tab
    spent its time rendering, issue 14)."""
    drawer = st.expander(label, key=key, on_change="rerun")
    return drawer if drawer.open else None


def glossary_drawer() -> None:
    """The glossary in the sidebar, closed: every term a leader may not know, a click away."""
    with st.sidebar:
        drawer = lazy_expander("Glossary", "sidebar.glossary")
    if drawer is not None:
        drawer.markdown(glossary.markdown())


def changes_tile(
    label: str,
    value: str,
    month: tuple[date, Change | None],
    year: tuple[date, Change | None],
    *,
    definition: str,
    notes: tuple[str, ...] = (),
    good_when_up: bool = False,
) -> Tile:
    """A headline figure with its change since last month beside it (the arrow) and since last
    year under it, each a (date, change) pair; the metric's definition behind its "?"."""
    (month_day, by_month), (year_day, by_year) = month, year
    lines = [] if by_month else [f"No figure for {format_short_date(month_day)}"]
    if by_year:
        lines.append(f"{by_year.text} since {format_short_date(year_day)}")
    else:
        lines.append(f"No figure for {format_short_date(year_day)}")
    return Tile(
        label,
        value,
        change=by_month.text if by_month else None,
        arrow=by_month is not None and by_month.arrow != "off",
        good_when_up=True if good_when_up else None,
        change_said=f"since {format_short_date(month_day)}",
        notes=(*lines, *notes),
        help=definition,
    )


CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PARQUET_MIME = "application/vnd.apache.parquet"


@dataclass(frozen=True)
class Download:
    """One file a page offers: its button's format name ("CSV"), the function that makes its
    bytes from this run's rows (bound now, called when pressed), its suffix and MIME type."""

    label: str
    build: Callable[[], bytes]
    suffix: str
    mime: str


def audited_downloads(
    files: Sequence[Download],
    *,
    stem: str,
    who: identity.Caller,
    page: str,
    choices: Mapping[str, object],
    rows: int,
    cells_suppressed: int,
    clusters: Sequence[str],
    key: str,
    label: str = "Download {}",
    record_level: bool = False,
    protected: bool = True,
) -> None:
    """A row of download buttons, one per file, each made and audited when pressed
    (:func:`dashboard.trail.audited_file`: the grant is read again at the press, and the file
    leaves only once its entry is written) without rerunning the page (``on_click="ignore"``)."""
    for column, file in zip(st.columns(3), files, strict=False):
        name = f"{stem}.{file.suffix}"
        column.download_button(
            label.format(file.label),
            trail.audited_file(
                file.build,
                who,
                page,
                name,
                choices,
                rows,
                cells_suppressed,
                clusters=clusters,
                record_level=record_level,
                protected=protected,
            ),
            file_name=name,
            mime=file.mime,
            on_click="ignore",
            key=f"{key}.{file.suffix}",
            width="stretch",
        )
