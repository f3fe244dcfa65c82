"""Published figures the demo data is calibrated to (``shared/reference/domain.md``).

Civil Service Statistics 2023 (31 March 2023) unless a comment says otherwise.  Where the
sources are silent a value is marked ASSUMED, with the reasoning.
"""

from __future__ import annotations

from datetime import date

# The rates a metric binds are defined once, in its definition (queries/sql/*.toml): the demo
# posts its ledger at the same ones, so that the reconciliation and the contingent cost match.
from queries.constants import EMPLOYER_NI_RATE as EMPLOYER_NI_RATE
from queries.constants import EMPLOYER_PENSION_RATE as EMPLOYER_PENSION_RATE
from queries.constants import WORKING_DAYS_A_YEAR as WORKING_DAYS_A_YEAR

REFERENCE_DATE = date(2023, 3, 31)
ANNUAL_GROWTH = 0.03  # headcount grew ~3% a year 2023→2025 (519,780 → 549,660)

# Grade levels, junior to senior; "unknown" grade is carried as None in the extract.
GRADE_ORDER = ("AA", "AO", "EO", "HEO", "SEO", "G7", "G6", "SCS1", "SCS2", "SCS3", "PS")
GRADE_LEVEL = {  # the line-management level each grade sits at
    "AA": 1, "AO": 1, "EO": 2, "HEO": 3, "SEO": 4, "G7": 5, "G6": 6,
    "SCS1": 7, "SCS2": 8, "SCS3": 9, "PS": 10,
}  # fmt: skip
# CSS 2023 headcount shares; the SCS 1.4% is split across the SCS pay bands (ASSUMED, roughly
# 78% SCS1, 18% SCS2, 3.5% SCS3 and the permanent secretaries).  Unknown grade 4.9%.
GRADE_SHARE = {
    "AA": 0.036, "AO": 0.227, "EO": 0.245, "HEO": 0.163, "SEO": 0.120, "G7": 0.105,
    "G6": 0.040, "SCS1": 0.0109, "SCS2": 0.0025, "SCS3": 0.0005, "PS": 0.0001,
}  # fmt: skip
UNKNOWN_GRADE_SHARE = 0.049
# Median pay by grade, £ (SCS pay bands ASSUMED from the SCS-level median of £83,980).
MEDIAN_PAY_2023 = {
    "AA": 22_180, "AO": 22_520, "EO": 28_120, "HEO": 34_700, "SEO": 42_140, "G7": 55_850,
    "G6": 69_890, "SCS1": 80_000, "SCS2": 100_000, "SCS3": 130_000, "PS": 165_000,
}  # fmt: skip
UNKNOWN_GRADE_MEDIAN_PAY = 29_050
PAY_DISPERSION = 0.08  # log-sd of pay within a grade (pay ranges are narrow)
LONDON_PAY_PREMIUM = 0.15  # London pay ranges; most of the 40% median gap is grade mix
# Civil-service pay awards, effective 1 August (2026 ASSUMED).
PAY_AWARDS = {2023: 0.045, 2024: 0.05, 2025: 0.0325, 2026: 0.03}
PROMOTION_PAY_RISE = 0.10

# Leaving the civil service, a year, by grade (CSS 2022/23); SCS 9.8%, unknown 9.2%.
LEAVING_RATE = {
    "AA": 0.147, "AO": 0.123, "EO": 0.082, "HEO": 0.067, "SEO": 0.071, "G7": 0.067,
    "G6": 0.074, "SCS1": 0.098, "SCS2": 0.098, "SCS3": 0.098, "PS": 0.098,
}  # fmt: skip
UNKNOWN_GRADE_LEAVING_RATE = 0.092
# Retirement concentrates leaving at 60+; the grade rates are scaled down so that the overall
# rate stays near the published 8.9% (ASSUMED split; CSS publishes no leaving rate by age).
LEAVING_AGE_FACTOR_UNDER_60 = 0.88
RETIREMENT_RATE_60_64 = 0.06
RETIREMENT_RATE_65_PLUS = 0.30
TRANSFER_RATE = 0.04  # moves between organisations, a year (3–5%)
TRANSFER_SAME_DEPARTMENT = 0.45  # of moves: within the departmental family (ASSUMED)
TRANSFER_SAME_CLUSTER = 0.25  # of moves: elsewhere in the cluster; the rest cross clusters
PROMOTION_RATE = 0.06  # a year, below SCS3 (ASSUMED; CSS does not publish it)
# Entrants by grade (CSS 2022/23 entrants: junior-heavy).
ENTRANT_GRADE_SHARE = {
    "AA": 0.076, "AO": 0.381, "EO": 0.191, "HEO": 0.130, "SEO": 0.074, "G7": 0.051,
    "G6": 0.012, "SCS1": 0.005, "SCS2": 0.0008, "SCS3": 0.0002, "PS": 0.0,
}  # fmt: skip
ENTRANT_UNKNOWN_GRADE_SHARE = 0.079

