"""The dashboard attacked as a hostile user would (issue 11), under AppTest on the tiny
warehouse (tests/tiny_warehouse.py: SYNERGY, UNITY and MATRIX deliver).

* A download re-checks the grant when its button is pressed: removed from the policy, record-
  level rights or clusters taken away, the page closed to the role: no file, a ``denied`` entry.
* No data is drawn before its view is recorded: an audit log that cannot be written stops
  every page with one line.
* A page outside the role, opened by its URL, is refused and the refusal audited.
* Emails are normalised once; a look-alike or an unverified email gets nothing; what a user
  controls is escaped where it is drawn as Markdown.
* A policy that is not UTF-8, or a directory at its path, fails closed with one line.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from core import audit
from core.access import Grant
from core.settings import Settings, get_settings
from dashboard import trail
from dashboard.identity import Caller
from dashboard.navigation import PAGES
from tests import pages
from tests.test_app_access import errors, has_data, unescaped
from tests.tiny_warehouse import build

EMAIL = "a@x.gov.uk"
RECORDS = b"person_key,cluster\nk1,UNITY\n"
OIDC = {"client_id": "workforce", "client_secret": "x", "cookie_secret": "x"}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build(tmp_path_factory.mktemp("tiny"))


def policy() -> Path:
    return Path(os.environ["WORKFORCE_ACCESS"])


def demo_user(monkeypatch: pytest.MonkeyPatch, email: str) -> None:
    """Be ``email`` in demo mode, whoever the policy lists."""
    monkeypatch.setenv("WORKFORCE_DEMO_USER", email)
    get_settings.cache_clear()


# --- item 2: the grant is checked again when a download is pressed ----------------------------


def analyst_with_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Caller:
    """An analyst of UNITY and SYNERGY with record-level rights, as the page saw them."""
    clusters = ("SYNERGY", "UNITY")
    pages.sign_in(tmp_path, monkeypatch, email=EMAIL, role="analyst", clusters=clusters,
                  record_level=True)  # fmt: skip
    return Caller(EMAIL, demo=True, grant=Grant(EMAIL, "analyst", clusters, record_level=True))


def press(who: Caller, made: list[int], **file: object) -> bytes:
    """Press a record-level download of UNITY's records (``file`` overrides its options)."""

    def build() -> bytes:
        made.append(1)
        return RECORDS

    options = {"clusters": ("UNITY",), "record_level": True, **file}
    make = trail.audited_file(
        build, who, "extracts", "employee_records.csv", {"as_at": "2026-02-28"}, 1, 0, **options
    )
    return make()


