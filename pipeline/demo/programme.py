"""The PROGRAMME feed: the strategy office's milestone and benefits register (full snapshot).

Milestones follow the published timeline (``shared/reference/domain.md`` §1.3); dates the
sources do not give are marked ASSUMED.  Each milestone has a fixed baseline and an outturn
date: the real date where it is known (up to mid-2026), otherwise a designed date shifted by a
seeded jitter.  Forecasts move at quarterly portfolio reviews on a fixed calendar, drifting from
the baseline towards the outturn with shrinking noise (mostly later, now and then earlier).
Every random draw depends on the seed only, never on the extract date, so deliveries generated
in any order agree: the register on a date is the fixed history evaluated at that date.

Benefits are the approved business-case profile (exactly £500m cashable, £1.3bn efficiencies,
£900m programme cost over 15 financial years, press release 10 Mar 2023), with seeded actuals
for the financial years that have ended.
"""

from __future__ import annotations

import zlib
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from core.contract import CLUSTERS, BenefitRow, MilestoneRow, arrow_schema
from core.dates import month_end

D = date.fromisoformat
KNOWN_UNTIL = D("2026-06-30")  # the sources' horizon: later outturns are designed + jitter
REGISTER_START = D("2021-03-31")  # strategy launched; forecasts start moving from here
THREE_POINT_FROM = D("2022-07-01")  # IPA annual report 2021-22 moved to Red/Amber/Green
REVIEWS = tuple(
    date(y, m, 30 if m in (6, 9) else 31)
    for y in range(2021, 2037)
    for m in (3, 6, 9, 12)
    if date(y, m, 28) > REGISTER_START
)  # quarterly portfolio reviews (Cabinet Office quarterly cluster returns)
REFORECAST_CHANCE = 0.45  # a milestone's forecast is revisited at roughly every other review

OWNERS = {
    "ALL": "Cabinet Office Government Shared Services",
    "SYNERGY": "DWP Synergy Programme",
    "MATRIX": "DSIT Matrix Programme",
    "UNITY": "HMRC Unity Programme",
    "OVERSEAS": "FCDO Hera Programme",
    "DEFENCE": "MoD Corporate Services Modernisation",
}

