"""Is a register fit to save?  Every fault, each beside its field, before anything is written.

The rows are checked against the PROGRAMME contract (extracts.md §6: the row models of
:mod:`core.contract`, and the file's keys), and against the editor's own rules, which a
register kept by hand needs although a delivery may not: a milestone not yet achieved has a
forecast date, and an achieved one has none; nothing is achieved after today; a planned benefit
is not negative.  A fault names the sheet, the row (1 = the first data row, as a workbook's
row 2), the row's key, the column and the rule, in one line without the row's other values.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from core.contract import PROGRAMME, BenefitRow, ContractRow, DeliveryContext, MilestoneRow
from core.errors import printable
from core.register.versions import Register

MILESTONES, BENEFITS = "milestones", "benefits"


@dataclass(frozen=True)
class Fault:
    sheet: str  # milestones | benefits
    row: int  # 1-based data row
    key: str  # the row's milestone_id, or cluster/financial_year/measure
    column: str
    message: str

    def line(self) -> str:
        return f"{self.sheet}, row {self.row} ({self.key}), {self.column}: {self.message}"


def _key(sheet: str, row: dict[str, Any]) -> str:
    if sheet == MILESTONES:
        return printable(str(row.get("milestone_id") or "new milestone"))
    parts = (row.get("cluster"), row.get("financial_year"), row.get("measure"))
    return printable(" ".join(str(p) for p in parts if p) or "new line")


def _model_faults(
    sheet: str, i: int, row: dict[str, Any], model: type[ContractRow], today: date
) -> list[Fault]:
    try:
        model.model_validate(row, context=DeliveryContext(PROGRAMME, today))
    except ValidationError as error:
        faults = []
        for problem in error.errors():
            message = str(problem["msg"]).removeprefix("Value error, ")
            column = str(problem["loc"][0]) if problem["loc"] else _named(message, model)
            faults.append(Fault(sheet, i + 1, _key(sheet, row), column, printable(message)))
        return faults
    return []


def _named(message: str, model: type[ContractRow]) -> str:
    """The column a row-level rule's message begins with (the models name it first)."""
    first = message.split(" ", 1)[0]
    return first if first in model.model_fields else "row"


def _milestone_rules(i: int, row: dict[str, Any], today: date) -> list[Fault]:
    key, faults = _key(MILESTONES, row), []
    actual, forecast = row.get("actual_date"), row.get("forecast_date")
    if actual is None and forecast is None:
        message = "a milestone not yet achieved needs a forecast date"
        faults.append(Fault(MILESTONES, i + 1, key, "forecast_date", message))
    if actual is not None and forecast is not None:
        message = "an achieved milestone has no forecast date (the contract: null once achieved)"
        faults.append(Fault(MILESTONES, i + 1, key, "forecast_date", message))
    if isinstance(actual, date) and actual > today:
        message = f"actual_date {actual} is after today ({today}): not achieved yet"
        faults.append(Fault(MILESTONES, i + 1, key, "actual_date", message))
    return faults


def _repeated(sheet: str, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> list[Fault]:
    keys = [tuple(row.get(c) for c in columns) for row in rows]
    counts = Counter(keys)
    name = columns[0] if len(columns) == 1 else f"({', '.join(columns)})"
    return [
        Fault(
            sheet,
            i + 1,
            _key(sheet, rows[i]),
            columns[-1] if len(columns) > 1 else columns[0],
            f"{name} appears {counts[k]} times: it must be unique",
        )
        for i, k in enumerate(keys)
        if counts[k] > 1 and all(v is not None for v in k)
    ]


def check(register: Register, today: date) -> list[Fault]:
    """Every fault of ``register``, milestones first, in row order; empty when it may be saved."""
    faults: list[Fault] = []
    for i, row in enumerate(register.milestones):
        faults += _model_faults(MILESTONES, i, row, MilestoneRow, today)
        faults += _milestone_rules(i, row, today)
    faults += _repeated(MILESTONES, register.milestones, ("milestone_id",))
    for i, row in enumerate(register.benefits):
        faults += _model_faults(BENEFITS, i, row, BenefitRow, today)
        for column in ("planned_gbp", "actual_gbp", "hours_released"):
            value = row.get(column)
            if isinstance(value, float) and not math.isfinite(value):
                faults.append(
                    Fault(
                        BENEFITS,
                        i + 1,
                        _key(BENEFITS, row),
                        column,
                        f"{column} must be a finite number",
                    )
                )
        planned = row.get("planned_gbp")
        if isinstance(planned, int | float) and planned < 0:
            faults.append(
                Fault(
                    BENEFITS,
                    i + 1,
                    _key(BENEFITS, row),
                    "planned_gbp",
                    "planned_gbp must not be negative",
                )
            )
    faults += _repeated(BENEFITS, register.benefits, ("cluster", "financial_year", "measure"))
    return sorted(faults, key=lambda f: (f.sheet != MILESTONES, f.row))
