"""The register as arrays for the simulation: sizes over time and each organisation's grade mix.

Each organisation's grade mix is the national mix tilted towards senior or junior grades so
that its median pay comes out near its published 2023 median; a per-grade correction, fitted
jointly, keeps the national mix on the published shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from core.contract import CLUSTERS
from core.reference import load_organisations
from pipeline.demo import calibration as cal

N_GRADES = len(cal.GRADE_ORDER)
UNKNOWN = N_GRADES  # grade index of "unknown"


@dataclass(frozen=True)
class Register:
    code: np.ndarray  # object array of organisation codes
    cluster: np.ndarray  # index into CLUSTERS
    parent: np.ndarray  # index of the parent department's row
    headcount_2023: np.ndarray
    grade_probs: np.ndarray  # (n_org, N_GRADES + 1): last column is "unknown"
    scale: float

    @property
    def size(self) -> int:
        return len(self.code)

    def target_headcount(self, when: date) -> np.ndarray:
        """Each organisation's headcount at a date: 2023 size, scaled, growing ~3% a year."""
        years = (when - cal.REFERENCE_DATE).days / 365.25
        target = self.headcount_2023 * self.scale * (1 + cal.ANNUAL_GROWTH) ** years
        return np.maximum(np.rint(target), 1).astype(np.int64)


def _grade_mix(medians: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    base = np.array([cal.GRADE_SHARE[g] for g in cal.GRADE_ORDER])
    log_pay = np.log([cal.MEDIAN_PAY_2023[g] for g in cal.GRADE_ORDER])
    centred = log_pay - log_pay.mean()
    correction = np.ones(N_GRADES)
    theta = np.zeros(len(medians))
    for _ in range(6):
        for i, median in enumerate(medians):
            if np.isnan(median):
                theta[i] = 0.0
                continue
            lo, hi = -4.0, 4.0
            for _ in range(40):  # bisection on the pay-weighted median
                mid = (lo + hi) / 2
                probs = base * correction * np.exp(mid * centred)
                probs /= probs.sum()
                median_pay = np.exp(log_pay[np.searchsorted(np.cumsum(probs), 0.5)])
                lo, hi = (mid, hi) if median_pay < median else (lo, mid)
            theta[i] = (lo + hi) / 2
        probs = base * correction * np.exp(theta[:, None] * centred)
        probs /= probs.sum(axis=1, keepdims=True)
        national = (probs * sizes[:, None]).sum(axis=0) / sizes.sum()
        correction *= (base / base.sum()) / national
    known = probs * (1 - cal.UNKNOWN_GRADE_SHARE)
    return np.column_stack([known, np.full(len(medians), cal.UNKNOWN_GRADE_SHARE)])


def load_register(path: Path, scale: float) -> Register:
    frame = load_organisations(path)
    codes = frame["organisation_code"].to_numpy().astype(object)
    index = {code: i for i, code in enumerate(codes)}
    medians = frame["median_salary_2023"].cast(float).to_numpy().copy()
    parents = np.array([index[p] for p in frame["parent_department_code"]])
    # Organisations without a published median (the 2023 BEIS split) take their parent's,
    # else a mid-grade median.
    for i in np.flatnonzero(np.isnan(medians)):
        medians[i] = medians[parents[i]] if not np.isnan(medians[parents[i]]) else 45_000
    sizes = frame["headcount_2023"].to_numpy().astype(float)
    return Register(
        code=codes,
        cluster=np.array([CLUSTERS.index(c) for c in frame["cluster"]]),
        parent=parents,
        headcount_2023=sizes,
        grade_probs=_grade_mix(medians, sizes),
        scale=scale,
    )
