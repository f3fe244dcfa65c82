"""The audit log on a REAL PostgreSQL (core/audit/postgres.py, deploy/postgres/): the same
chain as SQLite, append-only enforced by the database whoever asks, one whole chain from
processes appending at once, tampering found, a server down refusing downloads in one line and
recovered from, and a missing key refused.

The server is made by ``deploy/postgres/local.py`` once a session (``tests/services.py``);
each test has a database of its own, copied from the one schema.sql and grants.sql made.  The
tampering tests do what someone holding the owner's credentials would: disable the triggers,
then edit or delete rows."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import errors
from streamlit.testing.v1 import AppTest

from core import audit
from core.access import Grant
from core.settings import DatabaseURL, get_settings
from dashboard import trail
from dashboard.identity import Caller
from deploy.postgres import local
from pipeline.cli import main
from tests import pages
from tests.services import fresh_log, postgres_server, require_postgres

require_postgres()  # skipped where PostgreSQL is absent; failed instead under the CI

__all__ = ["postgres_server"]  # the session fixture, used by the tests below
KEY = "an audit key of at least 32 characters, for tests"
AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[1]
ANALYST = Caller("a@x.gov.uk", demo=True, grant=Grant("a@x.gov.uk", "analyst", ("UNITY",)))


@pytest.fixture(autouse=True)
def audit_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKFORCE_AUDIT_KEY", KEY)
    get_settings.cache_clear()


@pytest.fixture
def log(postgres_server: local.Server) -> local.Database:
    """A started log of this test's own (the app's role sealed its head at entry 0)."""
    database = fresh_log(postgres_server)
    audit.start(database.app_url)
    return database


def entry(n: int, who: str = "user") -> audit.Entry:
    return audit.Entry(f"{who}{n % 3}@x.gov.uk", "analyst", "view", "extracts", filters={"n": n})


def written(url: str, count: int) -> None:
    for n in range(1, count + 1):
        audit.append(url, entry(n))


def owner_sql(database: local.Database, *statements: str) -> None:
    """``statements`` run as the tables' owner, the log's and head's triggers disabled."""
    with psycopg.connect(database.owner_url, autocommit=True) as con, con.transaction():
        con.execute("ALTER TABLE audit.log DISABLE TRIGGER USER")
        con.execute("ALTER TABLE audit.head DISABLE TRIGGER USER")
        for statement in statements:
            con.execute(statement)  # type: ignore[arg-type]
        con.execute("ALTER TABLE audit.log ENABLE TRIGGER USER")
        con.execute("ALTER TABLE audit.head ENABLE TRIGGER USER")


def one_line_without_password(text: str, url: str) -> bool:
    password = psycopg.conninfo.conninfo_to_dict(url)["password"]
    return bool(text.strip()) and "\n" not in text.strip() and str(password) not in text


# --- the same log as SQLite -------------------------------------------------------------------


HOSTILE = [
    audit.Entry(
        "Kate@X.gov.uk", "leader", "view", "overview", filters={"as_at": date(2026, 2, 28)}
    ),
    audit.Entry("a@x.gov.uk", "analyst", "download", "extracts", "w.csv", {"k": "x" * 900}, 3, 1),
    audit.Entry("not an email", None, "denied", "audit_log"),
    audit.Entry("a@x.gov.uk", "analyst", "shown", "p\x00ge", "naïve “quotes” 😀", {"\x00": "\x00"}),
    audit.Entry("r@x.gov.uk", "admin", "change", "register", "row 3", {"old": None, "new": 1.5}),
]


