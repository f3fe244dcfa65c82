"""What the register editor keeps for a session, and how an edit is applied (issue 15).

The editor opens the register in force and keeps that version as the one the edit started from
(:func:`opened`), so a save over a version someone else has since replaced is refused by
:func:`core.register.save.save`, naming who saved and when, and the form keeps what was
typed, to apply again once the register is reloaded.  A form is judged when its button is
pressed (:func:`apply`, from its callback, before the page is drawn again), so each fault is
then drawn under the field it is about (:func:`under`); a save is audited field by field before
anything is written (event ``change``: the row and field, old and new values, the reason), and
fails closed when the log cannot be written.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from pydantic import ValidationError

from core import audit
from core.access import CLUSTERS
from core.register.check import Fault
from core.register.edits import Change, RegisterEditError
from core.register.save import (
    NotLoaded,
    RegisterInvalid,
    SaveConflict,
    change_entry,
    load_in_a_process_of_its_own,
    save,
)
from core.register.versions import Register, read_current
from core.settings import get_settings
from dashboard import data, identity
from dashboard.identity import Caller, plain

EDIT_ROLES = frozenset({"strategy_office", "admin"})
OPENED = "register.opened"  # the register as the editor opened it (its version included)
OUTCOME = "register.outcome"  # the last press: {"faults": {field: [message]}, "error", "saved"}


def can_edit(who: Caller) -> bool:
    """The strategy office and admins, over every cluster (a save replaces the whole
    register, so an editor must be able to see all of it)."""
    grant = who.grant
    return grant is not None and grant.role in EDIT_ROLES and set(grant.clusters) == set(CLUSTERS)


def in_force() -> Register:
    """The register in force, on the dashboard's own connection to the published warehouse
    (this process may not open the file a second time in another configuration)."""
    return read_current(data.open_warehouse())


def opened(reload: bool = False) -> Register:
    """The register the editor works on: as opened in this session, or read afresh."""
    if reload or not isinstance(st.session_state.get(OPENED), Register):
        st.session_state[OPENED] = in_force()
    return st.session_state[OPENED]


def _faults_by_field(faults: list[Fault]) -> dict[str, list[str]]:
    """Each fault under its field, naming its row: the register is judged whole, so a fault
    may be of another row than the one edited."""
    by_field: dict[str, list[str]] = {}
    for fault in faults:
        by_field.setdefault(fault.column, []).append(f"{fault.key}: {fault.message}")
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


def apply(
    who: Caller, make: Callable[[Register], tuple[Register, list[Change]]], form: str
) -> None:
    """Make an edit of the opened register and save it; the outcome is kept for the next draw
    (faults by field of ``form``, or one line, or what was saved).  Never raises for what a
    user did."""
    _apply(who, make)
    st.session_state[OUTCOME]["form"] = form


def _apply(who: Caller, make: Callable[[Register], tuple[Register, list[Change]]]) -> None:
    fresh = identity.caller()  # the grant as the policy says now, at the press
    if not can_edit(fresh) or fresh.name != who.name:
        st.session_state[OUTCOME] = {"error": "Your role cannot change the register."}
        return
    who = fresh
    start = opened()
    try:
        edited, changes = make(start)
        saved = save(get_settings(), edited, editor=who.name, started_from=start.version,
                     changes=changes, record=_record(who), in_force=in_force,
                     load=load_in_a_process_of_its_own)  # fmt: skip
    except ValidationError as error:
        st.session_state[OUTCOME] = {"faults": _pydantic_faults(error)}
    except RegisterInvalid as invalid:
        st.session_state[OUTCOME] = {"faults": _faults_by_field(invalid.faults)}
    except (RegisterEditError, SaveConflict, NotLoaded) as refused:
        st.session_state[OUTCOME] = {"error": str(refused)}
    except (OSError, audit.AuditError) as error:
        st.session_state[OUTCOME] = {"error": f"Nothing was saved: {error}"}
    else:
        st.session_state[OPENED] = saved
        st.session_state[OUTCOME] = {"saved": [f"{c.row}: {c.column}" for c in changes]}


def under(field: str, outcome: dict, form: str) -> None:
    """The faults of ``field`` of ``form`` from the last press, drawn under it."""
    if outcome.get("form") != form:
        return
    for message in outcome.get("faults", {}).get(field, []):
        st.error(plain(message), icon=":material/error:")
