"""The project's own error types, translated to exit codes and one-line messages by the CLI,
and :func:`printable`, which every message passes through before it reaches a terminal.

Folder names, file names, manifest values and column names come from the landing zone, which
a cluster (or anyone who can write there) controls.  Printed raw, an escape sequence such as
``\\x1b[2J`` clears the operator's screen, ``\\x1b]8;;...`` plants a link, a bidi override makes
a name read backwards, and a newline forges a second line of the summary ("loaded: ...").
"""

from __future__ import annotations

import unicodedata

# Control characters, format characters (bidi overrides, zero-width spaces) and the Unicode
# line and paragraph separators, and the lone surrogates that stand for bytes of a file name
# that is not UTF-8 (they cannot even be written out): none has a visible glyph of its own.
_HIDDEN = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


class UsageError(Exception):
    """Bad usage or bad input to a command itself: exit 2 with this one-line message."""


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return (
        f"\\x{code:02x}"
        if code <= 0xFF
        else f"\\u{code:04x}"
        if code <= 0xFFFF
        else f"\\U{code:08x}"
    )


def printable(text: object) -> str:
    """``text`` safe to print on a terminal, on one line: each control or format character
    written as its Python escape (``\\x1b``, ``\\n``, ``\\u202e``), everything else as it is."""
    value = str(text)
    if value.isprintable():  # the usual case: nothing to do (spaces are printable)
        return value
    return "".join(_escape(c) if unicodedata.category(c) in _HIDDEN else c for c in value)
