"""The local codes each cluster's system writes in the native demo (``sources.md``).

Each source is one mapping file under ``data/mappings/``: the demo writes a contract value as
the local code given here, and the mapping file reads it back.  The tables run contract value
→ local code (``None`` is the contract's null); ``tests/test_demo_native.py`` checks that every
pair is in the committed mapping file the other way round, so this module and the TOML cannot
drift apart.  Where the local codes come from is said in the mapping files' comments.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import get_args

from core.contract import GRADES, PROFESSIONS, AccountCategory


def _codes(text: str) -> list[str]:
    return [code.strip() for code in text.split(",")]


PROFESSION_NAMES = dict(
    zip(
        PROFESSIONS,
        (
            "Operational Delivery",
            "Policy",
            "Digital, Data and Technology",
            "Project Delivery",
            "Tax",
            "Science and Engineering",
            "Human Resources",
            "Legal",
            "Finance",
            "Counter Fraud",
            "Security",
            "Commercial",
            "Property",
            "Communications",
            "Intelligence Analysis",
            "Statistics",
            "Medicine",
            "Knowledge and Information Management",
            "Economics",
            "International Trade",
            "Psychology",
            "Social Research",
            "Operational Research",
            "Education Inspection",
            "Internal Audit",
            "Geography",
            "Planning Inspection",
            "Veterinary",
            "Planning",
            "Corporate Finance",
            "Other",
        ),
        strict=True,
    )
)
PROFESSION_SHORT = dict(
    zip(
        PROFESSIONS,
        _codes(
            "OPD, POL, DDAT, PJD, TAX, SCI, HR, LEG, FIN, CF, SEC, COM, PROP, GCS, INT, GSS, MED, "
            "KIM, GES, ITP, PSY, GSR, ORS, EDI, IA, GEO, PLI, VET, PLN, CFP, OTH"
        ),
        strict=True,
    )
)
# Sites by region (ITL1): a three-letter code and a name; a person keeps one site.
SITES: dict[str, tuple[tuple[str, str], ...]] = {
    "TLC": (("NCL", "Newcastle"), ("SUN", "Sunderland")),
    "TLD": (("MAN", "Manchester"), ("PRE", "Preston")),
    "TLE": (("LDS", "Leeds"), ("SHF", "Sheffield")),
    "TLF": (("NOT", "Nottingham"), ("LIN", "Lincoln")),
    "TLG": (("BHM", "Birmingham"), ("TEL", "Telford")),
    "TLH": (("NWI", "Norwich"), ("PBO", "Peterborough")),
    "TLI": (("LON", "London"),),
    "TLJ": (("RDG", "Reading"), ("PME", "Portsmouth")),
    "TLK": (("BRS", "Bristol"), ("EXE", "Exeter")),
    "TLL": (("CDF", "Cardiff"), ("SWA", "Swansea")),
    "TLM": (("GLA", "Glasgow"), ("EDI", "Edinburgh")),
    "TLN": (("BFS", "Belfast"),),
    # Posts abroad; Bogotá is there on purpose: a name cp1252 and UTF-8 write differently.
    "OVERSEAS": (
        ("WAS", "British Embassy Washington"),
        ("DEL", "British High Commission New Delhi"),
        ("BOG", "British Embassy Bogotá"),
        ("NBO", "British High Commission Nairobi"),
    ),
}
ACCOUNT_CATEGORIES: tuple[str, ...] = get_args(AccountCategory)
CONTINGENT_CATEGORY = {  # the framework supplier's report: the same for every system
    "agency_admin": "Admin and Clerical",
    "interim_manager": "Interim Manager",
    "specialist_contractor": "Specialist Contractor",
    "consultant": "Consultant",
}
SITE_STYLES = {  # how a system writes a site
    "code": lambda region, code, name: f"GB-{code}" if region != "OVERSEAS" else f"POST-{code}",
    "name": lambda region, code, name: name,
    "sap": lambda region, code, name: f"GB_{code}" if region != "OVERSEAS" else f"XX_{code}",
}


def _grades(text: str) -> dict[str, str]:
    """Contract grades AA ... PS → the local codes listed, comma-separated, in that order."""
    return dict(zip(GRADES, _codes(text), strict=True))


def _accounts(text: str) -> dict[str, str]:
    """Account categories, in the contract's order → the local codes listed."""
    return dict(zip(ACCOUNT_CATEGORIES, _codes(text), strict=True))


