"""Plain words on screen (issue 12): what a leader reads holds no raw codes, column names or
file paths, and each term they may not know is explained on the page that uses it.

Every page is opened under AppTest as an admin on the two tiny warehouses
(tests/tiny_warehouse.py, and tests/tiny_warehouse_extra.py, which has ledger, line managers
and a programme register), in its first view and then once per choice of each of its on-page
selectors.  Everything a user can read is collected: headings, captions, markdown, alerts,
figures and their help, widget labels, options and help, tables' column labels and the values
of their text columns, and each chart's titles, tick labels, legend names and hover text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import polars as pl
import pytest
from google.protobuf.message import Message
from pandas.api.types import is_object_dtype, is_string_dtype
from streamlit.runtime.state.common import TESTING_KEY
from streamlit.testing.v1 import AppTest

from core import contract
from core.settings import Settings, get_settings
from dashboard import glossary
from tests import pages, tiny_warehouse, tiny_warehouse_extra

REPO = Path(__file__).resolve().parents[1]
PAGES = sorted(p.stem for p in (REPO / "dashboard" / "pages").glob("[!_]*.py"))

# What gives away the machinery rather than the meaning.
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
PATH = re.compile(r"\.(?:py|sql|md|toml)\b|\b(?:shared|queries|pipeline|dashboard)/")
CODE = re.compile(r"`[^`]*`")
ICON = re.compile(r":material/[a-z0-9_]+:")
INTERNALS = (SNAKE, PATH, re.compile(r"\bA < B\b"), re.compile("§"))

# Proto fields that hold what a user reads (ids, keys, formats and dates do not).
TEXT_FIELDS = {"body", "label", "help", "options", "placeholder", "caption", "delta"}
# Tables whose text columns are data, not our words: who did what (Audit log) and what a
# delivery sent (Data health's refusals and quarantined rows quote the file as delivered).
DATA_COLUMNS = {
    "audit_log": None,  # every column: emails, pages as requested, filters as chosen
    "data_health": {"Reason", "Row", "File", "Source system", "reason", "row", "file"},
}


# --- reading a page back ----------------------------------------------------------------------


def _strings(message: Message) -> Iterator[tuple[str, str]]:
    for field, value in message.ListFields():
        for item in value if field.is_repeated else [value]:
            if isinstance(item, Message):
                yield from _strings(item)
            elif isinstance(item, str) and field.name in TEXT_FIELDS:
                yield field.name, item


def _walk(node: object) -> Iterator[object]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _chart_texts(spec: dict) -> Iterator[str]:
    layout = spec.get("layout", {})
    yield layout.get("title", {}).get("text", "")
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            yield axis.get("title", {}).get("text", "")
            yield from (str(t) for t in axis.get("ticktext", []))
    yield layout.get("legend", {}).get("title", {}).get("text", "")
    yield from (str(a.get("text", "")) for a in layout.get("annotations", []))
    for trace in spec.get("data", []):
        yield str(trace.get("name", ""))
        yield str(trace.get("hovertemplate", ""))
        for key in ("x", "y", "text", "labels"):
            values = trace.get(key)
            if isinstance(values, list):  # category values: tick labels as drawn
                yield from (v for v in values if isinstance(v, str))


def _table_texts(element: object, page: str) -> Iterator[str]:
    config = json.loads(element.proto.columns or "{}")  # type: ignore[attr-defined]
    frame = element.value  # type: ignore[attr-defined]
    data = DATA_COLUMNS.get(page, set())
    for column in frame.columns:
        settings = config.get(str(column), {})
        if settings.get("hidden"):
            continue
        shown = settings.get("label") or str(column)
        yield shown
        yield settings.get("help", "")
        if data is None or shown in data or column in data:
            continue
        if is_object_dtype(frame[column]) or is_string_dtype(frame[column]):
            yield from (v for v in frame[column].dropna().unique() if isinstance(v, str))


def visible_texts(at: AppTest | object, page: str) -> list[str]:
    """Every text a user can read on the page as drawn (or in one block of it: ``at.main``)."""
    texts: list[str] = []
    for node in _walk(at._tree if isinstance(at, AppTest) else at):
        kind = type(node).__name__
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        if kind == "Dataframe":
            texts.extend(_table_texts(node, page))
        elif kind == "UnknownElement" and getattr(proto, "spec", ""):
            texts.extend(_chart_texts(json.loads(proto.spec)))
        elif kind in ("Markdown", "Caption") and page == "audit_log":
            # who is signed in, where the log lives and the command that checks it: data
            texts.append(CODE.sub("", proto.body) if "@" not in proto.body else "")
        else:
            texts.extend(text for _, text in _strings(proto))
    return [t for t in texts if t]


CHOOSERS = ("selectbox", "radio", "multiselect")
MONTH = re.compile(r"^\d{4}-\d{2}")  # an accounting month: one more is enough


def _shown_index(widget: object) -> int | None:
    try:
        return widget.index  # type: ignore[attr-defined]
    except (ValueError, AttributeError):  # no single value the options can place
        return None


def _choose(widget: object, option: str | list[str] | bool) -> None:
    """Choose ``option`` by its label as shown, as the browser does: AppTest would pass the
    label through the page's format function again, so that is set aside for this choice (the
    next run registers it anew).  A toggle takes True or False."""
    if not isinstance(option, bool):
        widget.root.session_state[TESTING_KEY][widget.id] = str  # type: ignore[attr-defined]
    widget.set_value(option)  # type: ignore[attr-defined]


Choice = str | list[str] | bool


def _plan(at: AppTest) -> list[tuple[str, int, list[Choice], Choice]]:
    """Per on-page selector: its kind and place, its other choices as shown (a multiselect's
    options one at a time; accounting months: the next one only) and the choice to restore
    afterwards.  The sidebar's filters stay as they are."""
    plan: list[tuple[str, int, list[Choice], Choice]] = []
    for kind in CHOOSERS:
        for index, widget in enumerate(at.main.get(kind)):
            months = [o for o in widget.options if MONTH.match(o)]
            others = [o for o in widget.options if o not in months[2:]]
            if kind == "multiselect":
                chosen = [str(widget.format_func(v)) for v in widget.value]
                plan.append((kind, index, [[o] for o in others], chosen))
                continue
            current = _shown_index(widget)
            if current is None:
                continue  # nothing to come back to
            choices: list[Choice] = [o for i, o in enumerate(others) if i != current]
            plan.append((kind, index, choices, widget.options[current]))
    for index, toggle in enumerate(at.main.get("toggle")):
        plan.append(("toggle", index, [not toggle.value], toggle.value))
    return plan


