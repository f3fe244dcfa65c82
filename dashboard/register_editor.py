"""The register editor of the Programme page (issue 15): the strategy office and administrators
change the milestone and benefits register here; every other role reads it.

The editor opens the register in force and keeps that version as the one the edit started from
(:func:`opened`), so a save over a version someone else has since replaced is refused by
:func:`pipeline.register.save.save`, naming who saved and when, and the form keeps what was
typed, to apply again once the register is reloaded.  A form is judged when its button is
pressed (its callback, before the page is drawn again), so each fault is then drawn under the
field it is about; a save is audited field by field before anything is written (event
``change``: the row and field, old and new values, the reason), and fails closed when the log
cannot be written.  Nothing here queries the warehouse beyond the register itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import get_args

import polars as pl
import streamlit as st
from pydantic import ValidationError

from dashboard import trail
from dashboard.identity import Caller, plain
from pipeline import audit
from pipeline.access import CLUSTERS
from pipeline.contract import DcaRating
from pipeline.register import workbook
from pipeline.register.check import Fault
from pipeline.register.edits import (
    Change,
    MilestoneUpdate,
    RegisterEditError,
    differences,
    update_milestone,
)
from pipeline.register.save import NotLoaded, RegisterInvalid, SaveConflict, change_entry, save
from pipeline.register.versions import Register, current
from pipeline.settings import get_settings

EDIT_ROLES = frozenset({"strategy_office", "admin"})
RATINGS: tuple[str, ...] = get_args(DcaRating)
_OPENED = "register.opened"  # the register as the editor opened it (its version included)
_OUTCOME = "register.outcome"  # the last press: {"faults": {field: [message]}, "error", "saved"}
FORM = "register.update"


def can_edit(who: Caller) -> bool:
    """The strategy office and admins, over every cluster (a save replaces the whole
    register, so an editor must be able to see all of it)."""
    grant = who.grant
    return grant is not None and grant.role in EDIT_ROLES and set(grant.clusters) == set(CLUSTERS)


def opened(reload: bool = False) -> Register:
    """The register the editor works on: as opened in this session, or read afresh."""
    if reload or not isinstance(st.session_state.get(_OPENED), Register):
        st.session_state[_OPENED] = current(get_settings().warehouse)
    return st.session_state[_OPENED]


def _faults_by_field(faults: list[Fault]) -> dict[str, list[str]]:
    by_field: dict[str, list[str]] = {}
    for fault in faults:
        by_field.setdefault(fault.column, []).append(fault.message)
    return by_field


def _pydantic_faults(error: ValidationError) -> dict[str, list[str]]:
    by_field: dict[str, list[str]] = {}
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else "form"
        by_field.setdefault(field, []).append(str(problem["msg"]).removeprefix("Value error, "))
    return by_field


def _record(who: Caller) -> Callable[[Change], None]:
    def record(change: Change) -> None:
        assert who.role is not None
        audit.append(get_settings().audit, change_entry(change, who.name, who.role))

    return record


def apply(who: Caller, make: Callable[[Register], tuple[Register, list[Change]]]) -> None:
    """Make an edit of the opened register and save it; the outcome is kept for the next draw
    (faults by field, or one line, or what was saved).  Never raises for what a user did."""
    if not can_edit(who):  # the grant is read afresh on every run: checked at the press too
        st.session_state[_OUTCOME] = {"error": "Your role cannot change the register."}
        return
    start = opened()
    try:
        edited, changes = make(start)
        saved = save(get_settings(), edited, editor=who.name, started_from=start.version,
                     changes=changes, record=_record(who))  # fmt: skip
    except ValidationError as error:
        st.session_state[_OUTCOME] = {"faults": _pydantic_faults(error)}
    except RegisterInvalid as invalid:
        st.session_state[_OUTCOME] = {"faults": _faults_by_field(invalid.faults)}
    except (RegisterEditError, SaveConflict, NotLoaded) as refused:
        st.session_state[_OUTCOME] = {"error": str(refused)}
    except (OSError, audit.AuditError) as error:
        st.session_state[_OUTCOME] = {"error": f"Nothing was saved: {error}"}
    else:
        st.session_state[_OPENED] = saved
        st.session_state[_OUTCOME] = {"saved": [f"{c.row}: {c.column}" for c in changes]}


def _under(field: str, outcome: dict) -> None:
    for message in outcome.get("faults", {}).get(field, []):
        st.error(plain(message), icon=":material/error:")


def _update_pressed(who: Caller) -> None:
    state = st.session_state

    def make(register: Register) -> tuple[Register, list[Change]]:
        edit = MilestoneUpdate(
            milestone_id=state[f"{FORM}.milestone"] or "",
            forecast_date=state[f"{FORM}.forecast"],
            actual_date=state[f"{FORM}.actual"],
            dca_rating=state[f"{FORM}.rating"],
            reason=state[f"{FORM}.reason"] or "",
        )
        return update_milestone(register, edit)

    apply(who, make)


def _rating(rating: str | None) -> str:
    return "As it is" if rating is None else rating.replace("_", " ").capitalize()


_UPLOADED = "register.uploaded"  # the register read from the uploaded workbook


def _apply_upload(who: Caller) -> None:
    uploaded = st.session_state.get(_UPLOADED)
    reason = (st.session_state.get("register.upload.reason") or "").strip()
    if not isinstance(uploaded, Register):
        return
    if not reason:
        st.session_state[_OUTCOME] = {
            "faults": {"upload.reason": ["Give the reason for these changes"]}
        }
        return
    start = opened()
    if start.version is not None and uploaded.based_on != start.version.load_id:
        st.session_state[_OUTCOME] = {"error": (
            "The workbook was taken from another version of the register than the one in force "
            f"({start.version.describe()}): download the register again and re-apply your changes"
        )}  # fmt: skip
        return
    apply(who, lambda register: (uploaded, differences(register, uploaded, reason)))


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
        uploaded, faults = workbook.read(sent.getvalue(), date.today())
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
    _under("upload.reason", outcome)
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
    outcome = st.session_state.pop(_OUTCOME, {})
    if outcome.get("error"):
        st.error(plain(outcome["error"]))
        st.button("Reload the register", key="register.reload", on_click=opened,
                  kwargs={"reload": True})  # fmt: skip
    if outcome.get("saved"):
        st.success("Saved: " + plain("; ".join(outcome["saved"])))
    titles = {m["milestone_id"]: f"{m['milestone_id']} · {m['title']}" for m in register.milestones}
    with st.form(FORM):
        st.selectbox("Milestone", list(titles), key=f"{FORM}.milestone",
                     format_func=lambda m: plain(titles.get(m, m), 120))  # fmt: skip
        _under("milestone_id", outcome)
        st.date_input("New forecast date", value=None, key=f"{FORM}.forecast",
                      min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))  # fmt: skip
        _under("forecast_date", outcome)
        st.date_input("Achieved on (clears the forecast)", value=None, key=f"{FORM}.actual",
                      min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))  # fmt: skip
        _under("actual_date", outcome)
        st.selectbox("Delivery confidence", [None, *RATINGS], key=f"{FORM}.rating",
                     format_func=_rating)  # fmt: skip
        _under("dca_rating", outcome)
        st.text_area("Reason for the change (required)", key=f"{FORM}.reason", max_chars=500)
        _under("reason", outcome)
        st.form_submit_button("Save the change", on_click=_update_pressed, args=(who,),
                              type="primary")  # fmt: skip
    workbook_section(who, register, outcome)
