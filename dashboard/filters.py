"""The global filters: as-at date, clusters, departments, organisations and grades.

They sit in the sidebar of every page, persist across pages and live in the URL, so a copied
link reopens the same view: ``?as_at=2026-02-28&clusters=UNITY,SYNERGY&grades=G7``.

Reading and writing the URL is pure (:func:`parse`, :func:`to_params`, :func:`clean`), tested
without Streamlit.  Everything a URL holds is checked against what the caller may choose
(:class:`Options`: the scope, the loaded dates, the register): an unknown or out-of-scope value
is dropped, not trusted, and a date is kept within the loaded data.  What a link asked for and
did not get is not dropped silently: :func:`refused` names it and :func:`refused_text` says so
in one line, which every page shows (``dashboard.components.open_page``).  An empty choice
means "all": all clusters in scope, every department, organisation and grade.

The as-at date is always written to the URL, so a link shows the same numbers after the next
load; without one, a page opens at the latest loaded extract date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

import streamlit as st

from dashboard.tables.workforce import GRADE_ORDER as GRADE_OPTIONS
from dashboard.tables.workforce import UNKNOWN as UNKNOWN

# URL key, and the metric dimension each list filter restricts.
DIMENSIONS = {"departments": "department", "organisations": "organisation_code", "grades": "grade"}
NOUNS = {"departments": "department", "organisations": "organisation", "grades": "grade"}
URL_KEYS = ("as_at", "clusters", *DIMENSIONS)


@dataclass(frozen=True)
class Organisation:
    code: str
    name: str
    department: str
    department_name: str
    cluster: str


@dataclass(frozen=True)
class Options:
    """What the filters may hold for this caller: their scope, the loaded extract dates (at
    least one, oldest first) and the register's organisations in scope."""

    scope: tuple[str, ...]
    dates: tuple[date, ...]
    organisations: tuple[Organisation, ...] = ()
    grades: tuple[str, ...] = GRADE_OPTIONS

    @property
    def first_date(self) -> date:
        return self.dates[0]

    @property
    def latest_date(self) -> date:
        return self.dates[-1]

    def _orgs(self, clusters: Sequence[str]) -> list[Organisation]:
        wanted = set(clusters or self.scope)
        return [o for o in self.organisations if o.cluster in wanted]

    def departments(self, clusters: Sequence[str]) -> dict[str, str]:
        """Department code → name, for the clusters chosen (all in scope if none), by name."""
        found = {o.department: o.department_name for o in self._orgs(clusters)}
        return dict(sorted(found.items(), key=lambda item: (item[1], item[0])))

    def organisations_in(self, clusters: Sequence[str], departments: Sequence[str]) -> dict:
        """Organisation code → name, for the clusters and departments chosen, by name."""
        orgs = self._orgs(clusters)
        if departments:
            orgs = [o for o in orgs if o.department in set(departments)]
        return {o.code: o.name for o in sorted(orgs, key=lambda o: (o.name, o.code))}


