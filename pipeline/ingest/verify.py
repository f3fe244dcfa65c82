"""File-level verification of a delivery (extracts.md §2–§6): everything short of row rules.

In order: the manifest (JSON, the :class:`~pipeline.contract.Manifest` model, the folder's
cluster and date), the set of data files, each file's sha256, its parquet footer, its row
count and its columns' presence and types.  The first fault refuses the whole delivery with a
one-line reason.  Paths are built from the contract's file names only; a name written in the
manifest is compared with those names and never opened.

Before any of that, two checks that read nothing: a delivery holding a symbolic link is
refused (:mod:`.discover` never follows one), and so is one dated after today (a clock or a
cluster gone wrong: its date would become every page's as-at date).  After the files, an
employees file with no rows is refused: it is a full snapshot, so loading it would make the
cluster's whole workforce leave.  A cluster that really has nobody in post is loaded with
``workforce ingest --allow-empty CLUSTER/YYYY-MM-DD``.  So is one with fewer than half the
people of the cluster's snapshot before it (:mod:`.shrink`; the override's other name is
``--allow-shrink``).

A native delivery (its manifest names a ``"mapping"``) gets the same two early checks, then
its own file checks (:mod:`.native`): CSV files, a mapping file, the person_key secret.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import SecretStr, ValidationError

from pipeline.contract import ContractRow, Manifest, arrow_type_name, column_specs, files_for
from pipeline.errors import printable
from pipeline.ingest.discover import MANIFEST, NOT_A_LINK, Delivery, DuplicateKey, parse_manifest
from pipeline.ingest.errors import DeliveryRefused
from pipeline.ingest.native import Sources, check_native
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


def check_delivery(
    delivery: Delivery,
    today: date,
    *,
    allow_empty: bool = False,
    sources: Sources | None = None,
    previous: Previous | None = None,
) -> CheckedDelivery:
    """The delivery's manifest and files, or :class:`DeliveryRefused` at the first fault.
    ``allow_empty``: an employees file with no rows, or under half of ``previous`` (the
    cluster's snapshot before this date), is accepted (``--allow-empty``/``--allow-shrink``);
    ``sources``: what a native delivery needs (:mod:`.native`)."""
    for early in (link_reason(delivery), future_reason(delivery, today)):
        if early:
            raise DeliveryRefused(early)
    if delivery.native:
        if sources is None:
            raise DeliveryRefused(f"{delivery.label}: native deliveries are not read here")
        return check_native(delivery, sources, allow_empty=allow_empty, previous=previous)
    manifest = check_manifest(delivery)
    models = files_for(delivery.feed)
    present = set(delivery.parquet_names())
    for name in sorted(present - set(models)):
        raise _refuse(delivery, printable(name), "data file is not listed in the manifest")
    files = {}
    for name, model in models.items():
        if name not in present:
            raise _refuse(delivery, name, "listed in the manifest but missing from the folder")
        files[name] = _check_file(delivery, name, model, manifest)
        if name == EMPLOYEES and not allow_empty:
            refusal = implausible(delivery, name, files[name].rows, previous)
            if refusal:
                raise refusal
    return CheckedDelivery(delivery, manifest, files)


def _check_file(
    delivery: Delivery, name: str, model: type[ContractRow], manifest: Manifest
) -> CheckedFile:
    entry = manifest.files[name]
    path = delivery.folder / name
    try:
        actual = delivery.file_sha256(name)
    except OSError as error:
        raise _refuse(delivery, name, f"cannot be read ({error.strerror})") from None
    if actual != entry.sha256:
        raise _refuse(
            delivery,
            name,
            f"sha256 {actual[:12]}… does not match the manifest's {entry.sha256[:12]}…",
        )
    try:
        parquet = pq.ParquetFile(path)
        rows, schema = parquet.metadata.num_rows, parquet.schema_arrow
    except (pa.ArrowException, OSError) as error:
        raise _refuse(
            delivery, name, f"not a readable parquet file ({_first_line(error)})"
        ) from None
    if rows != entry.rows:
        raise _refuse(delivery, name, f"has {rows} rows but the manifest says {entry.rows}")
    types = {}
    for spec in column_specs(model):
        matches = [f for f in schema if f.name == spec.name]
        if not matches:
            raise _refuse(delivery, name, f"column {spec.name} is missing")
        if len(matches) > 1:
            raise _refuse(delivery, name, f"column {spec.name} appears {len(matches)} times")
        dtype = matches[0].type
        if pa.types.is_dictionary(dtype):
            dtype = dtype.value_type
        found = arrow_type_name(dtype)
        if found not in spec.accepted_types and not (pa.types.is_null(dtype) and spec.nullable):
            expected = " or ".join(spec.accepted_types)
            raise _refuse(
                delivery, name, f"column {spec.name} has type {found}, expected {expected}"
            )
        types[spec.name] = found
    known = {spec.name for spec in column_specs(model)}
    extra = [f.name for f in schema if f.name not in known]
    return CheckedFile(name, path, model, rows, actual, types, extra)
