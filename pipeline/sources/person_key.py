"""The two values derived from what is never kept (sources.md §4): ``person_key`` from the
national insurance number and ``age_band`` from the date of birth.

person_key = the first 32 hex digits of HMAC-SHA256(secret, NI number in upper case without
spaces).  It is computed in SQL, as the standard HMAC construction over DuckDB's ``sha256``
(inner hash over the key XOR ipad and the message, outer over the key XOR opad and the inner
digest): the pads are derived from the secret here, once, and bound as parameters, so the NI
numbers of a file are hashed in one vectorised statement and never leave it.
:func:`person_key` is the same function in Python, for tests and for anyone checking a key.

:class:`KnownKeys` spares the two ``sha256`` calls (about 40% of conforming a workers file)
for the NI numbers the same ingest process keyed before: a run over a history meets each
person every night.  It lives in the process's memory only, as a polars frame, and dies with
it: never a DuckDB table (a temp table can spill to disk), a file or a log line.
"""

from __future__ import annotations

import hashlib
import hmac

import duckdb
import polars as pl

from pipeline.contract import AGE_BANDS
from pipeline.sources.csvfile import in_batches

NI_PATTERN = r"[A-Z]{2}[0-9]{6}[A-D]"  # after upper-casing and removing spaces
KEY_HEX_DIGITS = 32
SECRET_SETTING = "WORKFORCE_PERSON_KEY_SECRET"
_BLOCK = 64  # SHA-256's block size in bytes


def normalise_ni(text: str) -> str:
    return text.upper().replace(" ", "")


def person_key(ni_number: str, secret: str) -> str:
    """The person_key of an NI number (normalised here), as the ingest computes it."""
    digest = hmac.new(secret.encode("utf-8"), normalise_ni(ni_number).encode(), hashlib.sha256)
    return digest.hexdigest()[:KEY_HEX_DIGITS]


def hmac_pads(secret: str) -> tuple[bytes, bytes]:
    """(key XOR ipad, key XOR opad) of RFC 2104 for the secret's UTF-8 bytes."""
    key = secret.encode("utf-8")
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def normalised_sql(column: str) -> str:
    """SQL: the NI number column upper-cased, without spaces."""
    return f"replace(upper({column}), ' ', '')"


def valid_sql(normalised: str) -> str:
    """SQL: whether a normalised NI number is two letters, six digits and one of A-D."""
    return f"regexp_full_match({normalised}, '{NI_PATTERN}')"


def hmac_sql(normalised: str, ipad: str, opad: str) -> str:
    """SQL: the person_key of a normalised NI number (``ipad``/``opad``: placeholders bound to
    :func:`hmac_pads`)."""
    inner = f"from_hex(sha256({ipad} || encode({normalised})))"
    return f"left(sha256({opad} || {inner}), {KEY_HEX_DIGITS})"


def person_key_sql(column: str, ipad: str, opad: str) -> str:
    """SQL: the person_key of the NI number ``column``, null when it is not a valid number."""
    ni = normalised_sql(column)
    return f"CASE WHEN {valid_sql(ni)} THEN {hmac_sql(ni, ipad, opad)} END"


def age_sql(birth: str, on: str) -> str:
    """SQL: whole years from the date ``birth`` to the date ``on``."""
    return (
        f"(year({on}) - year({birth}) - CASE WHEN month({on}) * 100 + day({on})"
        f" < month({birth}) * 100 + day({birth}) THEN 1 ELSE 0 END)"
    )


def age_band_sql(age: str) -> str:
    """SQL: the contract's age band of an age in years; null under 16."""
    lows = [int(band.split("-")[0].rstrip("+")) for band in AGE_BANDS]
    cases = " ".join(
        f"WHEN {age} >= {low} THEN '{band}'"
        for low, band in sorted(zip(lows, AGE_BANDS, strict=True))[::-1]
    )
    return f"CASE {cases} END"


class KnownKeys:
    """The person_key of each NI number (as delivered, trimmed) keyed so far in this process,
    under one secret, in groups (a cluster's mapping file: its people come back each night,
    and a small group is quicker to look in); in Python memory only (module docstring)."""

    def __init__(self) -> None:
        self._pads: tuple[bytes, bytes] | None = None
        self._known: dict[str, pl.DataFrame] = {}

    def __len__(self) -> int:
        return sum(frame.height for frame in self._known.values())

    def lookup(
        self, con: duckdb.DuckDBPyConnection, values: pl.Series, secret: str, group: str = ""
    ) -> pl.Series:
        """Each value's person_key (HMAC of it normalised), null where it is null; the caller
        nulls it where the value is not a valid NI number (as the SQL path does).  The ones
        not known yet are keyed by DuckDB (:func:`hmac_sql`, so the same key as the SQL path),
        in one statement over an Arrow view of them, and remembered."""
        pads = hmac_pads(secret)
        if pads != self._pads:  # another secret: nothing known holds under it
            self._known, self._pads = {}, pads
        known = self._known.get(group, _EMPTY)
        frame = pl.DataFrame({"raw": values})
        keys = frame.join(known, on="raw", how="left", maintain_order="left").get_column("key")
        new = values.filter(keys.is_null() & values.is_not_null()).unique()
        if not new.len():
            return keys
        found = _keyed(con, new, pads)
        self._known[group] = pl.concat([known, found], rechunk=True)
        fill = values.replace_strict(found.get_column("raw"), found.get_column("key"), default=None)
        return keys.fill_null(fill)


_EMPTY = pl.DataFrame(schema={"raw": pl.String, "key": pl.String})


def _keyed(con: duckdb.DuckDBPyConnection, values: pl.Series, pads: tuple[bytes, bytes]):
    """(raw, key) for each of ``values`` (distinct, not null), valid NI numbers or not."""
    view = "known_keys_new"  # a view of the Arrow array in Python memory, not a table
    con.register(view, in_batches(pl.DataFrame({"raw": values}).to_arrow()))
    try:
        ni = normalised_sql("raw")
        return con.sql(  # invalid numbers too (their key is never used: conform_file nulls it)
            f"SELECT raw, {hmac_sql(ni, '$ipad', '$opad')} AS key FROM {view}",
            params={"ipad": pads[0], "opad": pads[1]},
        ).pl()
    finally:
        con.unregister(view)
