"""One definition per metric: ``queries/sql/<metric>.toml``, read into one model checked by
pydantic (:mod:`queries.definition_model`).

Each metric's SQL file computes it; the TOML file beside it says what it is, once: its plain
sentence for leaders, its description for developers, its grain, its parameters (each rate with
its default and source), its dimensions, its output columns with units and what disclosure
control does to it.  Everything that describes a metric reads it from here, as a
:class:`~queries.definition_model.Definition`: the runner (which parameters to bind, which
dimensions to allow, which columns to return), the CLI's catalogue and disclosure rules
(:mod:`queries.catalogue`), the published rates (:mod:`queries.constants`), the pages' "how
defined" text and the extracts' about sheet (:func:`dashboard.data.definition`) and the
generated glossary (``python -m queries.glossary`` writes ``docs/metrics.md``).

:func:`definitions` checks every file with pydantic (the tests, the glossary, and the dashboard
when it starts: :data:`dashboard.glossary.DEFINITIONS`); :func:`definition` builds one metric's
without loading pydantic, for a ``workforce query`` process (both give equal objects).  A file
that does not parse or does not fit the model is refused with one line naming the file and the
key (:class:`DefinitionError`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from queries.definition_model import Definition, build, validate

SQL_DIR = Path(__file__).with_name("sql")


class DefinitionError(ValueError):
    """A metric's TOML file is missing, does not parse or does not fit the model."""


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DefinitionError(f"{path.name}: no definition file beside {path.stem}.sql") from None
    except tomllib.TOMLDecodeError as error:
        raise DefinitionError(f"{path.name}: not valid TOML ({error})") from None
    if "name" in raw:
        raise DefinitionError(f"{path.name}: name: not allowed (the file's name is the metric's)")
    return raw


def _load(path: Path, make: Callable[[str, dict[str, Any]], Definition]) -> Definition:
    contents = _read(path)
    try:
        return make(path.stem, contents)
    except ValueError as error:
        raise DefinitionError(f"{path.name}: {error}") from None


def parse(path: Path) -> Definition:
    """Read one TOML file and check it with pydantic; any fault is one line naming the file and
    the key."""
    return _load(path, validate)


def metric_names() -> tuple[str, ...]:
    """Every metric: the SQL files of ``queries/sql`` not prefixed ``_`` (shared files)."""
    return tuple(sorted(p.stem for p in SQL_DIR.glob("*.sql") if not p.stem.startswith("_")))


@cache
def definition(name: str) -> Definition:
    """The definition of metric ``name``, read once per process and built without pydantic
    (:func:`queries.definition_model.build`: unknown and missing keys and the model's rules
    refused; its types checked by :func:`definitions`)."""
    return _load(SQL_DIR / f"{name}.toml", build)


@cache
def definitions() -> dict[str, Definition]:
    """Every metric's definition, by name, in name order, each checked with pydantic."""
    return {name: parse(SQL_DIR / f"{name}.toml") for name in metric_names()}


def defaults(name: str) -> dict[str, object]:
    """Metric ``name``'s parameters with a default, name → value."""
    return definition(name).defaults
