"""The edits the strategy office makes, each giving a new register and what changed.

An edit names its row (a milestone's id; a benefit line's cluster, financial year and measure)
and carries a reason, which every change records.  It never changes the register it is given:
it returns a new one, which :func:`core.register.check.check` then judges as a whole, so an
edit that leaves the register unfit is refused before anything is written.  Recording an
actual date clears the forecast (the contract: null once achieved).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints

from core.register.versions import BENEFIT_COLUMNS, MILESTONE_COLUMNS, Register

# at most what one audit entry keeps of a value (core.audit.entries.MAX_VALUE)
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=250)]


class RegisterEditError(ValueError):
    """An edit that names a row the register does not have, or changes nothing."""


@dataclass(frozen=True)
class Change:
    """One field of one row changed, for the audit log and the "what changed" view."""

    row: str  # "milestone M-001" or "benefit SYNERGY 2025-26 cashable_saving"
    column: str
    old: Any
    new: Any
    reason: str


class _Edit(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    reason: Reason


class MilestoneUpdate(_Edit):
    """A milestone's forecast, actual date and delivery confidence (None: as it is)."""

    milestone_id: str
    forecast_date: date | None = None
    actual_date: date | None = None
    dca_rating: str | None = None


class NewMilestone(_Edit):
    milestone_id: str
    cluster: str
    title: str
    stage: str
    baseline_date: date
    forecast_date: date | None = None
    actual_date: date | None = None
    dca_rating: str | None = None
    dca_scale: str | None = None
    owner: str | None = None


class BenefitRealised(_Edit):
    """Benefits realised and hours released for a cluster, financial year and measure."""

    cluster: str
    financial_year: str
    measure: str
    actual_gbp: float | None = None
    hours_released: float | None = None


def _changes(row: str, before: dict, after: dict, reason: str) -> list[Change]:
    return [
        Change(row, column, before.get(column), after[column], reason)
        for column in after
        if before.get(column) != after[column]
    ]


def update_milestone(register: Register, edit: MilestoneUpdate) -> tuple[Register, list[Change]]:
    new = copy.deepcopy(register)
    for row in new.milestones:
        if row["milestone_id"] == edit.milestone_id:
            break
    else:
        raise RegisterEditError(f"milestone {edit.milestone_id!r} is not in the register")
    after = dict(row)
    if edit.forecast_date is not None:
        after["forecast_date"] = edit.forecast_date
    if edit.actual_date is not None:
        after["actual_date"], after["forecast_date"] = edit.actual_date, None
    if edit.dca_rating is not None:
        after["dca_rating"] = edit.dca_rating
    changes = _changes(f"milestone {edit.milestone_id}", row, after, edit.reason)
    if not changes:
        raise RegisterEditError(f"milestone {edit.milestone_id!r}: the edit changes nothing")
    row.update(after)
    return new, changes


def add_milestone(register: Register, edit: NewMilestone) -> tuple[Register, list[Change]]:
    new = copy.deepcopy(register)
    row = {column: getattr(edit, column) for column in MILESTONE_COLUMNS}
    new.milestones.append(row)  # a repeated id is the check's fault, beside its field
    changes = [
        Change(f"milestone {edit.milestone_id}", column, None, value, edit.reason)
        for column, value in row.items()
        if value is not None
    ]
    return new, changes


def record_benefit(register: Register, edit: BenefitRealised) -> tuple[Register, list[Change]]:
    new = copy.deepcopy(register)
    key = (edit.cluster, edit.financial_year, edit.measure)
    for row in new.benefits:
        if (row["cluster"], row["financial_year"], row["measure"]) == key:
            break
    else:
        raise RegisterEditError(
            f"benefit line {' '.join(key)} is not in the register: its planned profile comes"
            " from the business case"
        )
    after = dict(row)
    after["actual_gbp"], after["hours_released"] = edit.actual_gbp, edit.hours_released
    changes = _changes(f"benefit {' '.join(key)}", row, after, edit.reason)
    if not changes:
        raise RegisterEditError(f"benefit line {' '.join(key)}: the edit changes nothing")
    row.update(after)
    return new, changes


def differences(before: Register, after: Register, reason: str) -> list[Change]:
    """Every field that differs between two registers (an uploaded workbook against the
    register it was downloaded from): rows added, removed or changed, by their keys."""
    changes: list[Change] = []
    for sheet, key, columns in (
        ("milestone", ("milestone_id",), MILESTONE_COLUMNS),
        ("benefit", ("cluster", "financial_year", "measure"), BENEFIT_COLUMNS),
    ):
        rows = "milestones" if sheet == "milestone" else "benefits"
        old = {tuple(r[k] for k in key): r for r in getattr(before, rows)}
        new = {tuple(r[k] for k in key): r for r in getattr(after, rows)}
        for k in sorted(old.keys() | new.keys(), key=lambda k: tuple(map(str, k))):
            label = f"{sheet} {' '.join(map(str, k))}"
            if k not in new:
                changes.append(Change(label, "row", "present", None, reason))
                continue
            was = old.get(k, {})
            changes += [
                Change(label, column, was.get(column), new[k].get(column), reason)
                for column in columns
                if was.get(column) != new[k].get(column)
            ]
    return changes
