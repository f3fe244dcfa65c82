"""The access policy file (core/access.py) and the pages each role gets.  The audit log's
tests are in test_audit_log.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.access import (
    PAGES_BY_ROLE,
    POLICY_MAX_BYTES,
    AccessPolicyError,
    Grant,
    grant_for,
    load_policy,
    normalise_email,
    parse_policy,
)
from core.contract import CLUSTERS
from dashboard.navigation import sections

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


def test_a_policy_that_is_not_utf8_fails_closed_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "access.toml"
    path.write_bytes(POLICY.encode() + b"\n# caf\xe9 in Latin-1\n")
    with pytest.raises(AccessPolicyError) as caught:
        grant_for("perm.sec@cabinetoffice.gov.uk", path)
    said = str(caught.value)
    assert said.startswith(f"{path}: not valid UTF-8") and "0xe9" in said and "\n" not in said


def test_a_directory_at_the_policy_path_fails_closed_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "access.toml"
    path.mkdir()
    with pytest.raises(AccessPolicyError) as caught:
        grant_for("perm.sec@cabinetoffice.gov.uk", path)
    assert str(caught.value) == f"{path}: is a directory, not a policy file"


def test_a_file_too_large_to_be_a_policy_fails_closed_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "access.toml"
    path.write_text(POLICY + "#" * POLICY_MAX_BYTES)
    with pytest.raises(AccessPolicyError, match="larger than 1048576 bytes, not a policy"):
        grant_for("perm.sec@cabinetoffice.gov.uk", path)


def test_a_policy_replaced_with_the_same_modification_time_is_read_again(
    tmp_path: Path,
) -> None:
    """The parse is cached by the file's content, not its modification time: a user removed
    by a copy that keeps the old time (``cp -p``, a restore) loses their grant at once."""
    path = tmp_path / "access.toml"
    path.write_text(POLICY)
    assert grant_for("people.analyst@fcdo.gov.uk", path).record_level
    before = path.stat()
    without = POLICY.replace("people.analyst@fcdo.gov.uk", "other.analyst1@fcdo.gov.uk")
    assert len(without) == len(POLICY)  # the same size too
    path.write_text(without)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert grant_for("people.analyst@fcdo.gov.uk", path) is None
    assert grant_for("other.analyst1@fcdo.gov.uk", path).role == "analyst"
    path.write_text(POLICY.replace("record_level = true", "record_level = false"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert grant_for("people.analyst@fcdo.gov.uk", path).record_level is False


def test_emails_are_normalised_once_and_look_alikes_refused(tmp_path: Path) -> None:
    path = tmp_path / "access.toml"
    path.write_text(
        POLICY + '\n[[user]]\nemail = "kate@x.gov.uk"\nrole = "admin"\nclusters = ["*"]\n'
    )
    assert grant_for("Kate@X.gov.uk", path).role == "admin"  # case folded
    assert grant_for("\u212aate@x.gov.uk", path) is None  # KELVIN SIGN: not Kate's grant
    assert grant_for("\uff4bate@x.gov.uk", path) is None  # FULLWIDTH k
    assert grant_for("kate@x.gov.uk\u200b", path) is None  # a zero-width space
    assert grant_for("ka te@x.gov.uk", path) is None
    assert normalise_email("  Perm.Sec@CabinetOffice.GOV.uk ") == "perm.sec@cabinetoffice.gov.uk"
    assert normalise_email("STRASSE@x.de") == "strasse@x.de"  # case-folded
    with pytest.raises(ValueError, match="case-folding changes"):  # not "strasse@": another
        normalise_email("straße@x.de")
    with pytest.raises(ValueError, match="look-alike"):
        normalise_email("\u212aate@x.gov.uk")
    listed = '[[user]]\nemail = "\u212aate@x.gov.uk"\nrole = "admin"\nclusters = ["*"]\n'
    with pytest.raises(AccessPolicyError, match=r"user 1: email: .*look-alike"):
        parse_policy(listed, "data/access.toml")


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
