"""Every third-party package the product imports at run time is declared in pyproject.toml's
``[project] dependencies``, not only among the development extras (issue 17: pandas was
imported by the Cost page and declared for development only)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PRODUCT = ("app.py", "core", "dashboard", "queries", "pipeline")
OURS = {"app", "core", "dashboard", "queries", "pipeline", "benchmarks", "tests"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def declared() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return {_name(r) for r in project["dependencies"]}


def imported_modules() -> dict[str, str]:
    """Top-level module → the first file importing it, over the product's code (imports
    inside functions included; `if TYPE_CHECKING:` blocks too, harmlessly)."""
    found: dict[str, str] = {}
    files = [REPO / "app.py"] + [p for d in PRODUCT[1:] for p in (REPO / d).rglob("*.py")]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(REPO)))
    return found


def undeclared(modules: dict[str, str], wanted: set[str]) -> list[str]:
    """The imported third-party modules whose distribution is not in ``wanted``, one line
    each (module, the file importing it, its distribution)."""
    distributions = packages_distributions()
    missing = []
    for module, where in sorted(modules.items()):
        if module in sys.stdlib_module_names or module in OURS or module == "__future__":
            continue
        names = {_name(d) for d in distributions.get(module, [module])}
        if not names & wanted:
            missing.append(f"{module} ({where}): from {sorted(names)}")
    return missing


def test_every_third_party_import_is_a_declared_run_time_dependency() -> None:
    missing = undeclared(imported_modules(), declared())
    assert not missing, "imported at run time but not in [project] dependencies: " + "; ".join(
        missing
    )


def test_the_check_sees_a_package_declared_for_development_only() -> None:
    """A package the product imports but pyproject.toml declares for development only (as
    pandas was): the check names it, with the file that imports it."""
    assert undeclared({"pandas": "dashboard/pages/cost.py"}, declared() - {"pandas"}) == [
        "pandas (dashboard/pages/cost.py): from ['pandas']"
    ]
    assert undeclared({"pandas": "dashboard/pages/cost.py", "json": "x.py"}, declared()) == []


def test_pandas_is_declared_where_the_cost_page_hands_a_table_to_it() -> None:
    """Polars' ``to_pandas`` imports pandas at run time, which an import scan cannot see."""
    assert ".to_pandas()" in (REPO / "dashboard" / "pages" / "cost.py").read_text()
    assert "pandas" in declared()


def test_sign_in_has_what_streamlit_needs_for_it() -> None:
    """``st.login`` imports Authlib's Starlette client, which needs httpx: without it the
    "Sign in" button fails with a ModuleNotFoundError on the server (issue 16).  Both come
    with Streamlit's ``auth`` extra, which is declared, and the lock installs them."""
    import importlib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert any(r.replace(" ", "").startswith("streamlit[auth]") for r in project["dependencies"])
    lock = (REPO / "requirements.lock").read_text()
    assert re.search(r"^httpx==", lock, re.M) and re.search(r"^authlib==", lock, re.M)
    importlib.import_module("authlib.integrations.starlette_client")
