"""One definition per metric: ``queries/sql/<metric>.toml``, read into one pydantic model
(:mod:`queries.definition_model`).

Each metric's SQL file computes it; the TOML file beside it says what it is, once: its plain
sentence for leaders, its description for developers, its grain, its parameters (each rate with
its default and source), its dimensions, its output columns with units and what disclosure
control does to it.  Everything that describes a metric reads it from here: the runner (which
parameters to bind, which dimensions to allow, which columns to return), the CLI, the pages'
"how defined" text and the extracts' about sheet (:func:`dashboard.data.definition`), the
disclosure rules (:mod:`queries.catalogue`), the published rates (:mod:`queries.constants`) and
the generated glossary (``python -m queries.glossary`` writes ``docs/metrics.md``).

A file that does not parse or does not fit the model is refused with one line naming the file
and the key (:class:`DefinitionError`); files are read once per process (:func:`definition`).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from queries.definition_model import Definition

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


def _checked(path: Path, contents: dict[str, Any]) -> Definition:
    """``contents`` (the TOML file ``path`` as read) checked against the model; any fault is
    one line naming the file and the key."""
    from queries.definition_model import validate  # pydantic: not on a query's path

    try:
        return validate(path.stem, contents)
    except ValueError as error:
        raise DefinitionError(f"{path.name}: {error}") from None


def parse(path: Path) -> Definition:
    """Read and check one TOML file; any fault is one line naming the file and the key."""
    return _checked(path, _read(path))


@cache
def raw(name: str) -> dict[str, Any]:
    """Metric ``name``'s TOML as read, unchecked: for the runner, the disclosure rules and the
    rates, which need a few keys on every query (the files are checked against the model by
    :func:`definition` and by the tests)."""
    return _read(SQL_DIR / f"{name}.toml")


def metric_names() -> tuple[str, ...]:
    """Every metric: the SQL files of ``queries/sql`` not prefixed ``_`` (shared files)."""
    return tuple(sorted(p.stem for p in SQL_DIR.glob("*.sql") if not p.stem.startswith("_")))


@cache
def definition(name: str) -> Definition:
    """The definition of metric ``name``, checked once, from the file :func:`raw` read (each
    file is read once per process, whoever asks first)."""
    return _checked(SQL_DIR / f"{name}.toml", raw(name))


def definitions() -> dict[str, Definition]:
    """Every metric's definition, by name, in name order."""
    return {name: definition(name) for name in metric_names()}


def defaults(name: str) -> dict[str, object]:
    """Metric ``name``'s parameters with a default, name → value (from :func:`raw`)."""
    return {p["name"]: p["default"] for p in raw(name).get("parameters", ()) if "default" in p}
