"""dashboard.filters: the URL says what a view shows, and only what the caller may choose."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from dashboard.filters import (
    GRADE_OPTIONS,
    Filters,
    Options,
    Organisation,
    clean,
    not_applied_text,
    parse,
    refused,
    refused_text,
    to_params,
)

SCOPE = ("DEFENCE", "OVERSEAS", "MATRIX", "SYNERGY", "UNITY")
JAN, FEB = date(2026, 1, 31), date(2026, 2, 28)
ORGS = (
    Organisation("DWP", "Department for Work and Pensions", "DWP", "DWP", "SYNERGY"),
    Organisation("HO", "Home Office", "HO", "Home Office", "SYNERGY"),
    Organisation("MOJ", "Ministry of Justice", "MOJ", "Ministry of Justice", "SYNERGY"),
    Organisation("HMRC", "HM Revenue and Customs", "HMRC", "HMRC", "UNITY"),
    Organisation("DVLA", "Driver and Vehicle Licensing Agency", "DFT", "DfT", "UNITY"),
    Organisation("DFT", "Department for Transport", "DFT", "DfT", "UNITY"),
)
OPTIONS = Options(scope=SCOPE, dates=(JAN, FEB), organisations=ORGS)


def test_no_parameters_mean_the_latest_date_and_everything() -> None:
    assert parse({}, OPTIONS) == Filters(as_at=FEB)


def test_the_brief_example_url() -> None:
    got = parse({"clusters": ["UNITY"], "as_at": ["2026-01-31"]}, OPTIONS)
    assert got == Filters(as_at=JAN, clusters=("UNITY",))
    assert to_params(got) == {"as_at": "2026-01-31", "clusters": "UNITY"}


def test_lists_read_from_commas_and_repeated_keys_alike() -> None:
    by_commas = parse({"clusters": "unity, SYNERGY", "grades": "g7,EO"}, OPTIONS)
    repeated = parse({"clusters": ["UNITY", "SYNERGY"], "grades": ["EO", "G7"]}, OPTIONS)
    # Case aside, once each, in the scope's (and the grades') order.
    assert by_commas == repeated == Filters(FEB, ("SYNERGY", "UNITY"), grades=("EO", "G7"))


def test_values_outside_the_options_are_dropped() -> None:
    got = parse(
        {
            "clusters": "UNITY,NARNIA",
            "departments": "DFT,DWP",  # DWP is SYNERGY's: not offered once UNITY is chosen
            "organisations": "DVLA,HO,XYZ",
            "grades": "G7,G99",
            "colour": "blue",  # not a filter at all
        },
        OPTIONS,
    )
    assert got == Filters(FEB, ("UNITY",), ("DFT",), ("DVLA",), ("G7",))


def test_clusters_outside_the_scope_are_dropped() -> None:
    narrow = Options(scope=("UNITY",), dates=(JAN, FEB), organisations=ORGS)
    got = parse({"clusters": "SYNERGY", "organisations": "DWP"}, narrow)
    assert got == Filters(FEB)  # nothing of SYNERGY survives; () means all of the scope
    assert got.clusters_in(narrow.scope) == ("UNITY",)


def test_organisations_follow_the_departments_chosen() -> None:
    got = parse({"departments": "DFT", "organisations": "DVLA,HMRC"}, OPTIONS)
    assert got.organisations == ("DVLA",)
    assert OPTIONS.organisations_in((), ("DFT",)) == {
        "DFT": "Department for Transport",
        "DVLA": "Driver and Vehicle Licensing Agency",
    }
    assert list(OPTIONS.departments(("UNITY",))) == ["DFT", "HMRC"]  # by name: DfT, HMRC


def test_every_cluster_chosen_is_the_same_as_none() -> None:
    assert parse({"clusters": ",".join(SCOPE)}, OPTIONS) == Filters(FEB)


def test_a_date_is_kept_within_the_loaded_data() -> None:
    assert parse({"as_at": "2025-06-30"}, OPTIONS).as_at == JAN
    assert parse({"as_at": "2031-01-01"}, OPTIONS).as_at == FEB
    assert parse({"as_at": "2026-02-10"}, OPTIONS).as_at == date(2026, 2, 10)
    assert parse({"as_at": "28/02/2026"}, OPTIONS).as_at == FEB  # unreadable: the latest
    assert parse({"as_at": ""}, OPTIONS).as_at == FEB


def test_the_date_is_always_written_and_empty_lists_never() -> None:
    assert to_params(Filters(JAN)) == {"as_at": "2026-01-31"}
    full = Filters(JAN, ("UNITY",), ("DFT",), ("DVLA", "DFT"), ("G7", "unknown"))
    assert to_params(full) == {
        "as_at": "2026-01-31",
        "clusters": "UNITY",
        "departments": "DFT",
        "organisations": "DVLA,DFT",
        "grades": "G7,unknown",
    }


def test_where_gives_each_metric_only_the_filters_it_has() -> None:
    filters = Filters(FEB, ("UNITY",), ("DFT",), (), ("G7",))
    workforce = ("cluster", "department", "organisation_code", "grade")
    contingent = ("cluster", "department", "organisation_code", "category")
    assert filters.where(workforce) == {"department": ("DFT",), "grade": ("G7",)}
    assert filters.where(contingent) == {"department": ("DFT",)}
    assert filters.not_applied(contingent) == ("grade",)
    assert filters.not_applied(("cluster", "measure")) == ("department", "grade")
    assert Filters(FEB).not_applied(()) == ()
    assert not_applied_text(("grade",)) == "the grade filter does not apply"
    assert not_applied_text(("department", "organisation", "grade")) == (
        "the department, organisation and grade filters do not apply"
    )


def _chosen(draw, allowed) -> tuple[str, ...]:
    if not allowed:
        return ()
    return tuple(draw(st.lists(st.sampled_from(list(allowed)), unique=True)))


@st.composite
def filters(draw) -> Filters:
    day = draw(st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 1, 1)))
    clusters = _chosen(draw, SCOPE)
    departments = _chosen(draw, OPTIONS.departments(clusters))
    organisations = _chosen(draw, OPTIONS.organisations_in(clusters, departments))
    grades = _chosen(draw, GRADE_OPTIONS)
    return Filters(day, clusters, departments, organisations, grades)


@given(filters())
def test_the_url_round_trip_reopens_the_same_view(chosen: Filters) -> None:
    view = clean(chosen, OPTIONS)
    assert parse(to_params(view), OPTIONS) == view
    assert clean(view, OPTIONS) == view  # clean is idempotent


# --- what a link asked for and did not get ----------------------------------------------------

NARROW = Options(scope=("UNITY",), dates=(JAN, FEB), organisations=ORGS)


def _refused(params: dict, options: Options = OPTIONS) -> dict[str, tuple[str, ...]]:
    return refused(params, parse(params, options), options)


def test_a_cluster_outside_the_scope_is_named_not_dropped_silently() -> None:
    params = {"clusters": "SYNERGY,unity", "organisations": "DWP"}
    assert _refused(params, NARROW) == {"clusters": ("SYNERGY",), "organisations": ("DWP",)}
    assert refused_text(_refused(params, NARROW)) == (
        "The link asked for cluster SYNERGY and organisation DWP, outside your access or not "
        "offered here: they were left out."
    )


def test_unknown_values_of_every_filter_are_named_as_written_once_each() -> None:
    params = {
        "clusters": ["ATLANTIS", "UNITY", "atlantis", "ATLANTIS"],
        "departments": "DFT,DWP",  # DWP is SYNERGY's: not offered once UNITY is chosen
        "organisations": "DVLA,XYZ",
        "grades": "G7,G99",
        "colour": "blue",  # not a filter: not the filters' business
    }
    assert _refused(params) == {
        "clusters": ("ATLANTIS", "atlantis"),
        "departments": ("DWP",),
        "organisations": ("XYZ",),
        "grades": ("G99",),
    }
    assert refused_text(_refused(params)) == (
        "The link asked for clusters ATLANTIS and atlantis, department DWP, organisation XYZ "
        "and grade G99, outside your access or not offered here: they were left out."
    )


def test_a_link_within_the_options_refuses_nothing() -> None:
    for params in ({}, {"clusters": "unity, SYNERGY"}, {"clusters": ",".join(SCOPE)}):
        assert _refused(params) == {}
        assert refused_text(_refused(params)) is None
    assert _refused({"clusters": "UNITY"}, NARROW) == {}


def test_a_long_list_is_named_in_part_and_each_name_through_the_page() -> None:
    many = {"clusters": ",".join(f"C{i}" for i in range(12))}
    said = refused_text(_refused(many), show=lambda name: f"`{name}`")
    assert said is not None
    assert said.startswith("The link asked for clusters `C0`, `C1`, `C2`, `C3`, `C4` and 7 more,")
    huge = {"clusters": "<script>" + "x" * 30_000}
    assert refused_text(_refused(huge), show=lambda name: name[:40]) == (
        f"The link asked for cluster <script>{'x' * 32}, outside your access or not offered "
        "here: it was left out."
    )
