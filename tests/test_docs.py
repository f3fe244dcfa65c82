"""The README stays true: its commands exist and every metric is in its glossary."""

from __future__ import annotations

import re
from pathlib import Path

from queries.runner import SQL_DIR

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()


def test_every_metric_has_a_glossary_entry() -> None:
    glossary = README[README.index("## Metric glossary") :]
    missing = [p.stem for p in SQL_DIR.glob("[!_]*.sql") if f"| `{p.stem}` |" not in glossary]
    assert missing == []


def test_the_two_set_up_commands_come_first_and_are_make_targets() -> None:
    quick_start = README[README.index("## Quick start") :]
    block = re.search(r"```sh\n(.*?)```", quick_start, re.S).group(1).split()
    assert block == ["make", "run", "make", "test"]
    makefile = (REPO / "Makefile").read_text()
    for target in ("install", "run", "test", "bench"):
        assert re.search(rf"^{target}:", makefile, re.M), target


def test_every_setting_is_documented() -> None:
    from pipeline.settings import Settings

    for name in Settings.model_fields:
        assert f"WORKFORCE_{name.upper()}" in README, name


def test_every_image_and_document_the_readme_links_exists() -> None:
    linked = re.findall(r"\]\(((?:docs|\.\./shared)/[^)#]+)", README)
    assert "docs/images/overview.png" in linked
    missing = [path for path in linked if not (REPO / path).exists()]
    assert missing == []
