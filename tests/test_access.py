"""The access policy file (pipeline/access.py), the pages each role gets, and the audit log
(pipeline/audit.py) on a real SQLite file."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dashboard.navigation import sections
from pipeline import audit
from pipeline.access import (
    PAGES_BY_ROLE,
    AccessPolicyError,
    Grant,
    grant_for,
    load_policy,
    parse_policy,
)
from pipeline.contract import CLUSTERS

REPO = Path(__file__).resolve().parents[1]

POLICY = """
[[user]]
email = "Perm.Sec@CabinetOffice.gov.uk"
role = "leader"
clusters = ["*"]

[[user]]
email = "people.analyst@fcdo.gov.uk"
role = "analyst"
clusters = ["UNITY", "OVERSEAS"]
record_level = true

[[user]]
email = "other.analyst@dwp.gov.uk"
role = "analyst"
clusters = ["SYNERGY"]
"""


# --- the policy file --------------------------------------------------------------------------


def test_grants_are_read_with_clusters_in_contract_order() -> None:
    grants = parse_policy(POLICY)
    leader = grants["perm.sec@cabinetoffice.gov.uk"]  # emails compare case-insensitively
    assert leader == Grant("perm.sec@cabinetoffice.gov.uk", "leader", CLUSTERS, False)
    analyst = grants["people.analyst@fcdo.gov.uk"]
    assert analyst.clusters == ("OVERSEAS", "UNITY")
    assert analyst.record_level_clusters == ("OVERSEAS", "UNITY")
    assert grants["other.analyst@dwp.gov.uk"].record_level_clusters == ()


def test_record_level_rights_belong_to_analysts_and_admins_only() -> None:
    assert Grant("a@b.c", "leader", CLUSTERS, record_level=True).record_level_clusters == ()
    assert Grant("a@b.c", "strategy_office", ("UNITY",), True).record_level_clusters == ()
    assert Grant("a@b.c", "admin", ("UNITY",)).record_level_clusters == ("UNITY",)


def test_disclosure_control_for_every_role_but_admin() -> None:
    controlled = {role: Grant("a@b.c", role, CLUSTERS).disclosure_control for role in PAGES_BY_ROLE}
    assert controlled == {
        "leader": True,
        "strategy_office": True,
        "analyst": True,
        "admin": False,
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[user]\nemail = 1", "not valid TOML"),
        ('[[user]]\nemail = "a@b.c"\nrole = "boss"\nclusters = ["*"]', "user 1: role"),
        ('[[user]]\nemail = "a@b.c"\nrole = "leader"\nclusters = ["NAVY"]', "unknown cluster"),
        ('[[user]]\nemail = "a@b.c"\nrole = "leader"\nclusters = []', "user 1: clusters"),
        ('[[user]]\nemail = "nobody"\nrole = "leader"\nclusters = ["*"]', "user 1: email"),
        ('[[user]]\nemail = "a@b.c"\nrole = "leader"\nclusters = ["*"]\nadmin = true', "admin"),
        ('[[user]]\nemail = "a@b.c"\nrole = "leader"', "user 1: clusters"),
        ('[group]\nname = "x"', "unexpected key 'group'"),
        (
            '[[user]]\nemail = "a@b.c"\nrole = "leader"\nclusters = ["*"]\n'
            '[[user]]\nemail = "A@B.C"\nrole = "admin"\nclusters = ["*"]',
            "user 2: a@b.c is listed twice",
        ),
    ],
)
def test_a_bad_policy_is_refused_in_one_line(text: str, message: str) -> None:
    with pytest.raises(AccessPolicyError) as caught:
        parse_policy(text, "data/access.toml")
    said = str(caught.value)
    assert said.startswith("data/access.toml: ") and message in said
    assert "\n" not in said


def test_the_file_fails_closed(tmp_path: Path) -> None:
    path = tmp_path / "access.toml"
    assert load_policy(path) == {}  # no file: nobody
    assert grant_for("perm.sec@cabinetoffice.gov.uk", path) is None
    path.write_text(POLICY)
    assert grant_for(" PERM.SEC@cabinetoffice.gov.uk ", path).role == "leader"
    assert grant_for("stranger@example.com", path) is None
    assert grant_for(None, path) is None and grant_for("", path) is None
    path.write_text(POLICY + '\n[[user]]\nemail = "x@y.z"\nrole = "root"\nclusters = ["*"]\n')
    with pytest.raises(AccessPolicyError, match="user 4: role"):
        grant_for("perm.sec@cabinetoffice.gov.uk", path)  # an edit is picked up at once


def test_the_committed_example_is_valid_and_has_the_demo_admin() -> None:
    grants = parse_policy((REPO / "data" / "access.example.toml").read_text())
    assert grants["demo.admin@workforce.local"].role == "admin"
    assert {g.role for g in grants.values()} == set(PAGES_BY_ROLE)
    makefile = (REPO / "Makefile").read_text()
    assert "WORKFORCE_DEMO_USER ?= demo.admin@workforce.local" in makefile
    assert "data/access.example.toml" in makefile


# --- pages by role ----------------------------------------------------------------------------


def test_each_role_has_its_pages() -> None:
    leader = set(PAGES_BY_ROLE["leader"])
    assert "extracts" not in leader and "data_health" not in leader
    assert "audit_log" not in leader
    assert set(PAGES_BY_ROLE["strategy_office"]) == leader
    assert set(PAGES_BY_ROLE["analyst"]) == leader | {"extracts"}
    assert set(PAGES_BY_ROLE["admin"]) == leader | {"extracts", "data_health", "audit_log"}


def test_the_strategy_office_sees_the_programme_first() -> None:
    grouped = sections(PAGES_BY_ROLE["strategy_office"])
    first_section, first_pages = next(iter(grouped.items()))
    assert first_section == "Strategy office" and first_pages[0].key == "programme"
    assert next(iter(sections(PAGES_BY_ROLE["leader"]))) == "Workforce"


# --- the audit log ----------------------------------------------------------------------------


def entry(n: int, event: str = "view") -> audit.Entry:
    return audit.Entry(
        user_email=f"user{n % 3}@x.gov.uk",
        role="analyst",
        event=event,  # type: ignore[arg-type]
        page="extracts",
        what=f"file{n}.csv",
        filters={"as_at": "2026-02-28", "clusters": ["UNITY"]},
        rows=n,
        cells_suppressed=n % 2,
    )


def test_entries_are_appended_and_read_newest_first(tmp_path: Path) -> None:
    log = tmp_path / "audit" / "audit.sqlite"
    when = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    for n in range(5):
        audit.append(log, entry(n, "download" if n == 3 else "view"), at=when)
    rows = audit.read(log)
    assert rows["seq"].to_list() == [5, 4, 3, 2, 1]
    assert rows["rows"].to_list() == [4, 3, 2, 1, 0]
    assert rows["at"][0] == "2026-11-26T09:30:00.000+00:00"
    assert rows["filters"][0] == '{"as_at":"2026-02-28","clusters":["UNITY"]}'
    assert audit.read(log, event="download")["what"].to_list() == ["file3.csv"]
    assert audit.read(log, user="user1@x.gov.uk")["seq"].to_list() == [5, 2]
    assert audit.read(log, limit=2).height == 2
    assert audit.verify(log).intact and audit.verify(log).entries == 5


def test_no_log_yet_reads_empty(tmp_path: Path) -> None:
    assert audit.read(tmp_path / "none.sqlite").is_empty()
    assert audit.verify(tmp_path / "none.sqlite").entries == 0


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET rows = 0 WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 1"],
)
def test_the_database_refuses_changes(tmp_path: Path, statement: str) -> None:
    log = tmp_path / "audit.sqlite"
    audit.append(log, entry(7))
    with sqlite3.connect(log) as con, pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute(statement)
    assert audit.read(log)["rows"].to_list() == [7]


def _without_triggers(log: Path, statement: str) -> None:
    with sqlite3.connect(log) as con:
        con.execute("DROP TRIGGER audit_log_no_update")
        con.execute("DROP TRIGGER audit_log_no_delete")
        con.execute(statement)


@pytest.mark.parametrize(
    ("statement", "broken_at", "reason"),
    [
        ("UPDATE audit_log SET rows = 0 WHERE seq = 2", 2, "changed"),
        ("UPDATE audit_log SET user_email = 'x@y.z' WHERE seq = 3", 3, "changed"),
        ("DELETE FROM audit_log WHERE seq = 2", 3, "does not follow"),
        ("DELETE FROM audit_log WHERE seq = 4", 4, "removed"),
    ],
)
def test_tampering_by_other_means_breaks_the_chain(
    tmp_path: Path, statement: str, broken_at: int, reason: str
) -> None:
    log = tmp_path / "audit.sqlite"
    for n in range(4):
        audit.append(log, entry(n + 1))
    _without_triggers(log, statement)
    check = audit.verify(log)
    assert not check.intact
    assert check.broken_at == broken_at and reason in check.reason


def test_concurrent_appends_keep_one_chain(tmp_path: Path) -> None:
    log = tmp_path / "audit.sqlite"
    audit.append(log, entry(0))  # the schema exists before the threads race

    def write(start: int) -> None:
        for n in range(start, start + 20):
            audit.append(log, entry(n))

    threads = [threading.Thread(target=write, args=(k * 100,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check = audit.verify(log)
    assert check.intact and check.entries == 81


def test_an_unknown_event_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not one of view, download, denied"):
        audit.append(tmp_path / "audit.sqlite", entry(1, event="edit"))
