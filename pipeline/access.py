"""The access policy (``shared/contract/access.md``): who may see which pages and clusters.

An administrator lists users in a TOML file (``WORKFORCE_ACCESS``; ``data/access.example.toml``
documents it).  This module reads and checks that file and answers, for an email, the user's
:class:`Grant`: role, clusters, record-level rights and pages.  It fails closed: a missing or
invalid file grants nobody anything, and an email not listed has no grant.

Pure: no Streamlit.  The dashboard asks :func:`grant_for` once per run (``dashboard.identity``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.contract import CLUSTERS

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


class UserEntry(BaseModel):
    """One ``[[user]]`` table of the policy file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str = Field(min_length=3, pattern=r"^[^@\s]+@[^@\s]+$")
    role: Role
    clusters: tuple[str, ...] = Field(min_length=1)
    record_level: bool = False

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()

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
        email: the user's email, lower case.
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


@lru_cache(maxsize=8)
def _load(path: str, modified_ns: int) -> dict[str, Grant]:
    return parse_policy(Path(path).read_text(encoding="utf-8"), path)


def load_policy(path: Path) -> dict[str, Grant]:
    """The policy file's grants, read again whenever the file changes.

    A missing file grants nobody anything (an empty policy); an unreadable or invalid one
    raises :class:`AccessPolicyError`, so the caller can fail closed with the reason."""
    try:
        modified = path.stat().st_mtime_ns
    except FileNotFoundError:
        return {}
    return _load(str(path), modified)


def grant_for(email: str | None, path: Path) -> Grant | None:
    """The grant of ``email`` under the policy at ``path``; None when not listed (or no email).

    Raises :class:`AccessPolicyError` when the file is invalid."""
    if not email:
        return None
    return load_policy(path).get(email.strip().lower())
