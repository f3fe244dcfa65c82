"""One definition per metric (issue 17): ``queries/sql/<metric>.toml`` beside each SQL file.

Each metric's SQL file has its definition and each definition its SQL file; every ``$name`` the
SQL binds is declared and every declared one is bound; a rate is a parameter with a default and
a source, filled in by the runner when a caller gives none; a bad file is refused in one line
naming the file and the key; the glossary (``docs/metrics.md``) is what the generator makes.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from core.warehouse import connect_readonly
from pipeline.demo import calibration
from queries import constants, glossary
from queries import definitions as definitions_module
from queries.definitions import (
    SQL_DIR,
    DefinitionError,
    definition,
    definitions,
    metric_names,
    parse,
)
from queries.runner import CLUSTERS, QueryError, Request, load_sql, run
from tests.tiny_warehouse import B, build

REPO = Path(__file__).resolve().parent.parent
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    settings = build(tmp_path_factory.mktemp("tiny"))
    connection = connect_readonly(settings.warehouse)
    yield connection
    connection.close()


def rows(con, metric: str, **params) -> list[dict]:
    return run(con, Request(metric, CLUSTERS, params)).to_dicts()


# --- the files ----------------------------------------------------------------------------------


def test_the_glossary_is_what_the_generator_makes_now() -> None:
    written = (REPO / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert written == glossary.markdown(), (
        "docs/metrics.md is out of date with queries/sql/*.toml: regenerate it with "
        f"`.venv/bin/{glossary.REGENERATE}`"
    )


def test_every_sql_file_has_its_definition_and_every_definition_its_sql() -> None:
    sql = {p.stem for p in SQL_DIR.glob("*.sql") if not p.stem.startswith("_")}
    toml = {p.stem for p in SQL_DIR.glob("*.toml")}
    assert sql == toml == set(metric_names())
    assert len(sql) >= 21 and "contingent" in sql and "_common" not in toml


@pytest.mark.parametrize("metric", metric_names())
def test_every_parameter_the_sql_binds_is_declared_and_every_declared_one_is_bound(
    metric: str,
) -> None:
    code = _COMMENT.sub("", (SQL_DIR / f"{metric}.sql").read_text())
    used = set(_PARAM.findall(code))
    declared = {p.name for p in definition(metric).parameters}
    assert used == declared, f"{metric}: SQL only {used - declared}, TOML only {declared - used}"


@pytest.mark.parametrize("metric", metric_names())
def test_the_sql_header_is_one_line_pointing_at_the_definition(metric: str) -> None:
    lines = (SQL_DIR / f"{metric}.sql").read_text().splitlines()
    assert lines[0].startswith("--") and f"{metric}.toml" in lines[0]
    assert not lines[1].startswith("--"), "the definition lives in the TOML file only"


def test_every_rate_is_a_parameter_with_a_default_a_unit_and_a_source() -> None:
    rates = {
        (name, p.name): p
        for name, spec in definitions().items()
        for p in spec.parameters
        if p.type in ("DOUBLE", "INTEGER")
    }
    assert set(rates) == {
        ("benefits_npv", "discount_rate"),
        ("contingent", "working_days"),
        ("hr_finance_ratio", "hr_target_per_100"),
        ("hr_finance_ratio", "hr_2023_per_100"),
        ("hr_finance_ratio", "finance_2023_per_100"),
        ("reconciliation", "pension_rate"),
        ("reconciliation", "ni_rate"),
        ("reconciliation", "tolerance"),
    }
    for key, p in rates.items():
        assert p.default is not None and p.unit and p.source, key
    # No literal left behind where a parameter now stands.
    assert "220" not in (SQL_DIR / "contingent.sql").read_text()
    assert not re.search(r"\b(1\.0|2\.5)\b", (SQL_DIR / "hr_finance_ratio.sql").read_text())


def test_the_demo_posts_the_rates_the_reconciliation_checks_and_queries_import_no_pipeline():
    assert calibration.EMPLOYER_PENSION_RATE == definition("reconciliation").defaults[
        "pension_rate"
    ] == 0.27  # fmt: skip
    assert calibration.EMPLOYER_NI_RATE == constants.EMPLOYER_NI_RATE == 0.14
    assert calibration.WORKING_DAYS_A_YEAR == constants.WORKING_DAYS_A_YEAR == 220
    for path in (REPO / "queries").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names] if isinstance(node, ast.Import) else
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            )  # fmt: skip
            assert not any(n.split(".")[0] == "pipeline" for n in names), path.name


# --- a bad file ---------------------------------------------------------------------------------

GOOD = (SQL_DIR / "workforce.toml").read_text()


BAD_FILES = [
    (GOOD.replace('unit = "date"', 'unit = "date', 1), "workforce.toml: not valid TOML ("),
    (
        GOOD.replace(
            '[[columns]]\nname = "fte"\nunit = "full-time equivalents"\n',
            '[[columns]]\nname = "fte"\n',
        ),
        "workforce.toml: columns[1].unit: Field required",
    ),
    ("colour = 'blue'\n" + GOOD, "workforce.toml: colour: Extra inputs are not permitted"),
    (
        GOOD.replace("[[columns]]", "[[columns]]\nshade = 1", 1),
        "workforce.toml: columns[0].shade: Extra inputs are not permitted",
    ),
    (
        GOOD.replace('type = "DATE"\n', 'type = "DATE"\ndefault = "2026-01-31"\n', 1),
        "workforce.toml: parameters[0]: Value error, a parameter with a default needs",
    ),
    (
        GOOD.replace('name = "clusters"', 'name = "as_at"', 1),
        "workforce.toml: (top level): Value error, a parameter is declared twice",
    ),
    (
        GOOD.replace("[disclosure]\nprotected = true", "[disclosure]\nprotected = false", 1),
        "workforce.toml: disclosure: Value error, an unprotected metric names no columns",
    ),
    (
        GOOD.replace('counts = ["headcount"', 'counts = ["heads", "headcount"', 1),
        "workforce.toml: (top level): Value error, disclosure names columns the metric does not",
    ),
    (GOOD[: GOOD.index("[disclosure]")], "workforce.toml: disclosure: Field required"),
    ('name = "x"\n' + GOOD, "workforce.toml: name: not allowed"),
]
BAD_IDS = [
    "syntax", "missing-unit", "unknown-key", "unknown-column-key", "default-without-source",
    "declared-twice", "unprotected-with-rule", "stray-column", "no-disclosure", "name",
]  # fmt: skip


def read_both_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, way: str):
    """``text`` as workforce.toml, read with pydantic's check or built the runner's way."""
    path = tmp_path / "workforce.toml"
    path.write_text(text)
    if way == "pydantic":
        return parse(path)
    monkeypatch.setattr(definitions_module, "SQL_DIR", tmp_path)
    return definition.__wrapped__("workforce")  # not the cached real file


@pytest.mark.parametrize(("text", "said"), BAD_FILES, ids=BAD_IDS)
@pytest.mark.parametrize("way", ["pydantic", "built"])
def test_a_malformed_definition_is_one_line_naming_file_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, said: str, way: str
) -> None:
    """Both ways in refuse the same files with the same line."""
    assert text != GOOD
    with pytest.raises(DefinitionError) as caught:
        read_both_ways(tmp_path, monkeypatch, text, way)
    message = str(caught.value)
    assert message.startswith(said), message
    assert "\n" not in message


def test_only_pydantic_checks_a_values_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runner's way trusts the types, which pydantic checks in every real file (the next
    test and the dashboard, which reads them all when it starts)."""
    text = GOOD.replace('type = "DATE"', 'type = "DAY"', 1)
    with pytest.raises(DefinitionError, match=r"^workforce\.toml: parameters\[0\]\.type: "):
        read_both_ways(tmp_path, monkeypatch, text, "pydantic")
    assert read_both_ways(tmp_path, monkeypatch, text, "built").parameters[0].type == "DAY"


