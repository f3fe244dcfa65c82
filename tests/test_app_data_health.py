"""The data health page under AppTest: the tiny warehouse, then a night with problems on top:
DEFENCE delivers 400 people of whom one breaks a rule (quarantined), and OVERSEAS delivers a
file with too many bad rows (refused)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.settings import Settings, get_settings
from dashboard import data
from pipeline.ingest import ingest_main
from queries.runner import CLUSTERS
from tests import pages
from tests.ingest_factories import cluster_delivery, employees
from tests.tiny_warehouse import B, build

APP = Path(__file__).resolve().parents[1] / "app.py"
PAGE = "dashboard/pages/data_health.py"
REFUSAL = "OVERSEAS 2026-02-28 employees.parquet: 3 of 400 rows (0.75%) broke rules (limit 0.5%)"


def broken(rows: list[dict], **changes: dict) -> list[dict]:
    """``rows`` with row ``i`` changed as ``r<i>={column: value}`` says."""
    for name, change in changes.items():
        rows[int(name[1:])].update(change)
    return rows


@pytest.fixture(scope="module")
def troubled(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = build(tmp_path_factory.mktemp("troubled"))
    cluster_delivery(
        settings.landing, "DEFENCE", B, employees_rows=broken(employees(cluster="DEFENCE"),
                                                              r9={"fte": 2.0})
    )  # fmt: skip
    bad = broken(employees(cluster="OVERSEAS"), r1={"fte": 0.0}, r2={"fte": 1.5}, r3={"fte": -1})
    cluster_delivery(settings.landing, "OVERSEAS", B, employees_rows=bad)
    assert ingest_main(settings) == 1  # one delivery refused
    return settings


@pytest.fixture
def app(troubled: Settings, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """Open the page, as a link with these query parameters would (and run it)."""
    monkeypatch.setenv("WORKFORCE_WAREHOUSE", str(troubled.warehouse))
    monkeypatch.setenv("WORKFORCE_REFERENCE", str(troubled.reference))
    get_settings.cache_clear()

    def open_page(**params: str) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.query_params.update(params)
        return at.run().switch_page(PAGE).run()

    yield open_page
    get_settings.cache_clear()


def metrics(at: AppTest) -> dict[str, str]:
    return pages.tiles(at)


def test_the_load_records_through_the_data_layer(app: Callable[..., AppTest]) -> None:
    feeds = data.feed_summary(CLUSTERS)
    assert feeds["feed"].to_list() == [*CLUSTERS, "PROGRAMME"]
    rows = {row["feed"]: row for row in feeds.iter_rows(named=True)}
    assert rows["DEFENCE"]["latest_extract_date"] == B
    assert (rows["DEFENCE"]["loads"], rows["DEFENCE"]["quarantined"]) == (1, 1)
    assert (rows["OVERSEAS"]["extracts"], rows["OVERSEAS"]["refused"]) == (0, 1)
    assert rows["OVERSEAS"]["last_outcome"] == "refused"
    assert rows["MATRIX"]["latest_extract_date"] == date(2026, 1, 31)

    (refused,) = data.load_log(CLUSTERS, refused_only=True).iter_rows(named=True)
    assert refused["feed"] == "OVERSEAS"
    assert refused["reason"].startswith(REFUSAL)
    log = data.load_log(CLUSTERS)
    assert log["load_id"].to_list() == sorted(log["load_id"].to_list(), reverse=True)
    assert data.load_log(("UNITY",))["feed"].unique().sort().to_list() == ["PROGRAMME", "UNITY"]

    summary, held = data.quarantine(CLUSTERS)
    assert summary.rows() == [
        ("DEFENCE", B, "employees.parquet", "fte must be > 0 and <= 1", 1),
    ]
    assert held["row_number"].to_list() == [9]
    assert '"fte":2.0' in held["row"][0].replace(" ", "")
    assert data.quarantine(("UNITY",))[0].is_empty()


def test_the_page_shows_refusals_and_quarantine(app: Callable[..., AppTest]) -> None:
    app = app()
    assert not app.exception
    assert [t.value for t in app.title] == ["Data health"]
    assert metrics(app) == {
        "Latest extract": "28 Feb 2026",
        "Deliveries loaded": "8",  # the tiny warehouse's 7, and DEFENCE's
        "Deliveries refused": "1",
        "Rows in quarantine": "1",
    }
    freshness, sources, refused, held, held_rows, log = (d.value for d in app.dataframe)
    status = dict(zip(freshness["feed"], freshness["status"], strict=True))
    assert status == {
        "DEFENCE": "Current",
        "OVERSEAS": "No data",
        "MATRIX": "Stale",
        "SYNERGY": "Current",
        "UNITY": "Current",
        "PROGRAMME": "Not applicable",
    }
    assert list(sources["kind"]) == ["Contract parquet"] * 5  # OVERSEAS: refused, but sent
    assert sources["mapping"].isna().all()
    assert list(refused["feed"]) == ["OVERSEAS"]
    assert refused["reason"][0].startswith(REFUSAL)
    assert list(held["reason"]) == ["fte must be > 0 and <= 1"]
    assert list(held_rows["row_number"]) == [9]
    assert len(log) == 9
    assert set(log["outcome"]) == {"Loaded", "Loaded, some rows held back", "Refused"}
    assert dict(zip(freshness["feed"], freshness["last_outcome"], strict=True))["DEFENCE"] == (
        "Loaded, some rows held back"
    )
    assert [s.value for s in app.success] == [
        "No value missing from a mapping file is holding rows back."
    ]


def test_the_clusters_filter_applies(app: Callable[..., AppTest]) -> None:
    app = app(clusters="UNITY")
    assert not app.exception
    assert metrics(app)["Deliveries refused"] == "0"
    assert [s.value for s in app.success] == [
        "No value missing from a mapping file is holding rows back.",
        "No delivery has been refused.",
        "No rows are held in quarantine.",
    ]
    assert list(app.dataframe[0].value["feed"]) == ["UNITY", "PROGRAMME"]


def test_filters_that_do_not_apply_say_so(app: Callable[..., AppTest]) -> None:
    app = app(grades="G7")
    assert "On this page the grade filter does not apply." in [c.value for c in app.caption]


# --- source systems and mappings (issue 13) ---------------------------------------------------
#
# A warehouse fed by native exports, built by the real ingest (tests/native_factories.py):
# - DEFENCE (Oracle Fusion HCM, golden_oracle.toml), 1,000 workers a night, so up to 5 rows
#   may be quarantined (0.5%):
#   31 Oct, first sent with grade Z9 on row 11, then restated without it: rows 3 and 8 grade
#     B3, row 3 also location FAS, row 20 a hostile location, row 30 a malformed NI number
#     (held back, but not by a mapping);
#   30 Nov, read with a changed mapping file: row 5 grade B3, row 6 location FAS.
#   By hand: B3 [grade] 3 rows (31 Oct, 30 Nov); FAS [region] 2 rows (31 Oct, 30 Nov); the
#   hostile value [region] 1 row (31 Oct); Z9 none (restated away).  Rows held back by
#   unmapped values: rows 3, 8, 20 of 31 Oct and 5, 6 of 30 Nov = 5.
# - MATRIX (Workday, golden_workday.toml): the golden delivery, nothing held back.
# - UNITY: a native delivery naming a mapping file that does not exist: refused, system unknown.
# - SYNERGY: a contract delivery.  OVERSEAS: nothing.

OCT, NOV = date(2026, 10, 31), date(2026, 11, 30)
HOSTILE = "<b>FAS</b>' ; region 'FAS' is not in golden_oracle.toml [region]"


@pytest.fixture(scope="module")
def native(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    from tests.native_factories import (
        copy_mappings,
        golden_delivery,
        manifest,
        native_settings,
        oracle_delivery,
        oracle_rows,
    )

    tmp = tmp_path_factory.mktemp("native")
    mappings = copy_mappings(tmp)
    settings = native_settings(tmp, mappings=mappings)

    def defence(when: date, **values: tuple[int, ...]) -> Path:
        """1,000 DEFENCE workers with ``Column=(row, value, row, value...)`` changed."""
        rows = oracle_rows(1000)
        for column, changes in values.items():
            for row, value in zip(changes[::2], changes[1::2], strict=True):
                rows[row][column] = value
        return oracle_delivery(settings.landing, rows, when=when)

    defence(OCT, GradeCode=(3, "B3", 8, "B3", 11, "Z9"), LocationCode=(3, "FAS"))
    golden_delivery(settings.landing, "workday")
    cluster_delivery(settings.landing, "SYNERGY", OCT)
    assert ingest_main(settings, today=NOV) == 0
    defence(OCT, GradeCode=(3, "B3", 8, "B3"), LocationCode=(3, "FAS", 20, HOSTILE),
            NationalIdentifier=(30, "QQ 12"))  # fmt: skip
    unity = golden_delivery(settings.landing, "sap_successfactors")
    manifest(unity, "UNITY", OCT, "nowhere")
    assert ingest_main(settings, today=NOV) == 1  # UNITY refused: no such mapping file
    path = mappings / "golden_oracle.toml"
    path.write_text(path.read_text().replace('D = "EO"', 'D = "EO"\nE2 = "AO"'))
    folder = defence(NOV, GradeCode=(5, "B3"), LocationCode=(6, "FAS"))
    journal = folder / "journal_lines.csv"  # new journals: the 31 Oct ones are loaded already
    journal.write_bytes(journal.read_bytes().replace(b"\r\n8842", b"\r\n9942"))
    manifest(folder, "DEFENCE", NOV, "golden_oracle")
    assert ingest_main(settings, today=NOV) == 1  # UNITY still refused
    return settings


def logged(settings: Settings, sql: str) -> list[tuple]:
    """``sql`` on the published warehouse, through the dashboard's own connection (the process
    may hold one, and DuckDB allows no second one of another configuration)."""
    assert data.published().parent == settings.warehouse
    return data.read(data.warehouse_path(), sql).rows()


def open_health(settings: Settings, monkeypatch: pytest.MonkeyPatch, **grant: object) -> AppTest:
    from tests.pages import open_app

    at = open_app(settings, monkeypatch, **grant)
    at.run().switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def frame(at: AppTest, first_column_label: str):
    """The table whose first column is labelled as given (its values as a pandas frame)."""
    import json

    for table in at.dataframe:
        config = json.loads(table.proto.columns or "{}")
        first = str(table.value.columns[0])
        if config.get(first, {}).get("label", first) == first_column_label:
            return table.value
    raise AssertionError(f"no table starting with {first_column_label!r}")


def test_each_cluster_shows_what_it_delivers_and_its_mapping(
    native: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_health(native, monkeypatch)
    assert "Source systems and mappings" in [h.value for h in at.subheader]
    sources = frame(at, "Cluster")
    rows = {r["cluster"]: r for r in sources.to_dict("records")}
    assert list(sources["cluster"]) == ["DEFENCE", "OVERSEAS", "MATRIX", "SYNERGY", "UNITY"]
    shown = ("kind", "system", "mapping", "unmapped_rows")
    assert {c: tuple(rows[c][k] for k in shown) for c in ("DEFENCE", "MATRIX")} == {
        "DEFENCE": ("Native export", "Oracle Fusion HCM", "golden_oracle.toml", 5),
        "MATRIX": ("Native export", "Workday", "golden_workday.toml", 0),
    }
    synergy = rows["SYNERGY"]
    assert (synergy["kind"], synergy["system"], synergy["unmapped_rows"]) == (
        "Contract parquet", "Test HR", 0,
    )  # fmt: skip
    assert pd.isna(synergy["mapping"]) and pd.isna(synergy["mapping_changed_at"])
    unity = rows["UNITY"]
    assert (unity["kind"], unity["mapping"], unity["latest_outcome"]) == (
        "Native export", "nowhere.toml", "refused",
    )  # fmt: skip
    assert pd.isna(unity["system"])  # refused before the mapping file could be read
    assert rows["OVERSEAS"]["kind"] == "No delivery yet"
    # the mapping changed before 30 Nov was read: that delivery's start is the change
    ((nov_started,),) = logged(
        native,
        "SELECT started_at FROM load_log WHERE feed = 'DEFENCE' AND extract_date = '2026-11-30'",
    )
    assert rows["DEFENCE"]["mapping_changed_at"] == nov_started
    ((matrix_started,),) = logged(native, "SELECT started_at FROM load_log WHERE feed = 'MATRIX'")
    assert rows["MATRIX"]["mapping_changed_at"] == matrix_started  # first read


def test_the_unmapped_values_holding_rows_back_with_hand_counted_rows(
    native: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_health(native, monkeypatch)
    values = frame(at, "Cluster")  # the first is the sources table
    values = next(t.value for t in at.dataframe if "value" in t.value.columns)
    assert values.to_dict("records") == [
        {"cluster": "DEFENCE", "mapping": "golden_oracle.toml", "table": "[grade]",
         "value": "B3", "rows": 3, "extract_dates": "31 Oct 2026, 30 Nov 2026"},
        {"cluster": "DEFENCE", "mapping": "golden_oracle.toml", "table": "[region]",
         "value": "FAS", "rows": 2, "extract_dates": "31 Oct 2026, 30 Nov 2026"},
        {"cluster": "DEFENCE", "mapping": "golden_oracle.toml", "table": "[region]",
         "value": HOSTILE, "rows": 1, "extract_dates": "31 Oct 2026"},
    ]  # fmt: skip
    captions = " ".join(c.value for c in at.caption)
    assert "Add the value, with the code it stands for, to the table named" in captions
    assert "tried again once the mapping file changes" in captions
    # the hostile value is drawn only as a table's text, never as Markdown
    drawn = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not any("<b>FAS" in text for text in drawn)


def test_the_data_functions_count_only_the_deliveries_in_force(
    native: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard import health_data
    from tests.pages import sign_in

    monkeypatch.setenv("WORKFORCE_WAREHOUSE", str(native.warehouse))
    sign_in(native.warehouse.parent, monkeypatch)
    values = health_data.unmapped_values(CLUSTERS)
    assert "Z9" not in values["value"].to_list()  # its delivery was restated
    b3 = values.filter(value="B3").row(0, named=True)
    assert (b3["rows"], b3["extract_dates"]) == (3, [OCT, NOV])
    # quarantined in force: 4 rows of 31 Oct (one for its NI number) and 2 of 30 Nov
    assert logged(native, "SELECT count(*) FROM quarantine") == [(6,)]
    assert health_data.unmapped_values(("SYNERGY", "MATRIX")).is_empty()
    assert health_data.dates_text([OCT, NOV]) == "31 Oct 2026, 30 Nov 2026"
    many = [date(2026, m, 1) for m in range(1, 7)]
    assert health_data.dates_text(many) == "1 Jan 2026 to 1 Jun 2026, 6 dates"


def test_an_admin_of_some_clusters_sees_only_theirs(
    native: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_health(native, monkeypatch, clusters=("SYNERGY", "MATRIX"))
    sources = frame(at, "Cluster")
    assert list(sources["cluster"]) == ["MATRIX", "SYNERGY"]
    assert not any("value" in t.value.columns for t in at.dataframe)
    assert "No value missing from a mapping file is holding rows back." in [
        s.value for s in at.success
    ]
    from dashboard import health_data

    assert health_data.unmapped_values(CLUSTERS).is_empty()  # DEFENCE is out of scope
    assert health_data.source_systems(CLUSTERS)["cluster"].to_list() == ["MATRIX", "SYNERGY"]


def test_the_section_is_in_plain_words_beside_its_data(
    native: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The labels and our own words are plain; the mapping file, its table and the values are
    the administrator's data (what to edit), like the quarantine's rows."""
    from tests import test_plain_words as plain

    data_columns = {"Mapping file", "Table in the mapping file", "Value"}
    monkeypatch.setitem(
        plain.DATA_COLUMNS, "data_health", plain.DATA_COLUMNS["data_health"] | data_columns
    )
    at = open_health(native, monkeypatch)
    nodes = list(at.main.children.values())
    heads = [getattr(n, "value", None) if n.type == "subheader" else None for n in nodes]
    start, end = heads.index("Source systems and mappings"), heads.index("Refused deliveries")
    texts = [t for node in nodes[start:end] for t in plain.visible_texts(node, "data_health")]
    assert "Rows held back by unmapped values" in texts and "Native export" in texts
    assert plain.internals(texts) == []


def test_a_warehouse_from_before_mapping_files_shows_contract_deliveries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Until the next ingest upgrades it, a published version 3 warehouse has no mapping
    columns in its load log: the page still opens, every delivery a contract one."""
    import duckdb

    from core.warehouse import current_path
    from tests.native_factories import native_settings

    settings = native_settings(tmp_path)
    cluster_delivery(settings.landing, "SYNERGY", OCT)
    assert ingest_main(settings, today=NOV) == 0
    with duckdb.connect(str(current_path(settings.warehouse))) as con:
        for column in ("mapping", "mapping_system", "mapping_sha256"):
            con.execute(f"ALTER TABLE load_log DROP COLUMN {column}")
    at = open_health(settings, monkeypatch)
    sources = frame(at, "Cluster")
    assert list(sources["kind"]) == ["No delivery yet"] * 3 + ["Contract parquet"] + [
        "No delivery yet"
    ]
