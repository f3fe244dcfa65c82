"""The access policy (``shared/contract/access.md``): who may see which pages and clusters.

An administrator lists users in a TOML file (``WORKFORCE_ACCESS``; ``data/access.example.toml``
documents it).  This module reads and checks that file and answers, for an email, the user's
:class:`Grant`: role, clusters, record-level rights and pages.  It fails closed: a missing or
invalid file grants nobody anything, and an email not listed has no grant.

The file is read on every call and its parse cached by the file's content, so an edit is
picked up at once, whatever its modification time.  Emails are compared in one normalised form
(:func:`normalise_email`), and one a look-alike could fold onto another is refused.

Pure: no Streamlit.  The dashboard asks :func:`grant_for` once per run (``dashboard.identity``)
and again when a download's button is pressed (``dashboard.trail``).
"""

from __future__ import annotations

import hashlib
import os
import stat
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.contract import CLUSTERS

Role = Literal["leader", "strategy_office", "analyst", "admin"]
ALL_CLUSTERS = "*"

# The pages, by the key each page passes to dashboard.components.open_page.
LEADER_PAGES = ("overview", "workforce", "flows", "cost", "programme")
ADMIN_ONLY_PAGES = ("data_health", "audit_log")
PAGES_BY_ROLE: dict[str, tuple[str, ...]] = {
    "leader": LEADER_PAGES,
    "strategy_office": ("programme", *(p for p in LEADER_PAGES if p != "programme")),
    "analyst": (*LEADER_PAGES, "extracts"),
    "admin": (*LEADER_PAGES, "extracts", *ADMIN_ONLY_PAGES),
}


class AccessPolicyError(ValueError):
    """The policy file cannot be trusted; the message is one line naming the file and entry."""


def normalise_email(raw: str) -> str:
    """The one form of an email used everywhere (policy, identity, audit log): Unicode NFKC,
    then case-folded, without surrounding spaces.

    Raises ValueError for an email that normalisation would change beyond its case: one with
    compatibility characters (the KELVIN SIGN folds onto "k", full-width letters onto ASCII),
    so a look-alike can never fold onto another user's grant; one whose letters case-folding
    turns into others ("ß" into "ss"); and one with spaces or control characters inside it."""
    text = raw.strip()
    if unicodedata.normalize("NFKC", text) != text:
        raise ValueError(f"email {text!a} contains look-alike (compatibility) characters")
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in text):
        raise ValueError(f"email {text!a} contains spaces or control characters")
    folded = text.casefold()
    if folded != text.lower():  # "ß" folds onto "ss", final "ς" onto "σ": another address
        raise ValueError(f"email {text!a} contains letters that case-folding changes")
    return folded


class UserEntry(BaseModel):
    """One ``[[user]]`` table of the policy file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str = Field(min_length=3, pattern=r"^[^@\s]+@[^@\s]+$")
    role: Role
    clusters: tuple[str, ...] = Field(min_length=1)
    record_level: bool = False

    @field_validator("email", mode="before")
    @classmethod
    def _normalise(cls, value: object) -> object:
        return normalise_email(value) if isinstance(value, str) else value

    @field_validator("clusters")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [c for c in value if c != ALL_CLUSTERS and c not in CLUSTERS]
        if unknown:
            raise ValueError(
                f"unknown cluster {unknown[0]!r} (one of {', '.join(CLUSTERS)}, or '*')"
            )
        return value


@dataclass(frozen=True)
class Grant:
    """What one user may see.

    Attributes:
        email: the user's email, normalised (:func:`normalise_email`).
        role: leader, strategy_office, analyst or admin.
        clusters: the clusters whose numbers they may see, in the contract's order.
        record_level: whether they may download record-level rows (for their clusters).
    """

    email: str
    role: str
    clusters: tuple[str, ...]
    record_level: bool = False

    @property
    def pages(self) -> tuple[str, ...]:
        """The pages the role sees, in the order its navigation lists them."""
        return PAGES_BY_ROLE[self.role]

    def may_see(self, page: str) -> bool:
        return page in self.pages

    @property
    def disclosure_control(self) -> bool:
        """Whether breakdowns by protected characteristics and extracts are protected (every
        role but admin)."""
        return self.role != "admin"

    @property
    def record_level_clusters(self) -> tuple[str, ...]:
        """The clusters whose record-level rows they may download: an admin's, or an analyst's
        with ``record_level = true``; nobody else's."""
        if self.role == "admin" or (self.role == "analyst" and self.record_level):
            return self.clusters
        return ()


