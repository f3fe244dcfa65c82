"""The query runner: one SQL file per metric, run with bound values and the caller's scope.

Every metric is one SQL file in ``queries/sql/``, with its definition beside it
(``<metric>.toml``, :mod:`queries.definitions`: its ``$parameters``, dimensions and columns).
The runner checks the caller's dimensions and filters against the metric's fixed list, renders
the three markers a file may hold and binds every value, a parameter's default (a published
rate) where the caller gives none:

* ``{{dims}}``: the chosen dimensions as a select list (each ``coalesce(.., 'unknown')``, so a
  null is reported as the group ``unknown``), ending with a comma, or nothing;
* ``{{filters}}``: `` AND list_contains($where_<dim>, <dim>)`` for each filtered dimension;
* ``{{group_key}}``: one text value identifying a row's group (for flows between groups).

Benefits and programme cost are never added together: a ``benefits`` or
``benefits_cumulative`` request that neither groups by ``measure`` nor filters it to one side
is refused (:data:`KEPT_APART`), for the pages, the extracts and the CLI alike.

Identifiers come only from the fixed dimension lists and are quoted by :func:`quote`; values
only ever travel as bound parameters.  No scope means no rows: ``$clusters`` is always bound,
and an empty list matches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

import duckdb

from core.feeds import CLUSTERS as CLUSTERS  # re-exported for the runner's callers
from core.sqltext import quote as quote  # re-exported: the runner quotes its dimensions
from queries.definitions import SQL_DIR, definition

if TYPE_CHECKING:  # polars is imported by DuckDB's .pl() when a caller asks for a frame
    import polars as pl

COMMON_SQL = SQL_DIR / "_common.sql"
_MARKER = re.compile(r"\{\{(\w+)\}\}")
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


class QueryError(ValueError):
    """A request the metric cannot answer: unknown dimension, bad filter, missing value."""


# One meaning per number (issue 12): the rows of these metrics hold benefits and programme cost,
# which are never added together.  So a request must group by the dimension that tells them
# apart, or filter it to one side (the Overview's benefits are the two benefit measures alone).
# metric -> (dimension, the sides that may be summed within themselves).
BENEFIT_MEASURES = frozenset({"cashable_saving", "non_cashable_efficiency"})
COST_MEASURES = frozenset({"programme_cost"})
KEPT_APART: dict[str, tuple[str, tuple[frozenset[str], ...]]] = {
    "benefits": ("measure", (BENEFIT_MEASURES, COST_MEASURES)),
    "benefits_cumulative": ("measure", (BENEFIT_MEASURES, COST_MEASURES)),
}


def _check_kept_apart(name: str, by: Sequence[str], where: Mapping[str, Sequence[str]]) -> None:
    """Refuse a request that would add benefits and programme cost together."""
    if name not in KEPT_APART:
        return
    dim, sides = KEPT_APART[name]
    if dim in by:
        return
    chosen = {str(v) for v in where.get(dim, ())}
    if chosen and any(chosen <= side for side in sides):
        return
    raise QueryError(
        f"{name} must be grouped by {dim}: benefits and programme cost are never added together"
    )


@dataclass(frozen=True)
class SqlFile:
    """A metric's SQL text and what its definition (``queries/sql/<name>.toml``) declares."""

    name: str
    text: str
    params: dict[str, str]  # name → declared type
    dimensions: tuple[str, ...]
    measures: tuple[str, ...]
    defaults: dict[str, object]  # the rates a caller may leave out


@cache
def load_sql(name: str) -> SqlFile:
    """``queries/sql/<name>.sql`` with its definition (:func:`queries.definitions.definition`)."""
    spec = definition(name)
    return SqlFile(
        name=name,
        text=(SQL_DIR / f"{name}.sql").read_text(),
        params={p.name: p.type for p in spec.parameters},
        dimensions=spec.dimensions,
        measures=tuple(c.name for c in spec.columns),
        defaults=spec.defaults,
    )