@dataclass(frozen=True)
class Source:
    """One mapping file's way of writing: its system, its format and its local code tables."""

    mapping: str
    system: str  # oracle_hcm | workday | sap_successfactors
    label: str  # the manifest's source_system
    grade: dict[str | None, str]
    account: dict[str, str]
    encoding: str = "utf-8"
    date_format: str = "%Y-%m-%d"
    thousands: bool = False  # numbers carry thousands separators ("32,500.00")
    line_end: str = "\n"
    bom: bool = False
    id_prefix: str | None = "E"  # local id: this + the contract id's digits; None keeps the id
    spaced_ni: bool = False  # NI numbers written "AB 12 34 56 C"
    monthly_share: float = 0.0  # share of the rows exact to the penny paid on a monthly basis
    org_by_name: bool = True  # workers and contingent files name organisations (else codes)
    ledger_org_by_name: bool = False
    site_style: str = "code"
    profession: dict[str | None, str] = field(
        default_factory=lambda: {**PROFESSION_NAMES, None: "Not Assigned"}
    )
    region_unknown: str = "UNASSIGNED"
    # Local value → contract value.  Oracle's AssignmentCategory also says full or part time:
    # F/P (full, part) + R/T (regular, temporary).
    employment_type: dict[str, str] = field(
        default_factory=lambda: {
            "FR": "permanent",
            "PR": "permanent",
            "FT": "fixed_term",
            "PT": "fixed_term",
        }
    )
    sex: dict[str | None, str] = field(
        default_factory=lambda: {"female": "F", "male": "M", None: "U"}
    )
    ethnicity: dict[str | None, str] = field(
        default_factory=lambda: {
            "white": "White",
            "ethnic_minority": "Ethnic Minority",
            "not_declared": "Prefer not to say",
            None: "Not Known",
        }
    )
    disability: dict[str | None, str] = field(
        default_factory=lambda: {
            "disabled": "Y",
            "not_disabled": "N",
            "not_declared": "D",
            None: "U",
        }
    )


_ORACLE_ACCOUNTS = _accounts(
    "511000, 511100, 511200, 511300, 512000, 513000, 521000, 522000, 531000, 541000, 551000, 591000"
)
# A UK legacy export: Windows code page, day-first dates, CRLF lines, "32,500.00".
_UK_LEGACY = dict(encoding="cp1252", date_format="%d/%m/%Y", thousands=True, line_end="\r\n")
_OVERSEAS_LEGACY = Source(
    mapping="OVERSEAS_legacy",
    system="oracle_hcm",
    label="Oracle E-Business Suite (Prism)",
    # The former FCO's letters (domain.md §8a); A1 for AA and SMS for the SCS are assumed.
    grade={
        **_grades("A1, A2, B3, C4, C5, D6, D7, SMS1, SMS2, SMS3, PUS"),
        None: "UNK",
    },
    account=_ORACLE_ACCOUNTS,
    spaced_ni=True,
    monthly_share=0.5,
    site_style="name",
    id_prefix="P",
    **_UK_LEGACY,
)

