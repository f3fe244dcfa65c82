"""Issue 11 attacked again after its fixes: the next thing an attacker would try on each item.

Each test here is a variant of a numbered item that still reproduces on the code as committed,
marked ``xfail(strict=True)`` so the suite stays green until it is fixed (then the marker must
go).  The variants that no longer reproduce are pinned by the tests named in the report of the
verification (test_audit_log.py, test_app_security.py, test_ingest_hostile.py, ...).

Real files throughout: an SQLite audit log with its key and anchor, a policy file, hand-made
deliveries ingested into a DuckDB warehouse, the ``workforce`` command in-process.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from ingest_factories import cluster_delivery, data_contents, employees, make_settings, query

from core import audit
from core.access import AccessPolicyError, grant_for, load_policy
from pipeline.cli import main
from pipeline.ingest import ingest_main
from tests import pages
from tests.tiny_warehouse import build

SEP, OCT, TODAY = date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 30)
ESCAPE = "\x1b[31mred\x07"  # a colour change and a bell: what a terminal would obey


def entry() -> audit.Entry:
    return audit.Entry("a@x.gov.uk", "admin", "view", "overview")


def one_line(text: str) -> bool:
    return bool(text.strip()) and "\n" not in text.strip()


# --- item 1: a missing log is an alarm, whatever else went with it ----------------------------


def test_a_log_deleted_with_its_anchor_is_not_started_over(tmp_path: Path) -> None:
    log = tmp_path / "audit.sqlite"
    for _ in range(5):
        audit.append(log, entry())
    assert audit.verify(log).intact
    log.unlink()
    log.with_suffix(".anchor").unlink()
    assert log.with_suffix(".key").exists()  # the key made with the first log is still there
    assert audit.verify(log).alarm == "missing"
    with pytest.raises(audit.AuditError):  # the next page view must not start a new history
        audit.append(log, entry())
    assert not audit.verify(log).intact


# --- item 7: one user's email never folds onto another's --------------------------------------


@pytest.mark.parametrize(
    ("listed", "signed_in"),
    [("glass@x.gov.uk", "glaß@x.gov.uk"), ("σ@x.gov.uk", "ς@x.gov.uk")],
)
def test_case_folding_gives_no_one_another_users_grant(
    tmp_path: Path, listed: str, signed_in: str
) -> None:
    policy = tmp_path / "access.toml"
    policy.write_text(pages.policy_text(listed, "admin"), encoding="utf-8")
    assert grant_for(listed, policy) is not None
    assert grant_for(signed_in, policy) is None


# --- item 8: a snapshot that empties a cluster in all but name -------------------------------


def test_a_snapshot_that_drops_almost_everyone_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, "SYNERGY", SEP)
    assert ingest_main(settings, today=TODAY) == 0
    data = data_contents(settings)
    cluster_delivery(settings.landing, "SYNERGY", OCT, employees_rows=employees(1))
    code = ingest_main(settings, today=TODAY)
    out = capsys.readouterr().out
    assert code == 1, out
    assert (
        "refused: SYNERGY 2026-10-31 employees.parquet: has 1 row against 400 on 2026-09-30:"
        " more than half the workforce would leave at once; if that is real, load it with"
        " --allow-shrink SYNERGY/2026-10-31"
    ) in out.splitlines()
    assert data_contents(settings) == data
    assert query(settings, "SELECT count(*) FROM employees_as_at($d)", {"d": OCT}) == [(400,)]


# --- item 9: a policy that cannot be read fails closed in one line ----------------------------


def test_a_deeply_nested_policy_fails_closed_in_one_line(tmp_path: Path) -> None:
    policy = tmp_path / "access.toml"
    policy.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(AccessPolicyError, match=r"access\.toml"):
        load_policy(policy)


# --- item 12: control characters from paths reach the terminal escaped ------------------------


def test_status_prints_a_missing_warehouses_path_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--warehouse", str(tmp_path / ESCAPE)]) == 2
    err = capsys.readouterr().err
    assert one_line(err) and "\\x1b[31mred\\x07" in err and "\x1b" not in err


def test_audit_verify_prints_the_logs_path_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "verify", "--log", str(tmp_path / ESCAPE / "audit.sqlite")]) == 1
    err = capsys.readouterr().err
    assert one_line(err) and "\x1b" not in err and "\x07" not in err


# --- items 14 and 15: every failure one line with the right exit code -------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory):
    return build(tmp_path_factory.mktemp("tiny"))


@pytest.mark.parametrize(
    "period",
    [("--from", "2026-02\n", "--to", "2026-02"), ("--from", "2026-02\n", "--to", "2026-02\n")],
)
def test_an_accounting_period_with_a_trailing_newline_is_refused(
    tiny, period: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["query", "spend", *period, "--by", "cluster", "--warehouse", str(tiny.warehouse)])
    err = capsys.readouterr().err
    assert code == 2
    assert one_line(err) and "is not an accounting period (YYYY-MM)" in err


@pytest.mark.parametrize("command", [["status"], ["query", "workforce", "--as-at", "2026-02-28"]])
def test_a_corrupt_warehouse_is_one_line_and_exit_2(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    (warehouse / "CURRENT").write_text("wh-000001.duckdb\n")
    (warehouse / "wh-000001.duckdb").write_bytes(os.urandom(5000))
    code = main([*command, "--warehouse", str(warehouse)])
    err = capsys.readouterr().err
    assert code == 2 and one_line(err) and "wh-000001.duckdb" in err


# --- item 3: a person's ids reach the record-level CSV neutralised (passes: a pin) ------------


def test_hostile_ids_reach_the_record_level_csv_neutralised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The ids are a delivery's free text: ``employee_id`` (and the person key) arrive in the
    record-level CSV, from the warehouse, as a spreadsheet would read them only as text."""
    import csv
    import io
    from contextlib import closing

    from core.warehouse import connect_readonly
    from dashboard.extracts import to_csv
    from queries.runner import Request, prepare, run

    hostile = ['=HYPERLINK("https://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"]
    rows = employees(10)
    for row, text in zip(rows, hostile, strict=False):
        row["employee_id"], row["person_key"] = text, f"\t{text}"
    for row in rows:  # teams report to E00000, now the first hostile id
        row["manager_employee_id"] = None if row is rows[0] else hostile[0]
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, "SYNERGY", SEP, employees_rows=rows)
    assert ingest_main(settings, today=TODAY) == 0, capsys.readouterr().out
    request = Request("employee_records", ("SYNERGY",), {"as_at": SEP}, (), {})
    with closing(connect_readonly(settings.warehouse)) as con:
        frame = run(prepare(con), request)
    cells = {
        r["employee_id"]: r["person_key"]
        for r in csv.DictReader(io.StringIO(to_csv(frame).decode()))
    }
    for text in hostile:
        assert cells[f"'{text}"] == f"'\t{text}"


