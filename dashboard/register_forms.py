"""The register editor's forms (issue 15): move or rate a milestone, add one, record benefits
realised.  Each is judged when pressed (:func:`dashboard.register_session.apply`), and each
fault is drawn under its field (:func:`dashboard.register_session.under`)."""

from __future__ import annotations

from datetime import date
from typing import get_args

import streamlit as st

from core.contract import DcaRating, DcaScale, MilestoneCluster, Stage
from core.register.edits import (
    BenefitRealised,
    Change,
    MilestoneUpdate,
    NewMilestone,
    add_milestone,
    record_benefit,
    update_milestone,
)
from core.register.versions import Register
from dashboard.glossary import code_label
from dashboard.identity import Caller
from dashboard.register_session import apply, under
from dashboard.safe_text import one_line

RATINGS: tuple[str, ...] = get_args(DcaRating)
UPDATE, ADD, BENEFIT = "register.update", "register.add", "register.benefit"
FIRST, LAST = date(2000, 1, 1), date(2100, 12, 31)


def _words(code: str | None) -> str:
    return "As it is" if code is None else code.replace("_", " ").capitalize()


def _line(key: tuple[str, str, str]) -> str:
    """A benefit line in words: ``UNITY · 2025-26 · Cashable savings``."""
    cluster, year, measure = key
    return f"{cluster} · {year} · {code_label('measure', measure)}"


def _rating(code: str | None) -> str:
    return "As it is" if code is None else str(code_label("dca_rating", code))


def _values(form: str, fields: tuple[str, ...]) -> dict[str, object]:
    return {field: st.session_state.get(f"{form}.{field}") for field in fields}


def _update_pressed(who: Caller) -> None:
    v = _values(UPDATE, ("milestone", "forecast", "actual", "rating", "reason"))

    def make(register: Register) -> tuple[Register, list[Change]]:
        edit = MilestoneUpdate(
            milestone_id=v["milestone"] or "", forecast_date=v["forecast"],
            actual_date=v["actual"], dca_rating=v["rating"], reason=v["reason"] or "",
        )  # fmt: skip
        return update_milestone(register, edit)

    apply(who, make, UPDATE)


def _add_pressed(who: Caller) -> None:
    fields = ("milestone_id", "cluster", "title", "stage", "baseline_date", "forecast_date",
              "dca_rating", "dca_scale", "owner", "reason")  # fmt: skip
    v = _values(ADD, fields)
    apply(who, lambda register: add_milestone(register, NewMilestone(
        **{k: (v[k] or "") if k in ("milestone_id", "title", "reason") else v[k] for k in fields}
    )), ADD)  # fmt: skip


def _benefit_pressed(who: Caller, keys: list[tuple[str, str, str]]) -> None:
    v = _values(BENEFIT, ("line", "actual_gbp", "hours_released", "reason"))
    cluster, year, measure = keys[v["line"]] if v["line"] is not None else ("", "", "")
    apply(who, lambda register: record_benefit(register, BenefitRealised(
        cluster=cluster, financial_year=year, measure=measure, actual_gbp=v["actual_gbp"],
        hours_released=v["hours_released"], reason=v["reason"] or "",
    )), BENEFIT)  # fmt: skip


def _date(label: str, key: str) -> None:
    st.date_input(label, value=None, key=key, min_value=FIRST, max_value=LAST, format="DD/MM/YYYY")


