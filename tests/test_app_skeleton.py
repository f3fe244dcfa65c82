"""The app routes to the overview, which never errors: before the first load and after."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pipeline.settings import Settings
from pipeline.warehouse import CURRENT

APP = Path(__file__).resolve().parents[1] / "app.py"


def publish(warehouse: Path, name: str, rows: list[tuple[str, str, int]]) -> None:
    """A tiny warehouse version holding only a load log, published as CURRENT."""
    warehouse.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse / name)) as con:
        con.execute(
            "create table load_log (cluster varchar, extract_date date, rows_loaded bigint)"
        )
        con.executemany("insert into load_log values (?, ?, ?)", rows)
    (warehouse / CURRENT).write_text(name + "\n")


@pytest.fixture
def app(workforce_env: Settings) -> AppTest:
    st.cache_resource.clear()
    return AppTest.from_file(str(APP), default_timeout=30)


def page_text(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "caption", "subheader", "info") for e in at.get(kind)]
    return "\n".join(str(part) for part in parts)


def test_no_warehouse_says_what_to_run(app: AppTest, workforce_env: Settings) -> None:
    app.run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Workforce Picture"]
    (info,) = app.info
    assert "No data has been loaded yet" in info.value
    assert "make run" in info.value
    assert ".venv/bin/workforce demo" in info.value
    assert ".venv/bin/workforce ingest" in info.value
    assert str(workforce_env.warehouse) in info.value


def test_loaded_warehouse_shows_each_cluster(app: AppTest, workforce_env: Settings) -> None:
    publish(
        workforce_env.warehouse,
        "wh-1.duckdb",
        [("DEFENCE", "2026-10-31", 61_000), ("OVERSEAS", "2026-10-30", 14_500)],
    )
    app.run()
    assert not app.exception
    assert not app.info
    summary = app.dataframe[0].value
    assert list(summary["cluster"]) == ["DEFENCE", "OVERSEAS"]
    assert [str(d)[:10] for d in summary["latest_extract_date"]] == ["2026-10-31", "2026-10-30"]
    assert list(summary["rows_loaded"]) == [61_000, 14_500]


def test_a_new_load_is_picked_up_without_restart(app: AppTest, workforce_env: Settings) -> None:
    app.run()
    assert "No data has been loaded yet" in page_text(app)

    publish(workforce_env.warehouse, "wh-1.duckdb", [("DEFENCE", "2026-10-31", 10)])
    app.run()
    assert list(app.dataframe[0].value["cluster"]) == ["DEFENCE"]

    publish(
        workforce_env.warehouse,
        "wh-2.duckdb",
        [("DEFENCE", "2026-10-31", 10), ("UNITY", "2026-11-01", 20)],
    )
    app.run()
    assert not app.exception
    assert list(app.dataframe[0].value["cluster"]) == ["DEFENCE", "UNITY"]


def test_warehouse_without_load_log_still_renders(app: AppTest, workforce_env: Settings) -> None:
    warehouse = workforce_env.warehouse
    warehouse.mkdir(parents=True)
    with duckdb.connect(str(warehouse / "wh-1.duckdb")) as con:
        con.execute("create table employees (person_key varchar)")
    (warehouse / CURRENT).write_text("wh-1.duckdb")
    app.run()
    assert not app.exception
    assert "The warehouse records no loads yet." in page_text(app)
    assert "1 table; row counts are DuckDB's estimates." in page_text(app)
    assert list(app.dataframe[0].value["table"]) == ["employees"]
