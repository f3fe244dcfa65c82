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

The scan streams the file once, in chunks, together with its sha256; the fault names the
line (counted from 1, the header being line 1) and the byte, never the text around it.  The
rows are then read by polars as text (``infer_schema=False``), after transcoding cp1252 to
UTF-8 chunk by chunk, and handed to DuckDB; nothing is done per row in Python.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import polars as pl

BOM = codecs.BOM_UTF8
CHUNK = 1 << 20
ROW = "_row"


@dataclass(frozen=True)
class Scan:
    sha256: str
    fault: str | None  # why the bytes are not in the declared encoding, or None


def scan(path: Path, encoding: str, mapping_file: str) -> Scan:
    """sha256 of the file and whether its bytes are in ``encoding`` (module docstring)."""
    digest = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    cp1252 = codecs.getincrementaldecoder("cp1252")()
    fault: str | None = None
    utf8_ok, non_ascii, lines, first = True, False, 1, True
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
            if fault:
                continue
            body = chunk
            if first and chunk.startswith(BOM):
                if encoding == "cp1252":
                    fault = f"starts with a UTF-8 byte-order mark, but {mapping_file} says cp1252"
                body = chunk[len(BOM) :]
            first = False
            non_ascii = non_ascii or not body.isascii()
            if utf8_ok:
                try:
                    utf8.decode(body)
                except UnicodeDecodeError as error:
                    utf8_ok = False
                    if encoding == "utf-8":
                        fault = _bad_byte(error, lines, "UTF-8", mapping_file)
            if encoding == "cp1252" and not fault:
                try:
                    cp1252.decode(body)
                except UnicodeDecodeError as error:
                    fault = _bad_byte(error, lines, "cp1252", mapping_file)
            lines += body.count(b"\n")
    if not fault and utf8_ok and encoding == "utf-8":
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            fault = f"not UTF-8 as {mapping_file} says: it ends inside a UTF-8 sequence"
    if not fault and encoding == "cp1252" and non_ascii and utf8_ok:
        fault = (
            f"is UTF-8, not cp1252 as {mapping_file} says: all its non-ASCII bytes are UTF-8"
            ' sequences; set encoding = "utf-8" in the mapping'
        )
    return Scan(digest.hexdigest(), fault)


def _bad_byte(error: UnicodeDecodeError, lines: int, name: str, mapping_file: str) -> str:
    """Where the first byte that is not ``name`` is, without the text around it.  The error's
    ``object`` is what the decoder held: the chunk, after at most a few bytes of a sequence the
    previous chunk began (never a newline)."""
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


def header(path: Path, encoding: str) -> list[str]:
    """The header line's column names (RFC 4180 quoting), from the file's first MiB."""
    with path.open("rb") as handle:
        start = handle.read(CHUNK)
    start = start[len(BOM) :] if start.startswith(BOM) else start
    text = start.decode("cp1252" if encoding == "cp1252" else "utf-8", "replace")
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
