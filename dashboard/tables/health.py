"""The Data health and Audit log pages' tables: the load records with their codes in words,
each feed's freshness beside its deliveries, the refusals, the values missing from a mapping
file, and the audit entries with their times as read.

The clusters' own text (a refusal's reason, an unmapped value) stays as delivered here: a
table draws its cells as text, never as Markdown, so nothing needs escaping for it.
"""

from __future__ import annotations

from datetime import date

import polars as pl

# The load log's outcome codes, in words.
LOAD_OUTCOMES = {
    "loaded": "Loaded",
    "loaded_with_quarantine": "Loaded, some rows held back",
    "restated": "Restated",
    "refused": "Refused",
}
# A feed's status as at a date (dashboard.data.feed_status), in words.
FEED_STATUS = {"current": "Current", "stale": "Stale", "absent": "No data"}
NO_STATUS = "Not applicable"  # the programme register: the clusters' figures do not use it
REFUSAL_COLUMNS = ("feed", "extract_date", "reason", "started_at", "load_id")


def outcomes_in_words(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """``frame`` with the outcome codes of ``column`` in words (:data:`LOAD_OUTCOMES`; a code
    not there as it is)."""
    return frame.with_columns(pl.col(column).replace(LOAD_OUTCOMES))


def load_log_table(log: pl.DataFrame) -> pl.DataFrame:
    """A ``load_log`` frame as the reader's table: its outcomes in words."""
    return outcomes_in_words(log, "outcome")


def freshness_table(summary: pl.DataFrame, status: pl.DataFrame) -> pl.DataFrame:
    """Each feed of a ``feed_summary`` with its status as at the date (a ``feed_status``
    frame, one row a cluster) and the extract it uses beside its deliveries: ``feed``,
    ``status`` in words (:data:`NO_STATUS` for a feed with none), ``snapshot_used``, then the
    summary's other columns, the last outcome in words."""
    feeds = outcomes_in_words(summary, "last_outcome")
    shown = status.select(
        pl.col("cluster").alias("feed"),
        pl.col("status").replace(FEED_STATUS),
        pl.col("extract_date").alias("snapshot_used"),
    )
    return (
        feeds.join(shown, on="feed", how="left")
        .select("feed", "status", "snapshot_used", *feeds.columns[1:])
        .with_columns(pl.col("status").fill_null(NO_STATUS))
    )


def refusals_table(refused: pl.DataFrame) -> pl.DataFrame:
    """The refused deliveries of a ``load_log`` frame as the reader's table: which feed and
    date, why, when and the load."""
    return refused.select(*REFUSAL_COLUMNS)


def dates_text(dates: list[date], limit: int = 4) -> str:
    """Extract dates for a table cell: ``31 Oct 2026, 30 Nov 2026``; past ``limit``, the first
    and the last with how many (``31 Oct 2026 to 31 Mar 2027, 6 dates``)."""
    shown = [f"{d.day} {d:%b %Y}" for d in dates]
    if len(shown) <= limit:
        return ", ".join(shown)
    return f"{shown[0]} to {shown[-1]}, {len(shown)} dates"


def unmapped_table(unmapped: pl.DataFrame) -> pl.DataFrame:
    """An ``unmapped_values`` frame as the reader's table: each value's extract dates as one
    line of text (:func:`dates_text`)."""
    return unmapped.with_columns(
        pl.col("extract_dates").map_elements(dates_text, return_dtype=pl.String)
    )


def audit_table(entries: pl.DataFrame) -> pl.DataFrame:
    """The audit log's entries as the Audit log page lists them: each time to the second, with
    a space for the ``T`` (``2026-11-30 23:18:04``; the log keeps ISO 8601 in UTC)."""
    return entries.with_columns(pl.col("at").str.slice(0, 19).str.replace("T", " "))
