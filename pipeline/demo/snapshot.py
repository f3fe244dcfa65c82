"""One cluster's employees.parquet on a date, line-management hierarchy included.

Managers are chosen afresh on each date but stably: the reports of level L are shared among the
managers at the next level up in the same organisation by consistent hashing (each manager owns
a few arcs of a ring; a report goes to the owner of the arc its own key falls in).  When someone
joins or leaves, only the reports on the arcs next to them change manager, so the hierarchy
changes night to night about as much as a real one does.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pyarrow as pa

from pipeline.contract import AGE_BANDS, CLUSTERS, PROFESSIONS, EmployeeRow, arrow_schema
from pipeline.demo import calibration as cal
from pipeline.demo.population import (
    EPOCH,
    GRADE_LEVELS,
    REGION_CODES,
    Population,
    day_number,
    pay_index,
)

VIRTUAL_NODES = 4
_SEXES = ("female", "male")
_ETHNICITIES = ("white", "ethnic_minority", "not_declared")
_DISABILITIES = ("disabled", "not_disabled", "not_declared")
ID_PREFIX = {
    "DEFENCE": "MOD",
    "OVERSEAS": "FCDO",
    "MATRIX": "MTX",
    "SYNERGY": "SYN",
    "UNITY": "UNI",
}
HERA_PREFIX, HERA_OFFSET = "HERA", 70_000_000


def splitmix64(values: np.ndarray) -> np.ndarray:
    """A well-mixed 64-bit hash, so that ring positions look uniform."""
    z = values.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return (z ^ (z >> np.uint64(31))) >> np.uint64(1)  # keep it a positive int64


def _decode(codes: np.ndarray, names: tuple[str, ...]) -> pl.Series:
    """Integer codes → strings, with -1 as null."""
    return pl.Series(codes, dtype=pl.Int64).replace_strict(
        dict(enumerate(names)), default=None, return_dtype=pl.String
    )


def employee_ids(cluster: str, numbers: pl.Expr, migrated: bool) -> pl.Expr:
    if cluster == "OVERSEAS" and migrated:
        return pl.lit(HERA_PREFIX) + (numbers + HERA_OFFSET).cast(pl.String)
    return pl.lit(ID_PREFIX[cluster]) + numbers.cast(pl.String).str.zfill(8)


def assign_managers(frame: pl.DataFrame, span: float = cal.TARGET_SPAN) -> pl.Series:
    """manager_employee_id for each row of (org, level, rank_u, ring, employee_id)."""
    levels = (
        frame.group_by("org", "level")
        .agg(n=pl.len())
        .sort("org", "level")
        .with_columns(next_level=pl.col("level").shift(-1).over("org"))
    )
    need = levels.filter(pl.col("next_level").is_not_null()).select(
        "org", level=pl.col("next_level"), need=(pl.col("n") / span).ceil().cast(pl.Int64)
    )
    frame = frame.with_row_index("row").with_columns(
        rank=pl.col("rank_u").rank("ordinal").over("org", "level")
    )
    managers = frame.join(need, on=["org", "level"]).filter(pl.col("rank") <= pl.col("need"))
    nodes = (
        managers.select("org", "level", "employee_id", "ring")
        .join(pl.DataFrame({"k": list(range(VIRTUAL_NODES))}), how="cross")
        .with_columns(
            pos=pl.Series(
                splitmix64(
                    managers["ring"].to_numpy().repeat(VIRTUAL_NODES)
                    + np.tile(np.arange(VIRTUAL_NODES), len(managers))
                )
            )
        )
        .select("org", "level", "pos", manager="employee_id")
        .sort("pos")
    )
    first = nodes.group_by("org", "level").agg(pl.col("manager").first())  # lowest arc: wraps round
    reports = (
        frame.join(levels.select("org", "level", "next_level"), on=["org", "level"])
        .filter(pl.col("next_level").is_not_null())
        .select("row", "org", "ring", level=pl.col("next_level"))
    )
    reports = reports.with_columns(
        pos=pl.Series(splitmix64(reports["ring"].to_numpy() ^ np.int64(0x5DEECE66D)))
    ).sort("pos")
    matched = reports.join_asof(
        nodes, on="pos", by=["org", "level"], strategy="forward", check_sortedness=False
    )
    matched = matched.join(first, on=["org", "level"], how="left", suffix="_first").select(
        "row", manager=pl.coalesce("manager", "manager_first")
    )
    top_level = levels.group_by("org").agg(top=pl.col("level").max())
    heads = (
        frame.join(top_level, on="org")
        .filter((pl.col("level") == pl.col("top")) & (pl.col("rank") == 1))
        .select("org", head="employee_id")
    )
    peers = (
        frame.join(top_level, on="org")
        .filter((pl.col("level") == pl.col("top")) & (pl.col("rank") > 1))
        .join(heads, on="org")
        .select("row", manager="head")
    )
    assigned = pl.concat([matched, peers]).sort("row")
    return (
        frame.select("row")
        .join(assigned, on="row", how="left")
        .sort("row")["manager"]
        .alias("manager_employee_id")
    )


def employees_table(pop: Population, when: date, cluster: str, migrated: bool) -> pa.Table:
    """employees.parquet of ``cluster`` at the end of ``when``."""
    reg = pop.register
    people = np.flatnonzero(pop["active"] & (reg.cluster[pop["org"]] == CLUSTERS.index(cluster)))
    take = {name: values[people] for name, values in pop.arrays.items()}
    grade = take["grade"]
    grade_codes = np.where(grade >= len(cal.GRADE_ORDER), -1, grade)
    salary = np.round(take["salary_2023"] * pay_index(when), 0)
    frame = pl.DataFrame(
        {
            "person_key": take["person_key"],
            "employee_number": take["employee_number"],
            "organisation_code": reg.code[take["org"]].astype(str),
            "grade": _decode(grade_codes, cal.GRADE_ORDER),
            "profession": _decode(take["profession"], PROFESSIONS),
            "region": _decode(take["region"], REGION_CODES),
            "employment_type": np.where(take["fixed_term"], "fixed_term", "permanent"),
            "fte": take["fte"],
            "annual_salary_gbp": salary,
            "civil_service_start_date": take["cs_start"],
            "organisation_start_date": take["org_start"],
            "sex": _decode(take["sex"], _SEXES),
            "ethnicity": _decode(take["ethnicity"], _ETHNICITIES),
            "disability": _decode(take["disability"], _DISABILITIES),
            "age_band": _decode(pop.age_band(people, day_number(when)), AGE_BANDS),
            "org": take["org"],
            "level": GRADE_LEVELS[grade],
            "rank_u": take["rank_u"],
            "ring": take["ring"],
        }
    )
    epoch = pl.lit(EPOCH)
    frame = frame.with_columns(
        person_key=pl.lit("PK") + pl.col("person_key").cast(pl.String),
        employee_id=employee_ids(cluster, pl.col("employee_number"), migrated),
        civil_service_start_date=epoch + pl.duration(days=pl.col("civil_service_start_date")),
        organisation_start_date=epoch + pl.duration(days=pl.col("organisation_start_date")),
    )
    frame = frame.with_columns(
        assign_managers(frame.select("org", "level", "rank_u", "ring", "employee_id"))
    )
    frame = frame.sort("employee_id")
    schema = arrow_schema(EmployeeRow)
    return frame.select(schema.names).to_arrow().cast(schema)
