"""The demo's line management has a plausible shape: spans about 6, layers growing with the log
of size, one top per organisation and no cycle on every night (issue 12).

Spans and layers are counted as ``queries/sql/spans_layers.sql`` counts them: a manager is
anyone with a direct report; an organisation's layers are the depth of its deepest chain from a
top (a person whose manager is missing or in another organisation).  The demo-level tests read a
scale 0.02 landing zone of 9 nights; one reads the same figures from the real metric after a real
ingest, and one generates a single night of the whole civil service (scale 1.0).
"""

from __future__ import annotations

import itertools
import math
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from core.contract import CLUSTERS
from core.settings import Settings
from core.warehouse import connect_readonly
from pipeline.demo.generate import delivery_dates, generate
from pipeline.demo.hierarchy import layer_bounds, layer_count
from pipeline.demo.organisations import load_register
from pipeline.demo.population import Population
from pipeline.demo.snapshot import employees_table
from pipeline.ingest import ingest_main
from queries.runner import Request, run

REPO = Path(__file__).resolve().parents[1]
REGISTER = REPO / "data" / "reference" / "organisations.csv"
START, END = date(2026, 9, 30), date(2026, 11, 24)
NIGHTS = delivery_dates(START, END)
SENIOR = ("SCS1", "SCS2", "SCS3", "PS")


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hierarchy") / "landing"
    generate(root, REGISTER, scale=0.02, start=START, end=END, seed=7)
    return root


def night(landing: Path, when: date) -> pl.DataFrame:
    """Every cluster's employees on one night, with the cluster."""
    return pl.concat(
        pl.read_parquet(landing / cluster / when.isoformat() / "employees.parquet").with_columns(
            cluster=pl.lit(cluster)
        )
        for cluster in CLUSTERS
    )


def spans(people: pl.DataFrame) -> pl.Series:
    """Direct reports of each manager (self-reports ignored), wherever the reports sit."""
    reports = people.filter(pl.col("manager_employee_id") != pl.col("employee_id"))
    return reports.group_by("cluster", "manager_employee_id").len()["len"]


def with_manager_org(people: pl.DataFrame) -> pl.DataFrame:
    """Each person with their manager's organisation (null: no manager, or not in the file)."""
    managers = people.select(
        "cluster", manager_employee_id="employee_id", manager_org="organisation_code"
    )
    return people.join(managers, on=["cluster", "manager_employee_id"], how="left")


def layers(people: pl.DataFrame) -> pl.DataFrame:
    """Per organisation: headcount, layers and people no chain from a top reaches (a cycle)."""
    linked = with_manager_org(people)
    top = pl.col("manager_org").is_null() | (pl.col("manager_org") != pl.col("organisation_code"))
    linked = linked.with_columns(layer=pl.when(top).then(1))
    while True:
        reached = linked.filter(pl.col("layer").is_not_null()).select(
            "cluster", manager_employee_id="employee_id", above="layer"
        )
        step = linked.join(reached, on=["cluster", "manager_employee_id"], how="left").select(
            layer=pl.coalesce("layer", pl.when(~top).then(pl.col("above") + 1))
        )
        if step["layer"].null_count() == linked["layer"].null_count():
            break
        linked = linked.with_columns(step["layer"])
    return linked.group_by("organisation_code").agg(
        n=pl.len(),
        layers=pl.col("layer").max(),
        unreached=pl.col("layer").is_null().sum(),
        tops=top.sum(),
    )


def log6(n: int) -> float:
    return math.log(n) / math.log(6)


def assert_plausible_layers(orgs: pl.DataFrame) -> None:
    wrong = [
        (org["organisation_code"], org["n"], org["layers"])
        for org in orgs.iter_rows(named=True)
        if org["layers"] > math.ceil(log6(org["n"])) + 2
        or (org["n"] >= 36 and org["layers"] < math.floor(log6(org["n"])))
        or (8 <= org["n"] <= 12 and org["layers"] not in (2, 3))
    ]
    assert wrong == []


def test_layers_are_the_fewest_a_span_of_six_needs() -> None:
    sizes = np.array([1, 2, 7, 8, 10, 43, 44, 259, 260, 1_000, 95_000])
    six = np.full(len(sizes), 6.0)
    assert layer_count(sizes, six).tolist() == [1, 2, 2, 3, 3, 3, 4, 4, 5, 5, 8]
    bounds = layer_bounds(sizes, six)
    assert bounds[:, 0].tolist() == [1] * len(sizes)  # one top
    assert bounds[:, -1].tolist() == sizes.tolist()  # everyone in some layer
    assert (np.diff(bounds, axis=1) >= 0).all()
    assert bounds[4, :3].tolist() == [1, 4, 10]  # 10 people: a head, 3 below, 6 below them


