"""The nightly extract contract (``shared/contract/extracts.md`` v1.0) in code.

One source of truth for the demo generator, the ingest and the tests:

* code lists (grades, regions, professions, ...);
* one pydantic model per data file: a row model whose fields carry the column's type,
  nullability, code list and bounds, plus rule markers (:class:`Unique`,
  :class:`NotAfterExtractDate`, ...) for the rules that need the whole file or the delivery;
* the manifest model;
* :func:`column_specs`, which turns a row model into plain column descriptions from which the
  ingest builds its vectorised checks and the generator its Arrow schema.

Row models validate one row with the delivery as context
(``Model.model_validate(row, context=DeliveryContext(...))``); that is for tests and error
messages.  Bulk validation is done from the same models by the ingest, in SQL.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args, get_origin

import pyarrow as pa
from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from core.dates import ACCOUNTING_PERIOD
from core.feeds import CLUSTERS as CLUSTERS  # re-exported: the contract names its feeds
from core.feeds import FEEDS as FEEDS
from core.feeds import PROGRAMME as PROGRAMME

CONTRACT_VERSION = "1.0"
SUPPORTED_MAJOR_VERSIONS = frozenset({"1"})

Cluster = Literal[CLUSTERS]  # type: ignore[valid-type]  # the values of core.feeds.CLUSTERS

Grade = Literal["AA", "AO", "EO", "HEO", "SEO", "G7", "G6", "SCS1", "SCS2", "SCS3", "PS"]
GRADES: tuple[str, ...] = get_args(Grade)

REGIONS: dict[str, str] = {
    "TLC": "North East",
    "TLD": "North West",
    "TLE": "Yorkshire and The Humber",
    "TLF": "East Midlands",
    "TLG": "West Midlands",
    "TLH": "East of England",
    "TLI": "London",
    "TLJ": "South East",
    "TLK": "South West",
    "TLL": "Wales",
    "TLM": "Scotland",
    "TLN": "Northern Ireland",
    "OVERSEAS": "Overseas",
}
Region = Literal[
    "TLC", "TLD", "TLE", "TLF", "TLG", "TLH", "TLI", "TLJ", "TLK", "TLL", "TLM", "TLN", "OVERSEAS"
]

Profession = Literal[
    "operational_delivery",
    "policy",
    "digital_data_technology",
    "project_delivery",
    "tax",
    "science_engineering",
    "human_resources",
    "legal",
    "finance",
    "counter_fraud",
    "security",
    "commercial",
    "property",
    "communications",
    "intelligence_analysis",
    "statistics",
    "medicine",
    "knowledge_information_management",
    "economics",
    "international_trade",
    "psychology",
    "social_research",
    "operational_research",
    "education_inspection",
    "internal_audit",
    "geography",
    "planning_inspection",
    "veterinary",
    "planning",
    "corporate_finance",
    "other",
]
PROFESSIONS: tuple[str, ...] = get_args(Profession)

EmploymentType = Literal["permanent", "fixed_term"]
Sex = Literal["female", "male"]
Ethnicity = Literal["white", "ethnic_minority", "not_declared"]
Disability = Literal["disabled", "not_disabled", "not_declared"]
AgeBand = Literal["16-19", "20-29", "30-39", "40-49", "50-59", "60-64", "65+"]
AGE_BANDS: tuple[str, ...] = get_args(AgeBand)
ContingentCategory = Literal[
    "agency_admin", "interim_manager", "specialist_contractor", "consultant"
]
AccountCategory = Literal[
    "payroll_salary",
    "payroll_allowances",
    "payroll_overtime",
    "payroll_non_consolidated",
    "payroll_employer_pension",
    "payroll_employer_ni",
    "contingent_labour",
    "consultancy",
    "programme_cost",
    "it_systems",
    "estates",
    "other_non_pay",
]
Stage = Literal[
    "SOC", "OBC", "FBC", "procurement", "contract_award", "go_live", "legacy_decommission", "other"
]
DcaRating = Literal["green", "amber_green", "amber", "amber_red", "red"]
DcaScale = Literal["five_point", "three_point"]
THREE_POINT_RATINGS = frozenset({"green", "amber", "red"})
MilestoneCluster = Literal[(*CLUSTERS, "ALL")]  # type: ignore[valid-type]  # or the programme
Measure = Literal["cashable_saving", "non_cashable_efficiency", "programme_cost"]

PERIOD_PATTERN = ACCOUNTING_PERIOD
FINANCIAL_YEAR_PATTERN = r"^\d{4}-\d{2}$"


# --- rule markers: rules that need more than one value, carried in Annotated metadata ----------


@dataclass(frozen=True)
class Unique:
    """The column's values are unique within the file."""


