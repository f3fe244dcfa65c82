"""Pre-aggregated marts, rebuilt by the ingest so that the pages' month-end metrics read a few
thousand rows instead of recomputing every month-end's workforce.

``month_end_groups`` (its definition: ``queries/sql/_month_end_groups.sql``) holds, for every
covered month-end, headcount, FTE, paybill and leavers by cluster, department, organisation
and grade.  Its rows come from the same as-at views the metrics use (the macros of
``queries/sql/_common.sql``), so the one-person-one-count rule stays defined once.

After a load, only the month-ends a changed snapshot can reach are rebuilt: from the month-end
before the earliest changed extract date (whose leavers depend on the next month-end), and at
least the last month-end on or before the latest extract (whose leavers are read against the
latest snapshots), then the view after the latest extract.  So a night rebuilds one or two
month-ends' views; a changed register or schema rebuilds all.
"""

from __future__ import annotations

from datetime import date

import duckdb

from core.dates import month_ends
from pipeline.sql import transaction
from queries.runner import SQL_DIR, prepare

MONTH_END_GROUPS_SQL = SQL_DIR / "_month_end_groups.sql"
# The first month-end on or after the first cluster extract, the last on or before the latest
# one, and the first after the latest one.
BOUNDS_SQL = (
    "SELECT CAST(last_day(min(extract_date)) AS DATE),"
    " month_end_on_or_before(max(extract_date)),"
    " CAST(last_day(max(extract_date) + INTERVAL 1 DAY) AS DATE)"
    " FROM snapshots WHERE CAST(feed AS VARCHAR) <> 'PROGRAMME'"
)
# Month-ends built per statement: the build holds every person at each of them (about 0.55M at
# scale 1), so a whole history at once peaked at 3.3 GB; in chunks of 3 (overlapping by one
# month-end) the whole scale-1 ingest peaks at about 1.0 GB, in the same time.
CHUNK = 3
GROUP_COLUMNS = "cluster, department, organisation_code, grade, headcount, fte, paybill_gbp"


def refresh_month_end_groups(con: duckdb.DuckDBPyConnection, since: date | None) -> int:
    """Rebuild the month-end mart from the month-end before ``since`` (everything when None),
    in one transaction; returns the month-ends rebuilt (the view after the latest extract
    included)."""
    text = MONTH_END_GROUPS_SQL.read_text()
    with prepare(con, text, BOUNDS_SQL) as cursor, transaction(cursor):
        return _rebuild(cursor, text, since)


def _rebuild(cursor: duckdb.DuckDBPyConnection, text: str, since: date | None) -> int:
    first, last, after = cursor.execute(BOUNDS_SQL).fetchone() or (None, None, None)
    if after is None:  # no cluster extract loaded
        cursor.execute("DELETE FROM month_end_groups")
        cursor.execute("DELETE FROM latest_groups")
        return 0
    start = after if last is None or first > last else first
    if since is not None:
        (before,) = cursor.execute(
            "SELECT CAST(last_day(CAST($d AS DATE) - INTERVAL 1 MONTH) AS DATE)", {"d": since}
        ).fetchone()
        start = max(start, before)  # never after `last`: since is on or before the latest
    cursor.execute("DELETE FROM month_end_groups WHERE month_end >= $d", {"d": start})
    cursor.execute("DELETE FROM latest_groups")
    ends = month_ends(start, after)
    for i in range(0, len(ends) - 1, CHUNK):
        # Month-ends ends[i] .. ends[i + CHUNK]: the last one only tells the others' leavers
        # (it is the first of the next chunk), unless it is `after`, the latest view.
        low, high = ends[i], ends[min(i + CHUNK, len(ends) - 1)]
        keep = "month_end <= $high" if high == after else "month_end < $high"
        cursor.execute(
            f"CREATE OR REPLACE TEMP TABLE built AS SELECT * FROM ({text}) WHERE {keep}",
            {"date_from": low, "date_after": high, "high": high},
        )
        cursor.execute(
            f"INSERT INTO month_end_groups SELECT month_end, {GROUP_COLUMNS}, leavers FROM built"
            " WHERE month_end < $after ORDER BY month_end, cluster, organisation_code, grade",
            {"after": after},
        )
        cursor.execute(
            f"INSERT INTO latest_groups SELECT {GROUP_COLUMNS} FROM built"
            " WHERE month_end = $after ORDER BY cluster, organisation_code, grade",
            {"after": after},
        )
    if len(ends) == 1:  # only the view after the latest extract
        cursor.execute(
            f"INSERT INTO latest_groups SELECT {GROUP_COLUMNS} FROM ({text})"
            " WHERE month_end = $date_after ORDER BY cluster, organisation_code, grade",
            {"date_from": after, "date_after": after},
        )
    return len(ends)
