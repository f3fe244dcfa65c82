"""Dependencies point one way: the data layers never import the UI, and only settings reads
the environment (``shared/style.md``, principles 1 and 8)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
UI_PACKAGES = {"streamlit", "plotly"}
ENVIRONMENT = {"environ", "getenv", "getenvb"}


def imported_roots(tree: ast.AST) -> set[str]:
    """The top-level package of every absolute import in ``tree``."""
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def reads_environment(tree: ast.AST) -> bool:
    """Whether ``tree`` mentions ``os.environ``, ``os.getenv`` or imports either by name."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            names |= {alias.name for alias in node.names}
    return bool(names & ENVIRONMENT)


def python_files(*folders: str) -> list[Path]:
    files = sorted(path for folder in folders for path in (REPO / folder).rglob("*.py"))
    assert files, f"no Python files under {folders}: the check would prove nothing"
    return files


def parse(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_the_checks_see_what_they_look_for() -> None:
    code = "import os\nimport streamlit as st\nfrom plotly import express\nfrom . import x\n"
    assert imported_roots(ast.parse(code)) == {"os", "streamlit", "plotly"}
    assert reads_environment(ast.parse("import os\nos.environ['X']"))
    assert reads_environment(ast.parse("from os import path\nfrom os import getenv"))
    assert not reads_environment(ast.parse("from pathlib import Path"))


@pytest.mark.parametrize(
    "path",
    [*python_files("core", "pipeline", "queries"), REPO / "dashboard" / "formatting.py"],
    ids=lambda path: str(path.relative_to(REPO)),
)
def test_no_ui_import_outside_the_dashboard(path: Path) -> None:
    assert not imported_roots(parse(path)) & UI_PACKAGES


@pytest.mark.parametrize(
    "path",
    [
        REPO / "app.py",
        *(
            p
            for p in python_files("core", "pipeline", "queries", "dashboard")
            if p != REPO / "core" / "settings.py"
        ),
    ],
    ids=lambda path: str(path.relative_to(REPO)),
)
def test_only_settings_reads_the_environment(path: Path) -> None:
    assert not reads_environment(parse(path)), "read WORKFORCE_* through core.settings"
