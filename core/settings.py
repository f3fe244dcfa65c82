"""The one typed settings object.  Read here and nowhere else.

Values come from keyword arguments (the CLI's options), then ``WORKFORCE_*`` environment
variables, then the defaults below.  Relative paths are relative to the working directory,
which for ``make run`` and ``make test`` is the repository root.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TypeGuard
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value.strip().lower().startswith(_SCHEMES)


class DatabaseURL(str):
    """A database URL that prints with its password masked (``str``, ``repr``, f-strings, %s):
    a message naming the audit log never shows it.  :meth:`unmasked` is for the driver only."""

    __slots__ = ()

    def unmasked(self) -> str:
        return str.__str__(self)

    @property
    def masked(self) -> str:
        parts = urlsplit(self.unmasked())
        if parts.password is not None:
            user, host = parts.username or "", parts.netloc.rpartition("@")[2]
            parts = parts._replace(netloc=f"{user}:***@{host}")
        query = [(k, "***" if k == "password" else v) for k, v in parse_qsl(parts.query, True)]
        return urlunsplit(parts._replace(query=urlencode(query, safe="*")))

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return repr(self.masked)

    def __format__(self, spec: str) -> str:
        return format(self.masked, spec)


def audit_target(value: str) -> Path | DatabaseURL:
    """Where the audit log is: a ``postgresql://`` (or ``postgres://``) URL stays a string whose
    password is never printed (:class:`DatabaseURL`); anything else is the SQLite file's path."""
    return DatabaseURL(value.strip()) if is_database_url(value) else Path(value)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WORKFORCE_", extra="ignore")

    landing: Path = Field(Path("data/landing"), description="landing zone of nightly extracts")
    warehouse: Path = Field(Path("data/warehouse"), description="folder of the DuckDB warehouse")
    reference: Path = Field(
        Path("data/reference"), description="committed reference data (organisations register)"
    )
    access: Path = Field(Path("data/access.toml"), description="access policy file")
    audit: Path | str = Field(
        Path("data/audit/audit.sqlite"),
        description="append-only audit log: an SQLite file (one machine), or a postgresql:// "
        "URL (several servers; its key must then be WORKFORCE_AUDIT_KEY)",
    )
    audit_key: SecretStr | None = Field(
        None,
        description="key of the audit log's keyed hashes, at least 32 characters (default: "
        "the key file beside the log, made on its first entry); never stored in the log",
    )
    audit_anchor: Path | None = Field(
        None,
        description="the audit log's anchor, its last number and hash sealed with the key "
        "(default: beside the log, audit.anchor)",
    )
    demo_user: str | None = Field(None, description="email of the user when no OIDC is set up")
    mappings: Path = Field(
        Path("data/mappings"),
        description="mapping files of native deliveries, <name>.toml (shared/contract/sources.md)",
    )
    person_key_secret: SecretStr | None = Field(
        None,
        description="key of person_key, the HMAC of a native delivery's NI numbers; without it "
        "native deliveries are refused; never stored or printed",
    )

    @field_validator("audit", mode="before")
    @classmethod
    def _audit_target(cls, value: object) -> object:
        return audit_target(value) if isinstance(value, str) else value

    @field_validator("audit", mode="after")
    @classmethod
    def _audit_masked(cls, value: Path | str) -> Path | str:
        return DatabaseURL(value) if isinstance(value, str) else value

    @property
    def organisations_csv(self) -> Path:
        return self.reference / "organisations.csv"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment, built once per process."""
    return Settings()
