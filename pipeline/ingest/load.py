"""Loading one verified delivery into the open warehouse copy, in one transaction.

Stage every file, find faulty rows (row rules; ledger conflicts), refuse above the 0.5% limit,
quarantine the rest with their reasons, then store: employees and contingent labour as
versioned history (:mod:`pipeline.ingest.history`), ledger lines once per key, the programme
register whole.  Any :class:`DeliveryRefused` rolls the whole delivery back.
"""

from __future__ import annotations

import contextlib
from datetime import date

import duckdb

from core.contract import PROGRAMME, ContingentRow, EmployeeRow, column_specs
from pipeline.ingest import stage
from pipeline.ingest.checked import CheckedDelivery
from pipeline.ingest.history import HistoryTable, apply_snapshot
from pipeline.ingest.log import LOADED, LOADED_WITH_QUARANTINE, RESTATED, LogEntry, write_log
from pipeline.sql import ident, idents, transaction

# employees.parquet is kept as three version tables keyed by (cluster, person_id), split by
# how often the columns change, so a change to one column does not copy the others: the
# annual pay award changes every salary at once, and line managers change several times more
# often than anything else (schema.sql; measured in benchmarks/ingest_bench.py).
_EMPLOYEE_COLUMNS = tuple(s.name for s in column_specs(EmployeeRow))
_VOLATILE = ("person_key", "annual_salary_gbp", "manager_employee_id")
EMPLOYEES = HistoryTable(
    "employee_history", ("person_id",), tuple(c for c in _EMPLOYEE_COLUMNS if c not in _VOLATILE)
)
SALARIES = HistoryTable("salary_history", ("person_id",), ("annual_salary_gbp",))
MANAGERS = HistoryTable(
    "manager_history", ("person_id",), ("manager_person_id", "manager_employee_id")
)
_CONTINGENT_COLUMNS = tuple(s.name for s in column_specs(ContingentRow))
CONTINGENT = HistoryTable("contingent_history", ("worker_id",), _CONTINGENT_COLUMNS[1:])
# PROGRAMME file → (table keeping every delivery whole, its count in `snapshots`)
REGISTER_TABLES = {
    "milestones.parquet": ("milestone_snapshots", "milestones"),
    "benefits.parquet": ("benefit_snapshots", "benefits"),
}


def _next_date(con: duckdb.DuckDBPyConnection, feed: str, when: date) -> date | None:
    return con.execute(
        "SELECT min(extract_date) FROM snapshots WHERE feed = $feed AND extract_date > $d",
        {"feed": feed, "d": when},
    ).fetchone()[0]


def load_delivery(
    con: duckdb.DuckDBPyConnection,
    checked: CheckedDelivery,
    entry: LogEntry,
    organisations: list[str],
) -> LogEntry:
    """Load the delivery and log it, all in one transaction; fills in and returns ``entry``."""
    try:
        with transaction(con):
            _load(con, checked, entry, organisations)
            write_log(con, entry)
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # keep the error that stopped the load
            stage.drop_temp(con, list(checked.files))
        raise
    stage.drop_temp(con, list(checked.files))
    return entry


def _load(
    con: duckdb.DuckDBPyConnection,
    checked: CheckedDelivery,
    entry: LogEntry,
    organisations: list[str],
) -> None:
    d = checked.delivery
    key = {"feed": d.feed, "d": d.extract_date}
    entry.load_id = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM load_log").fetchone()[0]
    previous = con.execute(
        "SELECT load_id FROM snapshots WHERE feed = $feed AND extract_date = $d", key
    ).fetchone()
    entry.replaces_load_id = previous[0] if previous else None
    for f in checked.files.values():
        stage.stage_file(con, checked, f)
        stage.find_faults(con, checked, f, organisations)
    if "ledger.parquet" in checked.files:
        if previous:  # a restatement replaces the lines the earlier delivery of the date added
            con.execute("DELETE FROM ledger_lines WHERE cluster = $feed AND extract_date = $d", key)
        ledger = stage.check_ledger(con, checked.files["ledger.parquet"], d.feed)
        entry.resent_skipped, entry.conflicts = ledger.resent_skipped, ledger.conflicts
    bad = sum(stage.enforce_limit(con, checked, f) for f in checked.files.values())
    con.execute("DELETE FROM quarantine WHERE feed = $feed AND extract_date = $d", key)
    for f in checked.files.values():
        stage.quarantine(con, checked, f, entry.load_id)
    counts = _store(con, checked, restating=previous is not None)
    con.execute("DELETE FROM snapshots WHERE feed = $feed AND extract_date = $d", key)
    con.execute(
        """INSERT INTO snapshots VALUES ($feed, $d, $load_id, $fingerprint, $employees,
        $contingent_workers, $ledger_lines, $milestones, $benefits)""",
        {**key, "load_id": entry.load_id, "fingerprint": entry.fingerprint, **counts},
    )
    entry.rows_loaded = sum(n for n in counts.values() if n)
    entry.rows_quarantined = bad
    entry.outcome = RESTATED if previous else LOADED_WITH_QUARANTINE if bad else LOADED