def update_form(who: Caller, register: Register, outcome: dict) -> None:
    titles = {m["milestone_id"]: f"{m['milestone_id']} · {m['title']}" for m in register.milestones}
    with st.form(UPDATE):
        st.selectbox("Milestone", list(titles), key=f"{UPDATE}.milestone",
                     format_func=lambda m: one_line(titles.get(m, m), 120))  # fmt: skip
        under("milestone_id", outcome, UPDATE)
        _date("New forecast date", f"{UPDATE}.forecast")
        under("forecast_date", outcome, UPDATE)
        _date("Achieved on (clears the forecast)", f"{UPDATE}.actual")
        under("actual_date", outcome, UPDATE)
        st.selectbox("Delivery confidence", [None, *RATINGS], key=f"{UPDATE}.rating",
                     format_func=_rating)  # fmt: skip
        under("dca_rating", outcome, UPDATE)
        st.text_area("Reason for the change (required)", key=f"{UPDATE}.reason", max_chars=250)
        under("reason", outcome, UPDATE)
        st.form_submit_button("Save the change", on_click=_update_pressed, args=(who,),
                              type="primary")  # fmt: skip


def add_form(who: Caller, outcome: dict) -> None:
    with st.form(ADD):
        st.text_input("Milestone id (unique)", key=f"{ADD}.milestone_id", max_chars=40)
        under("milestone_id", outcome, ADD)
        st.selectbox("Cluster", get_args(MilestoneCluster), key=f"{ADD}.cluster")
        under("cluster", outcome, ADD)
        st.text_input("Title", key=f"{ADD}.title", max_chars=200)
        under("title", outcome, ADD)
        st.selectbox("Stage", get_args(Stage), key=f"{ADD}.stage",
                     format_func=lambda c: str(code_label("stage", c)))  # fmt: skip
        under("stage", outcome, ADD)
        _date("Baseline date (as approved)", f"{ADD}.baseline_date")
        under("baseline_date", outcome, ADD)
        _date("Forecast date", f"{ADD}.forecast_date")
        under("forecast_date", outcome, ADD)
        st.selectbox("Delivery confidence", [None, *RATINGS], key=f"{ADD}.dca_rating",
                     format_func=lambda r: code_label("dca_rating", r or "unknown"))  # fmt: skip
        under("dca_rating", outcome, ADD)
        st.selectbox("Rating scale", [None, *get_args(DcaScale)], key=f"{ADD}.dca_scale",
                     format_func=lambda r: "None" if r is None else _words(r))  # fmt: skip
        under("dca_scale", outcome, ADD)
        st.text_input("Owner", key=f"{ADD}.owner", max_chars=120)
        st.text_area("Reason (required)", key=f"{ADD}.reason", max_chars=250)
        under("reason", outcome, ADD)
        st.form_submit_button("Add the milestone", on_click=_add_pressed, args=(who,),
                              type="primary")  # fmt: skip


def benefit_form(who: Caller, register: Register, outcome: dict) -> None:
    keys = [(b["cluster"], b["financial_year"], b["measure"]) for b in register.benefits]
    with st.form(BENEFIT):
        st.selectbox("Benefit line", range(len(keys)), key=f"{BENEFIT}.line",
                     format_func=lambda i: _line(keys[i]))  # fmt: skip
        st.number_input("Realised so far (£)", value=None, min_value=0.0, step=1000.0,
                        key=f"{BENEFIT}.actual_gbp")  # fmt: skip
        under("actual_gbp", outcome, BENEFIT)
        st.number_input("Hours released", value=None, min_value=0.0, step=100.0,
                        key=f"{BENEFIT}.hours_released")  # fmt: skip
        under("hours_released", outcome, BENEFIT)
        st.text_area("Reason (required)", key=f"{BENEFIT}.reason", max_chars=250)
        under("reason", outcome, BENEFIT)
        st.form_submit_button("Record the benefits", on_click=_benefit_pressed,
                              args=(who, keys), type="primary")  # fmt: skip


def draw(who: Caller, register: Register, outcome: dict) -> None:
    """The three forms, one tab each."""
    move, add, benefits = st.tabs(["Move or rate a milestone", "Add a milestone",
                                   "Record benefits realised"])  # fmt: skip
    with move:
        update_form(who, register, outcome)
    with add:
        add_form(who, outcome)
    with benefits:
        benefit_form(who, register, outcome)
