"""Conforming only the lines that changed since the cluster's previous delivery in the run.

A cluster's workers file changes little from one night to the next: of SYNERGY's 271,000
lines, about 7% differ from the month-end before and 0.3% from the night before.  Conforming
every line again (parsing, trimming, eight mapping joins, the HMAC of each NI number) is most
of what a native delivery costs beyond a contract one.  So, within one ingest run:

* each data line of a file gets a 128-bit hash (two 64-bit polars hashes with different
  seeds), computed over the text the encoding check kept;
* the lines whose hash the cluster's previous delivery of the same file had, under the same
  mapping bytes, header line and secret (:func:`memo_key`), take that delivery's conformed row;
* only the other lines are parsed and conformed (:func:`pipeline.sources.conform.conform_file`),
  and the file's ``stage_<file>`` is then the same as conforming it whole: same rows, same
  ``_row`` (the line's place in the file), same values.

What is kept between deliveries, in the load's own DuckDB connection (temp tables, gone with
the run): per cluster and file, the last delivery's conformed rows (``memo_<CLUSTER>_<file>``),
each with its line's hash and, for the age band, the whole months it holds for
(:func:`pipeline.sources.person_key.band_months_sql`): a row is reused only for an extract date
inside them, otherwise conformed again.  Never a line's text, an NI number or a date of birth.
Rows the conforming quarantined are not kept (they are conformed again, with their reasons).

A file is conformed whole, as before, when its lines cannot be taken one by one: a line with
an odd number of ``"`` (a quoted field running over two lines), a blank line, or a line count
other than the manifest's rows; then the ordinary path gives its ordinary refusal.  Within a
run, a cluster's last delivery keeps nothing (its memo is dropped).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb
import polars as pl

from pipeline.sources.csvfile import ROW, read_rows
from pipeline.sql import ident

HASHES = ("_h1", "_h2")
BAND = ("_band_from", "_band_until")
KEYS = "memo_keys"
TEXT = "_line"
_SENTINEL = "\x1f"  # not in a CSV line worth reusing: a line holding it is a second field


@dataclass
class Lines:
    """A file's data lines, each with its place in the file (``_row``) and its hashes."""

    header: str
    body: pl.DataFrame  # _row (u32), _h1, _h2 (u64), _line (its text)
    unique: bool  # no two lines with the same hash: the file's rows can be kept


