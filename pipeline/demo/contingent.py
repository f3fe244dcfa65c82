"""Contingent labour: off-payroll engagements that start, run for months and end.

Each organisation keeps about its cluster's share of payroll FTE engaged off-payroll, across
the four categories of the workforce management information return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import get_args

import numpy as np
import polars as pl
import pyarrow as pa

from core.contract import CLUSTERS, ContingentRow, arrow_schema
from core.contract import ContingentCategory as _Category
from pipeline.demo import calibration as cal
from pipeline.demo.population import EPOCH, day_number

CATEGORIES: tuple[str, ...] = get_args(_Category)
_SHARE = np.array([cal.CONTINGENT_CATEGORY_SHARE[c] for c in CATEGORIES])
_RATE_LOW = np.log([cal.DAY_RATE_RANGE[c][0] for c in CATEGORIES])
_RATE_HIGH = np.log([cal.DAY_RATE_RANGE[c][1] for c in CATEGORIES])
PREFIX = {
    "DEFENCE": "MODCW",
    "OVERSEAS": "FCDOCW",
    "MATRIX": "MTXCW",
    "SYNERGY": "SYNCW",
    "UNITY": "UNICW",
}


@dataclass
class ContingentWorkforce:
    org_cluster: np.ndarray  # cluster index of each organisation
    rng: np.random.Generator
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    today: int = 0
    next_number: int = 1

    def __post_init__(self) -> None:
        self._rounding = self.rng.random(len(self.org_cluster))

    def _target(self, payroll_fte: np.ndarray) -> np.ndarray:
        share = np.array([cal.CONTINGENT_SHARE[c] for c in CLUSTERS])[self.org_cluster]
        wanted = payroll_fte * share / 0.93
        # Round each organisation up or down by a fixed draw: right on average, even for tiny ones.
        return (np.floor(wanted) + (wanted % 1 > self._rounding)).astype(np.int64)

    def _engage(self, org: np.ndarray, start_day: np.ndarray, ongoing: bool) -> None:
        rng, n = self.rng, len(org)
        category = rng.choice(len(CATEGORIES), size=n, p=_SHARE)
        months = rng.uniform(*cal.CONTINGENT_ENGAGEMENT_MONTHS, size=n)
        length = (months * 30.4).astype(np.int64)
        if ongoing:  # already part-way through on the first date
            start_day = start_day - (rng.random(n) * length).astype(np.int64)
        rate = np.exp(rng.uniform(_RATE_LOW[category], _RATE_HIGH[category]))
        new = {
            "number": np.arange(self.next_number, self.next_number + n),
            "org": org,
            "category": category,
            "fte": np.where(rng.random(n) < 0.85, 1.0, rng.choice([0.5, 0.6, 0.8], size=n)),
            "day_rate": np.round(rate / 5) * 5,
            "start": start_day,
            "end": start_day + length,
            "open_ended": rng.random(n) < 0.12,
        }
        self.next_number += n
        self.arrays = (
            new
            if not self.arrays
            else {k: np.concatenate([self.arrays[k], v]) for k, v in new.items()}
        )

    def step(self, when: date, payroll_fte: np.ndarray) -> None:
        end = day_number(when)
        active = self.active(end)
        in_post = (
            np.bincount(self.arrays["org"][active], minlength=len(payroll_fte))
            if self.arrays
            else 0
        )
        wanted = np.maximum(self._target(payroll_fte) - in_post, 0)
        org = np.repeat(np.arange(len(payroll_fte)), wanted)
        if len(org):
            if not self.arrays:
                self._engage(org, np.full(len(org), end), ongoing=True)
            else:
                span = max(end - self.today, 1)
                self._engage(
                    org, self.today + 1 + self.rng.integers(0, span, len(org)), ongoing=False
                )
        self.today = end

    def active(self, day: int) -> np.ndarray:
        if not self.arrays:
            return np.zeros(0, bool)
        return (self.arrays["start"] <= day) & (self.arrays["end"] > day)

    def table(self, when: date, cluster: str, org_codes: np.ndarray) -> pa.Table:
        day = day_number(when)
        mask = self.active(day) & (self.org_cluster[self.arrays["org"]] == CLUSTERS.index(cluster))
        a = {k: v[mask] for k, v in self.arrays.items()}
        epoch = pl.lit(EPOCH)
        frame = pl.DataFrame(
            {
                "number": a["number"],
                "organisation_code": org_codes[a["org"]].astype(str),
                "category": np.array(CATEGORIES, dtype=object)[a["category"]].astype(str),
                "fte": a["fte"],
                "day_rate_gbp": a["day_rate"],
                "start": a["start"],
                "end": a["end"] - 1,
                "open_ended": a["open_ended"],
            },
        ).with_columns(
            worker_id=pl.lit(PREFIX[cluster]) + pl.col("number").cast(pl.String).str.zfill(7),
            engagement_start_date=epoch + pl.duration(days=pl.col("start")),
            engagement_end_date=pl.when(~pl.col("open_ended")).then(
                epoch + pl.duration(days=pl.col("end"))
            ),
        )
        schema = arrow_schema(ContingentRow)
        return frame.sort("worker_id").select(schema.names).to_arrow().cast(schema)
