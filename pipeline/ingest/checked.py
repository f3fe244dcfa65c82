"""What a delivery's checks produce, and the checks a contract delivery and a native one share.

:class:`CheckedFile` and :class:`CheckedDelivery` carry a delivery from its checks to the load;
the manifest check, the refusal of an implausibly small delivery and the other early reasons
are used by both the contract's checks (:mod:`.verify`) and the native ones (:mod:`.native`),
which is why they live here: :mod:`.verify` calls :mod:`.native`, and neither imports the other
back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import SecretStr, ValidationError

from core.contract import ContractRow, Manifest
from core.errors import printable
from pipeline.ingest.discover import MANIFEST, NOT_A_LINK, Delivery, DuplicateKey, parse_manifest
from pipeline.ingest.errors import DeliveryRefused
from pipeline.ingest.shrink import Previous, shrink_reason, shrinks
from pipeline.sources.mapping import MappingFile

EMPLOYEES = "employees.parquet"


@dataclass
class CheckedFile:
    """A data file that passed the file-level checks."""

    name: str
    path: Path
    model: type[ContractRow]
    rows: int
    sha256: str
    types: dict[str, str]  # contract column → the Arrow type name found in the file
    extra_columns: list[str] = field(default_factory=list)
    source: str | None = None  # a native delivery's file (workers.csv) conformed to this one
    # a native file's text as checked (UTF-8), parsed by staging, which then lets it go
    data: bytes | None = field(default=None, repr=False)

    @property
    def shown(self) -> str:
        """The file's name as delivered, for messages and the load log."""
        return self.source or self.name


@dataclass
class CheckedDelivery:
    delivery: Delivery
    manifest: Manifest
    files: dict[str, CheckedFile]
    mapping: MappingFile | None = None  # native deliveries (sources.md)
    secret: SecretStr | None = field(default=None, repr=False)


def _refuse(delivery: Delivery, file: str, detail: str) -> DeliveryRefused:
    return DeliveryRefused(f"{delivery.label} {file}: {detail}")


def future_prefix(delivery: Delivery) -> str:
    """How a refusal for a date after today begins (the run re-checks it once the date
    has come)."""
    day = delivery.extract_date.isoformat()
    return f"{delivery.label}: extract date {day} is after today"


def future_reason(delivery: Delivery, today: date) -> str | None:
    """The refusal of a delivery dated after ``today``, or None."""
    if delivery.extract_date <= today:
        return None
    return f"{future_prefix(delivery)} {today.isoformat()}"


def empty_reason(delivery: Delivery, file: str = EMPLOYEES) -> str:
    """The refusal of an employees file with no rows (lifted by ``--allow-empty``)."""
    return (
        f"{delivery.label} {file}: has no rows: a full snapshot cannot be empty; if the"
        " cluster really has nobody in post, load it with --allow-empty"
        f" {delivery.feed}/{delivery.extract_date.isoformat()}"
    )


def implausible(
    delivery: Delivery, file: str, rows: int, previous: Previous | None
) -> DeliveryRefused | None:
    """The refusal of an employees file that is empty, or under half the ``previous``
    snapshot (:mod:`.shrink`); None when it is plausible.  Both are lifted by the override."""
    if rows == 0:
        return DeliveryRefused(empty_reason(delivery, file))
    if previous is not None and shrinks(rows, previous):  # (None: the first snapshot)
        return DeliveryRefused(shrink_reason(delivery, file, rows, previous))
    return None


def link_reason(delivery: Delivery) -> str | None:
    """The refusal of a delivery that is, or holds, a symbolic link; None when it has none."""
    link = delivery.symlink()
    if link is None:
        return None
    if link == delivery.folder:
        return f"{delivery.label}: {printable(link)} is a symbolic link; {NOT_A_LINK}"
    return f"{delivery.label} {printable(link.name)}: a symbolic link; {NOT_A_LINK}"


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def check_manifest(delivery: Delivery, model: type[Manifest] = Manifest) -> Manifest:
    def refuse(detail: str) -> DeliveryRefused:
        return _refuse(delivery, MANIFEST, detail)

    try:
        data = parse_manifest(delivery.manifest_bytes())
    except OSError as error:
        raise refuse(f"cannot be read ({error.strerror})") from None
    except DuplicateKey as duplicate:
        raise refuse(f"{duplicate}: each key must be given once") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise refuse(f"not valid JSON ({_first_line(error)})") from None
    if not isinstance(data, dict):
        raise refuse("not a JSON object")
    try:
        manifest = model.model_validate(data)
        errors = []
    except ValidationError as error:
        manifest, errors = None, error.errors()
    # The contract version decides how to read the rest, so it is reported first; then a
    # manifest that belongs to another folder; then anything else the model found.
    for problem in errors:
        if problem["loc"][:1] == ("contract_version",):
            raise refuse(_message(problem))
    if data.get("cluster") != delivery.feed:
        raise refuse(f"cluster {data.get('cluster')!r} does not match the folder {delivery.feed}")
    if _as_date(data.get("extract_date")) != delivery.extract_date:
        raise refuse(
            f"extract_date {data.get('extract_date')!r} does not match the folder "
            f"{delivery.extract_date.isoformat()}"
        )
    if errors:
        raise refuse(_message(errors[0]))
    assert manifest is not None
    return manifest


def _as_date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def _message(problem: dict) -> str:
    """One line for a pydantic error: the contract model's own words for its rules (value
    errors), else the field's location and pydantic's message."""
    if problem["type"] == "value_error":
        return str(problem["msg"]).removeprefix("Value error, ")
    loc = ".".join(printable(part) for part in problem["loc"])  # keys come from the manifest
    return f"{loc}: {problem['msg']}" if loc else str(problem["msg"])