def split(data: bytes, rows: int) -> Lines | None:
    """The lines of a native file's text (UTF-8), or None when they cannot be taken one by one
    (module docstring)."""
    try:
        frame = pl.read_csv(
            data,
            has_header=False,
            separator=_SENTINEL,
            quote_char=None,
            infer_schema=False,
            new_columns=[TEXT],
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        return None
    if frame.width != 1 or frame.height != rows + 1:
        return None
    header, body = frame[0, TEXT], frame.slice(1)
    text = body[TEXT]
    if header is None or text.null_count():
        return None  # a blank line: read as the ordinary path reads it
    quoted = data.find(b'"') >= 0  # a quoted field over two lines leaves lines of odd quotes
    if quoted and (
        header.count('"') % 2 or (text.str.count_matches('"', literal=True) % 2 == 1).any()
    ):
        return None
    body = body.with_row_index(ROW).with_columns(
        text.hash(seed=1).alias(HASHES[0]), text.hash(seed=2).alias(HASHES[1])
    )
    return Lines(header, body, unique=not body[HASHES[0]].is_duplicated().any())


def memo_key(mapping_sha256: str, header: str, secret: str) -> str:
    """What a kept row depends on besides its line and the extract date."""
    parts = (mapping_sha256, header, hashlib.sha256(secret.encode("utf-8")).hexdigest())
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def memo_name(cluster: str, stem: str) -> str:
    return f"memo_{cluster}_{stem}"


def _keys(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {KEYS} (memo VARCHAR PRIMARY KEY, key VARCHAR)")


def has_memo(con: duckdb.DuckDBPyConnection, cluster: str, stem: str, key: str | None) -> bool:
    """Whether rows of the cluster's file are kept (under ``key``, if given)."""
    _keys(con)
    found = con.execute(
        f"SELECT key FROM {KEYS} WHERE memo = $m", {"m": memo_name(cluster, stem)}
    ).fetchall()
    return bool(found) and (key is None or found[0][0] == key)


def reuse(
    con: duckdb.DuckDBPyConnection,
    lines: Lines,
    *,
    cluster: str,
    stem: str,
    key: str,
    extract_date,
) -> pl.Series | None:
    """The ``_row`` of the lines to conform: those the cluster's kept rows do not have (or
    whose age band may have moved on); None when nothing is kept (conform them all).  The
    lines stay registered (``lines_<stem>``) for :func:`add_hits`."""
    if not has_memo(con, cluster, stem, key):
        return None
    con.register("lines_" + stem, lines.body.select(ROW, *HASHES).to_arrow())
    misses = con.execute(
        f"SELECT {ROW} FROM {_hits(cluster, stem, 'ANTI')} ORDER BY {ROW}", {"d": extract_date}
    ).fetchnumpy()[ROW]
    return pl.Series(ROW, misses, dtype=pl.UInt32)


def _hits(cluster: str, stem: str, join: str) -> str:
    """FROM-clause of the lines (``l``) with (``join`` = "") or without ("ANTI") a kept row
    (``m``) that holds for the extract date (``$d``)."""
    return (
        f"{ident('lines_' + stem)} AS l {join} JOIN {ident(memo_name(cluster, stem))} AS m"
        " ON m._h1 = l._h1 AND m._h2 = l._h2 AND (m._band_from IS NULL OR ($d >= m._band_from"
        " AND (m._band_until IS NULL OR $d < m._band_until)))"
    )


def rows_to_conform(
    data: bytes, lines: Lines, misses: pl.Series | None, columns: list[str]
) -> pl.DataFrame | None:
    """The rows of the lines to conform (all when ``misses`` is None), as
    :func:`~pipeline.sources.csvfile.read_rows` gives them but each at its ``_row`` in the
    file and with its hashes; None if the parse disagrees with the lines (then conform whole)."""
    if misses is None:
        chosen, rows = lines.body, read_rows(data, columns)
    else:
        chosen = lines.body.filter(pl.col(ROW).is_in(misses.implode()))
        rows = read_rows(_csv(lines.header, chosen[TEXT]), columns)
    if rows.height != chosen.height:
        return None
    return rows.with_columns(chosen[ROW], chosen[HASHES[0]], chosen[HASHES[1]])


def _csv(header: str, text: pl.Series) -> bytes:
    """A CSV of the header and the given lines (each a whole row: :func:`split` saw to it)."""
    body = text.str.join("\n").item() if len(text) else ""
    return f"{header}\n{body}\n".encode()


def add_hits(
    con: duckdb.DuckDBPyConnection, cluster: str, stem: str, columns: list[str], extract_date
) -> None:
    """Put the kept rows of the lines seen before into ``stage_<stem>`` (at their ``_row`` now)
    beside the lines just conformed: the contract ``columns``, hashes and band months (the
    helper columns left null: a kept row has no fault of conforming)."""
    names = ", ".join(f"m.{ident(c)}" for c in [*columns, *HASHES, *BAND])
    try:
        con.execute(
            f"INSERT INTO {ident('stage_' + stem)} BY NAME"
            f" SELECT l.{ROW}, {names} FROM {_hits(cluster, stem, '')}",
            {"d": extract_date},
        )
    finally:
        con.unregister("lines_" + stem)


def keep(
    con: duckdb.DuckDBPyConnection, *, cluster: str, stem: str, key: str | None, more: bool
) -> None:
    """At the end of a delivery's load: when another delivery of the cluster follows in the
    run and the file's lines were hashed (``key``), its conformed rows (less the quarantined
    ones) become the cluster's kept rows; with no delivery to follow, the kept rows are let go.
    (A file conformed whole, without hashes, leaves the kept rows as they were.)"""
    if more and key is None:
        return
    _keys(con)
    con.execute(f"DELETE FROM {KEYS} WHERE memo = $m", {"m": memo_name(cluster, stem)})
    name = ident(memo_name(cluster, stem))
    con.execute(f"DROP TABLE IF EXISTS temp.{name}")
    if not more:
        return
    stage = ident("stage_" + stem)
    con.execute(
        f"DELETE FROM {stage} WHERE {ROW} IN (SELECT {ROW} FROM {ident('conform_faults_' + stem)})"
    )
    con.execute(f"ALTER TABLE temp.{stage} RENAME TO {name}")
    con.execute(f"INSERT INTO {KEYS} VALUES ($m, $k)", {"m": memo_name(cluster, stem), "k": key})


def complete_raw(
    con: duckdb.DuckDBPyConnection, stem: str, lines: Lines, columns: list[str], never: list[str]
) -> None:
    """Before the quarantine: add to ``raw_<stem>`` the reused rows that broke a rule (the
    contract's rules run over every row; only conformed lines were read into ``raw_``),
    parsed from their lines, less the columns never kept."""
    raw, faults = ident("raw_" + stem), ident("faults_" + stem)
    wanted = con.sql(
        f"SELECT {ROW} FROM {faults} ANTI JOIN {raw} USING ({ROW}) ORDER BY {ROW}"
    ).pl()
    if wanted.is_empty():
        return
    chosen = lines.body.filter(pl.col(ROW).is_in(wanted[ROW].implode()))
    extra = read_rows(_csv(lines.header, chosen[TEXT]), columns)
    extra = extra.with_columns(chosen[ROW]).drop(never)
    kept = con.sql(f"SELECT * FROM {raw}").pl()
    con.unregister("raw_" + stem)
    con.register("raw_" + stem, pl.concat([kept, extra.select(kept.columns)]).to_arrow())
