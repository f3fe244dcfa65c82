"""The register editor of the Programme page (issue 15): the strategy office and administrators
change the milestone and benefits register here, one field at a time (:mod:`.register_forms`)
or as an Excel workbook downloaded and uploaded back; every other role reads it.  What a
session keeps, and how an edit is judged, saved and audited: :mod:`.register_session`.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from core.access import CLUSTERS
from core.register import workbook
from core.register.edits import differences
from core.register.versions import Register
from dashboard import register_forms, trail
from dashboard.identity import Caller, plain
from dashboard.register_session import OUTCOME, apply, can_edit, opened, under

UPLOAD = "register.upload"
_UPLOADED = "register.uploaded"  # the register read from the uploaded workbook


def _apply_upload(who: Caller) -> None:
    uploaded = st.session_state.get(_UPLOADED)
    reason = (st.session_state.get("register.upload.reason") or "").strip()
    if not isinstance(uploaded, Register):
        return
    if not reason:
        need = {"reason": ["Give the reason for these changes"]}
        st.session_state[OUTCOME] = {"faults": need, "form": UPLOAD}
        return
    start = opened()
    if start.version is not None and uploaded.based_on != start.version.load_id:
        st.session_state[OUTCOME] = {"error": (
            "The workbook was taken from another version of the register than the one in force "
            f"({start.version.describe()}): download the register again and re-apply your changes"
        )}  # fmt: skip
        return
    apply(who, lambda register: (uploaded, differences(register, uploaded, reason)), UPLOAD)


_READ = "register.read"  # the upload last read: (its file id, the register and faults)


def _read_once(file_id: str, data: bytes) -> tuple[Register, list]:
    """The uploaded workbook read once per upload, not again on every rerun while it stays in
    the uploader (a workbook may be up to 50 MB)."""
    kept = st.session_state.get(_READ)
    if kept is not None and kept[0] == file_id:
        return kept[1]
    result = workbook.read(data, date.today())
    st.session_state[_READ] = (file_id, result)
    return result


def workbook_section(who: Caller, register: Register, outcome: dict) -> None:
    """Download the register as a workbook, and upload an edited one (nothing is applied
    unless the whole workbook is valid, and then only with a reason)."""
    st.markdown("**The register in Excel**")
    rows = len(register.milestones) + len(register.benefits)
    version = register.version.describe() if register.version else "empty"
    st.download_button(
        "Download the register (Excel)",
        trail.audited_file(
            lambda: workbook.write(register),
            who,
            "programme",
            "register.xlsx",
            {"register": version},
            rows,
            0,
            clusters=CLUSTERS,
        ),
        file_name="register.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        key="register.download",
    )
    sent = st.file_uploader("Upload an edited register (.xlsx, at most 50 MB)", type=["xlsx"],
                            key="register.upload")  # fmt: skip
    if sent is None:
        st.session_state.pop(_UPLOADED, None)
        return
    try:
        uploaded, faults = _read_once(sent.file_id, sent.getvalue())
    except workbook.WorkbookRefused as refused:
        st.error(f"{plain(sent.name, 80)}: {plain(str(refused))}")
        return
    if faults:
        st.error(f"The workbook has {len(faults)} faults, so nothing was applied:")
        st.dataframe(pl.DataFrame(
            [{"Sheet": f.sheet, "Row": f.row, "Column": f.column, "Fault": f.message}
             for f in faults]
        ), hide_index=True)  # fmt: skip
        return
    changes = differences(register, uploaded, "")
    if not changes:
        st.info("The workbook holds the register as it is: nothing to apply.")
        return
    st.session_state[_UPLOADED] = uploaded
    st.write(f"The workbook makes {len(changes)} changes:")
    st.dataframe(pl.DataFrame(
        [{"Row": c.row, "Field": c.column, "Was": str(c.old), "Becomes": str(c.new)}
         for c in changes]
    ), hide_index=True)  # fmt: skip
    st.text_input("Reason for these changes (required)", key="register.upload.reason")
    under("reason", outcome, UPLOAD)
    st.button("Apply the workbook", on_click=_apply_upload, args=(who,), key="register.apply")


def draw(who: Caller) -> None:
    """The register's editor, or a line saying it is read-only for this role."""
    st.subheader("Change the register")
    if not can_edit(who):
        st.caption("The strategy office and administrators keep the register; you read it here.")
        return
    register = opened()
    version = register.version
    st.caption(
        f"Editing the register {plain(version.describe()) if version else '(empty)'}. "
        "Each change is saved as a new version, loaded at once, and recorded with your reason."
    )
    outcome = st.session_state.pop(OUTCOME, {})
    if outcome.get("error"):
        st.error(plain(outcome["error"]))
        st.button("Reload the register", key="register.reload", on_click=opened,
                  kwargs={"reload": True})  # fmt: skip
    if outcome.get("saved"):
        st.success("Saved: " + plain("; ".join(outcome["saved"])))
    register_forms.draw(who, register, outcome)
    workbook_section(who, register, outcome)