@dataclass(frozen=True)
class Request:
    """What a caller asks of a metric; ``clusters`` is the caller's scope (never implied)."""

    metric: str
    clusters: tuple[str, ...]
    params: Mapping[str, object] = field(default_factory=dict)
    by: tuple[str, ...] = ()
    where: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def render(sql: SqlFile, by: Sequence[str], where: Mapping[str, Sequence[str]]) -> tuple[str, dict]:
    """The SQL text with its markers filled, and the bound values the markers added."""
    for dim in (*by, *where):
        if dim not in sql.dimensions:
            allowed = ", ".join(sql.dimensions) or "none"
            raise QueryError(
                f"{sql.name} cannot be grouped or filtered by {dim!r} (allowed: {allowed})"
            )
    if len(set(by)) != len(by):
        raise QueryError(f"a dimension is repeated in {', '.join(by)}")
    _check_kept_apart(sql.name, by, where)
    dims = "".join(f"coalesce(CAST({quote(d)} AS VARCHAR), 'unknown') AS {quote(d)}, " for d in by)
    bound: dict[str, object] = {}
    filters = ""
    for dim, values in where.items():
        name = f"where_{dim}"
        bound[name] = [str(v) for v in values]
        filters += (
            f" AND list_contains(${name}, coalesce(CAST({quote(dim)} AS VARCHAR), 'unknown'))"
        )
    keys = ", ".join(f"coalesce(CAST({quote(d)} AS VARCHAR), 'unknown')" for d in by)
    group_key = f"concat_ws('|', {keys})" if by else "''"
    parts = {"dims": dims, "filters": filters, "group_key": group_key}

    def fill(match: re.Match[str]) -> str:
        return parts[match.group(1)]

    return _MARKER.sub(fill, sql.text), bound


def _check_params(sql: SqlFile, values: Mapping[str, object]) -> dict[str, object]:
    """The declared parameters' values: the caller's, else the definition's default."""
    values = {**sql.defaults, **values}
    missing = sorted(set(sql.params) - set(values))
    if missing:
        raise QueryError(f"{sql.name} needs {', '.join('$' + m for m in missing)}")
    out = {}
    for name, kind in sql.params.items():
        value = values[name]
        if kind == "DATE" and not isinstance(value, date):
            raise QueryError(f"${name} must be a date, got {value!r}")
        if kind == "INTEGER" and (isinstance(value, bool) or not isinstance(value, int)):
            raise QueryError(f"${name} must be a whole number, got {value!r}")
        out[name] = value
    return out


@cache
def _common_sql() -> str:
    return COMMON_SQL.read_text()


_MACRO = re.compile(r"^CREATE OR REPLACE TEMP MACRO (\w+)", re.MULTILINE)
_COMMENT = re.compile(r"--[^\n]*")


@cache
def _macros() -> dict[str, str]:
    """The statements of ``_common.sql`` by macro name, in the file's order."""
    text = _common_sql()
    found = list(_MACRO.finditer(text))
    ends = [m.start() for m in found[1:]] + [len(text)]
    return {m.group(1): text[m.start() : end] for m, end in zip(found, ends, strict=True)}


def _calls(sql: str) -> set[str]:
    code = _COMMENT.sub("", sql)
    return {name for name in _macros() if re.search(rf"\b{name}\s*\(", code)}


@cache
def _macros_for(uses: tuple[str, ...]) -> str:
    """The statements defining the macros the SQL texts call, and those these call."""
    wanted: set[str] = set()
    todo = set().union(*(_calls(sql) for sql in uses))
    while todo:
        name = todo.pop()
        wanted.add(name)
        todo |= _calls(_macros()[name]) - wanted - {name}
    return "".join(stmt for name, stmt in _macros().items() if name in wanted)


def prepare(con: duckdb.DuckDBPyConnection, *uses: str) -> duckdb.DuckDBPyConnection:
    """A cursor of ``con`` with the shared as-at macros defined on it: those the SQL texts
    ``uses`` call (each macro costs a few milliseconds to define), or all of them."""
    cursor = con.cursor()
    statements = _macros_for(uses) if uses else _common_sql()
    if statements:
        cursor.execute(statements)
    return cursor


def relation(cursor: duckdb.DuckDBPyConnection, request: Request) -> duckdb.DuckDBPyRelation:
    """The metric's rows as a DuckDB relation on a cursor from :func:`prepare`.

    Columns: the ``by`` columns in order, then the measures.
    """
    sql = load_sql(request.metric)
    text, bound = render(sql, request.by, request.where)
    values = _check_params(sql, {**request.params, "clusters": list(request.clusters)})
    bound.update(values)
    used = set(_PARAM.findall(text))
    rel = cursor.sql(text, params={k: v for k, v in bound.items() if k in used})
    return rel.select(*(quote(c) for c in (*request.by, *sql.measures)))


def run(con: duckdb.DuckDBPyConnection, request: Request) -> pl.DataFrame:
    """The metric's rows as a polars frame: the ``by`` columns in order, then the measures."""
    with prepare(con, load_sql(request.metric).text) as cursor:
        return relation(cursor, request).pl()


def feed_status(
    con: duckdb.DuckDBPyConnection, as_at: date, clusters: Sequence[str]
) -> pl.DataFrame:
    """Per cluster in scope: the snapshot used as at the date, and current / stale / absent."""
    sql = (
        "SELECT * FROM feed_status($as_at) WHERE list_contains($clusters, cluster) ORDER BY cluster"
    )
    with prepare(con, sql) as cursor:
        frame = cursor.sql(sql, params={"as_at": as_at, "clusters": list(clusters)}).pl()
    return frame
