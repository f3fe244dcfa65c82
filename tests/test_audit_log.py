"""The audit log (core/audit/) on real SQLite files: appends and reads, the keyed chain,
the numbering, the anchor, what it stores, and ``workforce audit verify``.

The tampering tests do what an attacker with write access to the file would: drop the
triggers from another connection, then edit, delete, renumber or rebuild the table."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import audit
from core.audit import entries, seal
from core.audit import log as audit_log
from core.settings import get_settings
from pipeline.cli import main

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "dashboard" / "pages" / "audit_log.py"


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


def written(log: Path, count: int) -> Path:
    for n in range(1, count + 1):
        audit.append(log, entry(n))
    return log


def tamper(log: Path, *statements: str) -> None:
    """Run ``statements`` from another connection, the triggers dropped first."""
    with sqlite3.connect(log) as con:
        con.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        con.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        for statement in statements:
            con.execute(statement)


def one_line(text: str) -> bool:
    return bool(text.strip()) and "\n" not in text.strip()


# --- appending and reading ---------------------------------------------------------------------


def test_entries_are_appended_and_read_newest_first(tmp_path: Path) -> None:
    log = tmp_path / "audit" / "audit.sqlite"
    when = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    for n in range(5):
        assert audit.append(log, entry(n, "download" if n == 3 else "view"), at=when) == n + 1
    rows = audit.read(log)
    assert rows["seq"].to_list() == [5, 4, 3, 2, 1]
    assert rows["rows"].to_list() == [4, 3, 2, 1, 0]
    assert rows["at"][0] == "2026-11-26T09:30:00.000+00:00"
    assert rows["filters"][0] == '{"as_at":"2026-02-28","clusters":["UNITY"]}'
    assert audit.read(log, event="download")["what"].to_list() == ["file3.csv"]
    assert audit.read(log, user="user1@x.gov.uk")["seq"].to_list() == [5, 2]
    assert audit.read(log, limit=2).height == 2
    check = audit.verify(log)
    assert check.intact and check.entries == 5 and check.head is not None
    assert check.head == audit.Head(5, _hash(log, 5))


def _hash(log: Path, seq: int) -> str:
    with sqlite3.connect(log) as con:
        return con.execute("SELECT hash FROM audit_log WHERE seq = ?", (seq,)).fetchone()[0]


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


def test_an_unknown_event_is_refused_and_shown_is_known(tmp_path: Path) -> None:
    log = tmp_path / "audit.sqlite"
    with pytest.raises(ValueError, match="not one of view, shown, download, denied"):
        audit.append(log, entry(1, event="edit"))
    audit.append(log, entry(1, event="view"))
    audit.append(log, entry(1, event="shown"))
    assert audit.read(log)["event"].to_list() == ["shown", "view"]


def test_the_key_is_kept_out_of_the_database(tmp_path: Path) -> None:
    written(tmp_path / "audit.sqlite", 3)
    key_file = tmp_path / "audit.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    key = key_file.read_text().strip()
    assert len(key) >= 32
    for path in tmp_path.iterdir():
        if path.name != "audit.key":
            assert key.encode() not in path.read_bytes(), path


def test_a_configured_key_makes_no_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKFORCE_AUDIT_KEY", "k" * 40)
    get_settings.cache_clear()
    with pytest.raises(audit.AuditError, match="workforce audit init"):  # not by itself
        audit.append(tmp_path / "audit.sqlite", audit.Entry("a@x.gov.uk", "admin", "view", "p"))
    assert not (tmp_path / "audit.sqlite").exists()
    audit.start(tmp_path / "audit.sqlite")
    log = written(tmp_path / "audit.sqlite", 2)
    assert not (tmp_path / "audit.key").exists()
    assert audit.verify(log).intact
    monkeypatch.setenv("WORKFORCE_AUDIT_KEY", "z" * 40)  # another key: nothing matches
    get_settings.cache_clear()
    check = audit.verify(log)
    assert not check.intact and "not sealed with this key" in check.reason


# --- tampering ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "broken_at", "reason"),
    [
        ("UPDATE audit_log SET rows = 0 WHERE seq = 2", 2, "does not match its keyed hash"),
        ("UPDATE audit_log SET user_email = 'x@y.z' WHERE seq = 3", 3, "keyed hash"),
        ("DELETE FROM audit_log WHERE seq = 2", 2, "entry 2 is missing"),
        ("DELETE FROM audit_log WHERE seq = 4", 4, "entries after 3 were removed"),
        ("UPDATE audit_log SET seq = seq + 10 WHERE seq = 4", 4, "entries 4-13 are missing"),
        ("UPDATE audit_log SET hash = X'00ff' WHERE seq = 2", 2, "keyed hash"),  # not text
    ],
)
def test_tampering_by_other_means_is_reported(
    tmp_path: Path, statement: str, broken_at: int, reason: str
) -> None:
    log = written(tmp_path / "audit.sqlite", 4)
    tamper(log, statement)
    check = audit.verify(log)
    assert not check.intact and check.alarm == "tampered"
    assert check.broken_at == broken_at and reason in check.reason
    assert one_line(check.message) and "has been tampered with" in check.message


def test_a_deleted_tail_is_not_covered_by_the_next_append(tmp_path: Path) -> None:
    """The hole of issue 11: the next view used to chain onto the shortened log and the page
    then said "intact"; the sequence number reset too, so nothing in the file showed."""
    log = written(tmp_path / "audit.sqlite", 5)
    tamper(
        log,
        "DELETE FROM audit_log WHERE seq = 5",
        "UPDATE sqlite_sequence SET seq = 4 WHERE name = 'audit_log'",
    )
    with pytest.raises(audit.AuditError, match="anchor records 5") as refused:
        audit.append(log, entry(6))
    assert one_line(str(refused.value))
    check = audit.verify(log)
    assert not check.intact and check.broken_at == 5 and "anchor" in check.reason
    assert audit.read(log).height == 4  # nothing was added over the gap


def test_a_plain_sha256_chain_recomputed_over_the_rest_is_tampered(tmp_path: Path) -> None:
    """An entry deleted, the rest renumbered and their (unkeyed) hashes recomputed, the
    sequence reset: everything an attacker without the key can do to the file."""
    log = written(tmp_path / "audit.sqlite", 5)
    with sqlite3.connect(log) as con:
        rows = con.execute(f"{audit_log.SELECT} WHERE seq != 3 ORDER BY seq").fetchall()
    tamper(log, "DELETE FROM audit_log", "DELETE FROM sqlite_sequence")
    prev = audit.GENESIS
    with sqlite3.connect(log) as con:
        for seq, (_, *values, _old_prev, _old_hash) in enumerate(rows, start=1):
            payload = json.dumps([prev, *values], default=str, separators=(",", ":"))
            digest = hashlib.sha256(payload.encode()).hexdigest()
            con.execute(
                f"INSERT INTO audit_log VALUES ({', '.join('?' * 12)})",
                (seq, *values, prev, digest),
            )
            prev = digest
    check = audit.verify(log)
    assert not check.intact and check.broken_at == 1 and "keyed hash" in check.reason


def test_a_deleted_log_is_an_alarm_and_is_not_started_over(tmp_path: Path) -> None:
    log = written(tmp_path / "audit.sqlite", 3)
    for path in tmp_path.glob("audit.sqlite*"):
        path.unlink()
    check = audit.verify(log)
    assert not check.intact and check.alarm == "missing"
    assert check.message.startswith(f"no audit log at {log}") and "anchor" in check.message
    with pytest.raises(audit.AuditError, match=r"anchor .* records 3 entries"):
        audit.append(log, entry(4))
    assert not log.exists()


def test_no_log_at_all_is_an_alarm(tmp_path: Path) -> None:
    log = tmp_path / "none.sqlite"
    assert audit.read(log).is_empty()
    check = audit.verify(log)
    assert not check.intact and check.entries == 0 and check.message == f"no audit log at {log}"


@pytest.mark.parametrize(
    "how", ["rows deleted", "rows and sequence deleted", "file truncated", "file replaced"]
)
def test_an_emptied_log_is_an_alarm(tmp_path: Path, how: str) -> None:
    log = written(tmp_path / "audit.sqlite", 3)
    if how == "rows deleted":
        tamper(log, "DELETE FROM audit_log")
    elif how == "rows and sequence deleted":
        tamper(log, "DELETE FROM audit_log", "DELETE FROM sqlite_sequence")
    elif how == "file truncated":
        log.write_bytes(b"")
    else:  # a fresh, empty log of the same schema put in its place
        for path in tmp_path.glob("audit.sqlite*"):
            path.unlink()
        with sqlite3.connect(log) as con:
            con.executescript(audit_log.SCHEMA)
    check = audit.verify(log)
    assert not check.intact and one_line(check.message)


def test_an_empty_log_with_an_empty_anchor_is_still_an_alarm(tmp_path: Path) -> None:
    """Even someone holding the key, who resets the anchor too, leaves a log that says empty."""
    log = written(tmp_path / "audit.sqlite", 2)
    tamper(log, "DELETE FROM audit_log", "DELETE FROM sqlite_sequence")
    files = seal.files_for(log, None)
    key = seal.secret(files, None)
    seal.write_anchor(files, key, audit.Head(0, audit.GENESIS))
    check = audit.verify(log)
    assert check.alarm == "empty" and "has no entries" in check.message


def test_a_wrong_or_missing_key_is_an_alarm(tmp_path: Path) -> None:
    log = tmp_path / "audit.sqlite"
    audit.append(log, entry(1), key="a" * 64)
    audit.append(log, entry(2), key="a" * 64)
    assert audit.verify(log, key="a" * 64).intact
    wrong = audit.verify(log, key="b" * 64)
    assert not wrong.intact and "not sealed with this key" in wrong.reason
    with pytest.raises(audit.AuditError, match="not sealed with this key"):
        audit.append(log, entry(3), key="b" * 64)
    missing = audit.verify(log)  # no key given, none set, no key file
    assert missing.alarm == "unreadable" and "no audit key" in missing.reason


def test_a_forged_anchor_is_an_alarm(tmp_path: Path) -> None:
    log = written(tmp_path / "audit.sqlite", 3)
    anchor = tmp_path / "audit.anchor"
    saved = json.loads(anchor.read_text())
    anchor.write_text(json.dumps({**saved, "seq": 2, "hash": _hash(log, 2)}))
    check = audit.verify(log)
    assert not check.intact and "not sealed with this key" in check.reason


def test_a_rollback_of_log_and_anchor_is_caught_by_a_recorded_head(tmp_path: Path) -> None:
    log = written(tmp_path / "audit.sqlite", 3)
    backup = tmp_path / "backup"
    backup.mkdir()
    for name in ("audit.sqlite", "audit.anchor"):
        shutil.copy(tmp_path / name, backup / name)
    audit.append(log, entry(4))
    recorded = audit.verify(log).head
    assert recorded is not None and recorded.seq == 4
    for name in ("audit.sqlite", "audit.anchor"):
        shutil.copy(backup / name, tmp_path / name)
    assert audit.verify(log).intact  # consistent, so only the recorded head can tell
    check = audit.verify(log, expect_head=recorded)
    assert not check.intact and f"recorded head {recorded}" in check.reason


def test_appends_from_processes_and_threads_keep_one_chain_and_anchor(tmp_path: Path) -> None:
    log = tmp_path / "audit.sqlite"
    audit.append(log, entry(0))  # the log and its key exist before the race
    child = (
        "import sys; from pathlib import Path; from core import audit\n"
        "for n in range(15):\n"
        "    audit.append(Path(sys.argv[1]), audit.Entry('p@x.gov.uk', 'admin', 'view', 'p'))\n"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", child, str(log)], cwd=REPO) for _ in range(3)
    ]

    def write() -> None:
        for n in range(15):
            audit.append(log, entry(n))

    threads = [threading.Thread(target=write) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(process.wait(timeout=120) == 0 for process in processes)
    check = audit.verify(log)
    assert check.intact and check.entries == 1 + 5 * 15
    anchor = json.loads((tmp_path / "audit.anchor").read_text())
    assert check.head == audit.Head(anchor["seq"], anchor["hash"])


# --- what is stored ----------------------------------------------------------------------------


def _size(log: Path) -> int:
    with sqlite3.connect(log) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return log.stat().st_size


def test_a_junk_parameter_does_not_grow_the_log(tmp_path: Path) -> None:
    log = written(tmp_path / "audit.sqlite", 20)
    before = _size(log)
    junk = {"as_at": "2026-02-28", "junk": "x" * 30_000, **{f"k{n}": "y" * 300 for n in range(200)}}
    for _ in range(3):
        audit.append(
            log,
            audit.Entry("a" * 5000 + "@x.gov.uk", "admin", "view", "p" * 5000, "w" * 30_000, junk),
        )
    assert _size(log) - before < 3 * 12_000  # not 3 × 30 KB, nor 3 × 100 KB
    stored = audit.read(log).row(0, named=True)
    filters = json.loads(stored["filters"])
    assert filters["as_at"] == "2026-02-28" and filters["junk"] == "x" * entries.MAX_VALUE
    assert filters["_audit_cut"]["values_cut"]["junk"] == 30_002
    assert filters["_audit_cut"]["keys_dropped"] > 0
    assert len(stored["filters"]) < 6000 and len(stored["what"]) < 300
    assert len(stored["page"]) < 100 and len(stored["user_email"]) < 300
    assert audit.verify(log).intact


def test_emails_are_stored_and_searched_normalised(tmp_path: Path) -> None:
    log = tmp_path / "audit.sqlite"
    audit.append(log, audit.Entry("  Kate@X.gov.uk ", "admin", "view", "overview"))
    audit.append(log, audit.Entry("\u212aate@x.gov.uk", None, "denied", "app"))  # KELVIN SIGN
    assert audit.read(log)["user_email"].to_list()[1] == "kate@x.gov.uk"
    assert audit.read(log, user="KATE@x.GOV.uk")["seq"].to_list() == [1]
    lookalike = audit.read(log, user="\u212aate@x.gov.uk")
    assert lookalike["user_email"].to_list() == ["invalid email '\\u212aate@x.gov.uk'"]


def _old_version_log(log: Path) -> None:
    """A log as the previous version wrote it: no user_version, an unkeyed SHA-256 chain."""
    schema = audit_log.SCHEMA.replace(", 'shown'", "").split("PRAGMA")[0]
    with sqlite3.connect(log) as con:
        con.executescript(schema)
        values = ("2026-11-01T00:00:00.000+00:00", "a@x.gov.uk", "admin", "view", "overview")
        values += (None, "{}", 1, 0)
        payload = json.dumps([audit.GENESIS, *values], separators=(",", ":"))
        digest = hashlib.sha256(payload.encode()).hexdigest()
        con.execute(
            "INSERT INTO audit_log VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*values, audit.GENESIS, digest),
        )


def test_an_earlier_version_log_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "audit.sqlite"
    _old_version_log(log)
    check = audit.verify(log)
    assert check.alarm == "legacy" and one_line(check.message)
    assert "earlier version" in check.message
    with pytest.raises(audit.AuditError, match="earlier version") as refused:
        audit.append(log, entry(2))
    assert one_line(str(refused.value))
    assert audit.read(log)["seq"].to_list() == [1]  # kept as it was
    assert main(["audit", "verify", "--log", str(log)]) == 1
    assert one_line(capsys.readouterr().err)


# --- workforce audit verify --------------------------------------------------------------------


def test_workforce_audit_verify_exit_codes(
    signed_in_admin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = signed_in_admin  # WORKFORCE_AUDIT
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr()
    assert out.err.strip() == f"workforce audit verify: no audit log at {log}"

    written(log, 3)
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    head = audit.verify(log).head
    assert one_line(out) and out.strip().endswith(f"3 entries, head {head}")

    assert main(["audit", "verify", "--expect-head", str(head)]) == 0
    capsys.readouterr()
    assert main(["audit", "verify", "--expect-head", f"9:{'0' * 64}"]) == 1
    assert "recorded head 9:" in capsys.readouterr().err

    assert main(["audit", "verify", "--expect-head", "nonsense"]) == 2
    err = capsys.readouterr().err
    assert one_line(err) and "--expect-head" in err and "SEQ:HASH" in err

    tamper(log, "UPDATE audit_log SET rows = 99 WHERE seq = 2")
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert one_line(err) and "tampered" in err and "entry 2" in err

    with pytest.raises(SystemExit) as usage:  # no action: argparse's usage error
        main(["audit"])
    assert usage.value.code == 2


def test_workforce_audit_init_starts_a_log_on_purpose_only(
    signed_in_admin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = signed_in_admin
    written(log, 2)
    assert main(["audit", "init"]) == 1  # a log is there: never over it
    assert capsys.readouterr().err.strip() == (
        f"workforce audit init: an audit log already exists at {log}"
    )
    log.unlink()
    log.with_suffix(".anchor").unlink()  # deleted with its anchor; the key file stays
    with pytest.raises(audit.AuditError, match=r"key file .* of an earlier log is there"):
        audit.append(log, audit.Entry("a@x.gov.uk", "admin", "view", "p"))
    assert not log.exists()
    assert main(["audit", "init"]) == 0  # an operator starts again, on purpose
    assert capsys.readouterr().out.strip() == f"started a new audit log at {log}"
    assert audit.verify(log).alarm == "empty"
    written(log, 1)
    assert audit.verify(log).intact


# --- the Audit log page ------------------------------------------------------------------------


def _page() -> AppTest:
    return AppTest.from_file(str(PAGE), default_timeout=60)


def test_the_page_shows_the_head_and_finds_a_user_in_any_case(signed_in_admin: Path) -> None:
    log = signed_in_admin
    audit.append(log, audit.Entry("Kate@X.gov.uk", "leader", "view", "overview", rows=3))
    audit.append(log, audit.Entry("other@x.gov.uk", "analyst", "download", "extracts", "a.csv"))
    at = _page().run()
    assert not at.exception
    assert "The log is intact" in at.success[0].value
    assert str(audit.verify(log).head) in at.success[0].value
    at.text_input(key="audit_log.user").set_value("KATE@x.gov.uk").run()
    assert at.dataframe[0].value["user_email"].tolist() == ["kate@x.gov.uk"]


def test_the_page_raises_the_alarm_for_a_cut_tail(signed_in_admin: Path) -> None:
    log = written(signed_in_admin, 3)
    tamper(
        log,
        "DELETE FROM audit_log WHERE seq = 3",
        "UPDATE sqlite_sequence SET seq = 2 WHERE name = 'audit_log'",
    )
    at = _page().run()
    assert not at.exception
    assert any("ends at entry 2" in error.value for error in at.error)
    assert not at.success


def test_the_page_says_an_earlier_version_log_cannot_be_verified(signed_in_admin: Path) -> None:
    signed_in_admin.parent.mkdir(parents=True, exist_ok=True)
    _old_version_log(signed_in_admin)
    at = _page().run()
    assert not at.exception and not at.success
    assert any("earlier version" in error.value for error in at.error)


def test_the_page_says_so_in_one_line_when_the_log_cannot_be_read(signed_in_admin: Path) -> None:
    signed_in_admin.parent.mkdir(parents=True, exist_ok=True)
    signed_in_admin.write_bytes(b"this is not a database, whatever its name says" * 100)
    at = _page().run()
    assert not at.exception
    errors = [error.value for error in at.error]
    assert errors and all(one_line(e) for e in errors)
    assert any("file is not a database" in e for e in errors)


def test_the_page_walks_the_whole_log_once_a_run(
    signed_in_admin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every statement the page runs on the log is traced: one reads every entry (the check);
    the rest are bounded (the appends' head, the page's latest entries)."""
    log = written(signed_in_admin, 5)
    statements: list[str] = []

    def traced(path: Path) -> sqlite3.Connection:
        con = audit_log.sqlite3.connect(path, timeout=30, isolation_level=None)
        con.set_trace_callback(statements.append)
        return con

    monkeypatch.setattr(audit_log, "connect", traced)
    monkeypatch.setattr(sys.modules["core.audit.verify"], "connect", traced)

    def walks() -> int:  # statements that read entries without a bound on how many
        reads = [s for s in statements if "FROM audit_log" in s]
        return sum("LIMIT" not in s and "WHERE seq = " not in s for s in reads)

    at = _page().run()
    assert not at.exception and "The log is intact" in at.success[0].value
    assert walks() == 1, statements
    at.text_input(key="audit_log.user").set_value("user1@x.gov.uk").run()
    assert not at.exception and walks() == 2, statements  # a rerun checks again, once
    assert audit.verify(log).intact


