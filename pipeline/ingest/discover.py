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
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.contract import FEEDS
from pipeline.hashing import sha256_file

MANIFEST = "manifest.json"
_DATE_FOLDER = re.compile(r"\d{4}-\d{2}-\d{2}")


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
        return (self.folder / MANIFEST).is_file()

    def manifest_bytes(self) -> bytes:
        """The manifest as first read in this run (one snapshot, however often it is used)."""
        if self._manifest is None:
            self._manifest = (self.folder / MANIFEST).read_bytes()
        return self._manifest

    def parquet_names(self) -> list[str]:
        """Names of the parquet files in the folder (never paths taken from the manifest)."""
        return sorted(p.name for p in self.folder.glob("*.parquet") if p.is_file())

    def file_sha256(self, name: str) -> str:
        if name not in self.hashes:
            self.hashes[name] = sha256_file(self.folder / name)
        return self.hashes[name]

    def manifest_fingerprint(self) -> str | None:
        """sha256 over the manifest's file entries; None when the manifest cannot be read."""
        try:
            files = json.loads(self.manifest_bytes())["files"]
            entries = sorted((str(n), int(e["rows"]), str(e["sha256"])) for n, e in files.items())
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None
        return hashlib.sha256(json.dumps(entries).encode()).hexdigest()

    def bytes_fingerprint(self) -> str:
        """sha256 over the manifest's bytes and each parquet file's name and bytes."""
        digest = hashlib.sha256(hashlib.sha256(self.manifest_bytes()).digest())
        for name in self.parquet_names():
            digest.update(f"\n{name}\0{self.file_sha256(name)}".encode())
        return digest.hexdigest()


def discover(landing: Path) -> tuple[list[Delivery], list[str]]:
    """Every delivery folder, oldest first (then in contract feed order), and notes on folders
    that are not deliveries (reported, never loaded)."""
    deliveries: list[Delivery] = []
    notes: list[str] = []
    for feed_dir in sorted(landing.iterdir()):
        if feed_dir.name.startswith(".") or not feed_dir.is_dir():
            continue
        if feed_dir.name not in FEEDS:
            notes.append(f"ignored {feed_dir}: not a feed of the contract")
            continue
        for date_dir in sorted(feed_dir.iterdir()):
            if date_dir.name.startswith(".") or not date_dir.is_dir():
                continue
            try:
                if not _DATE_FOLDER.fullmatch(date_dir.name):
                    raise ValueError
                when = date.fromisoformat(date_dir.name)
            except ValueError:
                notes.append(f"ignored {date_dir}: not a YYYY-MM-DD extract date folder")
                continue
            deliveries.append(Delivery(feed_dir.name, when, date_dir))
    deliveries.sort(key=lambda d: (d.extract_date, FEEDS.index(d.feed)))
    return deliveries, notes
