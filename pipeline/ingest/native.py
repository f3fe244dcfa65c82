"""File-level verification of a native delivery (sources.md §1–§3), before any row is read.

In order, after the checks every delivery gets (a symbolic link, a date after today): the
manifest (the contract's, with ``"mapping"`` and the three native file names), the mapping
file (:func:`pipeline.sources.mapping.load_mapping`), the person_key secret, the set of
files, and for each file its sha256, its encoding (:func:`pipeline.sources.csvfile.scan`,
in the same read) and its header's columns.  The first fault refuses the delivery in one
line.  What passes is a :class:`~pipeline.ingest.checked.CheckedDelivery` like a contract
delivery's, keyed by the contract's file names, each file knowing its native name and
holding the text it was checked as: staging then conforms that text
(:mod:`pipeline.sources.conform`) instead of reading parquet.  Each CSV is hashed once per run
(the delivery's bytes fingerprint takes the digest this check compares) and read from disk
twice (the fingerprint, this check: its header is parsed from the text the scan kept), as a
contract delivery's parquet is.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, SecretStr, model_validator

from core.contract import CLUSTER_FILES, Manifest
from core.errors import printable
from core.feeds import CLUSTERS
from core.systems import NATIVE_FILES, native_columns
from pipeline.ingest.discover import MAPPING_NAME, Delivery
from pipeline.ingest.errors import DeliveryRefused
from pipeline.ingest.shrink import Previous
from pipeline.sources import csvfile
from pipeline.sources.mapping import MappingError, MappingFile, load_mapping
from pipeline.sources.person_key import SECRET_SETTING

WORKERS = "workers.csv"


@dataclass(frozen=True)
class Sources:
    """What a native delivery needs beyond its folder: the settings and the register."""

    mappings: Path
    secret: SecretStr | None
    organisations: Collection[str]  # every organisation code of the register


class NativeManifest(Manifest):
    """The contract's manifest plus ``mapping``, listing the native files instead."""

    mapping: str = Field(pattern=f"^{MAPPING_NAME.pattern}$")

    @model_validator(mode="after")
    def _exact_file_list(self) -> NativeManifest:  # replaces the contract's file list check
        if self.cluster not in CLUSTERS:
            raise ValueError(f"a {self.cluster} delivery cannot name a mapping: it is not native")
        listed = set(self.files)
        for name in sorted(listed - set(NATIVE_FILES)):
            raise ValueError(f"file {name!r} is not a file of a native delivery")
        for name in sorted(set(NATIVE_FILES) - listed):
            raise ValueError(f"file {name!r} is missing from the manifest")
        return self


def no_secret_reason(delivery: Delivery) -> str:
    """The refusal of a native delivery while no secret is set (re-judged once one is)."""
    return (
        f"{delivery.label}: no secret to make person_key from the NI numbers: set"
        f" {SECRET_SETTING} to load native deliveries"
    )


def _refuse(delivery: Delivery, file: str, detail: str) -> DeliveryRefused:
    return DeliveryRefused(f"{delivery.label} {file}: {detail}")


def load_delivery_mapping(delivery: Delivery, name: str, sources: Sources) -> MappingFile:
    try:
        return load_mapping(sources.mappings, name, sources.organisations)
    except MappingError as error:
        raise DeliveryRefused(f"{delivery.label}: {error}") from None


def check_native(
    delivery: Delivery,
    sources: Sources,
    *,
    allow_empty: bool = False,
    previous: Previous | None = None,
):
    """The native delivery's manifest, mapping and files, or :class:`DeliveryRefused`;
    ``allow_empty`` and ``previous`` as for a contract delivery (:func:`.checked.implausible`:
    workers.csv conforms one row to one employee)."""
    from pipeline.ingest.checked import CheckedDelivery, check_manifest, implausible

    manifest = check_manifest(delivery, NativeManifest)
    assert isinstance(manifest, NativeManifest)
    mapping = load_delivery_mapping(delivery, manifest.mapping, sources)
    if sources.secret is None or not sources.secret.get_secret_value():
        raise DeliveryRefused(no_secret_reason(delivery))
    present = set(delivery.data_names())
    for name in sorted(present - set(NATIVE_FILES)):
        raise _refuse(delivery, printable(name), "data file is not listed in the manifest")
    files = {}
    for native, contract in NATIVE_FILES.items():
        if native not in present:
            raise _refuse(delivery, native, "listed in the manifest but missing from the folder")
        files[contract] = _check_csv(delivery, native, contract, manifest, mapping)
        if native == WORKERS and not allow_empty:
            refusal = implausible(delivery, WORKERS, files[contract].rows, previous)
            if refusal:
                raise refusal
    return CheckedDelivery(delivery, manifest, files, mapping=mapping, secret=sources.secret)


def _check_csv(
    delivery: Delivery, native: str, contract: str, manifest: NativeManifest, mapping: MappingFile
):
    from pipeline.ingest.checked import CheckedFile

    entry, path = manifest.files[native], delivery.folder / native
    encoding = mapping.spec.encoding
    try:
        # the digest the fingerprint took in this run, if any (one hash per file per run)
        found = csvfile.scan(path, encoding, mapping.file, delivery.hashes.get(native))
        delivery.hashes[native] = found.sha256
        if found.sha256 != entry.sha256:
            raise _refuse(
                delivery,
                native,
                f"sha256 {found.sha256[:12]}… does not match the manifest's {entry.sha256[:12]}…",
            )
        if found.fault:
            raise _refuse(delivery, native, found.fault)
    except OSError as error:
        raise _refuse(delivery, native, f"cannot be read ({error.strerror})") from None
    assert found.data is not None  # a scan without a fault keeps the text
    columns = csvfile.header(found.data)
    if not any(columns):
        raise _refuse(delivery, native, "has no header line")
    system = mapping.spec.system
    for column in columns:
        if columns.count(column) > 1:
            raise _refuse(
                delivery,
                native,
                f"column {printable(column)} appears {columns.count(column)} times",
            )
    for column in native_columns(system, native):
        if column not in columns:
            raise _refuse(
                delivery,
                native,
                f"column {column} is missing ({system} {native}, as {mapping.file} says)",
            )
    extra = [c for c in columns if c not in native_columns(system, native)]
    model = CLUSTER_FILES[contract]
    return CheckedFile(
        contract, path, model, entry.rows, found.sha256, {}, extra, source=native, data=found.data
    )
