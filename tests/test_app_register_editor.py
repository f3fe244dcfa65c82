"""The register editor under AppTest (issue 15; dashboard/register_editor.py): the strategy
office moves a forecast and sees it saved, in force and audited; a fault is drawn under its
field and nothing is saved; a second editor's save is refused naming who, with the form kept;
a leader reads only."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from ingest_factories import cluster_delivery, make_settings, programme_delivery
from streamlit.testing.v1 import AppTest

from core import audit
from core.register.edits import MilestoneUpdate, update_milestone
from pipeline.ingest import ingest_main
from pipeline.register.save import load_in_a_process_of_its_own, save
from tests.pages import ADMIN, sign_in

OCT = date(2026, 10, 31)
FORM = "register.update"


def script() -> None:
    from dashboard import identity, register_editor

    register_editor.draw(identity.caller())


@pytest.fixture
def settings(tmp_path, monkeypatch, capsys):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, "SYNERGY", OCT)
    programme_delivery(settings.landing, OCT)
    assert ingest_main(settings, today=date(2026, 11, 30)) == 0
    capsys.readouterr()
    for name, value in (
        ("LANDING", settings.landing),
        ("WAREHOUSE", settings.warehouse),
        ("REFERENCE", settings.reference),
        ("AUDIT", tmp_path / "audit.sqlite"),
    ):
        monkeypatch.setenv(f"WORKFORCE_{name}", str(value))  # fmt: skip
    return settings


def in_force():
    """The register in force, read as the dashboard reads it: on its own connection (this
    process may hold the warehouse file open in that configuration only)."""
    from dashboard.register_session import in_force as dashboards

    return dashboards()


def save_elsewhere(settings, register, **options):
    """A save by someone else, as the dashboard saves (its ingest in a process of its own)."""
    return save(settings, register, in_force=in_force, load=load_in_a_process_of_its_own,
                **options)  # fmt: skip


def read(markdown: str) -> str:
    """Text as a reader sees it: the Markdown escapes of ``identity.plain`` gone."""
    return markdown.replace("\\", "")


def editor(settings, monkeypatch, role: str = "strategy_office") -> AppTest:
    sign_in(settings.warehouse.parent, monkeypatch, role=role)
    at = AppTest.from_function(script, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def submit(at: AppTest):
    """The update form's submit button (the forms sit in tabs, each with its own)."""
    return next(b for b in at.button if b.label == "Save the change")


def fill(at: AppTest, milestone: str, reason: str, **values) -> None:
    at.selectbox(key=f"{FORM}.milestone").set_value(milestone)
    for field, value in values.items():
        widget = at.date_input if field in ("forecast", "actual") else at.selectbox
        widget(key=f"{FORM}.{field}").set_value(value)
    at.text_area(key=f"{FORM}.reason").set_value(reason)
    submit(at).click().run()  # the form's submit button
    assert not at.exception, at.exception


def test_the_strategy_office_moves_a_forecast_and_it_is_in_force_and_audited(settings, monkeypatch):
    at = editor(settings, monkeypatch)
    fill(at, "M002", "supplier late", forecast=date(2026, 6, 1), rating="amber_red")
    assert [read(s.value) for s in at.success] == [
        "Saved: milestone M002: forecast_date; milestone M002: dca_rating"
    ]
    rows = {m["milestone_id"]: m for m in in_force().milestones}
    assert (rows["M002"]["forecast_date"], rows["M002"]["dca_rating"]) == (
        date(2026, 6, 1),
        "amber_red",
    )
    changes = audit.read(settings.warehouse.parent / "audit.sqlite", event="change").sort("seq")
    assert changes["what"].to_list() == [
        "milestone M002: forecast_date",
        "milestone M002: dca_rating",
    ]
    assert json.loads(changes["filters"][0])["reason"] == "supplier late"
    assert set(changes["role"]) == {"strategy_office"}


def test_a_fault_is_drawn_under_its_field_and_nothing_is_saved(settings, monkeypatch):
    before = in_force().version
    at = editor(settings, monkeypatch)
    fill(at, "M003", "", rating="red")  # no reason
    errors = [read(e.value) for e in at.error]
    assert errors == ["String should have at least 1 character"]
    assert in_force().version == before
    fill(at, "M003", "done early", actual=date(2031, 1, 1))  # achieved in the future
    assert [read(e.value) for e in at.error] == [
        f"M003: actual_date 2031-01-01 is after today ({datetime.now(UTC).date()}):"
        " not achieved yet"
    ]
    assert in_force().version == before