@dataclass(frozen=True)
class NotAfterExtractDate:
    """A date on or before the delivery's extract date."""


@dataclass(frozen=True)
class OrganisationOfCluster:
    """An organisation_code of the register whose cluster is the manifest's cluster."""


@dataclass(frozen=True)
class References:
    """A non-null value must be a value of ``column`` in the same file."""

    column: str


@dataclass(frozen=True)
class NotBefore:
    """A non-null value must be on or after the same row's ``column``."""

    column: str


@dataclass(frozen=True)
class FinancialYear:
    """``YYYY-YY`` where YY is the year after YYYY (April to March)."""


@dataclass(frozen=True)
class AcceptsTypes:
    """Arrow types other than the canonical one that the column also accepts."""

    types: tuple[str, ...]


@dataclass(frozen=True)
class DeliveryContext:
    """What a row is checked against: its delivery and the organisations register."""

    cluster: str
    extract_date: date
    organisations: frozenset[str] = frozenset()


def _context(info: ValidationInfo) -> DeliveryContext | None:
    ctx = info.context
    return ctx if isinstance(ctx, DeliveryContext) else None


class ContractRow(BaseModel):
    """Base of the row models: unknown columns are ignored, as the contract says."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=False)

    @model_validator(mode="after")
    def _delivery_rules(self, info: ValidationInfo) -> ContractRow:
        ctx = _context(info)
        for spec in column_specs(type(self)):
            value = getattr(self, spec.name)
            if value is None:
                continue
            if spec.not_after_extract_date and ctx and value > ctx.extract_date:
                raise ValueError(
                    f"{spec.name} {value} is after the extract date {ctx.extract_date}"
                )
            in_cluster = not (ctx and ctx.organisations) or value in ctx.organisations
            if spec.organisation_of_cluster and not in_cluster:
                raise ValueError(
                    f"{spec.name} {value!r} is not an organisation of cluster {ctx.cluster}"
                )
            if spec.not_before is not None:
                other = getattr(self, spec.not_before)
                if other is not None and value < other:
                    raise ValueError(f"{spec.name} {value} is before {spec.not_before} {other}")
            if spec.financial_year and not is_financial_year(value):
                raise ValueError(f"{spec.name} {value!r} is not a financial year like 2024-25")
        return self


def is_financial_year(value: str) -> bool:
    if not re.fullmatch(FINANCIAL_YEAR_PATTERN, value):
        return False
    start, end = int(value[:4]), int(value[5:])
    return (start + 1) % 100 == end


NonEmpty = Annotated[str, Field(min_length=1)]
OrgCode = Annotated[str, Field(min_length=1), OrganisationOfCluster()]
PastDate = Annotated[date, NotAfterExtractDate()]


class EmployeeRow(ContractRow):
    """employees.parquet: one row per employee in post at the end of the extract date."""

    person_key: Annotated[str, Field(min_length=1), Unique()]
    employee_id: Annotated[str, Field(min_length=1), Unique()]
    organisation_code: OrgCode
    grade: Grade | None
    profession: Profession | None
    region: Region | None
    employment_type: EmploymentType
    fte: Annotated[float, Gt(0), Le(1)]
    annual_salary_gbp: Annotated[float, Gt(0), Lt(1_000_000)]
    civil_service_start_date: PastDate
    organisation_start_date: PastDate
    manager_employee_id: Annotated[str | None, References("employee_id")]
    sex: Sex | None
    ethnicity: Ethnicity | None
    disability: Disability | None
    age_band: AgeBand


class ContingentRow(ContractRow):
    """contingent_labour.parquet: everyone engaged off-payroll at the end of the extract date."""

    worker_id: Annotated[str, Field(min_length=1), Unique()]
    organisation_code: OrgCode
    category: ContingentCategory
    fte: Annotated[float, Gt(0), Le(1)]
    day_rate_gbp: Annotated[float, Gt(0), Lt(10_000)]
    engagement_start_date: PastDate
    engagement_end_date: Annotated[date | None, NotBefore("engagement_start_date")]


class LedgerRow(ContractRow):
    """ledger.parquet: general-ledger lines posted on the extract date (incremental)."""

    journal_id: NonEmpty
    line_number: Annotated[int, AcceptsTypes(("int32",))]
    posting_date: PastDate
    period: Annotated[str, Field(pattern=PERIOD_PATTERN)]
    organisation_code: OrgCode
    cost_centre: NonEmpty
    account_category: AccountCategory
    amount_gbp: Annotated[Decimal, AcceptsTypes(("double",))]
    description: str | None


class MilestoneRow(ContractRow):
    """milestones.parquet: the strategy office's milestone register (full snapshot)."""

    milestone_id: Annotated[str, Field(min_length=1), Unique()]
    cluster: MilestoneCluster
    title: NonEmpty
    stage: Stage
    baseline_date: date
    forecast_date: date | None
    actual_date: date | None
    dca_rating: DcaRating | None
    dca_scale: DcaScale | None
    owner: str | None

    @model_validator(mode="after")
    def _three_point_scale(self) -> MilestoneRow:
        if self.dca_scale == "three_point" and self.dca_rating not in (None, *THREE_POINT_RATINGS):
            raise ValueError(f"dca_rating {self.dca_rating!r} is not on the three-point scale")
        return self


