"""File-level verification of a delivery (extracts.md §2–§6): everything short of row rules.

In order: the manifest (JSON, the :class:`~core.contract.Manifest` model, the folder's
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

from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq

from core.contract import ContractRow, Manifest, arrow_type_name, column_specs, files_for
from core.errors import printable
from pipeline.ingest.checked import (
    EMPLOYEES,
    CheckedDelivery,
    CheckedFile,
    _first_line,
    _refuse,
    check_manifest,
    future_reason,
    implausible,
    link_reason,
)
from pipeline.ingest.discover import Delivery
from pipeline.ingest.errors import DeliveryRefused
from pipeline.ingest.native import Sources, check_native
from pipeline.ingest.shrink import Previous


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
