"""The programme register as at a date, one row per milestone, and the lists the Programme page
shows from it: which milestones are overdue, which slipped and by how many days, which carry
each delivery-confidence rating, and the milestone table in plain words.

Why not a metric.  ``queries/sql/milestones.sql`` counts milestones by cluster, stage and
rating (its headline counts stay the page's numbers); a leader also needs to know *which*
milestones stand behind a count, so this reads the same register (``milestones_as_at``), in the
same scope, and flags each milestone with the contract's definitions (extracts.md §7):
achieved when its actual date is on or before the date; overdue when not achieved and its
forecast date (else its baseline) is before it; slipped when its actual date (else its
forecast) is after its baseline.  Tests hold the two to the same counts.

The frames returned keep the delivery's text as it came: titles and owners are hostile, and
are shown only through ``st.dataframe`` (text as text) or :mod:`dashboard.safe_text`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl
import streamlit as st

from dashboard import data, trail
from dashboard.charts.milestones import DCA_LABELS, STAGE_LABELS, milestone_name
from dashboard.headlines import cluster_rank

# Strategy-wide milestones (cluster ALL) belong to a scope that holds all five clusters, as in
# milestones.sql.  Values travel only as bound parameters.
REGISTER_SQL = """
SELECT cluster, milestone_id, title, stage, coalesce(dca_rating, 'unknown') AS dca_rating,
       owner, baseline_date, forecast_date, actual_date,
       date_diff('day', baseline_date, coalesce(actual_date, forecast_date)) AS slip_days,
       coalesce(actual_date IS NOT NULL AND actual_date <= $as_at, false) AS achieved,
       coalesce(NOT (actual_date IS NOT NULL AND actual_date <= $as_at)
                AND coalesce(forecast_date, baseline_date) < $as_at, false) AS overdue,
       coalesce(coalesce(actual_date, forecast_date) > baseline_date, false) AS slipped
FROM milestones_as_at($as_at)
WHERE list_contains($clusters, cluster)
   OR (cluster = 'ALL' AND len(list_distinct($clusters)) = 5)
