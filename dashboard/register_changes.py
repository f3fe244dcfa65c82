"""What changed in the programme register between two of its versions (issue 15), for the
programme board: milestones slipped, brought forward, achieved, re-rated, added or removed, and
benefit lines moved (``queries/sql/register_changes.sql``), as a table and an Excel sheet.
Every role with the Programme page sees it, within its clusters."""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard import data, extracts, glossary, trail
from dashboard.identity import Caller

_VERSION_DATES = "SELECT extract_date FROM snapshots WHERE feed = 'PROGRAMME' ORDER BY 1"
CHANGE_COLUMNS = {
    "kind": "Kind", "item": "Milestone or benefit line", "title": "Title", "change": "Change",
    "field": "Field", "old_value": "Was", "new_value": "Becomes",
    "difference": "Difference (days, £ or hours)",
}  # fmt: skip


def default_pair(dates: list[date]) -> tuple[date, date]:
    """This month against last: the latest version, and the last version of the months before
    it (else the first version)."""
    later = dates[-1]
    earlier = [d for d in dates if d < later.replace(day=1)]
    return (earlier[-1] if earlier else dates[0]), later


def draw(who: Caller) -> None:
    """Two register versions (by default this month's against last month's) and what changed
    between them: a table, and an Excel sheet for the programme board."""
    assert who.grant is not None
    st.subheader("What changed in the register")
    dates = data.read(data.warehouse_path(), _VERSION_DATES)["extract_date"].to_list()
    if len(dates) < 2:
        st.caption("One version of the register so far: nothing to compare yet.")
        return
    earlier, later = default_pair(dates)
    left, right = st.columns(2)
    date_from = left.selectbox("From the version of", dates, index=dates.index(earlier),
                               key="programme.changes_from")  # fmt: skip
    date_to = right.selectbox("To the version of", dates, index=dates.index(later),
                              key="programme.changes_to")  # fmt: skip
    clusters = who.grant.clusters
    frame = data.metric("register_changes", clusters,
                        {"date_from": date_from, "date_to": date_to})  # fmt: skip
    if frame.is_empty():
        st.caption("Nothing changed between these two versions.")
        return
    shown = frame.select(list(CHANGE_COLUMNS)).rename(CHANGE_COLUMNS)
    st.dataframe(shown, hide_index=True)
    about = {
        "What": glossary.DEFINITIONS["register_changes"],
        "Versions": f"{date_from} to {date_to}",
        "Clusters": ", ".join(clusters),
    }
    st.download_button(
        "Download the changes (Excel)",
        trail.audited_file(
            lambda: extracts.to_excel(shown, about),
            who,
            "programme",
            "register-changes.xlsx",
            {"date_from": date_from, "date_to": date_to},
            frame.height,
            0,
            clusters=clusters,
        ),
        file_name=f"register-changes-{date_from}-to-{date_to}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        key="programme.changes_download",
    )
