"""The one typed settings object.  Read here and nowhere else.

Values come from keyword arguments (the CLI's options), then ``WORKFORCE_*`` environment
variables, then the defaults below.  Relative paths are relative to the working directory,
which for ``make run`` and ``make test`` is the repository root.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WORKFORCE_", extra="ignore")

    landing: Path = Field(Path("data/landing"), description="landing zone of nightly extracts")
    warehouse: Path = Field(Path("data/warehouse"), description="folder of the DuckDB warehouse")
    reference: Path = Field(
        Path("data/reference"), description="committed reference data (organisations register)"
    )
    access: Path = Field(Path("data/access.toml"), description="access policy file")
    audit: Path = Field(
        Path("data/audit/audit.sqlite"), description="append-only audit log (SQLite)"
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

    @property
    def organisations_csv(self) -> Path:
        return self.reference / "organisations.csv"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment, built once per process."""
    return Settings()