class BenefitRow(ContractRow):
    """benefits.parquet: one row per cluster, financial year and measure."""

    cluster: Cluster
    financial_year: Annotated[str, Field(pattern=FINANCIAL_YEAR_PATTERN), FinancialYear()]
    measure: Measure
    planned_gbp: float
    actual_gbp: float | None
    hours_released: float | None


CLUSTER_FILES: dict[str, type[ContractRow]] = {
    "employees.parquet": EmployeeRow,
    "contingent_labour.parquet": ContingentRow,
    "ledger.parquet": LedgerRow,
}
PROGRAMME_FILES: dict[str, type[ContractRow]] = {
    "milestones.parquet": MilestoneRow,
    "benefits.parquet": BenefitRow,
}
# Whole-file keys beyond single-column uniqueness.
COMPOSITE_KEYS: dict[str, tuple[str, ...]] = {
    "ledger.parquet": ("journal_id", "line_number"),
    "benefits.parquet": ("cluster", "financial_year", "measure"),
}


def files_for(feed: str) -> dict[str, type[ContractRow]]:
    """The data files (name → row model) of a feed: a cluster code or ``PROGRAMME``."""
    return PROGRAMME_FILES if feed == PROGRAMME else CLUSTER_FILES


# --- the manifest ------------------------------------------------------------------------------


class FileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rows: Annotated[int, Ge(0)]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class Manifest(BaseModel):
    """manifest.json, written last by the cluster; its presence marks a complete delivery."""

    model_config = ConfigDict(extra="ignore")

    contract_version: str
    cluster: Literal[FEEDS]  # type: ignore[valid-type]  # a cluster or the programme
    extract_date: date
    source_system: str | None = None
    generated_at: datetime
    files: dict[str, FileEntry]

    @field_validator("contract_version")
    @classmethod
    def _supported_version(cls, value: str) -> str:
        if value.split(".")[0] not in SUPPORTED_MAJOR_VERSIONS:
            raise ValueError(
                f"unsupported contract version {value!r} (this project reads {CONTRACT_VERSION})"
            )
        return value

    @model_validator(mode="after")
    def _exact_file_list(self) -> Manifest:
        expected = set(files_for(self.cluster))
        listed = set(self.files)
        for name in sorted(listed - expected):
            raise ValueError(f"file {name!r} is not a file of the {self.cluster} feed")
        for name in sorted(expected - listed):
            raise ValueError(f"file {name!r} is missing from the manifest")
        return self


