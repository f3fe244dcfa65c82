"""Access control under AppTest, on the tiny warehouse (tests/tiny_warehouse.py: SYNERGY, UNITY
and MATRIX deliver): each role's pages, a scoped user's numbers, nobody's numbers for a user
not listed, disclosure control by role, record-level extracts and the audit log."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import audit
from core.access import PAGES_BY_ROLE, Grant
from core.settings import Settings
from dashboard import trail
from dashboard.identity import Caller
from dashboard.navigation import PAGES
from tests import pages
from tests.tiny_warehouse import build

LEADER_PAGES = PAGES_BY_ROLE["leader"]
OTHERS = ("DEFENCE", "OVERSEAS", "MATRIX", "SYNERGY")  # all but UNITY
ANALYST = Caller("a@x.gov.uk", demo=True, grant=Grant("a@x.gov.uk", "analyst", ("UNITY",)))
# The policy that grants ANALYST what it holds (pages.sign_in's options).
ANALYST_POLICY = {"email": "a@x.gov.uk", "role": "analyst", "clusters": ("UNITY",)}
REGION_OVERSEAS = re.compile(r'\\"Overseas\\",\\"OVERSEAS\\"')


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build(tmp_path_factory.mktemp("tiny"))


def all_text(at: AppTest) -> str:
    """Every element of the page as protobuf text: titles, captions, tiles, tables (their
    Arrow bytes hold the values as written), chart specs, widget options."""
    out: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    # The ITL region code for staff based overseas is not the OVERSEAS cluster.
    return REGION_OVERSEAS.sub("", "\n".join(out))


def has_data(at: AppTest) -> bool:
    return bool(
        pages.tile_list(at) or at.dataframe or at.get("plotly_chart") or at.sidebar.multiselect
    )


def unescaped(markdown: str) -> str:
    """Markdown as it reads: what the user or the policy controls is drawn escaped."""
    return re.sub(r"\\(.)", r"\1", markdown)


def errors(at: AppTest) -> str:
    return unescaped(" ".join(e.value for e in at.error))


# --- a scoped user ----------------------------------------------------------------------------


@pytest.mark.parametrize("page", [*LEADER_PAGES, "extracts"])
def test_a_scoped_analyst_sees_only_their_cluster(
    page: str, tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The admin first, so that the cache holds all-cluster results the analyst must not get.
    admin = pages.open_page(page, tiny, monkeypatch)
    admin.query_params["clusters"] = "UNITY"
    admin.run()
    everything = pages.open_page(page, tiny, monkeypatch).run()
    analyst = pages.open_page(page, tiny, monkeypatch, role="analyst", clusters=("UNITY",))
    analyst.run()
    assert not analyst.exception and not admin.exception
    assert has_data(analyst)
    text = all_text(analyst)
    named = [c for c in OTHERS if re.search(rf"\b{c}\b", text)]
    assert named == [], f"{page} names {named} to a UNITY analyst"
    assert pages.tiles(analyst) == pages.tiles(admin)  # the admin filtered to UNITY
    if page != "programme":  # the tiny register's figures do not differ by cluster
        assert all_text(everything) != text
    (clusters,) = [m for m in analyst.sidebar.multiselect if m.label == "Clusters"]
    assert clusters.options == ["UNITY"]


def test_a_url_cannot_widen_the_scope(tiny: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    analyst = pages.open_page("workforce", tiny, monkeypatch, role="leader", clusters=("UNITY",))
    analyst.query_params["clusters"] = "SYNERGY,UNITY,MATRIX"
    analyst.run()
    # The link's own words are said back, refused (issue 12); nothing else names them.
    (refusal,) = [w for w in analyst.warning if w.value.startswith("The link asked for")]
    assert refusal.value.startswith("The link asked for clusters SYNERGY and MATRIX,")
    text = all_text(analyst).replace(str(refusal.proto), "")
    assert not any(re.search(rf"\b{c}\b", text) for c in OTHERS)


# --- nobody -----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", [spec.key for spec in PAGES])
def test_a_user_not_listed_sees_no_data_on_any_page(
    page: str, tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_page(page, tiny, monkeypatch, listed=False, email="stranger@example.com")
    at.run()
    assert not at.exception
    assert "stranger@example.com has no access" in errors(at)
    assert not has_data(at)
    assert "headcount" not in all_text(at).lower()


def test_the_app_shows_a_user_not_listed_one_page(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_app(tiny, monkeypatch, listed=False, email="stranger@example.com").run()
    assert [t.value for t in at.title] == ["Workforce Picture"]
    assert "stranger@example.com has no access" in errors(at)
    assert "Demo mode" in " ".join(m.value for m in at.markdown)
    assert not has_data(at)


def test_an_invalid_policy_lets_nobody_in(tiny: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    at = pages.open_page("overview", tiny, monkeypatch)  # an admin, until the file breaks
    policy = Path(__import__("os").environ["WORKFORCE_ACCESS"])
    policy.write_text(policy.read_text().replace('role = "admin"', 'role = "superuser"'))
    at.run()
    said = errors(at)
    assert "access policy is invalid" in said and str(policy) in said and "role" in said
    assert not has_data(at)


def test_sign_in_is_asked_for_when_oidc_is_configured(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_app(tiny, monkeypatch)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "not-a-secret",
        "client_id": "workforce",
        "client_secret": "not-a-secret",
        "server_metadata_url": "https://login.example.gov.uk/.well-known/openid-configuration",
    }
    at.run()
    assert [b.label for b in at.button] == ["Sign in"]
    assert not has_data(at)
    assert "Demo mode" not in " ".join(m.value for m in at.markdown)  # not demo mode


def test_a_signed_in_user_is_looked_up_by_their_email(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_app(tiny, monkeypatch, role="leader", clusters=("UNITY",))
    at.secrets["auth"] = {"client_id": "workforce", "client_secret": "x", "cookie_secret": "x"}
    at.user["is_logged_in"] = True
    at.user["email"] = pages.ADMIN.upper()  # the policy's email, as the provider spells it
    at.user["email_verified"] = True
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Workforce overview"]
    assert "Demo mode" not in " ".join(m.value for m in at.markdown)
    assert any("leader · UNITY" in unescaped(c.value) for c in at.sidebar.caption)
    (view,) = audit.read(pages.audit_log(), event="view").iter_rows(named=True)
    assert view["user_email"] == pages.ADMIN  # stored in the one normalised form


# --- pages by role ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "page"),
    [("leader", "extracts"), ("leader", "data_health"), ("analyst", "audit_log")],
)
def test_a_page_outside_the_role_is_refused(
    role: str, page: str, tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_page(page, tiny, monkeypatch, role=role).run()
    assert f"not open to your role ({role})" in errors(at)
    assert not has_data(at)


def test_the_navigation_offers_the_roles_pages_only(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_app(tiny, monkeypatch, role="leader").run()
    assert [t.value for t in at.title] == ["Workforce overview"]
    with pytest.raises(ValueError, match="Could not find a navigation page") as refused:
        at.switch_page("dashboard/pages/extracts.py")  # not in a leader's navigation
    known = re.findall(r"pages/(\w+)\.py", str(refused.value).split("Known pages")[1])
    # The default page is registered at / and at its own path; the statement is everyone's.
    assert tuple(dict.fromkeys(known)) == (*LEADER_PAGES, "accessibility")


def test_the_strategy_office_opens_on_the_programme(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_app(tiny, monkeypatch, role="strategy_office").run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Programme"]


# --- disclosure control and record-level extracts ---------------------------------------------


def preview(at: AppTest) -> list[dict]:
    return at.dataframe[0].value.to_dict("records")


def test_an_admin_may_take_unprotected_rows_and_nobody_else(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def headcounts(at: AppTest) -> list:
        at.multiselect(key="extracts.by.workforce").set_value(["cluster"]).run()
        return [row["headcount"] for row in preview(at)]

    analyst = pages.open_page("extracts", tiny, monkeypatch, role="analyst").run()
    assert not analyst.toggle  # no choice: always protected
    assert headcounts(analyst) == ["[c]", "5", "[c]"]  # MATRIX 1, SYNERGY 5, UNITY 4
    admin = pages.open_page("extracts", tiny, monkeypatch).run()
    assert admin.toggle(key="extracts.protect").value is True
    assert headcounts(admin) == ["[c]", "5", "[c]"]
    admin.toggle(key="extracts.protect").set_value(False).run()
    assert headcounts(admin) == [1, 5, 4]


@pytest.mark.parametrize(
    ("grant", "sees"),
    [
        ({"role": "analyst", "clusters": ("UNITY",), "record_level": True}, {"UNITY"}),
        (
            {"role": "analyst", "clusters": ("*",), "record_level": True},
            {"MATRIX", "SYNERGY", "UNITY"},
        ),
        ({"role": "analyst", "clusters": ("*",), "record_level": False}, None),
        ({"role": "admin"}, {"MATRIX", "SYNERGY", "UNITY"}),
    ],
)
def test_record_level_rows_only_with_rights_and_only_for_their_clusters(
    grant: dict, sees: set[str] | None, tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_page("extracts", tiny, monkeypatch, **grant).run()
    assert not at.exception
    headers = [s.value for s in at.subheader]
    if sees is None:
        assert "Record-level extract" not in headers
        assert len(at.dataframe) == 1
        return
    assert "Record-level extract" in headers
    counts = at.dataframe[1].value  # records by cluster and organisation: no person's row
    assert list(counts.columns) == ["cluster", "organisation_code", "records"]
    assert set(counts["cluster"]) == sees
    people = {"MATRIX": 1, "SYNERGY": 5, "UNITY": 4}  # in post as at 28 February 2026
    assert counts["records"].sum() == sum(people[c] for c in sees)
    assert all("person_key" not in frame.value.columns for frame in at.dataframe)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download records as CSV" in labels and "Download records as Parquet" in labels


def test_the_query_layer_gives_records_only_to_those_with_rights(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not by hiding the section: the data layer itself gives nothing without rights (the
    clusters records are read for come from :func:`dashboard.data.record_level`)."""
    from datetime import date

    from dashboard import data

    pages.sign_in(tiny.warehouse.parent, monkeypatch, role="analyst", record_level=False)
    monkeypatch.setenv("WORKFORCE_WAREHOUSE", str(tiny.warehouse))
    from core.settings import get_settings

    get_settings.cache_clear()
    day, asked = date(2026, 2, 28), ("SYNERGY", "UNITY")
    assert data.record_level(asked) == ()
    assert data.employee_record_counts(day, asked).is_empty()
    assert data.read_records(data.warehouse_path(), day, data.record_level(asked)).is_empty()
    pages.sign_in(tiny.warehouse.parent, monkeypatch, role="analyst", record_level=True)
    assert data.record_level(asked) == asked
    counts = data.employee_record_counts(day, asked)
    assert set(counts["cluster"]) == set(asked) and counts["records"].sum() == 9
    records = data.read_records(data.warehouse_path(), day, data.record_level(asked))
    assert set(records["cluster"]) == set(asked) and records.height == 9
    assert data.metric("workforce", ("SYNERGY",), {"as_at": date(2026, 2, 28)}).height == 1
    pages.sign_in(tiny.warehouse.parent, monkeypatch, listed=False, email="x@y.z")
    assert data.metric("workforce", ("SYNERGY",), {"as_at": date(2026, 2, 28)}).is_empty()