def test_the_same_entries_make_the_same_chain_as_sqlite(
    log: local.Database, tmp_path: Path
) -> None:
    sqlite_log = tmp_path / "audit.sqlite"
    audit.start(sqlite_log)  # the key is WORKFORCE_AUDIT_KEY: a log is started on purpose
    for n, item in enumerate(HOSTILE):
        at = AT + timedelta(seconds=n)
        assert audit.append(sqlite_log, item, at) == audit.append(log.app_url, item, at) == n + 1

    assert audit.read(log.app_url).equals(audit.read(sqlite_log))
    assert audit.read(log.app_url, user="KATE@x.gov.uk")["seq"].to_list() == [1]
    assert audit.read(log.app_url, event="change")["seq"].to_list() == [5]
    with sqlite3.connect(sqlite_log) as con:
        sqlite_hashes = con.execute("SELECT seq, prev_hash, hash FROM audit_log").fetchall()
    with psycopg.connect(log.app_url) as con:
        pg_hashes = con.execute(
            "SELECT seq, prev_hash, hash FROM audit.log ORDER BY seq"
        ).fetchall()
    assert pg_hashes == sqlite_hashes
    on_pg, on_sqlite = audit.verify(log.app_url), audit.verify(sqlite_log)
    assert on_pg.intact and on_sqlite.intact and on_pg.head == on_sqlite.head
    assert on_pg.message.endswith(f"is intact: 5 entries, head {on_sqlite.head}")


# --- append-only, enforced by the database -----------------------------------------------------


@pytest.mark.parametrize("who", ["app", "owner"])
@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit.log SET rows = 99 WHERE seq = 1", "DELETE FROM audit.log", "TRUNCATE audit.log"],
)
def test_the_database_refuses_changing_an_entry(
    log: local.Database, who: str, statement: str
) -> None:
    written(log.app_url, 2)
    with (
        psycopg.connect(getattr(log, f"{who}_url"), autocommit=True) as con,
        pytest.raises(errors.InsufficientPrivilege) as refused,
    ):
        con.execute(statement)  # type: ignore[arg-type]
    # The owner is refused by the triggers; the app's role has not even the right.
    assert ("append-only" if who == "owner" else "permission denied") in str(refused.value)
    check = audit.verify(log.app_url)
    assert check.intact and check.entries == 2


def test_the_head_only_moves_forward_and_entries_only_go_at_the_end(log: local.Database) -> None:
    written(log.app_url, 3)
    refused_by_trigger = [
        "UPDATE audit.head SET seq = 2, hash = (SELECT hash FROM audit.log WHERE seq = 2)",
        f"UPDATE audit.head SET seq = 4, hash = '{'f' * 64}'",  # no entry 4
        "INSERT INTO audit.log (seq, at, user_email, event, page, filters, prev_hash, hash)"
        f" VALUES (9, 'now', 'x', 'view', 'p', '{{}}', '{'0' * 64}', '{'e' * 64}')",
        "INSERT INTO audit.log (seq, at, user_email, event, page, filters, prev_hash, hash)"
        f" VALUES (4, 'now', 'x', 'view', 'p', '{{}}', '{'0' * 64}', '{'e' * 64}')",  # wrong prev
    ]
    with psycopg.connect(log.app_url, autocommit=True) as con:
        for statement in refused_by_trigger:
            with pytest.raises(errors.IntegrityConstraintViolation):
                con.execute(statement)  # type: ignore[arg-type]
        for statement in ("DELETE FROM audit.head", "TRUNCATE audit.head"):
            with pytest.raises(errors.InsufficientPrivilege):
                con.execute(statement)  # type: ignore[arg-type]
    check = audit.verify(log.app_url)
    assert check.intact and check.entries == 3


