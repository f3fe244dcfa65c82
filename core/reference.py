"""The register of organisations in scope (``data/reference/organisations.csv``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import polars as pl

ORGANISATION_SCHEMA = {
    "organisation_code": pl.String,
    "organisation_name": pl.String,
    "organisation_type": pl.String,
    "parent_department_code": pl.String,
    "cluster": pl.String,
    "headcount_2023": pl.Int64,
    "fte_2023": pl.Int64,
    "median_salary_2023": pl.Int64,
}


@lru_cache(maxsize=4)
def load_organisations(path: Path) -> pl.DataFrame:
    """The register, one row per organisation, in file order."""
    return pl.read_csv(path, schema=ORGANISATION_SCHEMA)


def organisations_by_cluster(path: Path) -> dict[str, frozenset[str]]:
    """cluster code → the organisation codes of that cluster."""
    frame = load_organisations(path)
    return {
        cluster: frozenset(group["organisation_code"].to_list())
        for (cluster,), group in frame.group_by("cluster", maintain_order=True)
    }