# --- column specs: the models as plain data, for SQL checks and Arrow schemas ----------------

_ARROW_NAMES = {str: "string", float: "double", int: "int64", date: "date32", Decimal: "decimal"}
_ARROW_TYPES = {
    "string": pa.string(),
    "double": pa.float64(),
    "int64": pa.int64(),
    "int32": pa.int32(),
    "date32": pa.date32(),
    "decimal": pa.decimal128(18, 2),
}


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    arrow_type: str  # canonical: string | double | int64 | date32 | decimal
    accepted_types: tuple[str, ...]
    nullable: bool
    allowed: tuple[str, ...] | None = None
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    min_length: int | None = None
    pattern: str | None = None
    unique: bool = False
    not_after_extract_date: bool = False
    organisation_of_cluster: bool = False
    references: str | None = None
    not_before: str | None = None
    financial_year: bool = False
    description: str = field(default="", compare=False)


def _unwrap(annotation: Any) -> tuple[Any, bool, tuple[str, ...] | None]:
    """(base python type, nullable, allowed literal values) of a field annotation."""
    nullable = False
    if get_origin(annotation) in (typing.Union, __import__("types").UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        nullable = len(args) < len(get_args(annotation))
        annotation = args[0]
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) is Literal:
        return str, nullable, tuple(get_args(annotation))
    return annotation, nullable, None


def column_specs(model: type[ContractRow]) -> list[ColumnSpec]:
    """The model's columns in contract order, each with every rule that applies to it."""
    cached = _SPEC_CACHE.get(model)
    if cached is not None:
        return cached
    specs = []
    for name, info in model.model_fields.items():
        base, nullable, allowed = _unwrap(info.annotation)
        kwargs: dict[str, Any] = {}
        accepted: tuple[str, ...] = ()
        for meta in info.metadata:
            for bound in ("gt", "ge", "lt", "le", "min_length", "pattern"):
                if getattr(meta, bound, None) is not None and not isinstance(meta, type):
                    kwargs[bound] = getattr(meta, bound)
            match meta:
                case Unique():
                    kwargs["unique"] = True
                case NotAfterExtractDate():
                    kwargs["not_after_extract_date"] = True
                case OrganisationOfCluster():
                    kwargs["organisation_of_cluster"] = True
                case References(column=col):
                    kwargs["references"] = col
                case NotBefore(column=col):
                    kwargs["not_before"] = col
                case FinancialYear():
                    kwargs["financial_year"] = True
                case AcceptsTypes(types=types):
                    accepted = types
        arrow = _ARROW_NAMES[base]
        specs.append(
            ColumnSpec(
                name=name,
                arrow_type=arrow,
                accepted_types=(arrow, *accepted),
                nullable=nullable,
                allowed=allowed,
                **kwargs,
            )
        )
    _SPEC_CACHE[model] = specs
    return specs


_SPEC_CACHE: dict[type, list[ColumnSpec]] = {}


def arrow_schema(model: type[ContractRow]) -> pa.Schema:
    """The canonical Arrow schema a conforming file of this model has."""
    return pa.schema(
        [
            pa.field(s.name, _ARROW_TYPES[s.arrow_type], nullable=s.nullable)
            for s in column_specs(model)
        ]
    )


def arrow_type_name(dtype: pa.DataType) -> str:
    """The contract's name for an Arrow type (any decimal counts as ``decimal``)."""
    if pa.types.is_decimal(dtype):
        return "decimal"
    if pa.types.is_large_string(dtype) or pa.types.is_string_view(dtype):
        return "string"
    for name, candidate in _ARROW_TYPES.items():
        if dtype == candidate:
            return name
    return str(dtype)