SOURCES: dict[str, Source] = {
    "SYNERGY": Source(
        mapping="SYNERGY",
        system="oracle_hcm",
        label="Oracle Fusion Cloud HCM",
        date_format="%Y/%m/%d",
        grade={
            **_grades("AA, AO, EO, HEO, SEO, G7, G6, SCS PB1, SCS PB2, SCS PB3, PERM SEC"),
            None: "UNGRADED",
        },
        account=_ORACLE_ACCOUNTS,
    ),
    "DEFENCE": Source(
        mapping="DEFENCE",
        system="oracle_hcm",
        label="Oracle HCM Cloud (CSM)",
        # MoD civilian bands (domain.md §8a), SCS by star rank.
        grade={
            **_grades("E2, E1, D, C2, C1, B2, B1, 1*, 2*, 3*, 4*"),
            None: "NK",
        },
        account=_accounts(
            "A1100, A1110, A1120, A1130, A1200, A1300, A2100, A2200, A3100, A4100, A5100, A9100"
        ),
        monthly_share=1.0,
        **_UK_LEGACY,
    ),
    "OVERSEAS_legacy": _OVERSEAS_LEGACY,
    "OVERSEAS_hera": replace(
        _OVERSEAS_LEGACY,
        mapping="OVERSEAS_hera",
        label="Oracle Fusion Cloud (Hera)",
        # Hera's grade codes: the letters under an FCDO_ set, the SCS by its own name.
        grade={
            **_grades(
                "FCDO_A1, FCDO_A2, FCDO_B3, FCDO_C4, FCDO_C5, FCDO_D6, FCDO_D7, "
                "FCDO_SCS1, FCDO_SCS2, FCDO_SCS3, FCDO_PUS"
            ),
            None: "FCDO_UNGRADED",
        },
        encoding="utf-8",
        date_format="%Y-%m-%d",
        thousands=False,
        line_end="\n",
        spaced_ni=False,
        monthly_share=0.0,
        site_style="code",
        id_prefix=None,  # Hera's own numbers, as the contract demo gives them
    ),
    "MATRIX": Source(
        mapping="MATRIX",
        system="workday",
        label="Workday HCM (Matrix)",
        grade={
            **_grades(
                "Administrative Assistant, Administrative Officer, Executive Officer, "
                "Higher Executive Officer, Senior Executive Officer, Grade 7, Grade 6, "
                "SCS Pay Band 1, SCS Pay Band 2, SCS Pay Band 3, Permanent Secretary"
            ),
            None: "Not Specified",
        },
        account=_accounts("6000, 6010, 6020, 6030, 6100, 6110, 6200, 6210, 6300, 6400, 6500, 6900"),
        thousands=True,
        bom=True,
        id_prefix="",
        ledger_org_by_name=True,
        site_style="name",
        profession={
            **{k: f"{v} Profession" for k, v in PROFESSION_NAMES.items()},
            None: "Not Specified",
        },
        region_unknown="Not Specified",
        employment_type={"Regular": "permanent", "Fixed Term": "fixed_term"},
        sex={"female": "Female", "male": "Male", None: "Not Declared"},
        ethnicity={
            "white": "White",
            "ethnic_minority": "Ethnic minority",
            "not_declared": "Prefer not to say",
            None: "Not Provided",
        },
        disability={
            "disabled": "Disabled",
            "not_disabled": "Not Disabled",
            "not_declared": "Prefer not to say",
            None: "Not Provided",
        },
    ),
    "UNITY": Source(
        mapping="UNITY",
        system="sap_successfactors",
        label="SAP SuccessFactors and S/4HANA (Unity)",
        # HMRC's own grade names, abbreviated (domain.md §8a): O = Officer, HO = Higher Officer.
        grade={**_grades("AA, AO, O, HO, SO, G7, G6, SCS1, SCS2, SCS3, PS"), None: "ZZ"},
        account=_accounts(
            "400000, 400100, 400200, 400300, 401000, 402000, "
            "410000, 411000, 420000, 430000, 440000, 490000"
        ),
        date_format="%d.%m.%Y",
        id_prefix="",
        org_by_name=False,
        site_style="sap",
        profession={**PROFESSION_SHORT, None: "NA"},
        region_unknown="ZZ",
        employment_type={"PERM": "permanent", "FTC": "fixed_term"},
        ethnicity={"white": "W", "ethnic_minority": "EM", "not_declared": "PNS", None: "NK"},
        disability={"disabled": "Y", "not_disabled": "N", "not_declared": "P", None: "U"},
    ),
}
STANDARD_WEEKLY_HOURS = 37  # workday: every FTE of the demo × 37 divides back exactly
FINANCIAL_YEAR_START_MONTH = 4  # sap_successfactors: GJAHR starts in April


def source_for(cluster: str, migrated: bool) -> Source:
    """The mapping a cluster's delivery is written with (OVERSEAS moves to Hera part-way)."""
    if cluster == "OVERSEAS":
        return SOURCES["OVERSEAS_hera" if migrated else "OVERSEAS_legacy"]
    return SOURCES[cluster]


def site_table(source: Source) -> dict[str, tuple[str, ...]]:
    """Region → the local location values the source writes for it."""
    style = SITE_STYLES[source.site_style]
    return {
        region: tuple(style(region, code, name) for code, name in sites)
        for region, sites in SITES.items()
    }
