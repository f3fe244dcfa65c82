"""The mapping file (sources.md §2): a cluster's system, encoding, date format and code tables.

A mapping is read and checked whole before any row is touched: a file that is missing, not
TOML, names an unknown system, or maps to a value outside the contract's code lists refuses
the delivery in ONE line naming the file, the table, the key and the fault, e.g.
``mapping DEFENCE.toml [grade] 'B1': 'G5' is not a code of grade (AA, AO, ...)``.  The code
lists are the contract's own (:func:`core.contract.column_specs`), never copied here; the
organisations are the register's.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.contract import ContingentRow, ContractRow, EmployeeRow, LedgerRow, column_specs
from core.errors import printable
from core.hashing import sha256_file
from core.systems import SYSTEMS

MAX_BYTES = 1 << 20  # a mapping file is a few hundred lines; anything larger is not one
# mapping table -> the contract column (of its row model) whose code list its values must be in
TABLE_COLUMNS: dict[str, tuple[type[ContractRow], str]] = {
    "organisations": (EmployeeRow, "organisation_code"),
    "grade": (EmployeeRow, "grade"),
    "profession": (EmployeeRow, "profession"),
    "region": (EmployeeRow, "region"),
    "employment_type": (EmployeeRow, "employment_type"),
    "sex": (EmployeeRow, "sex"),
    "ethnicity": (EmployeeRow, "ethnicity"),
    "disability": (EmployeeRow, "disability"),
    "contingent_category": (ContingentRow, "category"),
    "account": (LedgerRow, "account_category"),
}
Table = dict[str, str]
# Mappings that passed every check, by (file name, sha256 of its bytes, the register's codes):
# a run over a history reads a cluster's mapping once per delivery, but parses and checks it
# once.  Only what passed is kept; a changed file has another sha256, so it is checked anew.
_CHECKED: dict[tuple[str, str, frozenset[str]], MappingFile] = {}
CACHE_SIZE = 64


class MappingError(ValueError):
    """A mapping file that cannot be used; ``str()`` is the one-line reason."""


class MappingSpec(BaseModel):
    """The TOML document.  Strict: TOML has types, so ``"37"`` for a number is a fault."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    system: Literal["oracle_hcm", "workday", "sap_successfactors"]
    encoding: Literal["utf-8", "cp1252"] = "utf-8"
    date_format: str = "%Y-%m-%d"
    standard_weekly_hours: Annotated[float, Field(gt=0, le=168)] | None = None
    financial_year_start_month: Annotated[int, Field(ge=1, le=12)] | None = None
    organisations: Table = {}
    grade: Table = {}
    profession: Table = {}
    region: Table = {}
    employment_type: Table = {}
    sex: Table = {}
    ethnicity: Table = {}
    disability: Table = {}
    contingent_category: Table = {}
    account: Table = {}

    @field_validator("date_format")
    @classmethod
    def _whole_date(cls, value: str) -> str:
        """A format that writes and reads back a whole date (day, month and year)."""
        probe = date(2026, 10, 31)
        try:
            ok = datetime.strptime(probe.strftime(value), value).date() == probe
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"{value!r} is not a strftime format of a whole date like %d/%m/%Y")
        return value


@dataclass(frozen=True)
class MappingFile:
    """A mapping file that passed every check: its name (``DEFENCE.toml``), bytes' sha256 and
    contents."""

    file: str
    sha256: str
    spec: MappingSpec

    def table(self, name: str) -> Table:
        return getattr(self.spec, name)


def mapping_path(folder: Path, name: str) -> Path:
    return folder / f"{name}.toml"


def mapping_digest(folder: Path, name: str) -> str:
    """sha256 of the mapping file's bytes, or a marker when it cannot be read: part of a native
    delivery's identity, so that a changed (or newly added) mapping re-tries a refusal."""
    try:
        return sha256_file(mapping_path(folder, name))
    except OSError as error:
        return f"unreadable: {error.strerror}"