@dataclass(frozen=True)
class Filters:
    """A view's filters.  Empty tuples mean "all"."""

    as_at: date
    clusters: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()

    def clusters_in(self, scope: Sequence[str]) -> tuple[str, ...]:
        """The clusters to query: those chosen, or every cluster in scope."""
        return self.clusters or tuple(scope)

    def where(self, dimensions: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """The runner's ``where`` for a metric with these dimensions: the list filters it has."""
        have = set(dimensions)
        return {
            dim: getattr(self, name)
            for name, dim in DIMENSIONS.items()
            if dim in have and getattr(self, name)
        }

    def not_applied(self, dimensions: Iterable[str]) -> tuple[str, ...]:
        """Nouns of the filters in use that a metric with these dimensions cannot apply."""
        have = set(dimensions)
        return tuple(
            NOUNS[name]
            for name, dim in DIMENSIONS.items()
            if getattr(self, name) and dim not in have
        )


def not_applied_text(nouns: Sequence[str]) -> str:
    """``the grade filter does not apply``; ``the department and grade filters do not apply``."""
    if len(nouns) == 1:
        return f"the {nouns[0]} filter does not apply"
    return f"the {', '.join(nouns[:-1])} and {nouns[-1]} filters do not apply"


def _values(raw: str | Sequence[str] | None) -> list[str]:
    """A URL value as a list: repeated keys and comma-separated lists alike."""
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else list(raw)
    return [part.strip() for item in items for part in item.split(",") if part.strip()]


def _pick(values: Iterable[str], allowed: Iterable[str]) -> tuple[str, ...]:
    """The allowed values named (case aside), in the allowed order, once each."""
    wanted = {v.casefold() for v in values}
    return tuple(a for a in allowed if a.casefold() in wanted)


def _date(raw: str | Sequence[str] | None) -> date | None:
    values = _values(raw)
    try:
        return date.fromisoformat(values[-1]) if values else None
    except ValueError:
        return None


def clean(filters: Filters, options: Options) -> Filters:
    """``filters`` with every value checked against ``options``, in canonical form.

    Values outside the options are dropped (a department must be one of the chosen clusters',
    an organisation one of the chosen clusters' and departments'); the date is kept within the
    loaded dates; choosing every cluster in scope is the same as choosing none.
    """
    as_at = min(max(filters.as_at, options.first_date), options.latest_date)
    clusters = _pick(filters.clusters, options.scope)
    if clusters == options.scope:
        clusters = ()
    departments = _pick(filters.departments, options.departments(clusters))
    organisations = _pick(filters.organisations, options.organisations_in(clusters, departments))
    grades = _pick(filters.grades, options.grades)
    return Filters(as_at, clusters, departments, organisations, grades)


def parse(params: Mapping[str, str | Sequence[str]], options: Options) -> Filters:
    """The filters a URL's query parameters ask for, checked (:func:`clean`).  A missing or
    unreadable date means the latest loaded extract date."""
    raw = Filters(
        as_at=_date(params.get("as_at")) or options.latest_date,
        clusters=tuple(_values(params.get("clusters"))),
        departments=tuple(_values(params.get("departments"))),
        organisations=tuple(_values(params.get("organisations"))),
        grades=tuple(_values(params.get("grades"))),
    )
    return clean(raw, options)


LISTS = ("clusters", *DIMENSIONS)  # the list filters, in the sidebar's order
NAMED = 5  # values named in a refusal, per filter; the rest are counted


def refused(
    params: Mapping[str, str | Sequence[str]], filters: Filters, options: Options
) -> dict[str, tuple[str, ...]]:
    """What a URL asked for that ``filters`` (the URL as :func:`parse` read it) does not hold, by
    filter, as written, once each: a cluster outside the scope or unknown, a department,
    organisation or grade unknown or outside the clusters (and departments) kept."""
    kept = {
        name: {v.casefold() for v in getattr(filters, name)} for name in LISTS if name != "clusters"
    }
    kept["clusters"] = {c.casefold() for c in filters.clusters_in(options.scope)}
    out = {}
    for name in LISTS:
        asked = dict.fromkeys(_values(params.get(name)))
        lost = tuple(v for v in asked if v.casefold() not in kept[name])
        if lost:
            out[name] = lost
    return out


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def refused_text(
    refusals: Mapping[str, Sequence[str]], show: Callable[[str], str] = str
) -> str | None:
    """One line naming what a link asked for and did not get (each value through ``show``,
    which escapes and cuts it for the page), or None if nothing was refused."""
    parts, total = [], 0
    for name in LISTS:
        values = list(refusals.get(name, ()))
        if not values:
            continue
        total += len(values)
        noun = "cluster" if name == "clusters" else NOUNS[name]
        words = [show(v) for v in values[:NAMED]]
        if len(values) > NAMED:
            words.append(f"{len(values) - NAMED} more")
        parts.append(f"{noun}{'s' if len(values) > 1 else ''} {_and(words)}")
    if not parts:
        return None
    return (
        f"The link asked for {_and(parts)}, outside your access or not offered here: "
        f"{'it was' if total == 1 else 'they were'} left out."
    )


def to_params(filters: Filters) -> dict[str, str]:
    """The query parameters that reopen ``filters``: the date, and each list in use."""
    params = {"as_at": filters.as_at.isoformat()}
    for name in ("clusters", *DIMENSIONS):
        if getattr(filters, name):
            params[name] = ",".join(getattr(filters, name))
    return params


# --- the sidebar ------------------------------------------------------------------------------

_STATE = "filters"  # the current Filters, kept across pages (widget state is per page)
_PAGE = "filters.page"  # the page the widgets were last drawn on
_REFUSED = "filters.refused"  # what the link that opened the session asked for and did not get
_KEY = {name: f"filter.{name}" for name in URL_KEYS}


def _seed(filters: Filters, force: bool) -> None:
    """Give each widget its value from ``filters`` where it has none (or on a new page)."""
    for name, key in _KEY.items():
        value = getattr(filters, name)
        if force or key not in st.session_state:
            st.session_state[key] = list(value) if isinstance(value, tuple) else value


def _keep(key: str, allowed: Iterable[str]) -> None:
    """Drop choices a dependent filter no longer offers, before its widget is drawn."""
    allowed = set(allowed)
    st.session_state[key] = [v for v in st.session_state.get(key, []) if v in allowed]


def _sync_url(params: Mapping[str, str]) -> None:
    for key in URL_KEYS:
        want = params.get(key)
        if want is None and key in st.query_params:
            del st.query_params[key]
        elif want is not None and st.query_params.get_all(key) != [want]:
            st.query_params[key] = want


def _show_latest(latest: date) -> None:
    st.session_state[_KEY["as_at"]] = latest


def sidebar(options: Options, page: str) -> Filters:
    """Draw the filters in the sidebar and return the view's filters.

    The first run of a session reads the URL; later runs keep the filters in session state,
    so they survive switching pages; every run writes them back to the URL."""
    kept = st.session_state.get(_STATE)
    if kept is None:
        params = {k: st.query_params.get_all(k) for k in st.query_params}
        current = parse(params, options)
        st.session_state[_REFUSED] = refused(params, current, options)
    else:
        current = clean(kept, options)
    _seed(current, force=kept is None or st.session_state.get(_PAGE) != page)
    st.session_state[_PAGE] = page
    key = _KEY

    with st.sidebar:
        st.header("Filters")
        chosen = st.session_state[key["as_at"]] or options.latest_date
        st.session_state[key["as_at"]] = min(max(chosen, options.first_date), options.latest_date)
        as_at = st.date_input(
            "As at",
            min_value=options.first_date,
            max_value=options.latest_date,
            format="DD/MM/YYYY",
            key=key["as_at"],
            help="Each cluster's figures come from its latest extract on or before this date.",
        )
        if as_at != options.latest_date:
            st.button(
                f"Show the latest data ({options.latest_date:%d/%m/%Y})",
                on_click=_show_latest,
                args=(options.latest_date,),
            )
        _keep(key["clusters"], options.scope)
        clusters = st.multiselect(
            "Clusters", options.scope, key=key["clusters"], placeholder="All clusters"
        )
        departments = options.departments(clusters)
        _keep(key["departments"], departments)
        chosen_departments = st.multiselect(
            "Departments",
            list(departments),
            format_func=lambda code: f"{departments[code]} ({code})",
            key=key["departments"],
            placeholder="All departments",
        )
        organisations = options.organisations_in(clusters, chosen_departments)
        _keep(key["organisations"], organisations)
        chosen_organisations = st.multiselect(
            "Organisations",
            list(organisations),
            format_func=lambda code: f"{organisations[code]} ({code})",
            key=key["organisations"],
            placeholder="All organisations",
        )
        _keep(key["grades"], options.grades)
        grades = st.multiselect(
            "Grades",
            list(options.grades),
            format_func=lambda grade: "Not recorded" if grade == UNKNOWN else grade,
            key=key["grades"],
            placeholder="All grades",
        )

    filters = clean(
        replace(
            current,
            as_at=as_at or options.latest_date,
            clusters=tuple(clusters),
            departments=tuple(chosen_departments),
            organisations=tuple(chosen_organisations),
            grades=tuple(grades),
        ),
        options,
    )
    st.session_state[_STATE] = filters
    _sync_url(to_params(filters))
    return filters


def link_refusals() -> dict[str, tuple[str, ...]]:
    """What the link that opened this session asked for and did not get (kept for the
    session: the URL no longer names it once the sidebar has rewritten it)."""
    return st.session_state.get(_REFUSED) or {}