# (milestone_id, cluster, stage, baseline, outturn, title).  Outturns on or before KNOWN_UNTIL
# are the published dates (day ASSUMED where only the month is known); baselines that the
# sources do not give, and every later outturn, are ASSUMED.
MILESTONES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("ALL-LAUNCH", "ALL", "other", "2021-03-31", "2021-03-31",
     "Shared Services Strategy for Government launched with five clusters"),
    ("ALL-DATA", "ALL", "other", "2024-03-31", "2025-09-30",
     "Common HR, finance and commercial data standards agreed"),
    ("ALL-CLOUD", "ALL", "go_live", "2028-03-31", "2029-09-28",
     "Every department running on a cloud ERP through its cluster"),
    ("SYN-VISION", "SYNERGY", "other", "2023-01-31", "2023-02-01",
     "Capgemini engaged to set the technical vision and statement of requirements"),
    ("SYN-OBC", "SYNERGY", "OBC", "2023-03-31", "2023-04-28",
     "Synergy Outline Business Case reviewed by the four departmental investment committees"),
    ("SYN-TENDER", "SYNERGY", "procurement", "2023-05-31", "2023-06-20",
     "Joint ERP and systems-integrator tender launched (at least £933.65m)"),
    ("SYN-CA", "SYNERGY", "contract_award", "2024-03-29", "2024-08-30",
     "Oracle (10-year) and IBM (5-year) contracts signed"),
    ("SYN-FBC", "SYNERGY", "FBC", "2024-09-13", "2025-05-16",
     "Synergy Full Business Case approved by HM Treasury"),
    ("SYN-BPS", "SYNERGY", "contract_award", "2025-10-31", "2026-02-27",
     "Business Process Services contract awarded with an amended Full Business Case"),
    ("SYN-DWP", "SYNERGY", "go_live", "2026-10-01", "2027-06-01",
     "DWP live on Oracle Fusion Cloud ERP and HCM"),
    ("SYN-MOJ", "SYNERGY", "go_live", "2027-04-01", "2027-12-01",
     "Ministry of Justice live on Oracle Fusion Cloud ERP and HCM"),
    ("SYN-DEFRA", "SYNERGY", "go_live", "2027-07-01", "2028-04-03",
     "Defra live on Oracle Fusion Cloud ERP and HCM"),
    ("SYN-HO", "SYNERGY", "go_live", "2028-01-04", "2028-10-02",
     "Home Office moved onto the Synergy Oracle service"),
    ("SYN-DECOM", "SYNERGY", "legacy_decommission", "2028-09-29", "2029-06-29",
     "Single Operating Platform legacy systems decommissioned"),
    ("MTX-WAVE1", "MATRIX", "other", "2022-03-31", "2022-03-21",
     "First-wave departments and delivery options set out (BEIS, DIT, DCMS, Cabinet Office)"),
    ("MTX-OBC", "MATRIX", "OBC", "2022-12-30", "2023-05-31",
     "Matrix Outline Business Case approved: consent to procure"),
    ("MTX-TENDER", "MATRIX", "procurement", "2023-06-30", "2023-07-05",
     "Bundled ERP and systems-integrator tender launched (est. £215.6m)"),
    ("MTX-CA", "MATRIX", "contract_award", "2024-06-28", "2024-10-04",
     "Workday and Cognizant contracts awarded (£144.3m)"),
    ("MTX-FBC", "MATRIX", "FBC", "2025-03-31", "2025-09-30",
     "Matrix Full Business Case approved"),
    ("MTX-HMT", "MATRIX", "other", "2025-06-30", "2026-12-18",
     "HM Treasury decides whether to join the Matrix cluster"),
    ("MTX-LIVE1", "MATRIX", "go_live", "2027-04-01", "2028-04-03",
     "First-wave departments live on Workday"),
    ("MTX-LIVE", "MATRIX", "go_live", "2028-04-03", "2029-04-02",
     "All Matrix departments live on Workday"),
    ("MTX-DECOM", "MATRIX", "legacy_decommission", "2028-12-29", "2029-12-31",
     "15 legacy finance and HR instances decommissioned"),
    ("UNI-SOC", "UNITY", "SOC", "2021-09-30", "2021-12-15",
     "Unity Strategic Outline Case approved"),
    ("UNI-OBC", "UNITY", "OBC", "2022-09-30", "2022-11-30",
     "Unity Outline Business Case approved"),
    ("UNI-DCA", "UNITY", "other", "2023-06-30", "2023-07-27",
     "IPA delivery confidence assessment of the Unity programme"),
    ("UNI-TENDER", "UNITY", "procurement", "2023-09-29", "2023-12-15",
     "ERP and technical delivery partner tender published (£500m ceiling)"),
    ("UNI-AOA", "UNITY", "other", "2024-02-29", "2024-02-29",
     "Accounting Officer Assessment finds Unity value for money and deliverable"),
    ("UNI-CA", "UNITY", "contract_award", "2024-07-31", "2024-11-15",
     "SAP, Deloitte and SAP Concur contracts awarded (£366m)"),
    ("UNI-FBC", "UNITY", "FBC", "2025-03-31", "2025-07-31",
     "Unity Full Business Case approved"),
    ("UNI-HMRC", "UNITY", "go_live", "2026-10-01", "2027-04-01",
     "HMRC live on SAP S/4HANA cloud"),
    ("UNI-DFT", "UNITY", "go_live", "2027-04-01", "2027-09-01",
     "DfT and MHCLG live on SAP S/4HANA cloud, before SAP ECC 6.0 mainstream support ends"),
    ("UNI-DECOM", "UNITY", "legacy_decommission", "2027-12-31", "2028-06-30",
     "On-premise SAP ECC 6.0 decommissioned"),
    ("OVS-ATLAS", "OVERSEAS", "other", "2019-12-02", "2019-12-02",
     "FCO Atlas revised business case approved: Oracle Cloud to replace Prism"),
    ("OVS-FBC", "OVERSEAS", "FBC", "2020-12-31", "2021-03-31",
     "Hera Full Business Case approved"),
    ("OVS-REPLAN", "OVERSEAS", "other", "2021-12-31", "2022-04-29",
     "Hera implementation replanned in two phases"),
    ("OVS-LIVE1", "OVERSEAS", "go_live", "2021-10-01", "2022-07-04",
     "Hera phase 1 live: former FCO users on Oracle Cloud finance and HR"),
    ("OVS-LIVE2", "OVERSEAS", "go_live", "2022-04-01", "2022-11-07",
     "Hera phase 2 live: former DFID users on Oracle Cloud finance and HR"),
    ("OVS-DFID", "OVERSEAS", "legacy_decommission", "2022-09-30", "2023-03-31",
     "Former DFID finance and HR systems decommissioned"),
    ("OVS-PRISM", "OVERSEAS", "legacy_decommission", "2022-12-30", "2023-06-30",
     "Prism decommissioned"),
    ("DEF-SI", "DEFENCE", "contract_award", "2021-06-30", "2021-08-13",
     "Deloitte contracted to move civilian HR and pay to Oracle HCM Cloud"),
    ("DEF-CIV", "DEFENCE", "go_live", "2022-10-03", "2023-04-03",
     "MoD civilian HR, payroll and expenses live on Oracle Cloud"),
    ("DEF-DC", "DEFENCE", "legacy_decommission", "2023-06-30", "2023-09-29",
     "PeopleSoft 8.8 retired and its data centre exited"),
    ("DEF-SOC", "DEFENCE", "SOC", "2024-03-29", "2024-06-28",
     "Corporate Services Modernisation Strategic Outline Case approved"),
    ("DEF-P2", "DEFENCE", "contract_award", "2025-03-31", "2025-05-16",
     "CSM Phase 2 design contract awarded to KPMG (£8m)"),
    ("DEF-P3", "DEFENCE", "procurement", "2025-06-30", "2026-02-27",
     "CSM Phase 3 transformation and implementation procurement launched"),
    ("DEF-FBC", "DEFENCE", "FBC", "2026-03-31", "2026-08-28",
     "CSM Full Business Case approved"),
    ("DEF-P3CA", "DEFENCE", "contract_award", "2026-05-29", "2026-11-30",
     "CSM Phase 3 contract awarded (about £92m, 5 years)"),
    ("DEF-MIL", "DEFENCE", "go_live", "2028-04-03", "2029-04-02",
     "Military HR and pay live on Oracle Cloud Fusion"),
)  # fmt: skip