def load_mapping(folder: Path, name: str, organisations: Collection[str]) -> MappingFile:
    """The mapping ``<folder>/<name>.toml``, checked against the contract's code lists and the
    register's ``organisations``; :class:`MappingError` at the first fault.  Its bytes are read
    every time; their parse and checks are done once per content (``_CHECKED``)."""
    file = f"{name}.toml"

    def fault(detail: str) -> MappingError:
        return MappingError(f"mapping {printable(file)}{detail}")

    path = mapping_path(folder, name)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise fault(f": larger than {MAX_BYTES // 1024} KiB, so not a mapping file")
        data = path.read_bytes()
    except FileNotFoundError:
        raise fault(f": not found in the mappings folder {printable(folder)}") from None
    except OSError as error:
        raise fault(f": cannot be read ({error.strerror})") from None
    digest = hashlib.sha256(data).hexdigest()
    key = (file, digest, frozenset(organisations))
    if key in _CHECKED:
        return _CHECKED[key]
    try:
        document = tomllib.loads(data.decode("utf-8-sig"))  # a byte-order mark is ignored
    except UnicodeDecodeError:
        raise fault(": not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise fault(f": not valid TOML ({printable(error)})") from None
    try:
        spec = MappingSpec.model_validate(document)
    except ValidationError as error:
        raise fault(_where(error.errors()[0])) from None
    _check_system_settings(spec, fault)
    for table, (model, column) in TABLE_COLUMNS.items():
        _check_table(getattr(spec, table), table, model, column, organisations, fault)
    checked = MappingFile(file, digest, spec)
    if len(_CHECKED) >= CACHE_SIZE:
        _CHECKED.clear()
    _CHECKED[key] = checked
    return checked


def _key(key: object) -> str:
    return printable(repr(str(key)))


def _where(problem: dict) -> str:
    """One line for pydantic's first error: where (table and key) and what."""
    loc, kind, given = problem["loc"], problem["type"], problem.get("input")
    if kind == "missing":
        return f": {loc[0]} is missing"
    if kind == "extra_forbidden":
        shown = f"[{printable(loc[0])}]" if isinstance(given, dict) else printable(loc[0])
        return f" {shown}: not a setting or table of a mapping file"
    if len(loc) >= 2 and loc[0] in TABLE_COLUMNS:
        if kind == "dict_type":
            return f' [{loc[0]}]: must be a table of "value" = "code" lines'
        return f' [{loc[0]}] {_key(loc[1])}: must be a string ("" for unknown)'
    if loc and loc[0] == "system" and kind == "literal_error":
        return f" system: {_key(given)} is not a known system ({', '.join(SYSTEMS)})"
    if loc and loc[0] == "encoding" and kind == "literal_error":
        return f" encoding: {_key(given)} is not utf-8 or cp1252"
    message = str(problem["msg"]).removeprefix("Value error, ")
    return f" {printable(loc[0]) if loc else ''}: {printable(message)}"


def _check_system_settings(spec: MappingSpec, fault) -> None:
    if spec.system == "workday" and spec.standard_weekly_hours is None:
        raise fault(": standard_weekly_hours is missing (workday gives contracted hours)")
    if spec.system == "sap_successfactors" and spec.financial_year_start_month is None:
        raise fault(": financial_year_start_month is missing (sap_successfactors periods)")


def _check_table(
    table: Table,
    name: str,
    model: type[ContractRow],
    column: str,
    organisations: Collection[str],
    fault,
) -> None:
    spec = next(s for s in column_specs(model) if s.name == column)
    allowed = spec.allowed if spec.allowed is not None else tuple(sorted(organisations))
    for key, value in table.items():
        where = f" [{name}] {_key(key)}"
        if key != key.strip() or not key:
            raise fault(
                f"{where}: a value is matched after trimming spaces, so the key cannot"
                " be empty or start or end with a space"
            )
        if value == "":
            if not spec.nullable:
                raise fault(f'{where}: "" (unknown) is not allowed: {column} may not be null')
        elif value not in allowed:
            codes = (
                "the register's organisation codes" if spec.allowed is None else ", ".join(allowed)
            )
            raise fault(f"{where}: {_key(value)} is not a code of {column} ({codes})")