# --- item 10: every page outside every role, refused and audited (passes: a pin) --------------


OUTSIDE = [
    (role, page)
    for role, pages_of_role in {
        "leader": ("extracts", "data_health", "audit_log"),
        "strategy_office": ("extracts", "data_health", "audit_log"),
        "analyst": ("data_health", "audit_log"),
    }.items()
    for page in pages_of_role
]


@pytest.mark.parametrize(("role", "page"), OUTSIDE)
def test_every_page_outside_a_role_is_refused_and_audited(
    tiny, role: str, page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_app_access import errors, has_data
    from tests.test_app_security import open_by_url

    at = pages.open_app(tiny, monkeypatch, role=role).run()
    open_by_url(at, page)
    assert not at.exception
    said = role.replace("_", " ")  # "strategy office", as a person reads it
    assert f"This page is not open to your role ({said})" in errors(at)
    assert not has_data(at)
    (denied,) = audit.read(pages.audit_log(), event="denied").iter_rows(named=True)
    assert (denied["page"], denied["role"]) == (page, role)


def test_a_named_pipe_at_the_policy_path_fails_closed_at_once(tmp_path: Path) -> None:
    import threading

    policy = tmp_path / "access.toml"
    os.mkfifo(policy)
    outcome: list[object] = []

    def read() -> None:
        try:
            outcome.append(load_policy(policy))
        except AccessPolicyError as error:
            outcome.append(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=1)
    blocked = reader.is_alive()
    if blocked:  # let the reader go: open the pipe for writing, then close it (end of file)
        os.close(os.open(policy, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=5)
    assert not blocked, "load_policy is still waiting on the pipe after 1 s"
    assert isinstance(outcome[0], AccessPolicyError)
