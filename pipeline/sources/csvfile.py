"""Reading one native CSV: its bytes and their encoding, its header, its rows.

**The encoding rule.**  A mapping declares ``utf-8`` or ``cp1252``; a file in the other one
is refused (its text would be wrong silently: ``é`` read as ``Ã©``, or not read at all):

* declared ``utf-8``: every byte must decode as UTF-8 (a leading byte-order mark is ignored).
  A cp1252 file with any accented letter, ``£`` or curly quote fails at that byte;
* declared ``cp1252``: refused if it starts with a UTF-8 byte-order mark (a claim of UTF-8),
  if it holds one of the five bytes cp1252 leaves undefined, or if it has non-ASCII bytes and
  every one of them is part of a well-formed UTF-8 sequence.  Real cp1252 text almost never
  is: ``é`` is the single byte E9, which UTF-8 only allows before two continuation bytes, so
  the file would have to contain nothing but mojibake-like pairs such as ``Ã©``.  A file of
  plain ASCII is the same in both and is accepted either way.

The scan reads the file once, takes its sha256 (unless the run has it already) and decodes
it whole; the fault names the line (counted from 1, the header being line 1) and the byte,
never the text around it.  It keeps the text, as UTF-8 (cp1252 transcoded), and the rows are
parsed from those same bytes by polars as text (``infer_schema=False``), then handed to
DuckDB; the file is read once per run and nothing is done per row in Python.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa

BOM = codecs.BOM_UTF8
CHUNK = 1 << 20
BATCH_ROWS = 1 << 14  # rows per Arrow batch handed to DuckDB (in_batches)
ROW = "_row"


@dataclass(frozen=True)
class Scan:
    sha256: str
    fault: str | None  # why the bytes are not in the declared encoding, or None
    data: bytes | None = field(default=None, repr=False)  # as UTF-8, no BOM; None on a fault


def scan(path: Path, encoding: str, mapping_file: str, sha256: str | None = None) -> Scan:
    """sha256 of the file and whether its bytes are in ``encoding`` (module docstring), from
    one read of the file, whose text it keeps (as UTF-8) for :func:`read_rows`: the rows are
    then parsed from the very bytes that were checked.  ``sha256``: the digest already taken
    of the file in this run (the delivery's fingerprint), not computed again."""
    raw = path.read_bytes()
    digest = sha256 or hashlib.sha256(raw).hexdigest()
    body, fault = raw, None
    if raw.startswith(BOM):
        if encoding == "cp1252":
            fault = f"starts with a UTF-8 byte-order mark, but {mapping_file} says cp1252"
        body = raw[len(BOM) :]
    if fault:
        return Scan(digest, fault)
    if body.isascii():  # the same text in both encodings, and already UTF-8
        return Scan(digest, None, body)
    utf8_ok = True
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        # a sequence cut short by the end of the file is judged apart (as the chunked scan
        # did): every byte before it is UTF-8
        truncated = error.reason == "unexpected end of data"
        utf8_ok = truncated
        if encoding == "utf-8":
            fault = (
                f"not UTF-8 as {mapping_file} says: it ends inside a UTF-8 sequence"
                if truncated
                else _bad_byte(error, 1, "UTF-8", mapping_file)
            )
    if encoding == "utf-8":
        return Scan(digest, fault, None if fault else body)
    try:
        text = body.decode("cp1252")
    except UnicodeDecodeError as error:
        return Scan(digest, _bad_byte(error, 1, "cp1252", mapping_file))
    if utf8_ok:
        fault = (
            f"is UTF-8, not cp1252 as {mapping_file} says: all its non-ASCII bytes are UTF-8"
            ' sequences; set encoding = "utf-8" in the mapping'
        )
        return Scan(digest, fault)
    return Scan(digest, None, text.encode("utf-8"))


def _bad_byte(error: UnicodeDecodeError, lines: int, name: str, mapping_file: str) -> str:
    """Where the first byte that is not ``name`` is, without the text around it (``lines``:
    the line the error's ``object`` starts on)."""
    decoded, at = error.object, error.start
    line = lines + decoded.count(b"\n", 0, at)
    hint = ' (a cp1252 export? set encoding = "cp1252")' if name == "UTF-8" else ""
    return (
        f"not {name} as {mapping_file} says: byte 0x{decoded[at]:02X} on line {line}"
        f" is not {name}{hint}"
    )


def read_bytes(path: Path, encoding: str) -> bytes:
    """The file as UTF-8 without a byte-order mark (cp1252 transcoded in chunks)."""
    if encoding != "cp1252":
        data = path.read_bytes()
        return data[len(BOM) :] if data.startswith(BOM) else data
    decoder = codecs.getincrementaldecoder("cp1252")()
    out = io.BytesIO()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            out.write(decoder.decode(chunk).encode("utf-8"))
    return out.getvalue()


def header(data: bytes) -> list[str]:
    """The header line's column names (RFC 4180 quoting), from the first MiB of the text a
    :func:`scan` kept (UTF-8, no byte-order mark): the file is not opened again."""
    text = data[:CHUNK].decode("utf-8", "replace")  # a character cut at the MiB: replaced
    return next(csv.reader(io.StringIO(text, newline="")), [])


class MalformedCsv(ValueError):
    """The rows cannot be split into fields; the message never quotes the file's text."""


def read_rows(data: bytes, columns: list[str]) -> pl.DataFrame:
    """Every data row as text (empty is null), with ``_row`` (0-based), in file order."""
    try:
        frame = pl.read_csv(
            data,
            has_header=True,
            separator=",",
            quote_char='"',
            infer_schema=False,
            columns=columns,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError as error:
        if "more fields" in str(error):
            raise MalformedCsv("a row has more fields than the header") from None
        raise MalformedCsv("its rows cannot be split into fields") from None
    return frame.with_row_index(ROW)


def in_batches(table: pa.Table) -> pa.Table:
    """The same table as record batches of :data:`BATCH_ROWS` (slices, no copy): DuckDB scans
    an Arrow table's batches in parallel, and polars hands over one batch per file, so a file
    of 60,000 rows would otherwise be conformed on one core."""
    return pa.Table.from_batches(table.to_batches(max_chunksize=BATCH_ROWS), table.schema)
