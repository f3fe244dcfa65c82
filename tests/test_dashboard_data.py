"""dashboard.data: the pages' one way to data, cached per published file and per scope."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from core.settings import Settings, get_settings
from core.warehouse import CURRENT, WarehouseMissing
from dashboard import data
from queries.runner import CLUSTERS
from tests.tiny_warehouse import A, B, build


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build(tmp_path_factory.mktemp("tiny"))


@pytest.fixture
def warehouse(tiny: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the tiny warehouse of this test's own, as the settings' warehouse."""
    folder = tmp_path / "warehouse"
    folder.mkdir()
    name = (tiny.warehouse / CURRENT).read_text().strip()
    shutil.copyfile(tiny.warehouse / name, folder / name)
    (folder / CURRENT).write_text(name + "\n")
    monkeypatch.setenv("WORKFORCE_WAREHOUSE", str(folder))
    monkeypatch.setenv("WORKFORCE_REFERENCE", str(tiny.reference))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def headcount(clusters=CLUSTERS, day: date = B, **kwargs) -> int:
    frame = data.metric("workforce", clusters, {"as_at": day}, **kwargs)
    return int(frame["headcount"].sum())


def test_a_metric_through_the_data_layer(warehouse: Path) -> None:
    assert headcount() == 10
    assert headcount(("UNITY",)) == 4
    assert headcount(day=A, where={"grade": ["G7", "G6"]}) == 3  # p08, p09, p12
    by_cluster = data.metric("workforce", CLUSTERS, {"as_at": B}, by=["cluster"])
    assert dict(by_cluster.select("cluster", "headcount").rows()) == {
        "MATRIX": 1,
        "SYNERGY": 5,
        "UNITY": 4,
    }


def test_the_scope_limits_every_query(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data, "current_clusters", lambda: ("UNITY",))
    assert headcount() == 4  # asking for all five gets the scope's one
    assert headcount(("SYNERGY",)) == 0  # out of scope: nothing, not SYNERGY's five
    assert data.feed_status(B, CLUSTERS)["cluster"].to_list() == ["UNITY"]
    assert set(data.organisations(CLUSTERS)["cluster"]) == {"UNITY"}
    assert data.feed_summary(CLUSTERS)["feed"].to_list() == ["UNITY", "PROGRAMME"]


def test_a_new_load_is_read_without_a_restart(warehouse: Path) -> None:
    assert headcount(("UNITY",)) == 4
    # Publish a new version in which UNITY's February snapshot has one person fewer.
    old = (warehouse / CURRENT).read_text().strip()
    shutil.copyfile(warehouse / old, warehouse / "wh-000002.duckdb")
    with duckdb.connect(str(warehouse / "wh-000002.duckdb")) as con:
        con.execute(
            "DELETE FROM employee_history WHERE cluster = 'UNITY' AND employee_id = 'UNI-p10'"
        )
    (warehouse / CURRENT).write_text("wh-000002.duckdb\n")
    assert headcount(("UNITY",)) == 3


def test_nothing_published_raises_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKFORCE_WAREHOUSE", str(tmp_path / "none"))
    get_settings.cache_clear()
    try:
        assert data.open_warehouse() is None
        with pytest.raises(WarehouseMissing, match="load one first"):
            data.metric("workforce", CLUSTERS, {"as_at": B})
    finally:
        get_settings.cache_clear()


def test_filter_options(warehouse: Path) -> None:
    assert data.loaded_dates(CLUSTERS) == (A, B)
    assert data.loaded_dates(("DEFENCE",)) == ()
    orgs = data.organisations(("UNITY",))
    assert orgs.columns == [
        "organisation_code",
        "organisation_name",
        "department",
        "department_name",
        "cluster",
    ]
    dvla = orgs.filter(orgs["organisation_code"] == "DVLA").row(0, named=True)
    assert dvla["department"] == "DFT"
    assert dvla["department_name"] == "Department for Transport"


def test_feed_status_through_the_data_layer(warehouse: Path) -> None:
    status = data.feed_status(B, CLUSTERS)
    assert dict(status.select("cluster", "status").rows()) == {
        "DEFENCE": "absent",
        "MATRIX": "stale",
        "OVERSEAS": "absent",
        "SYNERGY": "current",
        "UNITY": "current",
    }


def test_definitions_are_the_glossarys_plain_sentences() -> None:
    assert data.definition("workforce") == (
        "Workforce: headcount, FTE and annualised basic paybill as at a date."
    )
    assert data.definition("workforce_trend") == (
        "Workforce trend: headcount, FTE and annualised basic paybill at each month-end"
        " between two dates."
    )
    assert data.definition("contingent").startswith("Contingent labour: workers engaged")


def test_the_servers_duckdb_memory_is_bounded(tmp_path) -> None:
    """DuckDB's default buffer pool is 80% of the machine; the server's is 1 GB (10^9 bytes)."""
    from core.warehouse import current_path
    from dashboard import data
    from tests.tiny_warehouse import build

    con = data._connection(str(current_path(build(tmp_path).warehouse)))
    (limit,) = con.execute("SELECT current_setting('memory_limit')").fetchone()
    assert limit == "953.6 MiB"
