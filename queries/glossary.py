"""The metric glossary, ``docs/metrics.md``, generated from the metrics' definitions.

``python -m queries.glossary`` writes it; ``tests/test_metric_definitions.py`` fails when the
file is not what :func:`markdown` makes now, so the glossary cannot drift from the TOML files
the runner, the CLI and the pages read (:mod:`queries.definitions`).  Nothing here is written
by hand but the page's opening and the words for a disclosure rule, which are built from the
rule's constants (:mod:`queries.disclosure`) so that they say what the code does.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from queries import disclosure
from queries.definition_model import Definition, Disclosure, Ratio
from queries.definitions import definitions
from queries.disclosure import COUNT_BASE, MIN_COUNT, MONEY_BASE

SUPPRESSED = f"`{disclosure.SUPPRESSED}`"  # as code: Markdown would read [c] as a link

REPO = Path(__file__).resolve().parent.parent
TARGET = REPO / "docs" / "metrics.md"
REGENERATE = "python -m queries.glossary"
_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")

OPENING = f"""# Metric definitions

Every metric is one SQL file in `queries/sql/` and one definition beside it,
`queries/sql/<metric>.toml`: its plain sentence, description, grain, parameters (each rate with
its default and source), dimensions, output columns with units, and what disclosure control
does to it. The runner, the `workforce query` command, the pages' "how defined" texts, the
extracts' about sheet and this page all read that one file.

This page is generated: run `{REGENERATE}` after changing a definition
(`tests/test_metric_definitions.py` fails while it is out of date). A parameter with a default
is bound to it when a caller gives no value.

Disclosure control (`queries/disclosure.py`; where it applies: `docs/access.md`): breakdowns by
sex, ethnicity, disability or age band and every extract are protected for every role but admin,
and `workforce query` applies it under `--disclosure-control`. A protected metric's rule names
its columns by kind, as each metric below says; every rule also applies secondary suppression,
so that no suppressed cell can be worked out from the totals or margins beside it.
"""


def _code(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)


def _cell(text: object) -> str:
    """Text fit for a Markdown table cell."""
    return _PARAMETER.sub(r"`$\1`", str(text).replace("|", "\\|").replace("\n", " "))


def _rounding(decimals: int) -> str:
    if decimals < 0:
        return f"to the nearest {10**-decimals}"
    if decimals == 0:
        return "to a whole number"
    return f"to {decimals} decimal place{'s' if decimals > 1 else ''}"


def _ratio(ratio: Ratio) -> str:
    source = f", from `{ratio.numerator}`" if ratio.numerator else ""
    return (
        f"`{ratio.column}` (over `{ratio.denominator}`{source}: suppressed with what it is "
        f"worked out from, or when `{ratio.denominator}` is under {ratio.minimum}; rounded "
        f"{_rounding(ratio.decimals)})"
    )


def disclosure_words(rule: Disclosure) -> str:
    """What disclosure control does to a metric, in a sentence or a few."""
    if not rule.protected:
        return f"Not protected. {rule.note}"
    said = []
    if rule.population:
        said.append(
            f"population `{rule.population}`: a row of fewer than {MIN_COUNT} people is "
            f"suppressed whole ({SUPPRESSED})"
        )
    counts = [c for c in (rule.counts or ()) if c != rule.population]
    if rule.population or counts:
        shown = _code([*((rule.population,) if rule.population else ()), *counts])
        said.append(
            f"counts ({shown}): under {MIN_COUNT} shown as {SUPPRESSED}, others rounded to the "
            f"nearest {COUNT_BASE}"
        )
    if rule.money:
        said.append(f"money ({_code(rule.money)}): rounded to the nearest £{MONEY_BASE}")
    if rule.ratios:
        said.append("ratios: " + ", ".join(map(_ratio, rule.ratios)))
    for identity in rule.identities:
        said.append(f"kept together as one identity: {_code(identity)}")
    if rule.row_keys:
        said.append(f"row keys, protected as dimensions: {_code(rule.row_keys)}")
    if rule.labels:
        said.append(f"labels, shown beside the protected measures: {_code(rule.labels)}")
    text = "; ".join(said)
    note = f" {rule.note}" if rule.note else ""
    return f"Protected: {text}; then secondary suppression.{note}"


def _description(text: str) -> list[str]:
    """The description's lines, with a blank line around each list ("- " lines)."""
    out: list[str] = []
    text = _PARAMETER.sub(r"`$\1`", text)  # as code: a pair of $ would read as mathematics
    for line in text.strip().splitlines():
        listed = line.startswith("- ")
        if out and listed != out[-1].startswith("- "):
            out.append("")
        out.append(line)
    return out


def section(spec: Definition) -> list[str]:
    """One metric's section of the glossary."""
    lines = [f"## {spec.name}", "", f"**{spec.plain}**", "", *_description(spec.description)]
    lines += ["", f"**Grain:** {spec.grain}", "", "**Parameters:**", ""]
    lines += ["| name | type | default | unit | meaning | source |", "|---|---|---|---|---|---|"]
    for p in spec.parameters:
        default = "" if p.default is None else f"`{p.default}`"
        lines.append(
            f"| `${p.name}` | {p.type} | {default} | {_cell(p.unit)} | {_cell(p.description)} "
            f"| {_cell(p.source)} |"
        )
    dims = _code(spec.dimensions) or "none"
    lines += ["", f"**Dimensions** (grouping and filtering): {dims}", ""]
    lines += ["**Columns** (after the requested dimensions):", ""]
    lines += ["| column | unit | meaning |", "|---|---|---|"]
    for c in spec.columns:
        lines.append(f"| `{c.name}` | {_cell(c.unit)} | {_cell(c.description)} |")
    lines += ["", f"**Disclosure:** {disclosure_words(spec.disclosure)}", ""]
    return lines


def markdown() -> str:
    """The whole of ``docs/metrics.md``."""
    specs = definitions()
    lines = [OPENING, "## Contents", ""]
    lines += [f"- [{spec.plain.split(':', 1)[0]}](#{name})" for name, spec in specs.items()]
    lines.append("")
    for spec in specs.values():
        lines += section(spec)
    return "\n".join(lines).rstrip("\n") + "\n"


def main() -> int:
    TARGET.write_text(markdown(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