def test_the_app_role_cannot_alter_drop_or_create(log: local.Database) -> None:
    statements = [
        "ALTER TABLE audit.log DISABLE TRIGGER log_no_update",
        "ALTER TABLE audit.head DISABLE TRIGGER ALL",
        "ALTER TABLE audit.log ADD COLUMN note text",
        "DROP TRIGGER log_no_delete ON audit.log",
        "DROP TABLE audit.log",
        "DROP SCHEMA audit CASCADE",
        "CREATE TABLE audit.mine (x int)",
        "CREATE TABLE public.mine (x int)",
        "CREATE SCHEMA mine",
        "CREATE OR REPLACE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql"
        " AS $$ BEGIN RETURN NEW; END $$",
    ]
    with psycopg.connect(log.app_url, autocommit=True) as con:
        for statement in statements:
            with pytest.raises(errors.InsufficientPrivilege):
                con.execute(statement)  # type: ignore[arg-type]
    assert audit.verify(log.app_url).alarm == "empty"  # started, untouched


# --- servers appending at once ----------------------------------------------------------------


def _appender(url: str, who: str, count: int, ready: object) -> None:
    ready.wait()  # type: ignore[attr-defined]
    for n in range(count):
        audit.append(url, entry(n, who), key=KEY)


def test_two_processes_appending_at_once_keep_one_whole_chain(log: local.Database) -> None:
    audit.append(log.app_url, entry(0))  # this process holds a connection when it forks
    fork = multiprocessing.get_context("fork")
    ready = fork.Barrier(2)
    workers = [fork.Process(target=_appender, args=(log.app_url, w, 200, ready)) for w in "ab"]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [w.exitcode for w in workers] == [0, 0]

    check = audit.verify(log.app_url)
    assert check.intact and check.entries == 401 and check.head and check.head.seq == 401
    frame = audit.read(log.app_url, limit=1000)
    assert sorted(frame["seq"].to_list()) == list(range(1, 402))
    for who in "ab":
        mine = frame.filter(frame["user_email"].str.starts_with(who))
        assert sorted(json.loads(f)["n"] for f in mine["filters"]) == list(range(200))
    assert audit.append(log.app_url, entry(1)) == 402  # the parent's connection still works


# --- tampering ---------------------------------------------------------------------------------


def test_an_edited_entry_is_reported(log: local.Database) -> None:
    written(log.app_url, 5)
    owner_sql(log, "UPDATE audit.log SET rows = 99 WHERE seq = 3")
    check = audit.verify(log.app_url)
    assert check.alarm == "tampered" and check.broken_at == 3
    assert "entry 3 does not match its keyed hash" in check.message


def test_a_deleted_tail_is_reported_and_not_appended_to(log: local.Database) -> None:
    written(log.app_url, 5)
    owner_sql(log, "DELETE FROM audit.log WHERE seq > 3")
    check = audit.verify(log.app_url)
    assert check.alarm == "tampered" and check.broken_at == 4
    assert "ends at entry 3 but its head records 5" in check.message
    with pytest.raises(audit.AuditError, match="ends at entry 3 but its head records 5") as no:
        audit.append(log.app_url, entry(6))
    assert one_line_without_password(str(no.value), log.app_url)


def test_a_forged_head_and_a_rollback_are_caught(log: local.Database) -> None:
    written(log.app_url, 3)
    with psycopg.connect(log.app_url) as con:
        seq, digest, mac = con.execute("SELECT seq, hash, mac FROM audit.head").fetchone()
    written(log.app_url, 2)
    recorded = audit.verify(log.app_url).head
    assert recorded is not None and recorded.seq == 5

    owner_sql(log, "DELETE FROM audit.log WHERE seq > 3", "UPDATE audit.head SET mac = 'forged'")
    check = audit.verify(log.app_url)
    assert check.alarm == "tampered" and "head was not sealed with this key" in check.message

    # The tail cut and the head put back as it was at entry 3: only a recorded head tells.
    owner_sql(log, f"UPDATE audit.head SET seq = {seq}, hash = '{digest}', mac = '{mac}'")
    assert audit.verify(log.app_url).intact
    check = audit.verify(log.app_url, expect_head=recorded)
    assert check.alarm == "tampered" and f"the recorded head {recorded}" in check.message


# --- PostgreSQL down ---------------------------------------------------------------------------