def test_a_second_editor_is_refused_naming_who_saved_and_the_form_keeps_the_edit(
    settings, monkeypatch
):
    at = editor(settings, monkeypatch, role="admin")
    opened = in_force()  # someone else saves meanwhile
    other, changes = update_milestone(
        opened, MilestoneUpdate(milestone_id="M001", dca_rating="green", reason="board")
    )
    save_elsewhere(settings, other, editor="bob@strategy.gov.uk", started_from=opened.version,
         changes=changes)  # fmt: skip
    fill(at, "M004", "my change", rating="red")
    (error,) = [read(e.value) for e in at.error]
    assert "the register was replaced after you opened it (saved by bob@strategy.gov.uk" in error
    assert at.selectbox(key=f"{FORM}.rating").value == "red"  # still on screen
    assert at.text_area(key=f"{FORM}.reason").value == "my change"
    rows = {m["milestone_id"]: m for m in in_force().milestones}
    assert rows["M004"]["dca_rating"] == "amber"  # not saved
    at.button(key="register.reload").click().run()
    submit(at).click().run()  # the same edit, on the register now in force
    assert [read(s.value) for s in at.success] == ["Saved: milestone M004: dca_rating"]
    assert in_force().version.editor == ADMIN


def test_a_leader_reads_only(settings, monkeypatch):
    at = editor(settings, monkeypatch, role="leader")
    assert not at.get("form") and not at.text_area
    assert "you read it here" in at.caption[0].value


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_of(settings, change) -> bytes:
    import io

    from openpyxl import load_workbook

    from core.register import workbook

    book = load_workbook(io.BytesIO(workbook.write(in_force())))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(at: AppTest, data: bytes, name: str = "register.xlsx") -> None:
    at.file_uploader(key="register.upload").upload(name, data, XLSX).run()
    assert not at.exception, at.exception


def test_an_edited_workbook_is_uploaded_checked_and_applied_with_a_reason(settings, monkeypatch):
    at = editor(settings, monkeypatch)
    data = workbook_of(settings, lambda b: b["milestones"].__setitem__("F3", datetime(2027, 1, 15)))
    upload(at, data)
    changes = at.dataframe[-1].value
    assert changes.to_dict("records") == [
        {"Row": "milestone M001", "Field": "forecast_date", "Was": "2026-03-03",
         "Becomes": "2027-01-15"}
    ]  # fmt: skip
    at.button(key="register.apply").click().run()
    assert [read(e.value) for e in at.error] == ["Give the reason for these changes"]
    at.text_input(key="register.upload.reason").set_value("programme board, November")
    at.button(key="register.apply").click().run()
    assert [read(s.value) for s in at.success] == ["Saved: milestone M001: forecast_date"]
    rows = {m["milestone_id"]: m for m in in_force().milestones}
    assert rows["M001"]["forecast_date"] == date(2027, 1, 15)
    entry = audit.read(settings.warehouse.parent / "audit.sqlite", event="change").row(
        0, named=True
    )
    assert json.loads(entry["filters"])["reason"] == "programme board, November"


def test_a_workbook_with_faults_or_not_a_workbook_applies_nothing(settings, monkeypatch):
    before = in_force().version
    at = editor(settings, monkeypatch)
    upload(at, workbook_of(settings, lambda b: b["milestones"].__setitem__("H4", "purple")))
    assert read(at.error[0].value) == "The workbook has 1 faults, so nothing was applied:"
    faults = at.dataframe[-1].value.to_dict("records")
    assert [(f["Sheet"], f["Row"], f["Column"]) for f in faults] == [
        ("milestones", 4, "dca_rating")
    ]
    assert not [b for b in at.button if b.key == "register.apply"]
    upload(at, b"milestone_id,title\nM1,x\n", "register.csv.xlsx")
    assert read(at.error[0].value) == "register.csv.xlsx: not an Excel workbook (.xlsx)"
    assert in_force().version == before


def test_a_workbook_taken_from_an_older_version_is_refused(settings, monkeypatch):
    old = workbook_of(settings, lambda b: b["milestones"].__setitem__("H4", "red"))
    opened = in_force()
    newer, changes = update_milestone(
        opened, MilestoneUpdate(milestone_id="M001", dca_rating="green", reason="board")
    )
    save_elsewhere(settings, newer, editor="bob@strategy.gov.uk", started_from=opened.version,
         changes=changes)  # fmt: skip
    at = editor(settings, monkeypatch)
    upload(at, old)
    at.text_input(key="register.upload.reason").set_value("mine")
    at.button(key="register.apply").click().run()
    (error,) = [read(e.value) for e in at.error]
    assert error.startswith("The workbook was taken from another version of the register")
    assert "saved by bob@strategy.gov.uk" in error
    rows = {m["milestone_id"]: m for m in in_force().milestones}
    assert rows["M002"]["dca_rating"] == "amber"


