"""The register kept in the app (issue 15), below the page: edits, the checks before a save,
a save written as a PROGRAMME delivery and loaded by the real ingest, and a second editor's
save refused with nothing lost."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from ingest_factories import (
    cluster_delivery,
    data_contents,
    make_settings,
    programme_delivery,
    query,
    warehouse_state,
)

from core.register.check import check
from core.register.edits import (
    BenefitRealised,
    MilestoneUpdate,
    NewMilestone,
    RegisterEditError,
    add_milestone,
    record_benefit,
    update_milestone,
)
from core.register.versions import current
from pipeline.ingest import ingest_main
from pipeline.register.save import RegisterInvalid, SaveConflict, save

OCT = date(2026, 10, 31)
NOV_20 = datetime(2026, 11, 20, 14, 2, 31, tzinfo=UTC)
NOV_21 = datetime(2026, 11, 21, 9, 15, tzinfo=UTC)
ALICE, BOB = "alice@strategy.gov.uk", "bob@strategy.gov.uk"


@pytest.fixture
def settings(tmp_path, capsys):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, "SYNERGY", OCT)
    programme_delivery(settings.landing, OCT)
    assert ingest_main(settings, today=date(2026, 11, 30)) == 0
    capsys.readouterr()
    return settings


def test_a_forecast_moved_is_saved_as_a_delivery_and_is_the_register_in_force(settings):
    opened = current(settings.warehouse)
    assert opened.version is not None and opened.version.extract_date == OCT
    edit = MilestoneUpdate(
        milestone_id="M002", forecast_date=date(2026, 6, 1), reason="supplier late"
    )
    edited, changes = update_milestone(opened, edit)
    assert [(c.row, c.column, c.old, c.new, c.reason) for c in changes] == [
        ("milestone M002", "forecast_date", date(2026, 4, 2), date(2026, 6, 1), "supplier late")
    ]
    saved = save(settings, edited, editor=ALICE, started_from=opened.version, now=NOV_20)
    assert saved.version.extract_date == date(2026, 11, 20)
    assert saved.version.describe() == f"saved by {ALICE} at 14:02 UTC on 2026-11-20"
    folder = settings.landing / "PROGRAMME" / "2026-11-20"
    assert (folder / "manifest.json").is_file()
    forecasts = query(
        settings,
        "SELECT extract_date, forecast_date FROM milestone_snapshots"
        " WHERE milestone_id = 'M002' ORDER BY 1",
    )
    assert forecasts == [(OCT, date(2026, 4, 2)), (date(2026, 11, 20), date(2026, 6, 1))]
    (row,) = query(
        settings,
        "SELECT source_system, outcome FROM load_log WHERE feed = 'PROGRAMME' ORDER BY load_id"
        " DESC LIMIT 1",
    )
    assert row == (f"Workforce Picture register editor: {ALICE}", "loaded")


def test_an_achieved_milestone_loses_its_forecast_and_a_second_save_that_day_restates(settings):
    opened = current(settings.warehouse)
    done, _ = update_milestone(
        opened, MilestoneUpdate(milestone_id="M001", actual_date=date(2026, 11, 1), reason="ok")
    )
    first = save(settings, done, editor=ALICE, started_from=opened.version, now=NOV_20)
    rated, changes = update_milestone(
        first, MilestoneUpdate(milestone_id="M003", dca_rating="red", reason="board review")
    )
    assert [(c.column, c.old, c.new) for c in changes] == [("dca_rating", "amber", "red")]
    later = NOV_20.replace(hour=16)
    second = save(settings, rated, editor=ALICE, started_from=first.version, now=later)
    assert second.version.load_id > first.version.load_id
    rows = {r["milestone_id"]: r for r in second.milestones}
    assert rows["M001"]["actual_date"] == date(2026, 11, 1)
    assert rows["M001"]["forecast_date"] is None
    assert rows["M003"]["dca_rating"] == "red"
    outcomes = query(
        settings, "SELECT outcome FROM load_log WHERE feed = 'PROGRAMME' ORDER BY load_id"
    )
    assert outcomes == [("loaded",), ("loaded",), ("restated",)]


def test_a_second_editor_is_refused_naming_who_saved_and_nothing_is_written(settings):
    alice_opened = current(settings.warehouse)
    bob_opened = current(settings.warehouse)
    alice, _ = update_milestone(
        alice_opened, MilestoneUpdate(milestone_id="M004", dca_rating="green", reason="a")
    )
    save(settings, alice, editor=ALICE, started_from=alice_opened.version, now=NOV_20)
    before = (warehouse_state(settings), data_contents(settings))
    landing = sorted(p.name for p in (settings.landing / "PROGRAMME").iterdir())
    bob, _ = update_milestone(
        bob_opened, MilestoneUpdate(milestone_id="M004", dca_rating="red", reason="b")
    )
    with pytest.raises(SaveConflict) as refused:
        save(settings, bob, editor=BOB, started_from=bob_opened.version, now=NOV_21)
    assert str(refused.value) == (
        f"the register was replaced after you opened it (saved by {ALICE} at 14:02 UTC on"
        " 2026-11-20): nothing was saved; your change is still on screen to apply again"
    )
    assert (warehouse_state(settings), data_contents(settings)) == before
    assert sorted(p.name for p in (settings.landing / "PROGRAMME").iterdir()) == landing
    # Bob re-applies his change on the register in force: it saves
    again, _ = update_milestone(
        current(settings.warehouse),
        MilestoneUpdate(milestone_id="M004", dca_rating="red", reason="b"),
    )
    saved = save(settings, again, editor=BOB, started_from=current(settings.warehouse).version,
                 now=NOV_21)  # fmt: skip
    assert saved.version.editor == BOB


BAD = {
    "forecast missing while not achieved": (
        lambda m, b: m[0].update(forecast_date=None),
        "milestones, row 1 (M000), forecast_date: a milestone not yet achieved needs a forecast"
        " date",
    ),
    "unknown cluster": (
        lambda m, b: m[1].update(cluster="NORTH"),
        "milestones, row 2 (M001), cluster: Input should be",
    ),
    "unknown rating": (
        lambda m, b: m[2].update(dca_rating="purple"),
        "milestones, row 3 (M002), dca_rating: Input should be",
    ),
    "a five-point rating on a three-point scale": (
        lambda m, b: m[1].update(dca_rating="amber_green"),
        "milestones, row 2 (M001), dca_rating: dca_rating 'amber_green' is not on the three-point",
    ),
    "duplicate milestone id": (
        lambda m, b: m[3].update(milestone_id="M000"),
        "milestones, row 1 (M000), milestone_id: milestone_id appears 2 times: it must be unique",
    ),
    "achieved in the future": (
        lambda m, b: m[0].update(actual_date=date(2027, 1, 1), forecast_date=None),
        "milestones, row 1 (M000), actual_date: actual_date 2027-01-01 is after today",
    ),
    "negative planned benefit": (
        lambda m, b: b[0].update(planned_gbp=-1.0),
        "benefits, row 1 (SYNERGY 2025-26 cashable_saving), planned_gbp: planned_gbp must not"
        " be negative",
    ),
    "infinite realised benefit": (
        lambda m, b: b[1].update(actual_gbp=float("inf")),
        "benefits, row 2 (SYNERGY 2026-27 cashable_saving), actual_gbp: actual_gbp must be a"
        " finite number",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_register_with_a_fault_is_not_written(settings, case):
    change, message = BAD[case]
    opened = current(settings.warehouse)
    edited = current(settings.warehouse)
    change(edited.milestones, edited.benefits)
    before = (warehouse_state(settings), data_contents(settings))
    with pytest.raises(RegisterInvalid) as refused:
        save(settings, edited, editor=ALICE, started_from=opened.version, now=NOV_20)
    assert refused.value.faults[0].line().startswith(message), refused.value.faults
    assert "\n" not in str(refused.value)
    assert (warehouse_state(settings), data_contents(settings)) == before
    assert not (settings.landing / "PROGRAMME" / "2026-11-20").exists()


def test_actual_before_baseline_is_allowed(settings):
    opened = current(settings.warehouse)
    early, _ = update_milestone(
        opened, MilestoneUpdate(milestone_id="M005", actual_date=date(2025, 12, 1), reason="x")
    )
    assert check(early, NOV_20.date()) == []


def test_a_new_milestone_and_a_benefit_realised(settings):
    opened = current(settings.warehouse)
    added, changes = add_milestone(
        opened,
        NewMilestone(
            milestone_id="M100",
            cluster="ALL",
            title="Strategy closure",
            stage="other",
            baseline_date=date(2027, 3, 31),
            forecast_date=date(2027, 3, 31),
            dca_rating="green",
            dca_scale="five_point",
            reason="board approved",
        ),
    )
    assert {c.column for c in changes} >= {"milestone_id", "title", "baseline_date"}
    realised, changes = record_benefit(
        added,
        BenefitRealised(
            cluster="UNITY",
            financial_year="2025-26",
            measure="cashable_saving",
            actual_gbp=250_000.0,
            hours_released=1_200.0,
            reason="Q2 return",
        ),
    )
    assert [(c.column, c.old, c.new) for c in changes] == [
        ("actual_gbp", None, 250_000.0),
        ("hours_released", None, 1_200.0),
    ]
    saved = save(settings, realised, editor=ALICE, started_from=opened.version, now=NOV_20)
    assert "M100" in {m["milestone_id"] for m in saved.milestones}
    (row,) = [
        b for b in saved.benefits if (b["cluster"], b["financial_year"]) == ("UNITY", "2025-26")
    ]
    assert (row["actual_gbp"], row["hours_released"]) == (250_000.0, 1_200.0)


def test_an_edit_of_a_row_that_is_not_there_or_that_changes_nothing(settings):
    opened = current(settings.warehouse)
    with pytest.raises(RegisterEditError, match="milestone 'M999' is not in the register"):
        update_milestone(opened, MilestoneUpdate(milestone_id="M999", reason="x"))
    with pytest.raises(RegisterEditError, match="changes nothing"):
        update_milestone(opened, MilestoneUpdate(milestone_id="M001", dca_rating="amber",
                                                 reason="x"))  # fmt: skip
    with pytest.raises(RegisterEditError, match="benefit line DEFENCE 2025-26"):
        record_benefit(opened, BenefitRealised(cluster="DEFENCE", financial_year="2025-26",
                                               measure="cashable_saving", reason="x"))  # fmt: skip
    with pytest.raises(ValueError, match="reason"):
        MilestoneUpdate(milestone_id="M001", dca_rating="red", reason="   ")


def test_each_change_is_in_the_audit_log_before_the_register_is_written(settings, tmp_path):
    from core import audit
    from pipeline.register.save import change_entry

    log = tmp_path / "audit.sqlite"
    opened = current(settings.warehouse)
    edited, changes = update_milestone(
        opened,
        MilestoneUpdate(
            milestone_id="M001",
            forecast_date=date(2026, 9, 1),
            dca_rating="red",
            reason="steering group, 19 Nov",
        ),
    )

    def record(change):
        assert not (settings.landing / "PROGRAMME" / "2026-11-20").exists()  # not yet written
        audit.append(log, change_entry(change, ALICE, "strategy_office"))

    save(settings, edited, editor=ALICE, started_from=opened.version, changes=changes,
         record=record, now=NOV_20)  # fmt: skip
    entries = audit.read(log, event="change").sort("seq")
    assert entries["what"].to_list() == [
        "milestone M001: forecast_date",
        "milestone M001: dca_rating",
    ]
    first = json.loads(entries["filters"][0])
    assert first == {"old": "2026-03-03", "new": "2026-09-01", "reason": "steering group, 19 Nov"}
    assert set(entries["user_email"]) == {ALICE} and set(entries["role"]) == {"strategy_office"}


def test_a_change_the_audit_log_cannot_hold_is_not_saved(settings):
    from core.audit import AuditError

    opened = current(settings.warehouse)
    edited, changes = update_milestone(
        opened, MilestoneUpdate(milestone_id="M001", dca_rating="red", reason="x")
    )
    before = (warehouse_state(settings), data_contents(settings))

    def record(change):
        raise AuditError("cannot add to the audit log: disk full", "unreadable")

    with pytest.raises(AuditError):
        save(settings, edited, editor=ALICE, started_from=opened.version, changes=changes,
             record=record, now=NOV_20)  # fmt: skip
    assert (warehouse_state(settings), data_contents(settings)) == before
    assert not (settings.landing / "PROGRAMME" / "2026-11-20").exists()


def test_a_register_only_save_does_not_rebuild_the_workforce_marts(settings, monkeypatch):
    from pipeline.ingest import run as ingest_run

    rebuilt = []
    monkeypatch.setattr(ingest_run, "refresh_month_end_groups", lambda *a: rebuilt.append(a))
    opened = current(settings.warehouse)
    edited, _ = update_milestone(
        opened, MilestoneUpdate(milestone_id="M001", dca_rating="red", reason="x")
    )
    save(settings, edited, editor=ALICE, started_from=opened.version, now=NOV_20)
    assert current(settings.warehouse).version.editor == ALICE
    assert rebuilt == []