# Programme delivery confidence (IPA DCA) from each date on.  Hera "Amber/Red → Amber" (2021)
# and Unity Red (Jul 2023) are published; the rest is ASSUMED.  Every cluster has an entry on
# THREE_POINT_FROM so that later ratings are on the three-point scale.
DCA: dict[str, tuple[tuple[str, str], ...]] = {
    "SYNERGY": (("2021-06-30", "amber_red"), ("2022-03-31", "amber"), ("2022-07-01", "amber")),
    "MATRIX": (("2021-06-30", "amber_red"), ("2022-07-01", "amber"), ("2026-06-30", "red")),
    "UNITY": (("2021-09-30", "amber"), ("2022-07-01", "amber"), ("2023-07-27", "red"),
              ("2024-02-29", "amber")),
    "OVERSEAS": (("2020-06-30", "amber_red"), ("2021-03-31", "amber"),
                 ("2022-01-31", "amber_green"), ("2022-07-01", "amber"), ("2023-03-31", "green")),
    "DEFENCE": (("2021-06-30", "amber"), ("2022-01-31", "amber_green"), ("2022-07-01", "amber"),
                ("2024-03-29", "green"), ("2025-06-18", "amber")),
}  # fmt: skip
TO_THREE_POINT = {"amber_green": "amber", "amber_red": "amber"}

