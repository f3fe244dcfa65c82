"""A large synthetic landing zone for measuring the ingest (not the demo generator).

The demo generator (``workforce demo``) is the real source of landing zones; this script exists
so the ingest can be measured at scale on its own, with the change rates the issue names:
about 1%/month of employees change organisation or grade, 0.75%/month leave, 1%/month join,
the age band of ~10% changes a year, line managers change when a team head leaves, and an
annual pay award (1 August) changes everyone's salary once a year.

    .venv/bin/python -m benchmarks.ingest_synthetic --landing /tmp/synth --employees 530000
"""

from __future__ import annotations

import argparse
import calendar
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from core.contract import AGE_BANDS, CLUSTERS, GRADES, PROFESSIONS, REGIONS
from core.delivery import write_delivery
from core.reference import load_organisations

TEAM_SIZE = 8
ACCOUNTS = ("payroll_salary", "payroll_allowances", "consultancy", "estates", "it_systems")


def delivery_dates(end: date, month_ends: int = 24, days: int = 7) -> list[date]:
    out, year, month = [], end.year, end.month
    while len(out) < month_ends:
        last = date(year, month, calendar.monthrange(year, month)[1])
        if last <= end:
            out.append(last)
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return sorted(set(out) | {end - timedelta(days=i) for i in range(days)})


class Population:
    def __init__(self, n: int, orgs: np.ndarray, org_cluster: np.ndarray, rng: np.random.Generator):
        self.rng, self.orgs, self.org_cluster = rng, orgs, org_cluster
        self.next_number = 1
        self.cols: dict[str, np.ndarray] = {}
        self.active = np.zeros(0, dtype=bool)
        self._add(n, date(2024, 1, 1))
        # teams per organisation fixed at the start, so managers change only when a head leaves
        self.teams = np.maximum(1, np.bincount(self.cols["org"], minlength=len(orgs)) // TEAM_SIZE)

    def _add(self, n: int, when: date) -> None:
        rng = self.rng
        day = (when - date(1970, 1, 1)).days
        new = {
            "person_key": rng.integers(1, 2**62, n),
            "number": np.arange(self.next_number, self.next_number + n),
            "org": rng.integers(0, len(self.orgs), n),
            "grade": rng.integers(0, len(GRADES), n),
            "profession": rng.integers(0, len(PROFESSIONS), n),
            "region": rng.integers(0, len(REGIONS), n),
            "fixed_term": rng.random(n) < 0.05,
            "fte": np.where(rng.random(n) < 0.8, 1.0, rng.choice([0.4, 0.5, 0.6, 0.8], n)),
            "salary": np.round(rng.lognormal(10.4, 0.3, n)),
            "cs_start": day - rng.integers(0, 12000, n),
            "org_start": day - rng.integers(0, 3000, n),
            "sex": rng.integers(0, 2, n),
            "ethnicity": rng.integers(0, 3, n),
            "disability": rng.integers(0, 3, n),
            "age": rng.integers(0, len(AGE_BANDS), n),
            "team": rng.integers(0, 1 << 30, n),
        }
        new["org_start"] = np.maximum(new["org_start"], new["cs_start"])
        self.next_number += n
        self.cols = {k: np.concatenate([self.cols.get(k, v[:0]), v]) for k, v in new.items()}
        self.active = np.concatenate([self.active, np.ones(n, dtype=bool)])

    def step(self, days: int, when: date, pay_award: bool) -> None:
        rng, month = self.rng, days / 30.4
        act = np.flatnonzero(self.active)
        self.active[act[rng.random(len(act)) < 0.0075 * month]] = False
        act = np.flatnonzero(self.active)
        movers = act[rng.random(len(act)) < 0.01 * month]
        half = rng.random(len(movers)) < 0.5
        self.cols["org"][movers[half]] = rng.integers(0, len(self.orgs), half.sum())
        self.cols["org_start"][movers[half]] = (when - date(1970, 1, 1)).days
        self.cols["team"][movers[half]] = rng.integers(0, 1 << 30, half.sum())
        g = movers[~half]
        self.cols["grade"][g] = np.minimum(self.cols["grade"][g] + 1, len(GRADES) - 1)
        ageing = act[rng.random(len(act)) < 0.10 / 12 * month]
        self.cols["age"][ageing] = np.minimum(self.cols["age"][ageing] + 1, len(AGE_BANDS) - 1)
        if pay_award:
            self.cols["salary"][act] = np.round(self.cols["salary"][act] * 1.045)
        self._add(int(len(act) * 0.01 * month), when)

    def employees(self, cluster: int, prefix: str) -> pa.Table:
        idx = np.flatnonzero(self.active & (self.org_cluster[self.cols["org"]] == cluster))
        c = {k: v[idx] for k, v in self.cols.items()}
        emp_id = pa.array([f"{prefix}{n:08d}" for n in c["number"]])
        # team head = the lowest employee number of (org, team bucket); heads report to the org head
        bucket = c["org"] * (1 << 31) + c["team"] % self.teams[c["org"]]
        order = np.lexsort((c["number"], bucket))
        first = np.r_[True, bucket[order][1:] != bucket[order][:-1]]
        head_pos = order[np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))]
        org_order = np.lexsort((c["number"], c["org"]))
        org_first = np.r_[True, c["org"][org_order][1:] != c["org"][org_order][:-1]]
        org_head = np.empty(len(idx), dtype=np.int64)
        org_head[org_order] = org_order[
            np.maximum.accumulate(np.where(org_first, np.arange(len(idx)), 0))
        ]
        manager = np.empty(len(idx), dtype=np.int64)
        manager[order] = head_pos
        is_head = manager == np.arange(len(idx))
        manager[is_head] = org_head[is_head]
        mgr = pc.take(emp_id, pa.array(manager))
        mgr = pc.if_else(pa.array(manager == np.arange(len(idx))), pa.nulls(len(idx)), mgr)
        codes = lambda values, names: pa.array(np.array(names, dtype=object)[values])  # noqa: E731
        return pa.table(
            {
                "person_key": pa.array([f"PK{k}" for k in c["person_key"]]),
                "employee_id": emp_id,
                "organisation_code": codes(c["org"], self.orgs),
                "grade": codes(c["grade"], GRADES),
                "profession": codes(c["profession"], PROFESSIONS),
                "region": codes(c["region"], list(REGIONS)),
                "employment_type": codes(c["fixed_term"].astype(int), ["permanent", "fixed_term"]),
                "fte": c["fte"],
                "annual_salary_gbp": c["salary"],
                "civil_service_start_date": pa.array(c["cs_start"].astype("int32"), pa.date32()),
                "organisation_start_date": pa.array(c["org_start"].astype("int32"), pa.date32()),
                "manager_employee_id": mgr,
                "sex": codes(c["sex"], ["female", "male"]),
                "ethnicity": codes(c["ethnicity"], ["white", "ethnic_minority", "not_declared"]),
                "disability": codes(c["disability"], ["disabled", "not_disabled", "not_declared"]),
                "age_band": codes(c["age"], AGE_BANDS),
            }
        ).sort_by("employee_id")


