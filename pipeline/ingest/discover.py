"""Finding deliveries in the landing zone, and the fingerprints that tell them apart.

A delivery is ``<landing>/<FEED>/<YYYY-MM-DD>/``; it is complete once ``manifest.json`` is
there (clusters write it last).  Two fingerprints:

* the *manifest fingerprint* — sha256 over the manifest's file entries (name, rows, sha256) —
  identifies the data a complete delivery claims to carry.  A loaded (feed, date) whose
  manifest fingerprint is unchanged is ``unchanged`` without reading its data files again,
  which keeps a run over years of landed deliveries fast;
* the *bytes fingerprint* — sha256 over the manifest's bytes and every parquet file's bytes in
  the folder — identifies what is actually on disk.  A refused delivery is re-verified only
  when it changes, and is reported (exit 1) again, without a new log row, while it does not.

A *native* delivery (sources.md: a manifest naming a ``"mapping"``) carries CSV files; its
manifest fingerprint also covers the mapping's name, and its bytes fingerprint the mapping
file's bytes, so that a delivery refused under one version of its mapping is tried again once
the administrator has changed it.

Nothing is read through a symbolic link.  A delivery folder, manifest or data file that is one
could point anywhere on the machine (``/etc``, another cluster's folder, the warehouse), so it
is never followed: its fingerprint is the link itself, and verification refuses the delivery.
A feed folder that is a link is ignored with a note.  Every note is :func:`printable`: folder
names come from whoever can write to the landing zone.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from core.contract import FEEDS
from core.dates import ISO_DATE
from core.errors import printable
from core.hashing import sha256_file
from pipeline.sources.mapping import mapping_digest

MANIFEST = "manifest.json"
# A mapping's name: a file of the mappings folder, never a path (checked before any use).
MAPPING_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
NOT_A_LINK = "deliveries must be real files inside the landing zone"


class DuplicateKey(ValueError):
    """A JSON object naming the same key twice: ``json`` would silently keep the last."""

    def __init__(self, key: str):
        super().__init__(f"key {key!r} appears more than once")
        self.key = key


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    found: dict[str, object] = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKey(key)
        found[key] = value
    return found


def parse_manifest(data: bytes) -> object:
    """The manifest's JSON; :class:`DuplicateKey` when an object lists a key twice (a file
    listed twice under ``files``, two ``cluster`` values): which one the cluster meant is not
    ours to guess."""
    return json.loads(data, object_pairs_hook=_unique_keys)


def _encoded(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")  # a file name need not be UTF-8


@dataclass
class Delivery:
    """One delivery folder; the file hashes are filled in once computed (at most once)."""

    feed: str
    extract_date: date
    folder: Path
    hashes: dict[str, str] = field(default_factory=dict, repr=False)
    mappings: Path | None = None  # the mappings folder, for native deliveries
    _manifest: bytes | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return f"{self.feed} {self.extract_date.isoformat()}"

    @property
    def complete(self) -> bool:
        """The manifest has arrived (a linked folder or manifest counts: it is refused)."""
        manifest = self.folder / MANIFEST
        return self.folder.is_symlink() or manifest.is_symlink() or manifest.is_file()

    def symlink(self) -> Path | None:
        """The folder, or else its manifest or first parquet file, that is a symbolic link."""
        if self.folder.is_symlink():
            return self.folder
        entries = [self.folder / MANIFEST, *(self.folder / n for n in self.data_names())]
        return next((p for p in entries if p.is_symlink()), None)

    def manifest_bytes(self) -> bytes:
        """The manifest as first read in this run (one snapshot, however often it is used)."""
        if self._manifest is None:
            self._manifest = (self.folder / MANIFEST).read_bytes()
        return self._manifest

    def parquet_names(self) -> list[str]:
        """Names of the parquet files in the folder (never paths taken from the manifest);
        none when the folder itself is a link, which is never looked into."""
        if self.folder.is_symlink():
            return []
        return sorted(
            p.name for p in self.folder.glob("*.parquet") if p.is_symlink() or p.is_file()
        )

    def _manifest_object(self) -> dict | None:
        try:
            if self.folder.is_symlink() or (self.folder / MANIFEST).is_symlink():
                return None
            data = parse_manifest(self.manifest_bytes())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    @property
    def native(self) -> bool:
        """Whether the manifest has a ``"mapping"`` key: a native delivery (sources.md).  A
        manifest that cannot be read is judged as a contract one (verification says why)."""
        data = self._manifest_object()
        return data is not None and "mapping" in data

    def mapping_name(self) -> str | None:
        """The manifest's ``"mapping"`` when it is a string, else None."""
        data = self._manifest_object()
        name = data.get("mapping") if data is not None else None
        return name if isinstance(name, str) else None

    def data_names(self) -> list[str]:
        """The data files in the folder: parquet files, and for a native delivery CSV files."""
        names = self.parquet_names()
        if not self.native:
            return names
        csv = [p.name for p in self.folder.glob("*.csv") if p.is_symlink() or p.is_file()]
        return sorted(names + csv)

    def file_sha256(self, name: str) -> str:
        if name not in self.hashes:
            self.hashes[name] = sha256_file(self.folder / name)
        return self.hashes[name]

    def manifest_fingerprint(self) -> str | None:
        """sha256 over the manifest's file entries; None when the manifest cannot be read, is
        not one JSON object with each key once, or the delivery holds a link."""
        try:
            if self.symlink() is not None:
                return None
            files = parse_manifest(self.manifest_bytes())["files"]
            entries = sorted((str(n), int(e["rows"]), str(e["sha256"])) for n, e in files.items())
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None
        mapping = self.mapping_name() if self.native else None
        text = json.dumps(entries if mapping is None else {"mapping": mapping, "files": entries})
        return hashlib.sha256(text.encode()).hexdigest()

    def _digest(self, name: str) -> str:
        """A file's sha256, or for a link the link's own target text (never what it names)."""
        path = self.folder / name
        if path.is_symlink():
            return "link " + hashlib.sha256(_encoded(os.readlink(path))).hexdigest()
        return self.file_sha256(name)

    def bytes_fingerprint(self) -> str:
        """sha256 over the manifest's bytes and each data file's name and bytes (links:
        over where they point), and for a native delivery its mapping file's bytes."""
        if self.folder.is_symlink():
            return hashlib.sha256(_encoded("link " + os.readlink(self.folder))).hexdigest()
        if (self.folder / MANIFEST).is_symlink():
            digest = hashlib.sha256(_encoded(self._digest(MANIFEST)))
        else:
            digest = hashlib.sha256(hashlib.sha256(self.manifest_bytes()).digest())
        for name in self.data_names():
            digest.update(_encoded(f"\n{name}\0{self._digest(name)}"))
        if self.native:
            mapping = self.mapping_name() or ""
            valid = MAPPING_NAME.fullmatch(mapping) and self.mappings is not None
            found = mapping_digest(self.mappings, mapping) if valid else "not a mapping name"
            digest.update(_encoded(f"\nmapping\0{mapping}\0{found}"))
        return digest.hexdigest()


