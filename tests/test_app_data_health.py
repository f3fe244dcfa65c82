"""The data health page under AppTest: the tiny warehouse, then a night with problems on top:
DEFENCE delivers 400 people of whom one breaks a rule (quarantined), and OVERSEAS delivers a
file with too many bad rows (refused)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data
from pipeline.ingest import ingest_main
from pipeline.settings import Settings, get_settings
from queries.runner import CLUSTERS
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
    return {m.label: m.value for m in at.metric}


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
    freshness, refused, held, held_rows, log = (d.value for d in app.dataframe)
    status = dict(zip(freshness["feed"], freshness["status"], strict=True))
    assert status == {
        "DEFENCE": "Current",
        "OVERSEAS": "No data",
        "MATRIX": "Stale",
        "SYNERGY": "Current",
        "UNITY": "Current",
        "PROGRAMME": "Not applicable",
    }
    assert list(refused["feed"]) == ["OVERSEAS"]
    assert refused["reason"][0].startswith(REFUSAL)
    assert list(held["reason"]) == ["fte must be > 0 and <= 1"]
    assert list(held_rows["row_number"]) == [9]
    assert len(log) == 9
    assert not app.success


def test_the_clusters_filter_applies(app: Callable[..., AppTest]) -> None:
    app = app(clusters="UNITY")
    assert not app.exception
    assert metrics(app)["Deliveries refused"] == "0"
    assert [s.value for s in app.success] == [
        "No delivery has been refused.",
        "No rows are held in quarantine.",
    ]
    assert list(app.dataframe[0].value["feed"]) == ["UNITY", "PROGRAMME"]


def test_filters_that_do_not_apply_say_so(app: Callable[..., AppTest]) -> None:
    app = app(grades="G7")
    assert "On this page the grade filter does not apply." in [c.value for c in app.caption]
