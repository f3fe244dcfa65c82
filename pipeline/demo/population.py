"""The civil-service population, simulated forward from one delivery date to the next.

State is a set of numpy arrays, one element per person ever employed; each step draws leavers,
moves between organisations, promotions and entrants for the days since the previous delivery,
all vectorised.  A snapshot is the state of everyone in post on a date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from core.contract import AGE_BANDS, CLUSTERS, PROFESSIONS
from pipeline.demo import calibration as cal
from pipeline.demo.organisations import N_GRADES, UNKNOWN, Register

EPOCH = date(1970, 1, 1)
GRADE_LEVELS = np.array([cal.GRADE_LEVEL[g] for g in cal.GRADE_ORDER] + [2])  # unknown ≈ EO
_MEDIAN_PAY = np.array(
    [cal.MEDIAN_PAY_2023[g] for g in cal.GRADE_ORDER] + [cal.UNKNOWN_GRADE_MEDIAN_PAY], float
)
_LEAVING = np.array(
    [cal.LEAVING_RATE[g] for g in cal.GRADE_ORDER] + [cal.UNKNOWN_GRADE_LEAVING_RATE]
)
_FTE_RATIO = np.array(
    [cal.FTE_RATIO_BY_GRADE[g] for g in cal.GRADE_ORDER] + [cal.FTE_RATIO_UNKNOWN_GRADE]
)
REGION_CODES = (*cal.REGION_SHARE, "OVERSEAS")
LONDON = REGION_CODES.index("TLI")
NO_CODE = -1  # a null in a coded column


def day_number(when: date) -> int:
    return (when - EPOCH).days


def _choice(rng: np.random.Generator, probs: np.ndarray, n: int) -> np.ndarray:
    """n draws from a categorical distribution whose last entry stands for null (-1)."""
    draws = rng.choice(len(probs), size=n, p=probs / probs.sum())
    return np.where(draws == len(probs) - 1, NO_CODE, draws)


@dataclass
class Population:
    """Everyone ever employed in the simulation; ``active`` marks those in post now."""

    register: Register
    rng: np.random.Generator
    today: int = 0
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    next_employee_number: int = 1

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    # --- drawing new people ------------------------------------------------------------------

    def _draw_people(
        self, org: np.ndarray, grade: np.ndarray, start_day: np.ndarray, entrants: bool
    ) -> dict[str, np.ndarray]:
        rng, n = self.rng, len(org)
        level = GRADE_LEVELS[grade]
        senior = (grade >= cal.GRADE_ORDER.index("G7")) & (grade != UNKNOWN)
        is_scs = (level >= 7) & (grade != UNKNOWN)

        female_share = np.array(
            [cal.FEMALE_SHARE_BY_LEVEL.get(min(lv, 6), 0.5) for lv in range(11)]
        )
        p_female = np.where(is_scs, cal.FEMALE_SHARE_SCS, female_share[np.minimum(level, 10)])
        sex = np.where(rng.random(n) < p_female, 0, 1)
        sex[rng.random(n) < cal.SEX_NOT_RECORDED] = NO_CODE

        cluster = self.register.cluster[org]
        region = self._draw_region(cluster, senior)

        em_share = np.where(is_scs, cal.ETHNIC_MINORITY_SCS_OF_KNOWN, cal.ETHNIC_MINORITY_OF_KNOWN)
        em_share = np.where(
            region == LONDON, em_share * cal.LONDON_ETHNIC_MINORITY_UPLIFT, em_share * 0.8
        )
        u = rng.random(n)
        ethnicity = np.where(u < em_share, 1, 0)  # 0 white, 1 ethnic minority, 2 not declared
        u = rng.random(n)
        ethnicity[u < cal.ETHNICITY_NOT_DECLARED + cal.ETHNICITY_UNKNOWN] = NO_CODE
        ethnicity[u < cal.ETHNICITY_NOT_DECLARED] = 2

        u = rng.random(n)
        disability = np.where(rng.random(n) < cal.DISABLED_OF_DECLARED, 0, 1)
        disability[u < cal.DISABILITY_NOT_DECLARED + cal.DISABILITY_UNKNOWN] = NO_CODE
        disability[u < cal.DISABILITY_NOT_DECLARED] = 2

        age_probs = np.array(list(cal.AGE_BAND_SHARE.values()))
        if entrants:  # entrants are younger than those in post
            age_probs = age_probs * np.array([3.0, 2.2, 1.3, 0.9, 0.6, 0.4, 0.3])
        band = rng.choice(len(age_probs), size=n, p=age_probs / age_probs.sum())
        bounds = np.array(list(cal.AGE_BAND_BOUNDS.values()), float)
        age_years = bounds[band, 0] + rng.random(n) * (bounds[band, 1] - bounds[band, 0])
        birth_day = (start_day - age_years * 365.25).astype(np.int64)

        if entrants:
            cs_start = start_day.copy()
            org_start = start_day.copy()
        else:  # tenure grows with age; about 60% have never moved organisation
            max_tenure = np.maximum(age_years - 17.5, 0.1)
            tenure = np.minimum(rng.exponential(11.0, n), max_tenure)
            cs_start = (start_day - tenure * 365.25).astype(np.int64)
            moved = rng.random(n) < 0.4
            org_start = np.where(
                moved, cs_start + (rng.random(n) * (start_day - cs_start)), cs_start
            )
            org_start = org_start.astype(np.int64)

        ratio = _FTE_RATIO[grade] * np.where(
            sex == 0, cal.FTE_RATIO_FEMALE / 0.938, cal.FTE_RATIO_MALE / 0.938
        )
        part_time = rng.random(n) < np.clip((1 - ratio) / 0.4, 0, 1)
        fte = np.where(part_time, rng.choice(cal.PART_TIME_FTE_CHOICES, size=n), 1.0)

        salary = _MEDIAN_PAY[grade] * np.exp(rng.normal(0, cal.PAY_DISPERSION, n))
        salary *= np.where(region == LONDON, 1 + cal.LONDON_PAY_PREMIUM, 1.0)

        return {
            "person_key": rng.integers(1, np.iinfo(np.int64).max, size=n, dtype=np.int64),
            "ring": rng.integers(0, np.iinfo(np.int64).max, size=n, dtype=np.int64),
            "rank_u": rng.random(n),
            "employee_number": self._employee_numbers(n),
            "org": org.astype(np.int64),
            "grade": grade.astype(np.int64),
            "profession": self._draw_profession(cluster),
            "region": region,
            "fixed_term": rng.random(n) < cal.FIXED_TERM_SHARE * (2.0 if entrants else 1.0),
            "fte": fte,
            "salary_2023": salary,
            "cs_start": cs_start,
            "org_start": org_start,
            "birth_day": birth_day,
            "sex": sex,
            "ethnicity": ethnicity,
            "disability": disability,
            "active": np.ones(n, bool),
        }

    def _employee_numbers(self, n: int) -> np.ndarray:
        numbers = np.arange(self.next_employee_number, self.next_employee_number + n)
        self.next_employee_number += n
        return numbers

    def _draw_region(self, cluster: np.ndarray, senior: np.ndarray) -> np.ndarray:
        rng, n = self.rng, len(cluster)
        others = np.array([cal.REGION_SHARE[r] for r in REGION_CODES[:-1]])
        others[LONDON] = 0
        p_london = np.where(senior, cal.LONDON_SHARE_SENIOR, cal.LONDON_SHARE_OTHER)
        outside = rng.choice(len(others), size=n, p=others / others.sum())
        region = np.where(rng.random(n) < p_london, LONDON, outside)
        overseas = cluster == CLUSTERS.index("OVERSEAS")
        if overseas.any():
            codes = [REGION_CODES.index(r) for r in cal.OVERSEAS_CLUSTER_REGION]
            probs = np.array(list(cal.OVERSEAS_CLUSTER_REGION.values()))
            region[overseas] = rng.choice(codes, size=overseas.sum(), p=probs / probs.sum())
        region[rng.random(n) < cal.REGION_UNKNOWN] = NO_CODE
        return region

    def _draw_profession(self, cluster: np.ndarray) -> np.ndarray:
        rng, n = self.rng, len(cluster)
        shares = np.array([cal.PROFESSION_SHARE[p] for p in PROFESSIONS] + [cal.PROFESSION_UNKNOWN])
        tax = PROFESSIONS.index("tax")
        elsewhere = shares.copy()
        elsewhere[tax] = 0
        in_unity = shares.copy()
        in_unity[tax] = shares[tax] / 0.2  # UNITY holds about a fifth of staff and all tax staff
        unity = cluster == CLUSTERS.index("UNITY")
        out = _choice(rng, elsewhere, n)
        if unity.any():
            out[unity] = _choice(rng, in_unity, int(unity.sum()))
        return out

    def _append(self, people: dict[str, np.ndarray]) -> None:
        if not self.arrays:
            self.arrays = people
            return
        for name, values in people.items():
            self.arrays[name] = np.concatenate([self.arrays[name], values])

    # --- the simulation ------------------------------------------------------------------------

    def _draw_grades(self, org: np.ndarray, entrant_mix: bool) -> np.ndarray:
        probs = self.register.grade_probs[org]
        if entrant_mix:
            tilt = np.array(
                [cal.ENTRANT_GRADE_SHARE[g] / cal.GRADE_SHARE[g] for g in cal.GRADE_ORDER]
                + [cal.ENTRANT_UNKNOWN_GRADE_SHARE / cal.UNKNOWN_GRADE_SHARE]
            )
            probs = probs * tilt
        cumulative = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
        return (self.rng.random(len(org))[:, None] > cumulative).sum(axis=1).clip(0, N_GRADES)

    def start(self, when: date) -> None:
        """Everyone in post on the first delivery date."""
        self.today = day_number(when)
        target = self.register.target_headcount(when)
        org = np.repeat(np.arange(self.register.size), target)
        grade = self._draw_grades(org, entrant_mix=False)
        self._append(self._draw_people(org, grade, np.full(len(org), self.today), entrants=False))

    def step(self, when: date) -> None:
        """Advance to ``when``: leavers, moves, promotions, then entrants up to the target size."""
        rng, end = self.rng, day_number(when)
        days = end - self.today
        if days <= 0:
            return
        years = days / 365.25

        def event_days(n: int) -> np.ndarray:
            return self.today + 1 + rng.integers(0, days, size=n)

        active = np.flatnonzero(self["active"])
        grade = self["grade"][active]
        age = (end - self["birth_day"][active]) / 365.25
        rate = _LEAVING[grade] * cal.LEAVING_AGE_FACTOR_UNDER_60 + np.select(
            [age >= 65, age >= 60], [cal.RETIREMENT_RATE_65_PLUS, cal.RETIREMENT_RATE_60_64], 0.0
        )
        leaving = rng.random(len(active)) < 1 - (1 - np.minimum(rate, 0.95)) ** years
        self["active"][active[leaving]] = False
        stay = active[~leaving]

        moving = stay[rng.random(len(stay)) < 1 - (1 - cal.TRANSFER_RATE) ** years]
        self._move(moving, event_days(len(moving)))

        grade = self["grade"][stay]
        can_rise = (grade < N_GRADES - 1) & (grade != UNKNOWN)
        rising = stay[can_rise & (rng.random(len(stay)) < 1 - (1 - cal.PROMOTION_RATE) ** years)]
        new_grade = self["grade"][rising] + 1
        self["grade"][rising] = new_grade
        self["salary_2023"][rising] = np.maximum(
            self["salary_2023"][rising] * (1 + cal.PROMOTION_PAY_RISE),
            _MEDIAN_PAY[new_grade] * 0.92,
        )

        target = self.register.target_headcount(when)
        in_post = np.bincount(self["org"][self["active"]], minlength=self.register.size)
        wanted = np.maximum(target - in_post, 0)
        org = np.repeat(np.arange(self.register.size), wanted)
        if len(org):
            grade = self._draw_grades(org, entrant_mix=True)
            self._append(self._draw_people(org, grade, event_days(len(org)), entrants=True))
        self.today = end

    def _move(self, people: np.ndarray, on_day: np.ndarray) -> None:
        """Moves between organisations: mostly within the department, some across clusters."""
        if not len(people):
            return
        reg, rng = self.register, self.rng
        weights = reg.headcount_2023
        origin = self["org"][people]
        kind = rng.random(len(people))
        destination = origin.copy()
        for o in np.unique(origin):
            here = origin == o
            same_dept = (reg.parent == reg.parent[o]) & (np.arange(reg.size) != o)
            same_cluster = (reg.cluster == reg.cluster[o]) & ~same_dept & (np.arange(reg.size) != o)
            other = reg.cluster != reg.cluster[o]
            for mask, lo, hi in (
                (same_dept, 0.0, cal.TRANSFER_SAME_DEPARTMENT),
                (
                    same_cluster,
                    cal.TRANSFER_SAME_DEPARTMENT,
                    cal.TRANSFER_SAME_DEPARTMENT + cal.TRANSFER_SAME_CLUSTER,
                ),
                (other, cal.TRANSFER_SAME_DEPARTMENT + cal.TRANSFER_SAME_CLUSTER, 1.0),
            ):
                pick = here & (kind >= lo) & (kind < hi)
                candidates = np.flatnonzero(mask)
                if pick.any() and len(candidates):
                    p = weights[candidates] / weights[candidates].sum()
                    destination[pick] = rng.choice(candidates, size=pick.sum(), p=p)
        moved = destination != origin
        people, destination, on_day = people[moved], destination[moved], on_day[moved]
        crossed = reg.cluster[destination] != reg.cluster[self["org"][people]]
        self["org"][people] = destination
        self["org_start"][people] = on_day
        # A new cluster is a new HR system: a new employee number.
        self["employee_number"][people[crossed]] = self._employee_numbers(int(crossed.sum()))

    def age_band(self, people: np.ndarray, on_day: int) -> np.ndarray:
        age = (on_day - self["birth_day"][people]) / 365.25
        lower = np.array([b[0] for b in cal.AGE_BAND_BOUNDS.values()][1:])
        return np.searchsorted(lower, age, side="right").clip(0, len(AGE_BANDS) - 1)


def pay_index(when: date) -> float:
    """Cumulative pay awards since March 2023 (awards take effect on 1 August)."""
    index = 1.0
    for year, award in cal.PAY_AWARDS.items():
        if cal.REFERENCE_DATE < date(year, 8, 1) <= when:
            index *= 1 + award
    return index
