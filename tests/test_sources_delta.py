"""Conforming only the changed lines of a native file within a run (pipeline.sources.delta).

The promise: a run over several nights stores exactly what one run per night stores (where
nothing is reused), while the later nights conform only the lines that changed or whose age
band may have moved on; what the run keeps holds no NI number and no date of birth.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from native_factories import (
    KNOWN_DOB,
    KNOWN_NI,
    copy_mappings,
    manifest,
    native_settings,
    oracle_delivery,
    oracle_rows,
)
from test_sources_ingest import ingest

from core.reference import organisations_by_cluster
from core.warehouse import current_path
from pipeline.ingest import stage
from pipeline.ingest.discover import discover
from pipeline.ingest.native import Sources
from pipeline.ingest.verify import check_delivery
from pipeline.sources import delta
from pipeline.sources.csvfile import read_rows

NIGHTS = (date(2026, 10, 31), date(2026, 11, 29), date(2026, 11, 30))
TABLES = (
    "persons",
    "employee_history",
    "salary_history",
    "manager_history",
    "contingent_history",
    "ledger_lines",
    "quarantine",
    "snapshots",
)


def nights() -> list[list[dict[str, str]]]:
    """Three nights of DEFENCE: each change a reused row could get wrong."""
    first = oracle_rows(800)  # 3 faults of 800 stay under the 0.5% limit
    first[10]["DateOfBirth"] = "15/11/1986"  # 39 on 31 Oct 2026, 40 on 29 Nov: same line
    second = [dict(row) for row in first if row["AssignmentNumber"] != "E00006"]  # a leaver
    second[5]["SalaryAmount"] = "99,000.00"  # a pay rise
    second[7]["GradeCode"] = "Z9"  # not in the mapping: quarantined
    second[12]["AssignmentNumber"] = second[11]["AssignmentNumber"]  # a duplicate id: both
    # rows break the rule, and row 11's line is the one the night before sent unchanged
    second.append({**first[1], "NationalIdentifier": "AB123456C", "AssignmentNumber": "E09999"})
    third = [dict(row) for row in second]
    third[12]["AssignmentNumber"] = "E00013"  # fixed; row 7 still unmapped, its line unchanged
    return [first, second, third]


def _write(landing, rows, night: int, mapping: str = "golden_oracle") -> None:
    """Night ``night``'s delivery; the journal lines only on the first (they were posted then)."""
    folder = oracle_delivery(landing, rows, when=NIGHTS[night], mapping=mapping)
    if night:
        journal = folder / "journal_lines.csv"
        journal.write_bytes(journal.read_bytes().split(b"\r\n")[0] + b"\r\n")
        manifest(folder, "DEFENCE", NIGHTS[night], mapping)