def _extract_date(name: str) -> date | None:
    try:
        return date.fromisoformat(name) if ISO_DATE.fullmatch(name) else None
    except ValueError:
        return None


def discover(landing: Path, mappings: Path | None = None) -> tuple[list[Delivery], list[str]]:
    """Every delivery folder, oldest first (then in contract feed order), and notes on folders
    that are not deliveries (reported, never loaded).  ``mappings``: the mapping files' folder."""
    deliveries: list[Delivery] = []
    notes: list[str] = []
    for feed_dir in sorted(landing.iterdir()):
        if feed_dir.name.startswith("."):
            continue
        if feed_dir.is_symlink():
            notes.append(f"ignored {printable(feed_dir)}: a symbolic link; {NOT_A_LINK}")
            continue
        if not feed_dir.is_dir():
            continue
        if feed_dir.name not in FEEDS:
            notes.append(f"ignored {printable(feed_dir)}: not a feed of the contract")
            continue
        for date_dir in sorted(feed_dir.iterdir()):
            linked = date_dir.is_symlink()
            if date_dir.name.startswith(".") or not (linked or date_dir.is_dir()):
                continue
            when = _extract_date(date_dir.name)
            if when is None:
                why = (
                    f"a symbolic link; {NOT_A_LINK}"
                    if linked
                    else "not a YYYY-MM-DD extract date folder"
                )
                notes.append(f"ignored {printable(date_dir)}: {why}")
                continue
            # A linked date folder is a delivery all the same: refused, so that it is reported
            # on every run (and in the load log) until it is replaced by a real folder.
            deliveries.append(Delivery(feed_dir.name, when, date_dir, mappings=mappings))
    deliveries.sort(key=lambda d: (d.extract_date, FEEDS.index(d.feed)))
    return deliveries, notes