@pytest.mark.parametrize(
    ("rewrite", "role_then", "said"),
    [
        (lambda text: "", None, "a@x.gov.uk is no longer in the access policy"),
        (
            lambda text: text.replace("record_level = true", "record_level = false"),
            "analyst",
            "no longer has record-level rights to UNITY",
        ),
        (
            lambda text: text.replace('"SYNERGY", "UNITY"', '"SYNERGY"'),
            "analyst",
            "UNITY is no longer in a@x.gov.uk's clusters",
        ),
        (
            lambda text: text.replace('role = "analyst"', 'role = "leader"'),
            "leader",
            "the extracts page is no longer open to the role leader",
        ),
        (
            lambda text: text.replace('role = "analyst"', 'role = "boss"'),
            None,
            "the access policy is invalid",
        ),
    ],
)
def test_a_download_pressed_after_the_grant_changed_makes_no_file(
    rewrite, role_then, said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    who = analyst_with_records(tmp_path, monkeypatch)
    made: list[int] = []
    assert press(who, made) == RECORDS  # as drawn, the grant holds
    policy().write_text(rewrite(policy().read_text()))
    with pytest.raises(trail.DownloadRefused, match=said) as refused:
        press(who, made)
    assert "\n" not in str(refused.value)
    assert made == [1]  # the second file was never built
    log = pages.audit_log()
    (denied,) = audit.read(log, event="denied").iter_rows(named=True)
    assert denied["user_email"] == EMAIL and denied["role"] == role_then  # the role at the press
    assert denied["what"].startswith("employee_records.csv: ") and said in denied["what"]
    assert audit.read(log, event="download").height == 1  # only the first


def test_an_unprotected_file_needs_the_admin_role_at_the_press(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages.sign_in(tmp_path, monkeypatch, email=EMAIL, role="admin")
    who = Caller(EMAIL, demo=True, grant=Grant(EMAIL, "admin", ("UNITY",)))
    made: list[int] = []
    assert press(who, made, record_level=False, protected=False) == RECORDS
    policy().write_text(policy().read_text().replace('"admin"', '"analyst"'))
    with pytest.raises(trail.DownloadRefused, match="only an administrator"):
        press(who, made, record_level=False, protected=False)
    assert made == [1]


def test_a_download_is_recorded_under_the_role_held_at_the_press(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    who = analyst_with_records(tmp_path, monkeypatch)
    policy().write_text(policy().read_text().replace('role = "analyst"', 'role = "admin"'))
    assert press(who, []) == RECORDS
    (entry,) = audit.read(pages.audit_log(), event="download").iter_rows(named=True)
    assert entry["role"] == "admin"


# --- item 5: no data before its view is recorded ----------------------------------------------


def unwritable(tmp_path: Path, how: str) -> Path:
    """An audit log path that cannot be written: a directory where the file should be, or a
    file where its folder should be."""
    if how == "directory":
        path = tmp_path / "audit.sqlite"
        path.mkdir()
        return path
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    return blocker / "audit.sqlite"


@pytest.mark.parametrize("how", ["directory", "file-as-folder"])
@pytest.mark.parametrize("page", [spec.key for spec in PAGES])
def test_every_page_stops_in_one_line_when_the_audit_log_cannot_be_written(
    page: str, how: str, tiny: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = unwritable(tmp_path, how)
    grant = {"role": "admin", "record_level": True}
    at = pages.open_page(page, tiny, monkeypatch, audit=log, **grant).run()
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith("The audit log cannot be written, so nothing is shown: ")
    assert "\n" not in error.value and "audit.sqlite" in unescaped(error.value)
    assert not has_data(at)
    assert not at.get("download_button") and not at.get("plotly_chart")


def test_the_app_stops_in_one_line_when_the_audit_log_cannot_be_written(
    tiny: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_app(tiny, monkeypatch, audit=unwritable(tmp_path, "directory")).run()
    assert not at.exception
    assert "The audit log cannot be written, so nothing is shown" in errors(at)
    assert not has_data(at)
    # Someone refused is stopped the same way: the refusal cannot be recorded either.
    stranger = pages.open_app(tiny, monkeypatch, listed=False, email="stranger@example.com")
    stranger.run()
    assert not stranger.exception
    assert "The audit log cannot be written" in errors(stranger)


def test_a_log_that_fails_during_a_session_stops_the_next_view(
    tiny: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new choice is a new view: recorded before the page draws, so it stops there."""
    at = pages.open_app(tiny, monkeypatch, role="leader")
    log = pages.audit_log()
    at.run()
    assert audit.read(log, event="shown").height == 1
    moved = tmp_path / "moved"
    log.parent.rename(moved)
    log.parent.write_text("")  # the log's folder is now a file
    at.sidebar.multiselect(key="filter.clusters").set_value(["UNITY"]).run()
    assert not at.exception
    assert "The audit log cannot be written, so nothing is shown" in errors(at)
    assert not pages.tile_list(at)


# --- item 10: a page outside the role is refused and audited ----------------------------------


def open_by_url(at: AppTest, url_path: str) -> AppTest:
    """Open ``/<url_path>`` as a browser would (``st.Page`` hashes the URL path); AppTest's
    ``switch_page`` only knows page files, and a page outside the role has none."""
    at._page_hash = calc_hash(url_path)
    return at.run()


@pytest.mark.parametrize(
    ("role", "page"),
    [("leader", "audit_log"), ("leader", "extracts"), ("analyst", "data_health")],
)
def test_a_page_outside_the_role_opened_by_its_url_is_refused_and_audited(
    role: str, page: str, tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_app(tiny, monkeypatch, role=role).run()
    log = pages.audit_log()
    open_by_url(at, page)
    assert not at.exception
    title = next(spec.title for spec in PAGES if spec.key == page)
    assert [t.value for t in at.title] == [title]  # not the default page
    assert f"This page is not open to your role ({role})" in errors(at)
    assert not has_data(at)
    (denied,) = audit.read(log, event="denied").iter_rows(named=True)
    assert (denied["page"], denied["role"], denied["user_email"]) == (page, role, pages.ADMIN)
    open_by_url(at, "overview")  # the role's own pages still open
    assert [t.value for t in at.title] == ["Workforce overview"]
    open_by_url(at, page)  # a second visit is a second refusal
    assert audit.read(log, event="denied").height == 2


# --- item 7: one form of an email; look-alikes and unverified emails get nothing ----------------


def test_a_look_alike_email_gets_no_grant_and_is_logged_escaped(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The KELVIN SIGN folds onto "k" under NFKC: "\u212aate" must not get Kate's grant."""
    at = pages.open_app(tiny, monkeypatch, email="kate@x.gov.uk")
    demo_user(monkeypatch, "\u212aate@x.gov.uk")
    at.run()
    assert not at.exception
    said = errors(at)
    assert "cannot be used to sign in" in said and "look-alike" in said
    assert "\\u212aate@x.gov.uk" in said  # shown escaped, not as "Kate"
    assert not has_data(at)
    (denied,) = audit.read(pages.audit_log(), event="denied").iter_rows(named=True)
    assert denied["user_email"] != "kate@x.gov.uk" and "212a" in denied["user_email"]
    assert denied["role"] is None and "look-alike" in denied["what"]


def test_an_email_is_normalised_once_at_the_boundary(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_app(tiny, monkeypatch, email="kate@x.gov.uk", role="leader")
    demo_user(monkeypatch, "  KATE@X.GOV.UK ")
    at.run()
    assert not at.exception and pages.tile_list(at)
    (view,) = audit.read(pages.audit_log(), event="view").iter_rows(named=True)
    assert view["user_email"] == "kate@x.gov.uk"  # so the Audit log's user filter finds it


def test_what_a_user_controls_is_escaped_where_drawn_as_markdown(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile = "[click](https://evil.example)@x.gov.uk"
    at = pages.open_app(tiny, monkeypatch, listed=False, email=hostile).run()
    assert not at.exception
    drawn = " ".join([e.value for e in at.error] + [m.value for m in at.markdown])
    assert "[click](https" not in drawn  # no link: every bracket escaped
    assert "\\[click\\]\\(https" in drawn and hostile in errors(at)


@pytest.mark.parametrize(
    ("claim", "said"),
    [
        ({}, "did not say whether the email is verified (no email_verified claim"),
        ({"email_verified": False}, "has not verified the email"),
        ({"email_verified": "true"}, "has not verified the email"),  # a string is not True
        ({"xms_edov": False}, "has not verified the email"),  # Entra: domain not verified
        ({"xms_edov": "1"}, "has not verified the email"),
        ({"email_verified": False, "xms_edov": True}, "has not verified the email"),
    ],
)
def test_a_signed_in_email_must_be_verified(
    claim: dict, said: str, tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_app(tiny, monkeypatch)  # the policy lists this admin
    at.secrets["auth"] = OIDC
    at.user["is_logged_in"] = True
    at.user["email"] = pages.ADMIN
    for name, value in claim.items():
        at.user[name] = value
    at.run()
    assert not at.exception
    assert said in errors(at) and not has_data(at)
    assert [b.label for b in at.button] == ["Sign out"]  # to sign in as someone else
    (denied,) = audit.read(pages.audit_log(), event="denied").iter_rows(named=True)
    assert denied["user_email"] == pages.ADMIN and denied["role"] is None


def test_entra_ids_verified_domain_claim_stands_for_email_verified(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Microsoft Entra ID sends no email_verified; its optional claim xms_edov true says the
    email's domain is verified as the organisation's (issue 16: Entra sign-in)."""
    at = pages.open_app(tiny, monkeypatch)
    at.secrets["auth"] = OIDC
    at.user["is_logged_in"] = True
    at.user["email"] = pages.ADMIN
    at.user["xms_edov"] = True
    at.run()
    assert not at.exception and not errors(at) and has_data(at)


# --- item 9: a policy that cannot be read fails closed in one line ------------------------------


@pytest.mark.parametrize("broken", ["latin-1", "directory"])
def test_a_policy_that_cannot_be_read_lets_nobody_in_and_says_why(
    broken: str, tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = pages.open_app(tiny, monkeypatch)
    path = policy()
    if broken == "directory":
        path.unlink()
        path.mkdir()
    else:
        path.write_bytes(path.read_bytes() + b"# caf\xe9\n")
    at.run()
    assert not at.exception
    said = errors(at)
    assert "access policy is invalid" in said and str(path) in said
    assert ("is a directory" if broken == "directory" else "not valid UTF-8") in said
    assert not has_data(at)
    (denied,) = audit.read(pages.audit_log(), event="denied").iter_rows(named=True)
    assert denied["page"] == "app" and str(path) in denied["what"]


def test_filters_in_a_view_entry_are_those_before_the_page_drew(
    tiny: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A URL that asks for more than the scope is recorded as asked, before the page draws;
    what the page then showed is recorded within the scope."""
    at = pages.open_app(tiny, monkeypatch, role="leader", clusters=("UNITY",))
    at.query_params["clusters"] = "SYNERGY,UNITY"
    at.query_params["as_at"] = date(2026, 2, 28).isoformat()
    at.run()
    log = pages.audit_log()
    (view,) = audit.read(log, event="view").iter_rows(named=True)
    (shown,) = audit.read(log, event="shown").iter_rows(named=True)
    assert json.loads(view["filters"])["clusters"] == "SYNERGY,UNITY"
    assert "SYNERGY" not in shown["filters"]  # the URL was cut down to the scope
