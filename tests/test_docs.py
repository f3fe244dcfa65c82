"""The README and the documents under docs/ stay true.

The README is a door (issue 17): what the project is, the two commands, a map of the code and
where the contracts and documents are.  Everything else lives in docs/, so each check reads the
document that now holds its text: the settings and `workforce map check` in
docs/operations.md, the metric glossary in docs/metrics.md (generated), and every link of the
README and of every docs/*.md must resolve.
"""

from __future__ import annotations

import re
from pathlib import Path

from queries.runner import SQL_DIR

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
README = (REPO / "README.md").read_text()
OPERATIONS = (DOCS / "operations.md").read_text()

# A door, not a house: room for the map, none for a guide (it was 32 KB).
README_MAX_BYTES = 7 * 1024
# Directories at the root that are made by tools, not part of the code.
NOT_CODE = {"build", "dist", "htmlcov", "node_modules", "tmp", "__pycache__"}
# Hidden directories that are part of the project, so the map must name them.
HIDDEN_KEPT = (".streamlit", ".ci")
PACKAGES = ("dashboard", "queries", "pipeline")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def linked(text: str) -> list[str]:
    """Local targets of the markdown links and images in ``text``, without their anchors."""
    targets = [target.split("#", 1)[0] for target in LINK.findall(text)]
    return [t for t in targets if t and not re.match(r"[a-z]+:", t)]


def code_directories() -> list[str]:
    """Every top-level directory of the project and every directory inside its packages,
    written as the README names them (``pipeline/ingest/``)."""
    top = [
        path.name
        for path in REPO.iterdir()
        if path.is_dir()
        and not path.name.startswith(".")
        and path.name not in NOT_CODE
        and not path.name.endswith(".egg-info")
    ]
    top += [name for name in HIDDEN_KEPT if (REPO / name).is_dir()]
    inner = [
        f"{package}/{path.name}"
        for package in PACKAGES
        for path in (REPO / package).iterdir()
        if path.is_dir() and path.name not in NOT_CODE
    ]
    return sorted(f"{name}/" for name in top + inner)


def test_the_two_set_up_commands_come_first_and_are_make_targets() -> None:
    quick_start = README[README.index("## Quick start") :]
    block = re.search(r"```sh\n(.*?)```", quick_start, re.S).group(1).split()
    assert block == ["make", "run", "make", "test"]
    makefile = (REPO / "Makefile").read_text()
    for target in ("install", "run", "test", "bench"):
        assert re.search(rf"^{target}:", makefile, re.M), target
        assert f"make {target}" in README, target


def test_the_readme_stays_a_door() -> None:
    size = len(README.encode())
    assert size < README_MAX_BYTES, f"README.md is {size} bytes; move detail to docs/"
    assert "## Metric glossary" not in README
    assert "app.py" in README


def test_the_readme_names_every_package_directory() -> None:
    directories = code_directories()
    assert {"dashboard/pages/", "queries/sql/", "pipeline/ingest/", ".ci/"} <= set(directories)
    missing = [name for name in directories if f"`{name}`" not in README]
    assert missing == []


def test_the_readme_links_every_document() -> None:
    links = set(linked(README))
    missing = [path.name for path in DOCS.glob("*.md") if f"docs/{path.name}" not in links]
    assert "docs/metrics.md" in links
    assert missing == []


def test_every_metric_is_in_the_glossary_the_readme_links() -> None:
    glossary = (DOCS / "metrics.md").read_text()
    missing = [
        path.stem
        for path in SQL_DIR.glob("[!_]*.sql")
        if not re.search(rf"(?<![\w-]){re.escape(path.stem)}(?![\w-])", glossary)
    ]
    assert missing == []


def test_every_setting_is_documented() -> None:
    from core.settings import Settings

    settings = OPERATIONS[OPERATIONS.index("## Settings") :]
    missing = [
        name for name in Settings.model_fields if f"| `WORKFORCE_{name.upper()}` |" not in settings
    ]
    assert missing == []


def test_map_check_is_documented_where_the_readme_points() -> None:
    assert "docs/operations.md" in linked(README)
    section = OPERATIONS[OPERATIONS.index("## Native deliveries and `workforce map check`") :]
    assert "workforce map check data/landing/" in section
    assert "would be refused: <reason>" in section


def test_every_image_and_document_linked_from_the_readme_and_docs_exists() -> None:
    assert "docs/images/overview.png" in linked(README)
    sources = [REPO / "README.md", *sorted(DOCS.glob("*.md"))]
    missing = [
        f"{source.relative_to(REPO)} -> {target}"
        for source in sources
        for target in linked(source.read_text())
        if not (source.parent / target).exists()
    ]
    assert missing == []