ORDER BY milestone_id
"""
DATE = st.column_config.DateColumn(format="D MMM YYYY")
DCA_HELP = (
    "Delivery confidence assessment (DCA): the programme's judgement of how likely the "
    "milestone is to be delivered on time and to budget, on the IPA (now NISTA) scale: Green, "
    "Amber/green, Amber, Amber/red, Red (a three-point scale uses Green, Amber and Red)."
)
STAGE_HELP = (
    "Business case stages (HM Treasury's Green Book): SOC is the strategic outline case, OBC "
    "the outline business case and FBC the full business case; then procurement, contract "
    "award, go-live and decommissioning the old systems."
)
SLIP_HELP = (
    "Days between the baseline date and the actual date (else the forecast date): positive "
    "means later than the baseline, negative earlier."
)


@st.cache_data(ttl=data.CACHE_TTL, max_entries=256, show_spinner=False)
def _register(path: str, as_at: date, clusters: tuple[str, ...]) -> pl.DataFrame:
    return data.read(path, REGISTER_SQL, {"as_at": as_at, "clusters": list(clusters)})


def register(as_at: date, clusters: Iterable[str]) -> pl.DataFrame:
    """Each milestone of the register as at ``as_at`` in the caller's scope, grouped by
    cluster (the contract's order, strategy-wide last) then by baseline date, with
    ``slip_days`` and the ``achieved``, ``overdue`` and ``slipped`` flags."""
    frame = _register(data.warehouse_path(), as_at, data.scoped(clusters))
    trail.note(rows=frame.height)
    return by_cluster(frame)


def by_cluster(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` ordered by cluster (strategy-wide last), baseline date and id."""
    if frame.is_empty():
        return frame
    rank = {c: i for i, c in enumerate(sorted(frame["cluster"].unique(), key=cluster_rank))}
    return (
        frame.with_columns(
            pl.col("cluster").replace_strict(rank, return_dtype=pl.Int64).alias("_r")
        )
        .sort("_r", "baseline_date", "milestone_id")
        .drop("_r")
    )


def rating_counts(frame: pl.DataFrame) -> dict[str, int]:
    """Milestones per rating, best first (``DCA_LABELS``' order), ratings held only."""
    held = dict(frame.group_by("dca_rating").len().iter_rows()) if not frame.is_empty() else {}
    extra = sorted(set(held) - set(DCA_LABELS))
    return {r: held[r] for r in [*DCA_LABELS, *extra] if held.get(r)}


def slipped(frame: pl.DataFrame) -> pl.DataFrame:
    """The slipped milestones, largest slip first."""
    return frame.filter(pl.col("slipped")).sort(
        "slip_days", "milestone_id", descending=[True, False]
    )


def overdue(frame: pl.DataFrame) -> pl.DataFrame:
    """The overdue milestones, longest overdue (earliest due date) first."""
    due = pl.coalesce("forecast_date", "baseline_date")
    return frame.filter(pl.col("overdue")).sort(due, "milestone_id")


def names(frame: pl.DataFrame) -> list[str]:
    """Each milestone as ``SYNERGY · X1 Go-live`` (not yet escaped: pass through
    :func:`dashboard.safe_text.safe_markdown` to print)."""
    return [f"{row['cluster']} · {milestone_name(row)}" for row in frame.iter_rows(named=True)]


def _plain(column: str, labels: dict[str, str]) -> pl.Expr:
    return pl.col(column).replace_strict(labels, default=pl.col(column), return_dtype=pl.String)


def _status() -> pl.Expr:
    return (
        pl.when(pl.col("achieved"))
        .then(pl.lit("Achieved"))
        .when(pl.col("overdue"))
        .then(pl.lit("Overdue"))
        .otherwise(pl.lit("Not yet due"))
    )


def table(frame: pl.DataFrame) -> pl.DataFrame:
    """The milestone table in plain words: ratings and stages as they read, no codes."""
    return frame.select(
        pl.col("cluster").alias("Cluster"),
        pl.col("milestone_id").alias("Milestone"),
        pl.col("title").alias("Title"),
        _plain("stage", STAGE_LABELS).alias("Stage"),
        _plain("dca_rating", DCA_LABELS).alias("Rating"),
        _status().alias("Status"),
        pl.col("baseline_date").alias("Baseline"),
        pl.col("forecast_date").alias("Forecast"),
        pl.col("actual_date").alias("Actual"),
        pl.col("slip_days").alias("Days slipped"),
        pl.col("owner").alias("Owner"),
    )


def overdue_list(frame: pl.DataFrame, as_at: date) -> pl.DataFrame:
    """The overdue milestones of :func:`overdue`: who, when due, and how many days ago."""
    due = pl.coalesce("forecast_date", "baseline_date")
    return frame.select(
        pl.col("cluster").alias("Cluster"),
        pl.col("milestone_id").alias("Milestone"),
        pl.col("title").alias("Title"),
        due.alias("Due"),
        (pl.lit(as_at) - due).dt.total_days().alias("Days overdue"),
    )


def slip_list(frame: pl.DataFrame) -> pl.DataFrame:
    """The slipped milestones of :func:`slipped`: who, how late, and the dates."""
    return frame.select(
        pl.col("cluster").alias("Cluster"),
        pl.col("milestone_id").alias("Milestone"),
        pl.col("title").alias("Title"),
        pl.col("slip_days").alias("Days slipped"),
        pl.col("baseline_date").alias("Baseline"),
        pl.coalesce("actual_date", "forecast_date").alias("Actual or forecast"),
    )


TABLE_CONFIG = {
    "Stage": st.column_config.TextColumn("Stage", help=STAGE_HELP),
    "Rating": st.column_config.TextColumn("Rating", help=DCA_HELP),
    "Days slipped": st.column_config.NumberColumn("Days slipped", help=SLIP_HELP, format="%d"),
    "Days overdue": st.column_config.NumberColumn("Days overdue", format="%d"),
    **{name: DATE for name in ("Baseline", "Forecast", "Actual", "Actual or forecast", "Due")},
}
