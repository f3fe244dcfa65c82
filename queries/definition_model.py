"""The pydantic model of a metric's definition (``queries/sql/<metric>.toml``).

Kept apart from :mod:`queries.definitions` so that running a query never imports pydantic:
``workforce query`` reads the few keys it needs straight from the TOML (every file is
checked against this model by the tests and by whatever calls :func:`queries.definitions.
definition`: the pages, the glossary), and a process that only queries starts about 80 ms
sooner (pydantic and the models' schemas), which the query benchmarks measure.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

MIN_COUNT = 5  # queries.disclosure.MIN_COUNT, the default least denominator of a ratio

ParamType = Literal["DATE", "VARCHAR", "VARCHAR[]", "DOUBLE", "INTEGER"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameter(_Strict):
    """A ``$name`` the SQL binds.  A rate has a ``default`` (bound when the caller gives no
    value) and a ``source`` saying where the figure comes from."""

    name: str
    type: ParamType
    description: str = ""
    unit: str = ""
    default: float | int | str | None = None
    source: str = ""

    @model_validator(mode="after")
    def _rate_has_source(self) -> Parameter:
        if self.default is not None and not self.source:
            raise ValueError("a parameter with a default needs its source")
        return self


class Column(_Strict):
    """An output column of the metric, after the requested dimensions."""

    name: str
    unit: str
    description: str = ""


class RatioSpec(_Strict):
    """A rate, share or mean under disclosure control (:class:`queries.disclosure.Ratio`)."""

    column: str
    denominator: str
    numerator: str | None = None
    minimum: int = MIN_COUNT
    decimals: int = 3


class Disclosure(_Strict):
    """What disclosure control does to the metric's output (:mod:`queries.disclosure`).

    ``protected`` false: no published rule covers it (``note`` says why).  Otherwise the
    columns of the rule by kind; ``row_keys`` identify rows as a dimension would and
    ``labels`` travel beside the protected measures (:mod:`queries.catalogue`)."""

    protected: bool
    note: str = ""
    population: str | None = None
    counts: tuple[str, ...] = ()
    money: tuple[str, ...] = ()
    identities: tuple[tuple[str, ...], ...] = ()
    ratios: tuple[RatioSpec, ...] = ()
    row_keys: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _rule_or_reason(self) -> Disclosure:
        if not self.protected and (self.population or self.counts or self.money or self.ratios):
            raise ValueError("an unprotected metric names no columns of a rule")
        if not self.protected and not self.note:
            raise ValueError("an unprotected metric needs a note saying why")
        return self


class Definition(_Strict):
    """One metric, as its TOML file defines it (``name`` is the file's stem)."""

    name: str
    plain: str
    description: str
    grain: str
    dimensions: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...]
    columns: tuple[Column, ...]
    disclosure: Disclosure

    @model_validator(mode="after")
    def _consistent(self) -> Definition:
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
        return self

    @property
    def defaults(self) -> dict[str, object]:
        """The parameters with a default, name → value."""
        return {p.name: p.default for p in self.parameters if p.default is not None}

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name``."""
        return next(p for p in self.parameters if p.name == name)


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
    return f"{key}: {first['msg']}"


def validate(name: str, raw: dict) -> Definition:
    """``raw`` (a TOML file's contents) as the definition of metric ``name``; a fault raises
    ValueError with one line naming the key."""
    try:
        return Definition.model_validate({"name": name, **raw})
    except ValidationError as error:
        raise ValueError(_where(error)) from None
