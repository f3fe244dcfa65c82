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

from pipeline.contract import FEEDS
from pipeline.errors import printable
from pipeline.hashing import sha256_file

MANIFEST = "manifest.json"
_DATE_FOLDER = re.compile(r"\d{4}-\d{2}-\d{2}")
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
        entries = [self.folder / MANIFEST, *(self.folder / n for n in self.parquet_names())]
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
        return hashlib.sha256(json.dumps(entries).encode()).hexdigest()

    def _digest(self, name: str) -> str:
        """A file's sha256, or for a link the link's own target text (never what it names)."""
        path = self.folder / name
        if path.is_symlink():
            return "link " + hashlib.sha256(_encoded(os.readlink(path))).hexdigest()
        return self.file_sha256(name)

    def bytes_fingerprint(self) -> str:
        """sha256 over the manifest's bytes and each parquet file's name and bytes (links:
        over where they point)."""
        if self.folder.is_symlink():
            return hashlib.sha256(_encoded("link " + os.readlink(self.folder))).hexdigest()
        if (self.folder / MANIFEST).is_symlink():
            digest = hashlib.sha256(_encoded(self._digest(MANIFEST)))
        else:
            digest = hashlib.sha256(hashlib.sha256(self.manifest_bytes()).digest())
        for name in self.parquet_names():
            digest.update(_encoded(f"\n{name}\0{self._digest(name)}"))
        return digest.hexdigest()


def _extract_date(name: str) -> date | None:
    try:
        return date.fromisoformat(name) if _DATE_FOLDER.fullmatch(name) else None
    except ValueError:
        return None


def discover(landing: Path) -> tuple[list[Delivery], list[str]]:
    """Every delivery folder, oldest first (then in contract feed order), and notes on folders
    that are not deliveries (reported, never loaded)."""
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
            deliveries.append(Delivery(feed_dir.name, when, date_dir))
    deliveries.sort(key=lambda d: (d.extract_date, FEEDS.index(d.feed)))
    return deliveries, notes
