"""The layers of pyproject.toml's ``[tool.importlinter]`` (issue 17), checked by running
import-linter: they hold for the code as it is, and they break when a module crosses them
(a copy of the packages with one import added)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "queries", "pipeline", "dashboard")
LINT = Path(sys.executable).parent / "lint-imports"


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The four packages and pyproject.toml, copied as they are."""
    for package in PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layers_hold_for_the_code_as_it_is(copy: Path) -> None:
    run = lint(copy)
    assert run.returncode == 0, run.stdout[-3000:]
    assert "Contracts: 3 kept, 0 broken." in run.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("core/feeds.py", "import queries.runner", "layers"),  # the core reaching up
        ("queries/uses_pipeline.py", "import pipeline.cli", "layers"),  # queries on the pipeline
        (
            "pipeline/uses_ui.py",
            "import dashboard.tiles",
            "layers|Streamlit",
        ),  # and Streamlit with it
        ("dashboard/tiles_use.py", "import pipeline.ingest.run", "layers"),
        ("queries/draws.py", "import plotly.graph_objects", "Streamlit and Plotly"),
        ("pipeline/ingest/back.py", "import pipeline.cli", "no cycles"),  # cli -> ingest -> cli
    ],
)
def test_a_module_crossing_a_layer_breaks_the_contract(
    copy: Path, module: str, line: str, broken: str
) -> None:
    path = copy / module
    path.write_text((path.read_text() if path.exists() else "") + f"\n{line}\n")
    run = lint(copy)
    assert run.returncode == 1, run.stdout[-3000:]
    verdicts = [ln for ln in run.stdout.splitlines() if re.search(r" (KEPT|BROKEN)\b", ln)]
    assert len(verdicts) == 3, run.stdout[-3000:]
    assert [v for v in verdicts if " BROKEN" in v] == [
        v for v in verdicts if v.startswith(tuple(broken.split("|")))
    ], verdicts