def changes_script() -> None:
    from dashboard import identity, register_changes

    register_changes.draw(identity.caller())


def test_what_changed_between_this_version_and_last_months(settings, monkeypatch):
    opened = in_force()
    moved, changes = update_milestone(
        opened, MilestoneUpdate(milestone_id="M000", forecast_date=date(2026, 5, 1), reason="r")
    )
    save_elsewhere(settings, moved, editor="bob@strategy.gov.uk", started_from=opened.version,
         changes=changes, now=datetime(2026, 11, 29, 10, tzinfo=UTC))  # fmt: skip
    sign_in(settings.warehouse.parent, monkeypatch, role="leader", clusters=("SYNERGY",))
    at = AppTest.from_function(changes_script, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert [s.value for s in at.selectbox] == [OCT, date(2026, 11, 29)]
    table = at.dataframe[0].value.to_dict("records")
    assert [(r["Milestone or benefit line"], r["Change"], r["Difference (days, £ or hours)"])
            for r in table] == [("M000", "slipped", 89.0)]  # fmt: skip
    assert [b.label for b in at.get("download_button")] == ["Download the changes (Excel)"]


def test_default_pair_is_this_month_against_last():
    from dashboard.register_changes import default_pair

    dates = [date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 20), date(2026, 11, 29)]
    assert default_pair(dates) == (date(2026, 10, 31), date(2026, 11, 29))
    assert default_pair(dates[2:]) == (date(2026, 11, 20), date(2026, 11, 29))
    assert default_pair([date(2026, 1, 31), date(2026, 2, 28)]) == (
        date(2026, 1, 31),
        date(2026, 2, 28),
    )


def press(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception


def test_a_milestone_is_added_and_a_repeated_id_is_said_under_its_field(settings, monkeypatch):
    at = editor(settings, monkeypatch)
    at.text_input(key="register.add.milestone_id").set_value("M001")
    at.text_input(key="register.add.title").set_value("Payroll on the new system")
    at.date_input(key="register.add.baseline_date").set_value(date(2027, 4, 1))
    at.date_input(key="register.add.forecast_date").set_value(date(2027, 6, 1))
    at.text_area(key="register.add.reason").set_value("board approved")
    press(at, "Add the milestone")
    assert [read(e.value) for e in at.error] == [
        "M001: milestone_id appears 2 times: it must be unique"
    ] * 2  # the new row and the one it repeats
    at.text_input(key="register.add.milestone_id").set_value("M100")
    press(at, "Add the milestone")
    assert read(at.success[0].value).startswith("Saved: milestone M100: milestone_id")
    rows = {m["milestone_id"]: m for m in in_force().milestones}
    assert rows["M100"]["title"] == "Payroll on the new system"


def test_benefits_realised_are_recorded(settings, monkeypatch):
    at = editor(settings, monkeypatch)
    at.selectbox(key="register.benefit.line").set_value(2)  # UNITY 2025-26 cashable saving
    at.number_input(key="register.benefit.actual_gbp").set_value(250_000.0)
    at.number_input(key="register.benefit.hours_released").set_value(1_200.0)
    at.text_area(key="register.benefit.reason").set_value("Q2 return")
    press(at, "Record the benefits")
    assert [read(s.value) for s in at.success] == [
        "Saved: benefit UNITY 2025-26 cashable_saving: actual_gbp; benefit UNITY 2025-26"
        " cashable_saving: hours_released"
    ]
    (line,) = [b for b in in_force().benefits
               if (b["cluster"], b["financial_year"]) == ("UNITY", "2025-26")]  # fmt: skip
    assert (line["actual_gbp"], line["hours_released"]) == (250_000.0, 1_200.0)


def test_an_upload_is_read_once_not_at_every_rerun(settings, monkeypatch):
    from core.register import workbook

    reads = []
    real = workbook.read
    monkeypatch.setattr(workbook, "read", lambda *a: reads.append(1) or real(*a))
    at = editor(settings, monkeypatch)
    upload(at, workbook_of(settings, lambda b: b["milestones"].__setitem__("H4", "red")))
    at.text_input(key="register.upload.reason").set_value("typing a reason reruns the page")
    at.run()
    assert len(reads) == 1
