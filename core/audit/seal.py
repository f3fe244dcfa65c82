"""The audit log's key, its entries' keyed hashes and its anchor.

The key never enters the database: ``WORKFORCE_AUDIT_KEY``, else a key file beside the log
made once, readable by its owner only.  The anchor (the last entry's number and hash, sealed
with the key) lives outside the database too, so a cut tail or a deleted, emptied or replaced
log no longer matches it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from core.audit.entries import AuditError, Head, as_json
from core.settings import get_settings


@dataclass(frozen=True)
class Files:
    log: Path
    anchor: Path
    key_file: Path
    lock: Path


def files_for(path: Path, anchor: Path | None) -> Files:
    if anchor is None:
        # WORKFORCE_AUDIT_ANCHOR belongs to the configured log; any other log keeps its own.
        settings = get_settings()
        configured = settings.audit_anchor
        configured_log = settings.audit
        if (
            configured is None
            or not isinstance(configured_log, Path)
            or path.resolve() != configured_log.resolve()
        ):
            configured = path.with_suffix(".anchor")
        anchor = configured
    return Files(path, anchor, path.with_suffix(".key"), path.with_suffix(".lock"))


def secret(files: Files, key: bytes | str | None) -> bytes:
    """The key: given, else ``WORKFORCE_AUDIT_KEY``, else the key file beside the log."""
    source = "the key given"
    if key is None and (configured := get_settings().audit_key) is not None:
        key, source = configured.get_secret_value(), "WORKFORCE_AUDIT_KEY"
    if key is None:
        try:
            key, source = files.key_file.read_text().strip(), f"the key file {files.key_file}"
        except FileNotFoundError:
            raise AuditError(
                f"no audit key: set WORKFORCE_AUDIT_KEY or restore {files.key_file}", "unreadable"
            ) from None
    if len(key) < 32:
        raise AuditError(f"{source} is too short (at least 32 characters)", "unreadable")
    return key if isinstance(key, bytes) else key.encode("utf-8")


def make_key_file(files: Files) -> None:
    """A new random key, readable by its owner only; an existing key file is kept."""
    if get_settings().audit_key is not None:
        return
    try:
        fd = os.open(files.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(32) + "\n")


def seal(key: bytes, seq: int, prev_hash: str, values: tuple[object, ...]) -> str:
    payload = json.dumps(["workforce-audit/2", seq, prev_hash, *values], separators=(",", ":"))
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def matches(expected: str, stored: object) -> bool:
    """A seal against what the file holds, in constant time (which may be anything: an
    attacker can store a BLOB or non-ASCII text in the column)."""
    return isinstance(stored, str) and stored.isascii() and hmac.compare_digest(expected, stored)


def anchor_mac(key: bytes, seq: int, digest: str) -> str:
    payload = f"workforce-audit-anchor/2:{seq}:{digest}".encode()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def write_anchor(files: Files, key: bytes, head: Head) -> None:
    """Replace the anchor atomically (a new file, synced, renamed over the old one)."""
    text = as_json(
        {"seq": head.seq, "hash": head.hash, "mac": anchor_mac(key, head.seq, head.hash)}
    )
    files.anchor.parent.mkdir(parents=True, exist_ok=True)
    temporary = files.anchor.with_name(f".{files.anchor.name}.{os.getpid()}.tmp")
    with open(temporary, "w") as out:
        out.write(text + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, files.anchor)


def read_anchor(files: Files, key: bytes) -> Head:
    try:
        saved = json.loads(files.anchor.read_text())
        head = Head(int(saved["seq"]), str(saved["hash"]))
        mac = str(saved["mac"])
    except FileNotFoundError:
        raise AuditError(f"its anchor {files.anchor} is missing") from None
    except (OSError, ValueError, KeyError, TypeError):
        raise AuditError(f"its anchor {files.anchor} cannot be read") from None
    if not matches(anchor_mac(key, head.seq, head.hash), mac):
        raise AuditError(
            f"its anchor {files.anchor} was not sealed with this key (forged, or the key changed)"
        )
    return head