FINANCIAL_YEARS = tuple(f"{y}-{(y + 1) % 100:02d}" for y in range(2021, 2036))
MEASURES = ("cashable_saving", "non_cashable_efficiency", "programme_cost")
CASHABLE_TOTAL, EFFICIENCY_TOTAL, COST_TOTAL = 500_000_000, 1_300_000_000, 900_000_000
# £m over 15 years.  Unity ~£585m is published; Overseas is sized so that its first three
# years (plan ~£133m) match the >£120m realised by Mar 2024; the rest is ASSUMED.
BENEFITS_M = {"SYNERGY": 550, "UNITY": 585, "MATRIX": 185, "OVERSEAS": 330, "DEFENCE": 150}
COST_M = {"SYNERGY": 400, "UNITY": 214, "MATRIX": 144, "DEFENCE": 80, "OVERSEAS": 62}
# Relative weight of each financial year 2021-22 … 2035-36 (ASSUMED): costs peak around
# procurement and implementation, benefits ramp up after go-live.
BENEFIT_PROFILE = {
    "SYNERGY":  (0, 0, 0, 0, 0, 1, 4, 8, 11, 12, 12, 12, 12, 12, 12),
    "UNITY":    (0, 0, 0, 0, 0, 1, 5, 9, 11, 12, 12, 12, 12, 12, 12),
    "MATRIX":   (0, 0, 0, 0, 0, 0, 1, 4, 8, 10, 11, 11, 11, 11, 11),
    "OVERSEAS": (26, 44, 50, 24, 20, 18, 16, 15, 14, 14, 13, 13, 12, 10, 8),
    "DEFENCE":  (0, 0, 1, 3, 5, 6, 7, 8, 9, 10, 10, 10, 10, 10, 10),
}  # fmt: skip
COST_PROFILE = {
    "SYNERGY":  (2, 4, 6, 10, 14, 16, 14, 10, 6, 4, 3, 3, 3, 3, 2),
    "UNITY":    (2, 3, 5, 9, 14, 16, 13, 8, 5, 4, 3, 3, 3, 3, 3),
    "MATRIX":   (1, 2, 3, 6, 12, 15, 15, 12, 7, 4, 3, 3, 3, 3, 3),
    "OVERSEAS": (22, 18, 8, 5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4),
    "DEFENCE":  (10, 12, 10, 5, 6, 10, 10, 8, 5, 4, 3, 3, 3, 3, 3),
}  # fmt: skip
# Realised share of planned benefits (early clusters realise more); costs run 95–115% of plan.
BENEFIT_REALISATION = {
    "OVERSEAS": (0.84, 0.98), "DEFENCE": (0.78, 0.96), "SYNERGY": (0.70, 0.90),
    "UNITY": (0.70, 0.90), "MATRIX": (0.65, 0.88),
}  # fmt: skip
COST_OUTTURN = (0.95, 1.15)
GBP_PER_HOUR = 32.0  # value of a civil-servant hour released (ASSUMED)
assert sum(BENEFITS_M.values()) * 1_000_000 == CASHABLE_TOTAL + EFFICIENCY_TOTAL
assert sum(COST_M.values()) * 1_000_000 == COST_TOTAL


def _rng(seed: int, *names: str) -> np.random.Generator:
    """A generator for one named stream of draws, independent of the others."""
    return np.random.default_rng([seed, *(zlib.crc32(name.encode()) for name in names)])


def largest_remainder(total: int, weights: list[int] | tuple[int, ...]) -> list[int]:
    """Whole numbers proportional to ``weights`` that add up to exactly ``total``."""
    whole = sum(weights)
    shares = [divmod(total * w, whole) for w in weights]
    left = total - sum(q for q, _ in shares)
    order = sorted(range(len(weights)), key=lambda i: (-shares[i][1], i))
    bonus = set(order[:left])
    return [q + (i in bonus) for i, (q, _) in enumerate(shares)]


def _outturn(seed: int, milestone_id: str, cluster: str, designed: date) -> date:
    """The published date, or a designed future date moved by a seeded (mostly later) jitter.

    The jitter is mostly shared by the cluster's milestones so that their order holds."""
    if designed <= KNOWN_UNTIL:
        return designed
    shift = _rng(seed, "cluster-jitter", cluster).integers(-30, 121)
    shift += _rng(seed, "jitter", milestone_id).integers(0, 21)
    return designed + timedelta(days=int(shift))


def _forecast(seed: int, milestone_id: str, baseline: date, outturn: date, day: date) -> date:
    """The forecast as it stood at the end of ``day`` (``day`` before the outturn)."""
    rng = _rng(seed, "reforecast", milestone_id)
    revisit = rng.random(len(REVIEWS)) < REFORECAST_CHANCE
    noise = rng.normal(0.0, 1.0, len(REVIEWS))  # drawn for every review, whatever the date
    gap = (outturn - baseline).days
    span = max((outturn - REGISTER_START).days, 1)
    forecast = baseline
    for review, moved, z in zip(REVIEWS, revisit, noise, strict=True):
        if review > day or review >= outturn:
            break
        if not moved:
            continue
        remaining = (outturn - review).days / span  # 1 at the start, 0 at the outturn
        days = gap * (1 - remaining) + z * (0.05 * abs(gap) + 15) * remaining
        estimate = month_end(baseline + timedelta(days=round(days)))
        forecast = max(estimate, month_end(review + timedelta(days=1)))
    return forecast