def test_mean_span_is_about_six_and_few_managers_have_one_or_two(landing: Path) -> None:
    span = spans(night(landing, END))
    assert 5 <= span.mean() <= 7
    assert (span < 3).mean() < 0.25
    assert (span > 15).mean() < 0.05


def test_layers_grow_with_the_log_of_size_and_a_body_of_ten_has_two_or_three(
    landing: Path,
) -> None:
    orgs = layers(night(landing, END))
    assert orgs.filter(pl.col("n").is_between(8, 12)).height >= 3  # the rule is exercised
    assert_plausible_layers(orgs)
    assert orgs.filter(pl.col("n") == 1)["layers"].to_list() == [1] * (orgs["n"] == 1).sum()


def test_every_night_one_top_per_organisation_no_cycle_no_manager_outside(landing: Path) -> None:
    for when in NIGHTS:
        people = night(landing, when)
        outside = with_manager_org(people).filter(
            pl.col("manager_employee_id").is_not_null()
            & pl.col("manager_org").ne_missing(pl.col("organisation_code"))
        )
        assert outside.height == 0, when
        orgs = layers(people)
        assert orgs.filter((pl.col("tops") != 1) | (pl.col("unreached") > 0)).height == 0, when


def test_a_leavers_reports_get_a_manager_in_post(landing: Path) -> None:
    repointed = 0
    for before, after in itertools.pairwise(NIGHTS):
        old, new = night(landing, before), night(landing, after)
        gone = old.join(new, on="person_key", how="anti").select(
            "cluster", manager_employee_id="employee_id"
        )
        orphans = old.join(gone, on=["cluster", "manager_employee_id"]).select("person_key")
        still_here = new.join(orphans, on="person_key")
        in_post = new.select("cluster", manager_employee_id="employee_id")
        assert still_here.join(in_post, on=["cluster", "manager_employee_id"]).height == (
            still_here["manager_employee_id"].is_not_null().sum()
        )
        repointed += still_here.height
    assert repointed > 0  # some manager did leave while their reports stayed


def test_managers_are_the_senior_grades_and_heads_are_scs(landing: Path) -> None:
    people = night(landing, END)
    managers = people.join(
        people.select("cluster", employee_id="manager_employee_id").unique(),
        on=["cluster", "employee_id"],
    )
    share = managers["grade"].is_in(["G7", "G6", *SENIOR]).mean()
    assert share > 0.5
    heads = people.filter(pl.col("manager_employee_id").is_null())
    big = people.group_by("organisation_code").len().filter(pl.col("len") >= 500)
    assert heads.join(big, on="organisation_code")["grade"].is_in(SENIOR).all()


def test_the_spans_layers_metric_reads_the_same_shape_after_ingest(tmp_path: Path) -> None:
    settings = Settings(
        landing=tmp_path / "landing", warehouse=tmp_path / "warehouse", reference=REGISTER.parent
    )
    as_at = date(2025, 11, 28)  # a past date: ingest refuses deliveries dated after today
    generate(settings.landing, REGISTER, scale=0.02, start=as_at, end=as_at, seed=5)
    assert ingest_main(settings) == 0
    with connect_readonly(settings.warehouse) as con:
        params = {"as_at": as_at}
        total = run(con, Request("spans_layers", CLUSTERS, params)).row(0, named=True)
        by_org = run(con, Request("spans_layers", CLUSTERS, params, ("organisation_code",)))
    assert 5 <= total["mean_span"] <= 7
    assert total["share_small_spans"] < 0.25
    assert_plausible_layers(by_org.rename({"headcount": "n"}))


def test_the_whole_civil_service_in_one_night() -> None:
    """Scale 1.0: mean span about 6, the largest departments 6–9 layers deep."""
    population = Population(load_register(REGISTER, 1.0), np.random.default_rng(3))
    population.start(END)
    people = pl.concat(
        pl.from_arrow(employees_table(population, END, cluster, False)).with_columns(
            cluster=pl.lit(cluster)
        )
        for cluster in CLUSTERS
    )
    assert people.height > 500_000
    assert 5.5 <= spans(people).mean() <= 6.5
    orgs = layers(people)
    assert_plausible_layers(orgs)
    largest = orgs.filter(pl.col("n") > 40_000)
    assert largest.height >= 3
    assert largest["layers"].is_between(6, 9).all()
    assert orgs.filter((pl.col("tops") != 1) | (pl.col("unreached") > 0)).height == 0
