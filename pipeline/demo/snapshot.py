"""One cluster's employees.parquet on a date, line-management hierarchy included.

The hierarchy (``manager_employee_id``) is drawn afresh each night from the people in post, so it
never names a leaver; ``pipeline/demo/hierarchy.py`` gives it its shape and its stability.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pyarrow as pa

from core.contract import AGE_BANDS, CLUSTERS, PROFESSIONS, EmployeeRow, arrow_schema
from pipeline.demo import calibration as cal
from pipeline.demo.hierarchy import assign_managers, target_spans
from pipeline.demo.population import (
    EPOCH,
    GRADE_LEVELS,
    REGION_CODES,
    Population,
    day_number,
    pay_index,
)

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


def _decode(codes: np.ndarray, names: tuple[str, ...]) -> pl.Series:
    """Integer codes → strings, with -1 as null."""
    return pl.Series(codes, dtype=pl.Int64).replace_strict(
        dict(enumerate(names)), default=None, return_dtype=pl.String
    )


def employee_ids(cluster: str, numbers: pl.Expr, migrated: bool) -> pl.Expr:
    if cluster == "OVERSEAS" and migrated:
        return pl.lit(HERA_PREFIX) + (numbers + HERA_OFFSET).cast(pl.String)
    return pl.lit(ID_PREFIX[cluster]) + numbers.cast(pl.String).str.zfill(8)


def employees_table(pop: Population, when: date, cluster: str, migrated: bool) -> pa.Table:
    """employees.parquet of ``cluster`` at the end of ``when``."""
    return employees_snapshot(pop, when, cluster, migrated)[0]


def employees_snapshot(
    pop: Population, when: date, cluster: str, migrated: bool
) -> tuple[pa.Table, np.ndarray]:
    """employees.parquet of ``cluster`` at the end of ``when``, and the population index of each
    of its rows (the native demo derives NI numbers and dates of birth from it)."""
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
            "person": people,
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
        assign_managers(
            frame.select("org", "level", "rank_u", "ring", "employee_id"), target_spans(reg)
        )
    )
    frame = frame.sort("employee_id")
    schema = arrow_schema(EmployeeRow)
    return frame.select(schema.names).to_arrow().cast(schema), frame["person"].to_numpy()
