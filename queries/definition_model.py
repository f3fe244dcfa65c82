"""The model of a metric's definition (``queries/sql/<metric>.toml``), checked by pydantic.

One model, in frozen dataclasses, that every reader of a definition gets (the runner, the
CLI's catalogue and disclosure rules, the published rates, the pages' "how defined" text, the
extracts' about sheet, the glossary).  The classes themselves do not import pydantic, so that a
``workforce query`` process, which reads one definition and is timed against a bare DuckDB
script (docs/benchmarks.md), does not pay the 90 ms pydantic costs to load.  There are two
ways in, and both give the same objects (the tests compare them for every file):

* :func:`validate`: pydantic checks the file against these classes (types, allowed values,
  no unknown or missing key) before they are built.  Every definition is read this way by the
  tests, the glossary generator and the dashboard, which checks them all when it starts.
* :func:`build`: the classes are built straight from the file: an unknown or missing key and
  the consistency rules below (``__post_init__``) still refuse it, in one line; the types are
  trusted, as the same file passed :func:`validate` in the tests.  The runner's way.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from pydantic import TypeAdapter, ValidationError

MIN_COUNT = 5
"""Counts (and populations) under this are suppressed (:mod:`queries.disclosure`)."""

ParamType = Literal["DATE", "VARCHAR", "VARCHAR[]", "DOUBLE", "INTEGER"]
# pydantic reads this from each class: a key the model does not have is refused.
_STRICT = {"extra": "forbid"}


@dataclass(frozen=True)
class Parameter:
    """A ``$name`` the SQL binds.  A rate has a ``default`` (bound when the caller gives no
    value) and a ``source`` saying where the figure comes from."""

    __pydantic_config__ = _STRICT

    name: str
    type: ParamType
    description: str = ""
    unit: str = ""
    default: float | int | str | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if self.default is not None and not self.source:
            raise ValueError("a parameter with a default needs its source")


@dataclass(frozen=True)
class Column:
    """An output column of the metric, after the requested dimensions."""

    __pydantic_config__ = _STRICT

    name: str
    unit: str
    description: str = ""


@dataclass(frozen=True)
class Ratio:
    """A measure worked out from others of the row: a rate, a share, a mean over some of the
    people, a per-person figure.  It does not add up along a dimension, so it is not balanced
    along lines: it is suppressed with its row, wherever its numerator or denominator is
    suppressed (or a share would give a suppressed count back: 3 leavers of 40 is 7.5%), and
    where its denominator is under ``minimum``.  Otherwise it is rounded to ``decimals``
    places (negative: to tens, hundreds...), halves away from zero.

    Attributes:
        column: the ratio's column.
        denominator: the count it is over (a count or money column of the rule).
        numerator: the count or money it divides, when that is a column of the table; None
            for a mean or share whose numerator is not published (mean span: direct reports).
        minimum: the least denominator the ratio is shown for (5; 10 for means, as for
            mean salaries).
        decimals: rounding: 3 for a share or rate (0.1 percentage point), 1 for a mean span,
            -1 for £ per person (the nearest £10).
    """

    __pydantic_config__ = _STRICT

    column: str
    denominator: str
    numerator: str | None = None
    minimum: int = MIN_COUNT
    decimals: int = 3


@dataclass(frozen=True)
class Disclosure:
    """What disclosure control does to the metric's output (:mod:`queries.disclosure`).

    ``protected`` false: no published rule covers it (``note`` says why).  Otherwise the
    columns of the rule by kind; ``row_keys`` identify rows as a dimension would and
    ``labels`` travel beside the protected measures (:mod:`queries.catalogue`)."""

    __pydantic_config__ = _STRICT

    protected: bool
    note: str = ""
    population: str | None = None
    counts: tuple[str, ...] = ()
    money: tuple[str, ...] = ()
    identities: tuple[tuple[str, ...], ...] = ()
    ratios: tuple[Ratio, ...] = ()
    row_keys: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.protected and (self.population or self.counts or self.money or self.ratios):
            raise ValueError("an unprotected metric names no columns of a rule")
        if not self.protected and not self.note:
            raise ValueError("an unprotected metric needs a note saying why")


@dataclass(frozen=True)
class Definition:
    """One metric, as its TOML file defines it (``name`` is the file's stem)."""

    __pydantic_config__ = _STRICT

    name: str
    plain: str
    description: str
    grain: str
    parameters: tuple[Parameter, ...]
    columns: tuple[Column, ...]
    disclosure: Disclosure
    dimensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = [p.name for p in self.parameters]
        if len(set(names)) != len(names):
            raise ValueError("a parameter is declared twice")
        outputs = {c.name for c in self.columns}
        rule = self.disclosure
        named = {*rule.counts, *rule.money, *rule.row_keys, *rule.labels}
        named |= {r.column for r in rule.ratios} | {rule.population} - {None}
        stray = sorted(named - outputs)
        if stray:
            raise ValueError(f"disclosure names columns the metric does not return: {stray}")

    @property
    def defaults(self) -> dict[str, object]:
        """The parameters with a default, name → value."""
        return {p.name: p.default for p in self.parameters if p.default is not None}

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name``."""
        return next(p for p in self.parameters if p.name == name)


# --- pydantic's way in --------------------------------------------------------------------------


@cache
def _adapter() -> TypeAdapter[Definition]:
    from pydantic import TypeAdapter

    return TypeAdapter(Definition)


def _where(error: ValidationError) -> str:
    """The first error's key (``parameters[2].default``) and message, in one line."""
    first = error.errors()[0]
    parts: list[str] = []
    for part in first["loc"]:
        if isinstance(part, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{part}]"]
        else:
            parts.append(str(part))
    key = ".".join(parts) or "(top level)"
    message = first["msg"].replace("Unexpected keyword argument", "Extra inputs are not permitted")
    return f"{key}: {message}"


def validate(name: str, raw: dict[str, Any]) -> Definition:
    """``raw`` (a TOML file's contents) checked by pydantic and built into the definition of
    metric ``name``; a fault raises ValueError with one line naming the key."""
    from pydantic import ValidationError

    try:
        return _adapter().validate_python({"name": name, **raw})
    except ValidationError as error:
        raise ValueError(_where(error)) from None


# --- the direct way in --------------------------------------------------------------------------


def _make(cls: type, raw: Any, key: str, **nested: Any) -> Any:
    """``cls`` built from the table ``raw`` (at ``key`` in the file), ``nested`` built already;
    an unknown or missing key, or a broken rule, is one line naming where."""
    if not isinstance(raw, dict):
        raise ValueError(f"{key or '(top level)'}: a table is expected")
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(raw) - names)
    if unknown:
        raise ValueError(f"{_at(key, unknown[0])}: Extra inputs are not permitted")
    required = [
        f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING
    ]
    missing = [n for n in required if n not in raw and n not in nested]
    if missing:
        raise ValueError(f"{_at(key, missing[0])}: Field required")
    plain = {n: tuple(v) if isinstance(v, list) else v for n, v in raw.items()}
    try:
        return cls(**{**plain, **nested})
    except ValueError as error:
        raise ValueError(f"{key or '(top level)'}: Value error, {error}") from None