# FTE / headcount 2023 by grade; women 0.913, men 0.969.  Part-timers work 0.4–0.8 FTE.
FTE_RATIO_BY_GRADE = {
    "AA": 0.905, "AO": 0.904, "EO": 0.928, "HEO": 0.961, "SEO": 0.966, "G7": 0.966,
    "G6": 0.962, "SCS1": 0.967, "SCS2": 0.967, "SCS3": 0.967, "PS": 0.967,
}  # fmt: skip
FTE_RATIO_UNKNOWN_GRADE = 0.939
FTE_RATIO_FEMALE = 0.913
FTE_RATIO_MALE = 0.969
PART_TIME_FTE_CHOICES = (0.4, 0.5, 0.6, 0.7, 0.8)  # mean 0.6

# Share of women by level: AA/AO 56%, EO 57%, HEO/SEO 52%, G6/G7 49%, SCS 48%; 54.6% overall.
FEMALE_SHARE_BY_LEVEL = {1: 0.56, 2: 0.57, 3: 0.52, 4: 0.52, 5: 0.49, 6: 0.49}
FEMALE_SHARE_SCS = 0.48
SEX_NOT_RECORDED = 0.0005

# Ethnicity: 15.4% ethnic minority of those known; 3.7% undeclared; 14.8% unknown (null).
ETHNIC_MINORITY_OF_KNOWN = 0.154
ETHNIC_MINORITY_SCS_OF_KNOWN = 0.105
ETHNICITY_NOT_DECLARED = 0.037
ETHNICITY_UNKNOWN = 0.148
LONDON_ETHNIC_MINORITY_UPLIFT = 1.8  # ASSUMED: London's workforce is markedly more diverse
# Disability: 15.8% of those who declared; 25.9% undeclared or unknown.
DISABLED_OF_DECLARED = 0.158
DISABILITY_NOT_DECLARED = 0.10
DISABILITY_UNKNOWN = 0.159

AGE_BAND_SHARE = {
    "16-19": 0.003, "20-29": 0.164, "30-39": 0.224, "40-49": 0.228,
    "50-59": 0.272, "60-64": 0.083, "65+": 0.027,
}  # fmt: skip
AGE_BAND_BOUNDS = {  # years of age, inclusive lower, exclusive upper
    "16-19": (16, 20), "20-29": (20, 30), "30-39": (30, 40), "40-49": (40, 50),
    "50-59": (50, 60), "60-64": (60, 65), "65+": (65, 72),
}  # fmt: skip

# ITL1 regions, share of headcount (unknown 0.5%).  Overseas posts sit with OVERSEAS.
REGION_SHARE = {
    "TLI": 0.200, "TLD": 0.129, "TLM": 0.103, "TLK": 0.091, "TLJ": 0.083, "TLE": 0.079,
    "TLL": 0.074, "TLG": 0.066, "TLC": 0.066, "TLF": 0.045, "TLH": 0.043, "TLN": 0.009,
}  # fmt: skip
REGION_UNKNOWN = 0.005
# In London 33% of staff are G6/G7/SCS, outside London 11%: P(London | G6+) ≈ 0.415.
LONDON_SHARE_SENIOR = 0.415
LONDON_SHARE_OTHER = 0.16
OVERSEAS_CLUSTER_REGION = {"OVERSEAS": 0.35, "TLI": 0.45, "TLJ": 0.12, "TLM": 0.08}