def contingent(n: int, orgs: list[str], when: date, rng: np.random.Generator) -> pa.Table:
    start = (when - date(1970, 1, 1)).days - rng.integers(0, 700, n)
    return pa.table(
        {
            "worker_id": pa.array([f"W{i:07d}" for i in range(n)]),
            "organisation_code": pa.array(rng.choice(orgs, n)),
            "category": pa.array(rng.choice(["agency_admin", "consultant"], n)),
            "fte": np.ones(n),
            "day_rate_gbp": np.round(rng.uniform(150, 900, n)),
            "engagement_start_date": pa.array(start.astype("int32"), pa.date32()),
            "engagement_end_date": pa.array((start + 400).astype("int32"), pa.date32()),
        }
    )


def ledger(n: int, orgs: list[str], when: date, rng: np.random.Generator) -> pa.Table:
    return pa.table(
        {
            "journal_id": pa.array([f"J{when:%Y%m%d}-{i // 50:05d}" for i in range(n)]),
            "line_number": pa.array(np.arange(n) % 50 + 1, pa.int64()),
            "posting_date": pa.array([when] * n, pa.date32()),
            "period": pa.array([f"{when:%Y-%m}"] * n),
            "organisation_code": pa.array(rng.choice(orgs, n)),
            "cost_centre": pa.array([f"CC{x:04d}" for x in rng.integers(0, 2000, n)]),
            "account_category": pa.array(rng.choice(ACCOUNTS, n)),
            "amount_gbp": pa.array(np.round(rng.normal(2000, 800, n), 2)),
            "description": pa.array(["synthetic"] * n),
        }
    )


def generate(landing: Path, employees: int, end: date, seed: int = 1, ledger_lines: int = 20_000):
    register = load_organisations(Path("data/reference/organisations.csv"))
    register = register.filter(register["cluster"].is_in(list(CLUSTERS)))
    orgs = np.array(register["organisation_code"].to_list(), dtype=object)
    org_cluster = np.array([CLUSTERS.index(c) for c in register["cluster"]])
    rng = np.random.default_rng(seed)
    pop = Population(employees, orgs, org_cluster, rng)
    dates = delivery_dates(end)
    previous = dates[0]
    for when in dates:
        days = (when - previous).days
        award = any(
            (previous + timedelta(days=i)).month == 8 and (previous + timedelta(days=i)).day == 1
            for i in range(1, days + 1)
        )
        if days:
            pop.step(days, when, award)
        previous = when
        for index, cluster in enumerate(CLUSTERS):
            cluster_orgs = [o for o, c in zip(orgs, org_cluster, strict=True) if c == index]
            tables = {
                "employees.parquet": pop.employees(index, cluster[:3]),
                "contingent_labour.parquet": contingent(
                    employees // 200, cluster_orgs, when, np.random.default_rng(index)
                ),
                "ledger.parquet": ledger(ledger_lines, cluster_orgs, when, rng),
            }
            at = datetime(when.year, when.month, when.day, 23, 0)
            write_delivery(landing, cluster, when, tables, generated_at=at, source_system="synth")
        print(when, int(pop.active.sum()), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--employees", type=int, default=530_000)
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 11, 20))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.landing, args.employees, args.end, args.seed)


if __name__ == "__main__":
    main()