def test_postgres_down_is_refused_in_one_line_and_recovered_from(
    postgres_server: local.Server, log: local.Database
) -> None:
    written(log.app_url, 1)  # a connection is kept: the server goes away under it
    postgres_server.stop()
    try:
        with pytest.raises(audit.AuditError) as down:
            audit.append(log.app_url, entry(2))
        message = str(down.value)
        assert one_line_without_password(message, log.app_url)
        assert "cannot be reached" in message and "workforce_app:***@127.0.0.1" in message
        check = audit.verify(log.app_url)
        assert check.alarm == "unreadable"
        assert one_line_without_password(check.message, log.app_url)
        with pytest.raises(audit.AuditError, match="cannot be read"):
            audit.read(log.app_url)
    finally:
        postgres_server.start()
    assert audit.append(log.app_url, entry(2)) == 2  # back: the next append connects again
    postgres_server.restart()  # and while idle: the kept connection is dead, a new one is made
    assert audit.append(log.app_url, entry(3)) == 3
    check = audit.verify(log.app_url)
    assert check.intact and check.entries == 3


def test_no_file_leaves_while_postgres_is_down(
    postgres_server: local.Server,
    log: local.Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pages.sign_in(tmp_path, monkeypatch, email="a@x.gov.uk", role="analyst", clusters=("UNITY",))
    monkeypatch.setenv("WORKFORCE_AUDIT", log.app_url)
    get_settings.cache_clear()
    make = trail.audited_file(
        lambda: b"rows", ANALYST, "extracts", "w.csv", {}, 1, 0, clusters=("UNITY",)
    )
    assert make() == b"rows"
    postgres_server.stop()
    try:
        with pytest.raises(trail.WRITE_ERRORS) as refused:
            make()
        shown = trail.reason(refused.value)
        assert one_line_without_password(shown, log.app_url) and "cannot be reached" in shown
    finally:
        postgres_server.start()
    assert make() == b"rows"
    assert audit.read(log.app_url, event="download").height == 2


# --- the key, starting, settings, the CLI and the page -------------------------------------------


def test_without_its_key_a_postgres_log_is_refused_in_one_line(
    log: local.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WORKFORCE_AUDIT_KEY")
    get_settings.cache_clear()
    with pytest.raises(audit.AuditError, match="WORKFORCE_AUDIT_KEY is not set") as refused:
        audit.append(log.app_url, entry(1))
    assert one_line_without_password(str(refused.value), log.app_url)
    check = audit.verify(log.app_url)
    assert check.alarm == "unreadable" and "WORKFORCE_AUDIT_KEY" in check.message
    with pytest.raises(audit.AuditError, match="too short"):
        audit.append(log.app_url, entry(1), key="short")


def test_a_log_is_started_by_init_and_its_tables_made_only_by_the_owner(
    postgres_server: local.Server,
) -> None:
    empty = fresh_log(postgres_server, empty=True)
    check = audit.verify(empty.app_url)
    assert check.alarm == "missing" and "tables are missing" in check.message
    with pytest.raises(audit.AuditError, match="the role workforce_app may not make them") as no:
        audit.start(empty.app_url)
    assert one_line_without_password(str(no.value), empty.app_url)

    audit.start(empty.owner_url)  # the owner makes the tables and seals the head
    with psycopg.connect(empty.owner_url, autocommit=True) as con:
        con.execute((REPO / "deploy" / "postgres" / "grants.sql").read_text().encode())
    with pytest.raises(FileExistsError, match="already exists"):
        audit.start(empty.app_url)
    assert audit.append(empty.app_url, entry(1)) == 1
    assert audit.verify(empty.app_url).intact

    not_started = fresh_log(postgres_server)
    with pytest.raises(audit.AuditError, match="workforce audit init"):
        audit.append(not_started.app_url, entry(1))
    assert audit.verify(not_started.app_url).alarm == "missing"


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_settings_keep_the_url_and_never_print_its_password(
    scheme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"{scheme}://workforce_app:s3cr3t-pw@db.internal:5432/workforce?sslmode=require"
    monkeypatch.setenv("WORKFORCE_AUDIT", url)
    get_settings.cache_clear()
    settings = get_settings()
    assert isinstance(settings.audit, DatabaseURL) and settings.audit.unmasked() == url
    percent = "%s" % settings.audit  # noqa: UP031 (the old formatting must mask it too)
    for shown in (str(settings.audit), repr(settings), f"{settings.audit}", percent):
        assert "s3cr3t-pw" not in shown and "workforce_app:***@db.internal:5432" in shown
    monkeypatch.setenv("WORKFORCE_AUDIT", "data/audit/audit.sqlite")
    get_settings.cache_clear()
    assert get_settings().audit == Path("data/audit/audit.sqlite")


def test_workforce_audit_init_and_verify_on_postgres(
    postgres_server: local.Server,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database = fresh_log(postgres_server)
    monkeypatch.setenv("WORKFORCE_AUDIT", database.app_url)
    get_settings.cache_clear()
    masked = str(DatabaseURL(database.app_url))
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert one_line_without_password(err, database.app_url) and "workforce audit init" in err
    assert main(["audit", "init"]) == 0
    assert capsys.readouterr().out.strip() == f"started a new audit log at {masked}"
    assert main(["audit", "init"]) == 1
    assert "already exists" in capsys.readouterr().err
    written(database.app_url, 2)
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert one_line_without_password(out, database.app_url) and "2 entries, head 2:" in out
    monkeypatch.delenv("WORKFORCE_AUDIT")
    get_settings.cache_clear()
    assert main(["audit", "verify", "--log", database.app_url]) == 0  # a URL given, not a path
    out = capsys.readouterr().out
    assert one_line_without_password(out, database.app_url) and masked in out


def test_the_audit_log_page_reads_and_verifies_a_postgres_log(
    log: local.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKFORCE_AUDIT", log.app_url)
    get_settings.cache_clear()
    written(log.app_url, 2)
    at = AppTest.from_file(str(REPO / "dashboard" / "pages" / "audit_log.py"), default_timeout=60)
    at.run()
    assert not at.exception and not at.error
    assert "The log is intact: 3 entries" in at.success[0].value  # 2, and this page's view
    assert "sealed head row" in at.success[0].value
    said = " ".join(c.value for c in at.caption)
    assert "is on PostgreSQL at `postgresql://" in said and ":***@" in said
    assert log.app_url.split("//", 1)[1].split("@")[0] not in said  # no password shown


def test_the_local_server_is_ready_for_the_app_and_copies_a_log_while_in_use(
    postgres_server: local.Server,
) -> None:
    assert postgres_server.running and local.HOST in postgres_server.app_url
    with psycopg.connect(postgres_server.app_url) as con:  # the app's database, in use
        assert con.execute("SELECT seq, mac FROM audit.head").fetchone() == (0, None)
        copy = fresh_log(postgres_server)  # copied from the template nobody connects to
    assert audit.verify(copy.app_url).alarm == "missing"  # not started: init first


def test_a_page_opened_while_postgres_is_down_says_so_in_one_line_and_shows_nothing(
    postgres_server: local.Server, log: local.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKFORCE_AUDIT", log.app_url)
    get_settings.cache_clear()
    page = AppTest.from_file(str(REPO / "dashboard" / "pages" / "audit_log.py"), default_timeout=60)
    postgres_server.stop()
    try:
        page.run()
    finally:
        postgres_server.start()
    assert not page.exception and not page.success and not page.dataframe
    (shown,) = [e.value for e in page.error]
    assert shown.startswith(trail.UNWRITABLE) and "cannot be reached" in shown
    assert one_line_without_password(shown, log.app_url)
    assert audit.read(log.app_url).is_empty()  # nothing was recorded, nothing was shown