# --- the audit log ----------------------------------------------------------------------------


def test_views_are_audited_once_per_distinct_view(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_app(tiny, monkeypatch, role="leader", clusters=("UNITY", "SYNERGY"))
    log = pages.audit_log()
    at.run()
    at.run()  # the same view again: not a new entry
    (view,) = audit.read(log, event="view").iter_rows(named=True)
    (shown,) = audit.read(log, event="shown").iter_rows(named=True)
    assert view["seq"] < shown["seq"]  # the view is recorded before the page draws
    assert (view["page"], view["role"], view["rows"]) == ("overview", "leader", None)
    assert shown["user_email"] == pages.ADMIN and shown["role"] == "leader"
    assert shown["page"] == "overview" and shown["rows"] > 0
    assert json.loads(shown["filters"])["as_at"] == "2026-02-28"
    at.sidebar.multiselect(key="filter.clusters").set_value(["UNITY"]).run()
    newest_view = audit.read(log, event="view").row(0, named=True)
    newest = audit.read(log, event="shown").row(0, named=True)
    assert shown["seq"] < newest_view["seq"] < newest["seq"]
    assert json.loads(newest_view["filters"])["filter.clusters"] == ["UNITY"]  # before drawing
    assert json.loads(newest["filters"])["clusters"] == "UNITY"
    assert audit.verify(log).intact


def test_an_extract_view_is_audited_with_its_suppressed_cells(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Downloads themselves are made outside the page's run (Streamlit's deferred download,
    which AppTest does not serve): ``test_a_file_is_audited_when_it_is_made`` below, and the
    browser test, which compares each file it downloads with its audit entry."""
    at = pages.open_app(tiny, monkeypatch, role="analyst", clusters=("UNITY", "SYNERGY"))
    log = pages.audit_log()
    at.run().switch_page("dashboard/pages/extracts.py").run()
    at.multiselect(key="extracts.by.workforce").set_value(["cluster", "grade"]).run()
    shown = at.dataframe[0].value
    suppressed = int((shown == "[c]").sum().sum())
    assert suppressed > 0  # tiny groups
    view = audit.read(log, event="view").row(0, named=True)
    assert view["page"] == "extracts" and view["cells_suppressed"] is None
    assert json.loads(view["filters"])["extracts.by.workforce"] == ["cluster", "grade"]
    entry = audit.read(log, event="shown").row(0, named=True)
    assert entry["page"] == "extracts" and entry["cells_suppressed"] == suppressed
    assert entry["user_email"] == pages.ADMIN and entry["role"] == "analyst"
    assert json.loads(entry["filters"])["extracts.by.workforce"] == ["cluster", "grade"]
    assert audit.read(log, event="download").is_empty()  # nothing downloaded yet
    labels = {b.proto.label for b in at.get("download_button")}
    assert {"Download CSV", "Download Excel", "Download Parquet"} <= labels


def test_a_file_is_audited_when_it_is_made(
    signed_in_admin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date

    pages.sign_in(tmp_path, monkeypatch, **ANALYST_POLICY)
    made: list[int] = []

    def build() -> bytes:
        made.append(1)
        return b"cluster,headcount\nUNITY,[c]\n"

    filters = {"as_at": date(2026, 2, 28), "clusters": ["UNITY"]}
    make = trail.audited_file(
        build, ANALYST, "extracts", "w.csv", filters, 1, 1, clusters=("UNITY",)
    )
    assert made == [] and audit.read(signed_in_admin).is_empty()  # nothing until pressed
    assert make() == b"cluster,headcount\nUNITY,[c]\n"
    assert make() == b"cluster,headcount\nUNITY,[c]\n"  # pressed twice: two files, two entries
    downloads = audit.read(signed_in_admin, event="download")
    assert downloads.height == 2 and made == [1, 1]
    entry = downloads.row(0, named=True)
    assert (entry["user_email"], entry["role"], entry["page"], entry["what"]) == (
        "a@x.gov.uk",
        "analyst",
        "extracts",
        "w.csv",
    )
    assert (entry["rows"], entry["cells_suppressed"]) == (1, 1)
    assert json.loads(entry["filters"]) == {"as_at": "2026-02-28", "clusters": ["UNITY"]}


def test_no_file_leaves_when_the_audit_log_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    pages.sign_in(tmp_path, monkeypatch, audit=blocker / "audit.sqlite", **ANALYST_POLICY)
    made: list[int] = []
    make = trail.audited_file(
        lambda: made.append(1) or b"rows",
        ANALYST,
        "extracts",
        "w.csv",
        {},
        1,
        0,
        clusters=("UNITY",),
    )
    with pytest.raises(trail.WRITE_ERRORS):
        make()


def test_a_file_that_cannot_be_made_is_not_audited(
    signed_in_admin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages.sign_in(tmp_path, monkeypatch, **ANALYST_POLICY)

    def broken() -> bytes:
        raise ValueError("no rows")

    make = trail.audited_file(broken, ANALYST, "extracts", "w.csv", {}, 1, 0, clusters=())
    with pytest.raises(ValueError, match="no rows"):
        make()
    assert audit.read(signed_in_admin).is_empty()


def test_a_refused_visit_is_audited(tiny: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    at = pages.open_app(tiny, monkeypatch, listed=False, email="stranger@example.com")
    log = pages.audit_log()
    at.run()
    (denied,) = audit.read(log, event="denied").iter_rows(named=True)
    assert denied["user_email"] == "stranger@example.com" and denied["role"] is None
    assert audit.read(log, event="view").is_empty()


def test_admins_read_the_audit_log(tiny: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    log = pages.audit_log()
    audit.append(log, audit.Entry("someone@x.gov.uk", "leader", "view", "overview", rows=3))
    audit.append(log, audit.Entry("other@x.gov.uk", "analyst", "download", "extracts", "a.csv"))
    at = pages.open_page("audit_log", tiny, monkeypatch).run()
    assert not at.exception
    # Three: the admin's own view of this page is recorded before the page reads the log.
    assert "The log is intact: 3 entries" in at.success[0].value
    table = at.dataframe[0].value
    assert table["user_email"].tolist() == [pages.ADMIN, "other@x.gov.uk", "someone@x.gov.uk"]
    assert table["event"].tolist()[0] == "view" and table["page"].tolist()[0] == "audit_log"
    at.selectbox(key="audit_log.event").set_value("download").run()
    assert at.dataframe[0].value["what"].tolist() == ["a.csv"]