def _at(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _list(raw: dict[str, Any], key: str) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"{key}: a list is expected")
    return value


def build(name: str, raw: dict[str, Any]) -> Definition:
    """``raw`` (a TOML file's contents) built into the definition of metric ``name`` without
    pydantic (its types trusted: :func:`validate` checks them); a fault raises ValueError with
    one line naming the key."""
    said = raw.get("disclosure", {})
    if not isinstance(said, dict):
        raise ValueError("disclosure: a table is expected")
    ratios = tuple(
        _make(Ratio, r, f"disclosure.ratios[{i}]") for i, r in enumerate(_list(said, "ratios"))
    )
    identities = tuple(tuple(group) for group in _list(said, "identities"))
    disclosure = (
        _make(Disclosure, said, "disclosure", ratios=ratios, identities=identities)
        if "disclosure" in raw
        else None
    )
    parameters = tuple(
        _make(Parameter, p, f"parameters[{i}]") for i, p in enumerate(_list(raw, "parameters"))
    )
    columns = tuple(_make(Column, c, f"columns[{i}]") for i, c in enumerate(_list(raw, "columns")))
    nested = {"parameters": parameters, "columns": columns, "disclosure": disclosure}
    present = {k: v for k, v in nested.items() if k in raw}
    return _make(Definition, {"name": name, **raw}, "", **present)