def _clusters(listed: Sequence[str]) -> tuple[str, ...]:
    if ALL_CLUSTERS in listed:
        return CLUSTERS
    return tuple(c for c in CLUSTERS if c in listed)


def _where(error: ValidationError, index: int) -> str:
    first = error.errors()[0]
    field = ".".join(str(p) for p in first["loc"] if not isinstance(p, int)) or "entry"
    return f"user {index + 1}: {field}: {first['msg']}"


def parse_policy(text: str, source: str = "access policy") -> dict[str, Grant]:
    """Email → grant, from the policy file's text.  Raises :class:`AccessPolicyError`."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AccessPolicyError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses into nested arrays and tables
        raise AccessPolicyError(f"{source}: not a policy: nested too deeply") from None
    unexpected = sorted(set(document) - {"user"})
    if unexpected:
        raise AccessPolicyError(f"{source}: unexpected key {unexpected[0]!r} (only [[user]])")
    entries = document.get("user", [])
    if not isinstance(entries, list):
        raise AccessPolicyError(f"{source}: 'user' must be an array of tables ([[user]])")
    grants: dict[str, Grant] = {}
    for index, raw in enumerate(entries):
        try:
            entry = UserEntry.model_validate(raw)
        except ValidationError as exc:
            raise AccessPolicyError(f"{source}: {_where(exc, index)}") from None
        if entry.email in grants:
            raise AccessPolicyError(f"{source}: user {index + 1}: {entry.email} is listed twice")
        grants[entry.email] = Grant(
            entry.email, entry.role, _clusters(entry.clusters), entry.record_level
        )
    return grants


# Parsed policies by (path, SHA-256 of the file's bytes).  The file is small and read on every
# call, so a policy replaced with the same modification time (a copy with ``cp -p``, an editor
# that restores it, a clock set back) is still read again: only its content is trusted.
_PARSED: dict[tuple[str, str], dict[str, Grant]] = {}
_PARSED_MAX = 8
POLICY_MAX_BYTES = 1 << 20  # a policy of thousands of users is far smaller


def _read(path: Path) -> bytes | None:
    """The policy file's bytes; None when there is no file.  Raises :class:`AccessPolicyError`
    (one line) for anything but a regular file (a directory; a named pipe or a device, which
    would block or never end: opened without blocking and refused), a file that cannot be
    read, or one too large to be a policy."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise AccessPolicyError(f"{path}: is a directory, not a policy file") from None
    except OSError as exc:
        raise AccessPolicyError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    kind = os.fstat(fd).st_mode
    if not stat.S_ISREG(kind):
        os.close(fd)
        if stat.S_ISDIR(kind):
            raise AccessPolicyError(f"{path}: is a directory, not a policy file")
        raise AccessPolicyError(f"{path}: is not a regular file (a pipe or a device)")
    with os.fdopen(fd, "rb") as file:
        try:
            raw = file.read(POLICY_MAX_BYTES + 1)
        except OSError as exc:
            raise AccessPolicyError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if len(raw) > POLICY_MAX_BYTES:
        raise AccessPolicyError(f"{path}: larger than {POLICY_MAX_BYTES} bytes, not a policy file")
    return raw


def _decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AccessPolicyError(
            f"{source}: not valid UTF-8 (byte {exc.start} is {raw[exc.start]:#04x})"
        ) from None


def load_policy(path: Path) -> dict[str, Grant]:
    """The policy file's grants, as the file reads now.

    A missing file grants nobody anything (an empty policy); a directory, an unreadable file or
    an invalid one raises :class:`AccessPolicyError`, so the caller can fail closed with the
    reason."""
    raw = _read(path)
    if raw is None:
        return {}
    key = (str(path), hashlib.sha256(raw).hexdigest())
    grants = _PARSED.get(key)
    if grants is None:
        grants = parse_policy(_decode(raw, str(path)), str(path))
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()  # a handful of policies at most: start again rather than track age
        _PARSED[key] = grants
    return dict(grants)  # a copy: a caller cannot change what the next caller gets


def grant_for(email: str | None, path: Path) -> Grant | None:
    """The grant of ``email`` under the policy at ``path``; None when not listed (or no email).

    Raises :class:`AccessPolicyError` when the file is invalid."""
    if not email:
        return None
    try:
        key = normalise_email(email)
    except ValueError:
        return None
    return load_policy(path).get(key)
