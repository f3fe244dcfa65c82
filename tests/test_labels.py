"""One label per category, from one place (issue 14): :mod:`dashboard.glossary` names every
contract code, the same name wherever the code is shown (a chart's legend, a table beside it,
the Extracts page's preview), and no other module keeps a list of its own."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import polars as pl
import pytest

from core import contract
from dashboard import glossary
from dashboard.charts import milestones as cp

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"

# Column → the contract's codes for it.
CONTRACT_CODES = {
    "account_category": get_args(contract.AccountCategory),
    "dca_rating": get_args(contract.DcaRating),
    "stage": get_args(contract.Stage),
    "category": get_args(contract.ContingentCategory),
}


@pytest.mark.parametrize("column", list(CONTRACT_CODES))
def test_every_contract_code_has_one_label_of_its_own(column: str) -> None:
    labels = glossary.CODES[column]
    assert set(CONTRACT_CODES[column]) <= set(labels), column
    named = [labels[code] for code in CONTRACT_CODES[column]]
    assert len(set(named)) == len(named), f"two {column} codes share a label"
    for label in named:
        assert "_" not in label and label[:1].isupper(), label  # words, not codes


def test_the_ledger_categories_read_as_the_issue_asks() -> None:
    read = {code: glossary.code_label("account_category", code) for code in CONTRACT_CODES[
        "account_category"]}  # fmt: skip
    assert {
        code: read[code]
        for code in ("estates", "it_systems", "other_non_pay", "programme_cost", "payroll_salary")
    } == {
        "estates": "Estates",
        "it_systems": "IT systems",
        "other_non_pay": "Other non-pay",
        "programme_cost": "Programme cost",
        "payroll_salary": "Salary",
    }


def test_a_code_shared_by_two_columns_reads_the_same_in_both() -> None:
    shared: dict[str, set[str]] = {}
    for labels in glossary.CODES.values():
        for code, label in labels.items():
            shared.setdefault(code, set()).add(label)
    # "other" is a stage and a profession, both "Other"; programme_cost a ledger account and a
    # register measure, both "Programme cost".
    assert shared["programme_cost"] == {"Programme cost"}
    assert {code: names for code, names in shared.items() if len(names) > 1} == {}


def test_unknown_reads_in_the_words_of_its_column() -> None:
    frame = pl.DataFrame({"dca_rating": ["amber_green", "unknown"], "grade": ["unknown", "SEO"]})
    shown = glossary.plain_table(frame)
    assert shown["dca_rating"].to_list() == ["Amber/green", "Not rated"]
    assert shown["grade"].to_list() == [glossary.NOT_RECORDED, "SEO"]
    assert glossary.code_label("dca_rating", "unknown") == "Not rated"
    assert glossary.code_label("region", "unknown") == glossary.NOT_RECORDED


def test_every_spend_group_is_one_of_six_and_covers_every_category() -> None:
    groups = glossary.SPEND_GROUPS
    assert set(groups) == set(CONTRACT_CODES["account_category"])
    assert len(set(groups.values())) == 6  # one colour each from the palette's six
    assert glossary.OTHER_SPEND_GROUP in groups.values()
    for code, group in groups.items():  # a group of one category keeps that category's name
        if list(groups.values()).count(group) == 1:
            assert group == glossary.ACCOUNT_LABELS[code]


def test_the_charts_use_the_glossarys_lists() -> None:
    assert cp.DCA_LABELS is glossary.DCA_LABELS
    assert cp.STAGE_LABELS is glossary.STAGE_LABELS


def _string_literals(path: Path) -> set[str]:
    return set(re.findall(r'"([^"\n]{3,})"', path.read_text()))


@pytest.mark.parametrize("column", ["account_category", "dca_rating", "stage", "category"])
def test_no_other_module_keeps_its_own_list_of_these_labels(column: str) -> None:
    """A label written out anywhere else in the dashboard would be a second list to keep in
    step (the Cost legend once read "Salary" beside raw ``estates`` and ``it_systems``)."""
    labels = {
        label
        for code, label in glossary.CODES[column].items()
        if label not in ("Other", "Consultancy", "Contingent labour", "Programme cost")
    }  # words a page may also use as plain English, not as a list of codes
    for path in sorted(DASHBOARD.rglob("*.py")):
        if path.name == "glossary.py":
            continue
        written = labels & _string_literals(path)
        assert not written, f"{path.relative_to(DASHBOARD)} names {sorted(written)} itself"