def test_both_ways_in_give_the_same_definitions() -> None:
    """pydantic's check of every file and the runner's direct build agree, object for object."""
    checked = definitions()
    assert set(checked) == set(metric_names()) and len(checked) > 15
    for name, spec in checked.items():
        assert definition(name) == spec, name


def test_a_query_process_does_not_load_pydantic(tmp_path: Path) -> None:
    """``workforce query`` is timed against a bare DuckDB script: it builds its one definition
    without pydantic (docs/benchmarks.md), and still answers."""
    settings = build(tmp_path / "tiny")
    script = (
        "import sys\n"
        "from pipeline.cli import main\n"
        f"code = main(['query', 'contingent', '--as-at', '{B}', '--warehouse', "
        f"{str(settings.warehouse)!r}])\n"
        "loaded = [m for m in ('pydantic', 'pydantic_core') if m in sys.modules]\n"
        "sys.stderr.write(repr(loaded))\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "workers,fte,annualised_cost_gbp"
    assert done.stderr.splitlines()[-1] == "[]"  # after the warehouse's notes


def test_a_missing_definition_is_one_line_too(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match=r"^ghost\.toml: no definition file beside ghost"):
        parse(tmp_path / "ghost.toml")


def test_the_real_files_parse_into_what_the_runner_uses() -> None:
    sql = load_sql("contingent")
    spec = definition("contingent")
    assert sql.params == {"as_at": "DATE", "working_days": "INTEGER", "clusters": "VARCHAR[]"}
    assert sql.measures == ("workers", "fte", "annualised_cost_gbp")
    assert sql.dimensions == spec.dimensions == (
        "cluster", "department", "organisation_code", "category"
    )  # fmt: skip
    assert sql.defaults == {"working_days": 220}


# --- defaults bound -----------------------------------------------------------------------------


def test_the_working_days_default_is_bound_and_a_caller_may_change_it(con) -> None:
    # As at B: W1 1.0 FTE at £200 a day and W2 0.5 FTE at £1,000 (tests/tiny_warehouse.py).
    (standard,) = rows(con, "contingent", as_at=B)
    assert standard["annualised_cost_gbp"] == pytest.approx((200 + 500) * 220)
    (half,) = rows(con, "contingent", as_at=B, working_days=110)
    assert half["annualised_cost_gbp"] == pytest.approx(standard["annualised_cost_gbp"] / 2)
    with pytest.raises(QueryError, match=r"\$working_days must be a whole number"):
        rows(con, "contingent", as_at=B, working_days=110.5)


def test_the_hr_benchmarks_are_parameters_with_their_published_defaults(con) -> None:
    (standard,) = rows(con, "hr_finance_ratio", as_at=B)
    assert (
        standard["hr_target_per_100"],
        standard["hr_2023_per_100"],
        standard["finance_2023_per_100"],
    ) == (1.0, 2.5, 2.5)
    (other,) = rows(con, "hr_finance_ratio", as_at=B, hr_target_per_100=1.2)
    assert other["hr_target_per_100"] == 1.2
    assert other["hr_per_100"] == standard["hr_per_100"]


def test_the_on_cost_rates_default_to_the_published_ones(con) -> None:
    """The reconciliation without rates is the reconciliation with the published rates."""
    period = f"{B:%Y-%m}"
    bare = rows(con, "reconciliation", period=period, as_at=B)
    published = rows(con, "reconciliation", period=period, as_at=B, **constants.STANDARD_PARAMS)
    assert bare == published and bare[0]["hr_salary_gbp"] > 0
    lower = rows(con, "reconciliation", period=period, as_at=B, pension_rate=0.1)
    assert lower[0]["hr_pension_gbp"] == pytest.approx(lower[0]["hr_salary_gbp"] * 0.1)
