"""Versioned history: one row per version of a record, valid on its cluster's date axis.

A version is valid from ``valid_from`` (inclusive) to ``valid_to`` (exclusive; 9999-12-31 while
open), both loaded extract dates of its cluster.  Loading the snapshot of date ``s`` — a new
latest date, a late date or a restatement alike — sets the state on ``[s, n)``, where ``n`` is
the cluster's next loaded date after ``s`` (or 9999-12-31), and leaves every other date as it
was.  Because no version boundary lies strictly inside ``(s, n)``, the state there is the
version ``v`` of each key with ``v.valid_from <= s < v.valid_to``; only keys whose state there
differs from the new snapshot (changed, gone or new) are touched:

1. a changed version that runs on past ``n`` keeps that part: a copy from ``n`` is inserted;
2. it is cut at ``s`` when it began before ``s``, else deleted;
3. the key's new content covers ``[s, n)``: it extends a version ending at ``s`` and/or one
   starting at ``n`` when their content is identical (so history stays coalesced), else it
   is inserted.

All of it is set-based SQL whose work is proportional to the number of changed keys plus one
scan of the versions current at ``s``; unchanged records cost nothing per night.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from pipeline.sql import OPEN_END, bound, ident, idents


@dataclass(frozen=True)
class HistoryTable:
    name: str
    key: tuple[str, ...]  # identifies a record within a cluster
    content: tuple[str, ...]  # every other stored column (versions differ in these)


def _same(a: str, b: str, columns: tuple[str, ...]) -> str:
    return " AND ".join(f"{a}.{ident(c)} IS NOT DISTINCT FROM {b}.{ident(c)}" for c in columns)


def _keys_equal(a: str, b: str, columns: tuple[str, ...]) -> str:
    return " AND ".join(f"{a}.{ident(c)} = {b}.{ident(c)}" for c in columns)


def apply_snapshot(
    con: duckdb.DuckDBPyConnection,
    table: HistoryTable,
    new: str,
    *,
    cluster: str,
    extract_date: date,
    next_date: date | None,
    restating: bool,
) -> int:
    """Make ``table``'s state on [extract_date, next_date) equal to the rows of temp table
    ``new`` (which has the key and content columns, typed as the history).  ``restating``:
    the date was loaded before.  Returns the number of keys whose record changed; their keys
    stay in temp table ``hist_chg`` until the next call.  Runs inside the caller's
    transaction."""
    t, k, cols = ident(table.name), table.key, (*table.key, *table.content)
    params = {"cluster": cluster, "s": extract_date, "n": next_date or date.fromisoformat(OPEN_END)}

    def run(sql: str) -> None:
        con.execute(sql, bound(sql, params))

    first_key = ident(k[0])
    run(
        f"""CREATE OR REPLACE TEMP TABLE hist_chg AS
        WITH cur AS (
            SELECT rowid AS rid, {idents(cols)}, valid_from, valid_to FROM {t}
            WHERE cluster = $cluster AND valid_from <= $s AND $s < valid_to
        )
        SELECT {", ".join(f"coalesce(c.{ident(x)}, w.{ident(x)}) AS {ident(x)}" for x in k)},
            c.rid, c.valid_from AS cur_from, c.valid_to AS cur_to,
            w.{first_key} IS NOT NULL AS in_new
        FROM cur AS c FULL JOIN {ident(new)} AS w ON {_keys_equal("c", "w", k)}
        WHERE c.{first_key} IS NULL OR w.{first_key} IS NULL
            OR NOT ({_same("c", "w", table.content)})"""
    )
    changed, run_on, cut, drop = con.execute(
        """SELECT count(*), count(*) FILTER (cur_to > $n), count(*) FILTER (cur_from < $s),
            count(*) FILTER (cur_from >= $s) FROM hist_chg""",
        {"s": extract_date, "n": params["n"]},
    ).fetchone()
    if not changed:
        return 0
    # 1–2: keep what a changed version says after n; cut it at s or drop it.
    if run_on:
        run(
            f"""INSERT INTO {t} (cluster, {idents(cols)}, valid_from, valid_to)
            SELECT cluster, {idents(cols)}, $n, valid_to FROM {t}
            WHERE rowid IN (SELECT rid FROM hist_chg WHERE cur_to > $n)"""
        )
    if cut:
        run(
            f"UPDATE {t} SET valid_to = $s"
            " WHERE rowid IN (SELECT rid FROM hist_chg WHERE cur_from < $s)"
        )
    if drop:
        run(f"DELETE FROM {t} WHERE rowid IN (SELECT rid FROM hist_chg WHERE cur_from >= $s)")
    # 3: the new content on [s, n), merged with identical neighbours ending at s / starting at
    # n.  Version boundaries are loaded dates, so only a restated date can have a version
    # ending at it, and only a date with a later loaded one a version starting at n.
    insert = f"""SELECT {idents(cols, "w")} FROM {ident(new)} AS w
        SEMI JOIN hist_chg AS g ON {_keys_equal("w", "g", k)} AND g.in_new"""
    if not restating and next_date is None:
        run(
            f"""INSERT INTO {t} (cluster, {idents(cols)}, valid_from, valid_to)
            SELECT $cluster, {idents(cols)}, $s, $n FROM ({insert}) ORDER BY {idents(k)}"""
        )
        return changed
    neighbours = [
        (restating, "l", "valid_to = $s"),
        (next_date is not None, "r", "valid_from = $n"),
    ]
    joins = "".join(
        f"""
        LEFT JOIN (SELECT rowid AS rid, * FROM {t} WHERE cluster = $cluster AND {where}) AS {a}
            ON {_keys_equal(a, "ins", k)} AND {_same(a, "ins", table.content)}"""
        for present, a, where in neighbours
        if present
    )
    run(
        f"""CREATE OR REPLACE TEMP TABLE hist_merge AS
        SELECT ins.*, {"l.rid" if restating else "NULL"} AS l_rid,
            {"r.rid" if next_date else "NULL"} AS r_rid,
            {"r.valid_to" if next_date else "NULL"} AS r_to
        FROM ({insert}) AS ins {joins}"""
    )
    run(
        f"""UPDATE {t} SET valid_to = m.new_to
        FROM (
            SELECT l_rid, coalesce(r_to, $n) AS new_to FROM hist_merge WHERE l_rid IS NOT NULL
        ) AS m
        WHERE {t}.rowid = m.l_rid"""
    )
    run(
        f"DELETE FROM {t} WHERE rowid IN"
        " (SELECT r_rid FROM hist_merge WHERE l_rid IS NOT NULL AND r_rid IS NOT NULL)"
    )
    run(
        f"UPDATE {t} SET valid_from = $s WHERE rowid IN"
        " (SELECT r_rid FROM hist_merge WHERE l_rid IS NULL AND r_rid IS NOT NULL)"
    )
    run(
        f"""INSERT INTO {t} (cluster, {idents(cols)}, valid_from, valid_to)
        SELECT $cluster, {idents(cols)}, $s, $n FROM hist_merge
        WHERE l_rid IS NULL AND r_rid IS NULL ORDER BY {idents(k)}"""
    )
    return changed
