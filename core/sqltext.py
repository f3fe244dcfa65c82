"""The one way an identifier enters SQL text: quoted, its quotes doubled.

Values are always bound (``$name``); identifiers (a contract's column, a database's name, a
metric's dimension checked against its fixed list) cannot be, so they are quoted here, once,
for the core, the queries and the pipeline alike.
"""

from __future__ import annotations


def quote(identifier: str) -> str:
    """``identifier`` as a quoted SQL identifier."""
    return '"' + identifier.replace('"', '""') + '"'