def _tables(settings) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(current_path(settings.warehouse)), read_only=True)
    try:
        found = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
        found["load_log"] = con.execute(
            "SELECT feed, extract_date, outcome, rows_loaded, rows_quarantined, reason"
            " FROM load_log ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()
    return found


@pytest.mark.parametrize("mapping_changes", [False, True])
def test_a_run_over_three_nights_stores_what_a_run_per_night_stores(
    tmp_path, capsys, mapping_changes
):
    """Changed, new and gone lines, a line whose age band moves on, a quarantined line sent
    again, a reused line that a new duplicate makes faulty (its row as delivered must reach the
    quarantine), and, when ``mapping_changes``, a third night under another mapping file (the
    kept rows do not apply: all conformed again, and row 7's grade now maps)."""
    stored = []
    for together in (True, False):
        root = tmp_path / str(together)
        settings = native_settings(root, mappings=copy_mappings(root))
        mappings = ["golden_oracle"] * 3
        if mapping_changes:
            text = (settings.mappings / "golden_oracle.toml").read_text()
            (settings.mappings / "later_oracle.toml").write_text(
                text.replace('B1 = "G6"', 'B1 = "G6"\nZ9 = "G7"')
            )
            mappings[2] = "later_oracle"
        for i, rows in enumerate(nights()):
            _write(settings.landing, rows, i, mappings[i])
            if not together:
                code, out = ingest(settings, capsys)
                assert code == 0, out
        if together:
            code, out = ingest(settings, capsys)
            assert code == 0, out
        stored.append(_tables(settings))
    together, apart = stored
    for table in together:
        assert together[table] == apart[table], table
    quarantine = together["quarantine"]
    reasons = [row[5] for row in quarantine]
    assert sum("must be unique" in r for r in reasons) == 2  # both rows of the duplicate id
    assert any("grade 'Z9'" in r for r in reasons)
    bands = {row for row in together["employee_history"] if "E00010" in row}
    assert {b for row in bands for b in row if b in ("30-39", "40-49")} == {"30-39", "40-49"}
    for row in quarantine:  # the raw rows kept are whole, less the never-kept columns
        assert "AssignmentNumber" in row[6] and "NationalIdentifier" not in row[6]
        assert "DateOfBirth" not in row[6]


def _load(con, settings, when: date, more: bool):
    """Stage and keep one night's DEFENCE workers file on ``con`` as a run does; returns the
    ``_row`` of the lines that were conformed (read into ``raw_employees``)."""
    register = organisations_by_cluster(settings.organisations_csv)
    sources = Sources(
        settings.mappings, settings.person_key_secret, frozenset().union(*register.values())
    )
    deliveries, _ = discover(settings.landing, settings.mappings)
    (d,) = [d for d in deliveries if d.extract_date == when]
    checked = check_delivery(d, date(2026, 12, 1), sources=sources)
    checked.more = more
    f = checked.files["employees.parquet"]
    stage.stage_native(con, checked, f)
    read = sorted(r for (r,) in con.execute("SELECT _row FROM raw_employees").fetchall())
    staged = con.execute("SELECT count(*), count(DISTINCT _row) FROM stage_employees").fetchone()
    assert staged == (f.rows, f.rows)
    stage.find_faults(con, checked, f, sorted(register["DEFENCE"]))
    stage.keep_conformed(con, checked)
    stage.drop_temp(con, ["employees.parquet"])
    return read


def test_a_later_night_conforms_only_its_changed_lines_and_keeps_no_ni_or_birth_date(tmp_path):
    settings = native_settings(tmp_path)
    first, second, _ = nights()
    for night, rows in enumerate([first, second, second]):
        _write(settings.landing, rows, night)
    con = duckdb.connect()
    assert _load(con, settings, NIGHTS[0], more=True) == list(range(800))  # nothing kept yet
    memo = delta.memo_name("DEFENCE", "employees")
    columns = [
        c for (c,) in con.execute(f"SELECT name FROM pragma_table_info('{memo}')").fetchall()
    ]
    assert not {"NationalIdentifier", "DateOfBirth"} & set(columns)
    values = con.execute(f"SELECT * FROM {memo}").fetchall()
    flat = [value for row in values for value in row]
    text = repr(flat)
    assert KNOWN_NI.replace(" ", "") not in text and KNOWN_NI not in text
    assert KNOWN_DOB not in text and date(1977, 6, 17) not in flat
    months = con.execute(
        f"SELECT DISTINCT day(_band_from), day(_band_until) FROM {memo}"
    ).fetchall()
    assert {d for row in months for d in row if d is not None} == {1}  # months, not birthdays
    # night 2: the new line (799), the changed lines (5, 7, 12 in the new file), and line 10,
    # whose age band may have moved on (it did); everything else is reused
    assert _load(con, settings, NIGHTS[1], more=True) == [5, 7, 9, 12, 799]
    # night 3 sends night 2's file again: all reused but row 7 (quarantined by the conforming,
    # so not kept; rows 11 and 12 broke a contract rule, which runs again over every row) and
    # row 9, whose band began in November: kept from December only (whole months)
    assert _load(con, settings, NIGHTS[2], more=False) == [7, 9]
    assert not delta.has_memo(con, "DEFENCE", "employees", None)  # the last night lets go
    assert con.execute(
        f"SELECT count(*) FROM duckdb_tables() WHERE table_name = '{memo}'"
    ).fetchone() == (0,)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b'h1,h2\r\na,"b\r\nc"\r\nd,e\r\n', "a quoted field over two lines"),
        (b"h1,h2\na,b\n\nd,e\n", "a blank line"),
        (b"h1,h2\na,b\nd,e\nf,g\n", "more lines than the manifest's rows"),
        (b"h1,h2\na,b\x1fc\nd,e\n", "a line with the separator of lines"),
    ],
)
def test_a_file_whose_lines_are_not_its_rows_is_conformed_whole(body, why):
    assert delta.split(body, 2) is None, why


def test_lines_keep_their_place_and_equal_lines_are_noticed():
    data = b'h1,h2\r\na,"b,c"\r\nd,e\r\na,"b,c"\r\n'
    lines = delta.split(data, 3)
    assert lines is not None and lines.header == "h1,h2"
    assert lines.body["_row"].to_list() == [0, 1, 2]
    assert lines.body["_line"].to_list() == ['a,"b,c"', "d,e", 'a,"b,c"']
    assert lines.body["_h1"][0] == lines.body["_h1"][2] != lines.body["_h1"][1]
    assert not lines.unique  # their rows are not kept (a row would be kept twice)
    rows = delta.rows_to_conform(data, lines, None, ["h1", "h2"])
    assert (
        rows.rows()
        == read_rows(data, ["h1", "h2"]).with_columns(lines.body["_h1"], lines.body["_h2"]).rows()
    )