def every_view(at: AppTest) -> Iterator[AppTest]:
    """The page as first drawn, then once per other choice of each on-page selector (chosen by
    its label, as the browser sends it; the first choice restored before the next selector)
    and with each toggle turned."""
    at.run()
    assert not at.exception, at.exception
    yield at
    for kind, index, choices, first in _plan(at):
        for choice in [*choices, first]:
            widgets = at.main.get(kind)
            if index >= len(widgets):  # an earlier choice removed it
                break
            _choose(widgets[index], choice)
            at.run()
            assert not at.exception, (kind, choice, at.exception)
            if choice is not first:
                yield at


def internals(texts: list[str]) -> list[str]:
    """What shows a code, a column name, a file path or a contract's reference: the match,
    then the text it is in (cut short).  Streamlit's icon codes (``:material/check_circle:``)
    are drawn as icons, not read."""
    found = set()
    for text in (ICON.sub("", t) for t in texts):
        for pattern in INTERNALS:
            for match in pattern.finditer(text):
                start = max(match.start() - 40, 0)
                found.add(f"{match.group()!r} in {text[start : match.end() + 40]!r}")
    return sorted(found)


# --- the tests --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def basic(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return tiny_warehouse.build(tmp_path_factory.mktemp("basic"))


@pytest.fixture(scope="module")
def extra(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return tiny_warehouse_extra.build(tmp_path_factory.mktemp("extra"))


def _page_texts(
    page: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> dict[str, list[str]]:
    """Per view of the page, what it shows."""
    seen: dict[str, list[str]] = {}
    at = pages.open_page(page, settings, monkeypatch)
    for number, view in enumerate(every_view(at)):
        seen[f"view {number}"] = visible_texts(view, page)
    get_settings.cache_clear()
    return seen


@pytest.mark.parametrize("warehouse", ["basic", "extra"])
@pytest.mark.parametrize("page", PAGES)
def test_no_page_shows_codes_column_names_or_file_paths(
    page: str, warehouse: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No snake_case name (``contract_award``, ``it_systems``, ``manager_employee_id``), no
    file path (``queries/constants.py``, ``shared/reference/domain.md``), no "A < B" and no
    "§" in anything the page shows, in any view.  The failure lists each finding once, with
    the text around it and the first view showing it."""
    settings = request.getfixturevalue(warehouse)
    found: dict[str, str] = {}  # each finding once, with the first view showing it
    for view, texts in _page_texts(page, settings, monkeypatch).items():
        for bad in internals(texts):
            found.setdefault(bad, view)
    assert not found, "\n".join(f"{view}: {bad}" for bad, view in found.items())


TERMS = {
    "ITL1": re.compile(r"\bITL1\b"),
    "DCA": re.compile(r"\bDCA\b"),
    "SOC": re.compile(r"\bSOC\b"),
    "OBC": re.compile(r"\bOBC\b"),
    "FBC": re.compile(r"\bFBC\b"),
    "pp": re.compile(r"\bpp\b"),
}


def unexplained(texts: list[str]) -> list[str]:
    """The terms the texts use without saying, anywhere among them, what they stand for."""
    said = " ".join(texts).lower()
    return [
        term
        for term, pattern in TERMS.items()
        if any(pattern.search(t) for t in texts)
        and glossary.ABBREVIATIONS[term].lower() not in said
    ]


@pytest.mark.parametrize("warehouse", ["basic", "extra"])
@pytest.mark.parametrize("page", [p for p in PAGES if p != "audit_log"])
def test_every_term_a_page_uses_is_explained_on_it(
    page: str, warehouse: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ITL1, DCA, SOC, OBC, FBC and pp, where the page's body uses them, are spelt out in the
    body too (a help text, a caption, the label itself): the sidebar's glossary is not counted,
    so each page explains its own terms where they are read."""
    at = pages.open_page(page, request.getfixturevalue(warehouse), monkeypatch)
    for number, view in enumerate(every_view(at)):
        missing = unexplained(visible_texts(view.main, page))
        assert not missing, f"view {number}: {missing} used but not explained"
    get_settings.cache_clear()


@pytest.mark.parametrize("page", [p for p in PAGES if p != "audit_log"])
def test_every_page_has_the_glossary_a_click_away(
    page: str, basic: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_page(page, basic, monkeypatch)
    at.run()
    (closed,) = [e for e in at.sidebar.get("expander") if e.label == "Glossary"]
    assert not closed.markdown  # drawn only once opened (issue 14)
    at.session_state["sidebar.glossary"] = True  # a reader opens it: the page reruns
    at.run()
    get_settings.cache_clear()
    glossaries = [e for e in at.sidebar.get("expander") if e.label == "Glossary"]
    assert len(glossaries) == 1
    said = " ".join(m.value for m in glossaries[0].markdown)
    for term, expansion in glossary.ABBREVIATIONS.items():
        assert term in said and expansion.lower() in said.lower()
    assert "Paybill" in said and "Pay spend" in said


def test_the_text_check_finds_what_the_issue_saw() -> None:
    """The check itself: each internal the issue found on screen is caught, and plain text,
    organisation codes and icons are not."""
    seen = [
        "Type: contract_award",
        "Account: it_systems",
        "Spans and layers, from manager_employee_id.",
        "each (journal_id, line_number) once",
        "between two dates A < B",
        "the rate in queries/constants.py",
        "the benchmarks of shared/reference/domain.md §6",
    ]
    assert all(internals([text]) for text in seen)
    fine = ["HM Revenue and Customs (HMRC)", ":material/check_circle: Current", "Wilton Park"]
    assert not internals([ICON.sub("", t) for t in fine])
    assert unexplained(["Turnover fell 0.3 pp"]) == ["pp"]
    assert not unexplained(["Turnover fell 0.3 pp", "Changes in percentage points (pp)."])


# --- paybill and pay spend, named apart --------------------------------------------------------


def _labelled(at: AppTest) -> Iterator[tuple[str, str, str]]:
    """(what, label, help) for every tile and every table column of the page."""
    for tile in pages.tile_list(at):
        yield "tile", tile.label, tile.help or ""
    for table in at.dataframe:
        config = json.loads(table.proto.columns or "{}")
        for column in table.value.columns:
            settings = config.get(str(column), {})
            yield "column", settings.get("label") or str(column), settings.get("help", "")


@pytest.mark.parametrize("page", ["overview", "workforce", "cost"])
def test_paybill_and_pay_spend_are_named_apart_with_their_definitions(
    page: str, extra: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Paybill" is only ever the HR figure and "pay spend" only the ledger's, and wherever a
    tile or a table column shows either, its definition is its help text."""
    at = pages.open_page(page, extra, monkeypatch)
    at.run()
    seen, titles = [], []
    for tab in [t.label for t in at.tabs] or [None]:  # every tab, every table opened (issue 14)
        if tab is not None:
            pages.on_tab(at, f"{page}.tab", tab)
        pages.open_tables(at)
        seen += _labelled(at)
        titles += pages.chart_specs(at)
    get_settings.cache_clear()
    assert any(what == "column" for what, _, _ in seen)  # the tables are read too
    for what, label, said in seen:
        if label.lower().startswith("paybill"):
            assert glossary.PAYBILL in said, (what, label)
        if label.lower().startswith("pay spend"):
            assert glossary.PAY_SPEND in said, (what, label)
    labels = [label.lower() for _, label, _ in seen] + [t.lower() for t in titles]
    if page == "cost":  # the ledger's page: pay spend, never "paybill"
        assert any(label.startswith("pay spend") for label in labels)
        assert not any("paybill" in label for label in labels)
    else:
        assert any(label.startswith("paybill") for label in labels)
    assert glossary.PAYBILL.startswith("Paybill: annual basic salary × FTE")
    assert "HR records" in glossary.PAYBILL and "ledgers posted" in glossary.PAY_SPEND


# --- every code has a name ---------------------------------------------------------------------

CODE_LISTS = {
    "profession": contract.Profession,
    "region": contract.Region,
    "account_category": contract.AccountCategory,
    "stage": contract.Stage,
    "category": contract.ContingentCategory,
    "measure": contract.Measure,
    "sex": contract.Sex,
    "ethnicity": contract.Ethnicity,
    "disability": contract.Disability,
    "employment_type": contract.EmploymentType,
}


@pytest.mark.parametrize("column", CODE_LISTS)
def test_every_code_of_the_contract_reads_as_a_name(column: str) -> None:
    """Codes the tiny warehouses do not hold (``it_systems``, ``other_non_pay``,
    ``agency_admin``, ``fixed_term``, ``digital_data_technology``...) have names too, and a
    table shows the names."""
    codes = list(get_args(CODE_LISTS[column]))
    names = {code: glossary.code_label(column, code) for code in codes}
    assert all(name and not internals([name]) for name in names.values()), names
    shown = glossary.plain_table(pl.DataFrame({column: [*codes, "unknown", None]}))
    assert shown[column].to_list() == [*names.values(), "Not recorded", None]


def test_charts_name_every_account_category() -> None:
    from dashboard import glossary as cp

    assert set(cp.ACCOUNT_LABELS) == set(get_args(contract.AccountCategory))
    assert cp.ACCOUNT_LABELS["other_non_pay"] == "Other non-pay"
    assert cp.STAGE_LABELS["contract_award"] == "Contract award"


def test_every_metric_has_a_plain_definition_and_every_column_a_heading() -> None:
    """What the pages say of a metric comes from the glossary, never from the SQL header's
    column names and references; every column a metric returns has a heading in words."""
    from dashboard import data
    from queries.runner import SQL_DIR, load_sql

    # Every metric file, so a new one cannot reach a page without a definition in words.
    metrics = sorted(p.stem for p in SQL_DIR.glob("*.sql") if not p.stem.startswith("_"))
    assert "employee_records" in metrics and "ledger_periods" in metrics
    for metric in metrics:
        assert metric in glossary.DEFINITIONS, metric
        said = data.definition(metric)
        assert said.startswith(f"{glossary.metric_name(metric)}: ")
        assert not internals([said]), (metric, said)
        sql = load_sql(metric)
        for column in (*sql.measures, *sql.dimensions):
            assert not internals([glossary.column_label(column)]), (metric, column)
    assert "manager_employee_id" not in data.definition("spans_layers")
    assert "A < B" not in data.definition("flows")


def test_a_change_in_points_says_what_pp_means_in_its_tile(
    extra: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Overview's rates change in percentage points: each tile that shows "pp" explains it
    in its own help, a hover away from the figure."""
    at = pages.open_page("overview", extra, monkeypatch)
    at.run()
    get_settings.cache_clear()
    in_points = ("Contingent share", "Turnover")
    helps = {tile.label: tile.help or "" for tile in pages.tile_list(at)}
    assert all("percentage points (pp)" in helps[label] for label in in_points)
    for tile in pages.tile_list(at):
        if re.search(r"\bpp\b", f"{tile.value} {tile.change} {' '.join(tile.notes)}"):
            assert "percentage points" in (tile.help or ""), tile.label