# --- the "change" event and the log of version 2 (issue 15) ------------------------------------

V2_TABLE = """CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, user_email TEXT NOT NULL,
    role TEXT,
    event TEXT NOT NULL CHECK (event IN ('view', 'shown', 'download', 'denied')),
    page TEXT NOT NULL, what TEXT, filters TEXT NOT NULL, rows INTEGER,
    cells_suppressed INTEGER, prev_hash TEXT NOT NULL, hash TEXT NOT NULL UNIQUE)"""


def as_version_2(log: Path) -> None:
    """The log as version 2 wrote it: the same rows and hashes, a table without "change"."""
    with sqlite3.connect(log, isolation_level=None) as con:
        rows = con.execute("SELECT * FROM audit_log ORDER BY seq").fetchall()
        con.execute("DROP TABLE audit_log")
        con.execute(V2_TABLE)
        con.executemany(f"INSERT INTO audit_log VALUES ({', '.join('?' * 12)})", rows)
        for trigger in audit_log.TRIGGERS:
            con.execute(trigger)
        con.execute("PRAGMA user_version = 2")


def test_a_register_change_is_an_entry_of_its_own(tmp_path: Path) -> None:
    log = written(tmp_path / "audit.sqlite", 2)
    change = audit.Entry(
        "alice@strategy.gov.uk", "strategy_office", "change", "programme",
        what="milestone M002: forecast_date",
        filters={"old": "2026-04-02", "new": "2026-06-01", "reason": "supplier late"},
    )  # fmt: skip
    assert audit.append(log, change) == 3
    newest = audit.read(log, event="change").row(0, named=True)
    assert (newest["what"], json.loads(newest["filters"])["reason"]) == (
        "milestone M002: forecast_date",
        "supplier late",
    )
    assert audit.verify(log).intact


def test_a_version_2_log_is_read_as_it_is_and_upgraded_by_the_next_append(tmp_path: Path) -> None:
    log = written(tmp_path / "audit.sqlite", 4)
    before = audit.verify(log)
    as_version_2(log)
    with sqlite3.connect(log) as con:
        kept = con.execute("SELECT seq, hash FROM audit_log ORDER BY seq").fetchall()
        with pytest.raises(sqlite3.IntegrityError):  # version 2 cannot hold a change
            con.execute("INSERT INTO audit_log (at, user_email, event, page, filters, prev_hash,"
                        " hash) VALUES ('t', 'u', 'change', 'p', '{}', 'x', 'y')")  # fmt: skip
    assert audit.verify(log).intact and audit.verify(log).head == before.head
    assert audit.read(log)["seq"].to_list() == [4, 3, 2, 1]
    assert audit.append(log, entry(5, "change")) == 5
    with sqlite3.connect(log) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == audit.VERSION == 3
        assert con.execute("SELECT seq, hash FROM audit_log WHERE seq <= 4").fetchall() == kept
        for statement in ("UPDATE audit_log SET rows = 0", "DELETE FROM audit_log"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute(statement)
    after = audit.verify(log)
    assert after.intact and after.head.seq == 5