def _store(
    con: duckdb.DuckDBPyConnection, checked: CheckedDelivery, restating: bool
) -> dict[str, int | None]:
    d = checked.delivery
    counts: dict[str, int | None] = dict.fromkeys(
        ("employees", "contingent_workers", "ledger_lines", "milestones", "benefits")
    )
    if d.feed == PROGRAMME:
        for name, (table, count) in REGISTER_TABLES.items():
            ok = stage.typed_ok_rows(con, checked.files[name])
            cols = idents([s.name for s in column_specs(checked.files[name].model)])
            con.execute(
                f"DELETE FROM {ident(table)} WHERE extract_date = $d", {"d": d.extract_date}
            )
            con.execute(
                f"INSERT INTO {ident(table)} (extract_date, {cols})"
                f" SELECT $d, {cols} FROM {ident(ok)} ORDER BY {stage.ROW}",
                {"d": d.extract_date},
            )
            counts[count] = _count(con, ok)
        return counts
    where = {
        "cluster": d.feed,
        "extract_date": d.extract_date,
        "next_date": _next_date(con, d.feed, d.extract_date),
        "restating": restating,
    }
    # employees: surrogate person ids first, then the three history tables
    employees = checked.files["employees.parquet"]
    good = stage.good_rows(employees)
    con.execute(
        f"""INSERT INTO persons
        SELECT (SELECT coalesce(max(person_id), 0) FROM persons)
            + row_number() OVER (ORDER BY s.{stage.ROW}), s.person_key
        FROM {good} ANTI JOIN persons USING (person_key)"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE new_employees AS
        SELECT p.person_id, {stage.typed(employees, "s", skip=("person_key",))}
        FROM {good} JOIN persons AS p USING (person_key)"""
    )
    # the line manager as the person_id of the manager's row; the employee_id string only when
    # that row was quarantined (then there is no person to point to in the history)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE new_managers AS
        SELECT e.person_id, boss.person_id AS manager_person_id,
            CASE WHEN boss.person_id IS NULL THEN e.manager_employee_id END AS manager_employee_id
        FROM new_employees AS e
        LEFT JOIN new_employees AS boss ON boss.employee_id = e.manager_employee_id"""
    )
    apply_snapshot(con, EMPLOYEES, "new_employees", **where)
    _refresh_movers(con)
    apply_snapshot(con, SALARIES, "new_employees", **where)
    apply_snapshot(con, MANAGERS, "new_managers", **where)
    counts["employees"] = _count(con, "new_employees")
    ok = stage.typed_ok_rows(con, checked.files["contingent_labour.parquet"])
    apply_snapshot(con, CONTINGENT, ok, **where)
    counts["contingent_workers"] = _count(con, ok)
    cols = idents([s.name for s in column_specs(checked.files["ledger.parquet"].model)])
    con.execute(
        f"""INSERT INTO ledger_lines (cluster, {cols}, extract_date)
        SELECT $feed, {cols}, $d FROM ok_ledger WHERE status = 'new'
        ORDER BY {idents(("journal_id", "line_number"))}""",
        {"feed": d.feed, "d": d.extract_date},
    )
    counts["ledger_lines"] = con.execute(
        "SELECT count(*) FROM ok_ledger WHERE status = 'new'"
    ).fetchone()[0]
    return counts


def _refresh_movers(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild ``mover_history`` for the persons whose employee record the delivery just
    changed (``hist_chg``, left by :func:`apply_snapshot`).  Every version the delivery wrote,
    cut, moved or deleted is one of theirs, and so is any change to whether a person has
    versions in more than one cluster."""
    con.execute(
        """CREATE OR REPLACE TEMP TABLE movers_chg AS
        SELECT DISTINCT person_id FROM hist_chg"""
    )
    con.execute("DELETE FROM mover_history WHERE person_id IN (SELECT person_id FROM movers_chg)")
    con.execute(
        """INSERT INTO mover_history
        SELECT cluster, person_id, organisation_start_date, valid_from, valid_to
        FROM employee_history
        WHERE person_id IN (
            SELECT person_id FROM employee_history SEMI JOIN movers_chg USING (person_id)
            GROUP BY person_id HAVING min(cluster) <> max(cluster)
        )
        ORDER BY person_id, cluster, valid_from"""
    )
    con.execute("DROP TABLE movers_chg")


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {ident(table)}").fetchone()[0]