# Professions, share of headcount (unknown 5.8%).  Tax sits with UNITY (HMRC, VOA).
PROFESSION_SHARE = {
    "operational_delivery": 0.524, "policy": 0.064, "digital_data_technology": 0.045,
    "project_delivery": 0.035, "tax": 0.033, "science_engineering": 0.026,
    "human_resources": 0.025, "legal": 0.022, "finance": 0.020, "counter_fraud": 0.018,
    "security": 0.018, "commercial": 0.015, "property": 0.013, "communications": 0.008,
    "intelligence_analysis": 0.006, "statistics": 0.006, "medicine": 0.005,
    "knowledge_information_management": 0.005, "economics": 0.004,
    "international_trade": 0.004, "psychology": 0.003, "social_research": 0.003,
    "operational_research": 0.002, "education_inspection": 0.002, "internal_audit": 0.0015,
    "geography": 0.001, "planning_inspection": 0.001, "veterinary": 0.0008,
    "planning": 0.0004, "corporate_finance": 0.0002, "other": 0.031,
}  # fmt: skip
PROFESSION_UNKNOWN = 0.058
FIXED_TERM_SHARE = 0.04  # ASSUMED

# Line management (pipeline/demo/hierarchy.py).  No UK civil-service spans-and-layers standard
# was found (domain.md §6 and its open item 9).  Benchmarks from elsewhere: the Australian
# Commission of Audit's "best practice" span of 5–10 a manager, by type of agency (APSC,
# "Effective management structures"); US GS first-line supervisors 6–8.
# ASSUMED: a span of about 6 across the service, wider in operational bodies (mostly AA/AO/EO)
# and narrower in policy ones; layers are then the fewest a tree of those spans needs, so they
# grow with the log of size (10 people: 3 layers; 1,000: 5; 90,000: 7 or 8).
TARGET_SPAN = 6.0
# ASSUMED: a body's span falls by a fifth (×0.82) for each grade its mean grade level sits above
# the service's: DWP and HO 7.1, HMRC and MOD 5.9, CO and DfE 5.1, HMT and policy bodies 4.5.
SPAN_LEVEL_ELASTICITY = 0.2
SPAN_RANGE = (4.5, 8.0)  # ASSUMED: no body's target span outside this

# Contingent labour: ~2% of payroll FTE; more in central (MATRIX) departments.
CONTINGENT_SHARE = {
    "SYNERGY": 0.015,
    "UNITY": 0.018,
    "DEFENCE": 0.02,
    "OVERSEAS": 0.025,
    "MATRIX": 0.035,
}
CONTINGENT_CATEGORY_SHARE = {
    "agency_admin": 0.45, "interim_manager": 0.10,
    "specialist_contractor": 0.33, "consultant": 0.12,
}  # fmt: skip
DAY_RATE_RANGE = {  # £ a day, (low, high) of a log-uniform draw (ASSUMED market rates)
    "agency_admin": (140, 260), "interim_manager": (550, 1_000),
    "specialist_contractor": (450, 850), "consultant": (800, 1_600),
}  # fmt: skip
CONTINGENT_ENGAGEMENT_MONTHS = (3, 18)
# WORKING_DAYS_A_YEAR (220, ASSUMED): imported above from queries (contingent.toml).

# Payroll on-costs as the ledger posts them (DWP WMI July 2023: pension ~26%, NI ~17% of
# salary; the issue fixes the demo at 27% and 14%): EMPLOYER_PENSION_RATE and EMPLOYER_NI_RATE,
# imported above from queries (reconciliation.toml), which checks the ledger at the same rates.
ALLOWANCES_RATE = 0.025
OVERTIME_RATE = 0.012

SOURCE_SYSTEMS = {
    "DEFENCE": "Oracle HCM Cloud (CSM)",
    "OVERSEAS": "Oracle E-Business Suite (Prism)",
    "MATRIX": "MHR iTrent",
    "SYNERGY": "Oracle Fusion Cloud HCM",
    "UNITY": "SAP ECC 6.0",
}
# OVERSEAS moves to Hera part-way through the demo window: new system, new employee ids.
OVERSEAS_MIGRATED_SYSTEM = "Oracle Fusion Cloud (Hera)"