def _dca(cluster: str, day: date) -> tuple[str | None, str | None]:
    """(rating, scale) of the cluster's programme at the end of ``day``."""
    rating = None
    for since, value in DCA.get(cluster, ()):
        if D(since) <= day:
            rating = value
    if rating is None:
        return None, None
    if day >= THREE_POINT_FROM:
        return TO_THREE_POINT.get(rating, rating), "three_point"
    return rating, "five_point"


def milestones_table(extract_date: date, seed: int) -> pa.Table:
    rows = []
    for milestone_id, cluster, stage, baseline_s, outturn_s, title in MILESTONES:
        baseline = D(baseline_s)
        outturn = _outturn(seed, milestone_id, cluster, D(outturn_s))
        achieved = outturn <= extract_date
        rating, scale = (None, None) if achieved else _dca(cluster, extract_date)
        forecast = (
            None if achieved else _forecast(seed, milestone_id, baseline, outturn, extract_date)
        )
        rows.append({
            "milestone_id": milestone_id, "cluster": cluster, "title": title, "stage": stage,
            "baseline_date": baseline, "forecast_date": forecast,
            "actual_date": outturn if achieved else None,
            "dca_rating": rating, "dca_scale": scale, "owner": OWNERS[cluster],
        })  # fmt: skip
    return pa.Table.from_pylist(rows, schema=arrow_schema(MilestoneRow))


def planned_profile() -> dict[tuple[str, str, str], int]:
    """The approved business-case profile: (cluster, financial year, measure) → whole £."""
    cashable = largest_remainder(CASHABLE_TOTAL, [BENEFITS_M[c] for c in CLUSTERS])
    cost = largest_remainder(COST_TOTAL, [COST_M[c] for c in CLUSTERS])
    plan = {}
    for cluster, cash, spend in zip(CLUSTERS, cashable, cost, strict=True):
        totals = {
            "cashable_saving": cash,
            "non_cashable_efficiency": BENEFITS_M[cluster] * 1_000_000 - cash,
            "programme_cost": spend,
        }
        for measure, total in totals.items():
            weights = (COST_PROFILE if measure == "programme_cost" else BENEFIT_PROFILE)[cluster]
            for fy, value in zip(FINANCIAL_YEARS, largest_remainder(total, weights), strict=True):
                plan[cluster, fy, measure] = value
    return plan


def benefits_table(extract_date: date, seed: int) -> pa.Table:
    plan = planned_profile()
    rng = _rng(seed, "benefit-actuals")
    factors = rng.random((len(CLUSTERS), len(FINANCIAL_YEARS), len(MEASURES)))  # fixed shape
    rows = []
    for ci, cluster in enumerate(CLUSTERS):
        for fi, fy in enumerate(FINANCIAL_YEARS):
            ended = date(int(fy[:4]) + 1, 3, 31) <= extract_date
            for mi, measure in enumerate(MEASURES):
                planned = plan[cluster, fy, measure]
                low, high = (
                    COST_OUTTURN if measure == "programme_cost" else BENEFIT_REALISATION[cluster]
                )
                actual = (
                    float(round(planned * (low + (high - low) * factors[ci, fi, mi])))
                    if ended
                    else None
                )
                hours = (
                    float(round(actual / GBP_PER_HOUR))
                    if actual is not None and measure == "non_cashable_efficiency"
                    else None
                )
                rows.append({
                    "cluster": cluster, "financial_year": fy, "measure": measure,
                    "planned_gbp": float(planned), "actual_gbp": actual, "hours_released": hours,
                })  # fmt: skip
    return pa.Table.from_pylist(rows, schema=arrow_schema(BenefitRow))


def programme_tables(extract_date: date, seed: int) -> dict[str, pa.Table]:
    """{"milestones.parquet": table, "benefits.parquet": table} as the register stood at the
    end of extract_date.  ``seed`` is a non-negative int; the result depends on nothing else."""
    return {
        "milestones.parquet": milestones_table(extract_date, seed),
        "benefits.parquet": benefits_table(extract_date, seed),
    }
