"""The ingest's own error: a delivery that the contract says must be refused as a whole."""

from __future__ import annotations

from core.errors import printable


class DeliveryRefused(Exception):
    """A file-level fault, or too many bad rows: nothing of the delivery may be loaded.

    ``reason`` is one line naming the feed, the extract date, the file and the column or rule,
    e.g. ``SYNERGY 2026-10-31 employees.parquet: column fte has type string, expected double``.
    DuckDB and pyarrow errors are translated into this at the boundary, so callers never see
    a driver exception for a bad delivery.  The reason is stored in the load log and printed,
    so it is made one line and printable here (names from the landing zone are escaped with
    :func:`~core.errors.printable` where they are put in, which keeps their newlines).
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = printable(" ".join(reason.split()))  # always one line, no escape codes
