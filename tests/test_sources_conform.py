"""Conforming native files (sources.md §3–§4): the golden deliveries of tests/native/ value by
value, the derived values (person_key, age band, periods, amounts), and the file faults that
refuse a delivery in one line: a wrong encoding, a missing column, an unparseable value."""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from native_factories import (
    GOLDEN,
    KNOWN_DOB,
    NATIVE,
    ORACLE_WORKERS,
    SECRET,
    golden_delivery,
    manifest,
    native_settings,
    oracle_delivery,
    oracle_rows,
)

from core.contract import CLUSTER_FILES, column_specs
from pipeline.map_cli import dry_run
from pipeline.sources import csvfile
from pipeline.sources import person_key as pk

ORACLE = "DEFENCE 2026-10-31"


def conformed(tmp_path: Path, folder: Path, **settings) -> tuple[duckdb.DuckDBPyConnection, str]:
    con = duckdb.connect()
    report = dry_run(folder, native_settings(tmp_path, **settings), con)
    return con, report.refusal


def _parse(text: str, like: object) -> object:
    """An expected CSV cell as the type of the value it is compared with."""
    if text == "":
        return None
    if isinstance(like, date):
        return date.fromisoformat(text)
    if isinstance(like, Decimal):
        return Decimal(text)
    return type(like)(text)


@pytest.mark.parametrize("system", sorted(GOLDEN))
def test_each_golden_delivery_conforms_to_its_expected_rows(tmp_path, system):
    con, refusal = conformed(tmp_path, golden_delivery(tmp_path / "landing", system))
    assert refusal is None
    for contract, model in CLUSTER_FILES.items():
        stem = contract.removesuffix(".parquet")
        columns = [s.name for s in column_specs(model)]
        got = con.execute(f"SELECT {', '.join(columns)} FROM stage_{stem} ORDER BY _row").fetchall()
        with (NATIVE / system / f"expected_{stem}.csv").open(newline="", encoding="utf-8") as f:
            expected = list(csv.DictReader(f))
        assert len(got) == len(expected) > 0, (system, stem)
        for row, want in zip(got, expected, strict=True):
            for column, value in zip(columns, row, strict=True):
                assert value == _parse(want[column], value), (system, stem, column)
        faults = con.execute(f"SELECT count(*) FROM faults_{stem}").fetchone()[0]
        assert faults == 0, (system, stem)


def test_person_key_is_the_standard_hmac_of_the_normalised_number():
    expected = hmac.new(SECRET.encode(), b"AB123456C", hashlib.sha256).hexdigest()[:32]
    assert pk.person_key("ab 12 34 56 c", SECRET) == expected == "137721a4562197b1e634a45f449a7700"
    ipad, opad = pk.hmac_pads(SECRET)
    long_secret = "s" * 100  # longer than a block: hashed first, as RFC 2104 says
    lpad, lopad = pk.hmac_pads(long_secret)
    sql = pk.person_key_sql("$ni", "$ipad", "$opad")
    con = duckdb.connect()
    for ni, (i, o), secret in [
        (" ab 12 34 56 c ".strip(), (ipad, opad), SECRET),
        ("CD654321A", (lpad, lopad), long_secret),
    ]:
        got = con.execute(f"SELECT {sql}", {"ni": ni, "ipad": i, "opad": o}).fetchone()[0]
        assert got == pk.person_key(ni, secret)
    for bad in ("AB12345C", "AB123456E", "A1123456C", "AB1234567C"):
        got = con.execute(f"SELECT {sql}", {"ni": bad, "ipad": ipad, "opad": opad}).fetchone()
        assert got == (None,)


def test_no_ni_number_reaches_the_loads_connection(tmp_path):
    con, refusal = conformed(tmp_path, oracle_delivery(tmp_path / "landing"))
    assert refusal is None
    names = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views()"
        " WHERE NOT internal"
    ).fetchall()]  # fmt: skip
    assert "stage_employees" in names and "raw_employees" in names
    for name in names:
        columns = [c[0] for c in con.execute(f'SELECT * FROM "{name}" LIMIT 0').description]
        assert "NationalIdentifier" not in columns, name
        dump = str(con.execute(f'SELECT * FROM "{name}"').fetchall())
        assert "ZX908172C" not in dump and "ZX 90" not in dump, name


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (date(2010, 11, 1), None),  # 15: under 16
        (date(2010, 10, 31), "16-19"),
        (date(2006, 11, 1), "16-19"),
        (date(2006, 10, 31), "20-29"),
        (date(1966, 10, 31), "60-64"),
        (date(1961, 11, 1), "60-64"),
        (date(1961, 10, 31), "65+"),
        (date(2008, 2, 29), "16-19"),
    ],
)
def test_age_band_on_the_extract_date(born, band):
    sql = pk.age_band_sql(pk.age_sql("$born", "$on"))
    got = duckdb.connect().execute(f"SELECT {sql}", {"born": born, "on": date(2026, 10, 31)})
    assert got.fetchone()[0] == band


def _sap_period(tmp_path: Path, gjahr: str, poper: str, start: int) -> str:
    landing = tmp_path / "landing"
    folder = golden_delivery(landing, "sap_successfactors")
    path = folder / "journal_lines.csv"
    text = path.read_text().replace("2026,007", f"{gjahr},{poper}")
    path.write_text(text)
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    for toml in (NATIVE / "mappings").glob("*.toml"):
        body = toml.read_text().replace(
            "financial_year_start_month = 4", f"financial_year_start_month = {start}"
        )
        (mappings / toml.name).write_text(body)
    manifest(folder, "UNITY", date(2026, 10, 31), "golden_sap")
    con, refusal = conformed(tmp_path, folder, mappings=mappings)
    assert refusal is None
    return con.execute("SELECT DISTINCT period FROM stage_ledger").fetchone()[0]


@pytest.mark.parametrize(
    ("gjahr", "poper", "start", "period"),
    [("2026", "007", 4, "2026-10"), ("2026", "012", 4, "2027-03"), ("2026", "001", 4, "2026-04"),
     ("2026", "10", 1, "2026-10")],
)  # fmt: skip
def test_sap_periods_count_from_the_financial_years_first_month(
    tmp_path, gjahr, poper, start, period
):
    assert _sap_period(tmp_path, gjahr, poper, start) == period


def test_a_posting_period_outside_001_to_012_refuses_naming_the_row(tmp_path):
    folder = golden_delivery(tmp_path / "landing", "sap_successfactors")
    path = folder / "journal_lines.csv"
    path.write_text(path.read_text().replace("2026,007,2000", "2026,013,2000"))
    manifest(folder, "UNITY", date(2026, 10, 31), "golden_sap")
    _, refusal = conformed(tmp_path, folder)
    assert refusal == (
        "UNITY 2026-10-31 journal_lines.csv: column POPER, row 3: '013' is not a posting"
        " period 001 to 012"
    )


def _oracle_with(tmp_path: Path, row: int, **values: str) -> Path:
    rows = oracle_rows(400)
    rows[row].update(values)
    return oracle_delivery(tmp_path / "landing", rows)


def test_an_unparseable_date_refuses_naming_file_column_row_and_value(tmp_path):
    folder = _oracle_with(tmp_path, 6, DateStart="31/13/2011")
    _, refusal = conformed(tmp_path, folder)
    assert refusal == (
        f"{ORACLE} workers.csv: column DateStart, row 7: '31/13/2011' is not a date"
        " (%d/%m/%Y or YYYY-MM-DD)"
    )


def test_an_unparseable_birth_date_is_refused_without_the_date(tmp_path):
    folder = _oracle_with(tmp_path, 0, DateOfBirth="17/16/1977")
    _, refusal = conformed(tmp_path, folder)
    assert refusal == (
        f"{ORACLE} workers.csv: column DateOfBirth, row 1: is not a date (%d/%m/%Y or YYYY-MM-DD)"
    )
    assert "1977" not in refusal


@pytest.mark.parametrize("amount", ["32.500,00", "1,2", "£30,000", "3e4", "n/a"])
def test_an_unparseable_number_refuses_naming_file_column_row_and_value(tmp_path, amount):
    rows = oracle_rows(400)
    for i in (9, 12):
        rows[i]["SalaryAmount"] = amount
    _, refusal = conformed(tmp_path, oracle_delivery(tmp_path / "landing", rows))
    assert refusal == (
        f"{ORACLE} workers.csv: column SalaryAmount, row 10: {amount!r} is not a number"
        " (2 rows like it)"
    )


def test_thousands_separators_and_signs_are_numbers(tmp_path):
    rows = oracle_rows(400)
    rows[1].update(SalaryAmount=" 1,234,567.5 ", SalaryBasisCode="annual")
    rows[2].update(SalaryAmount="2,500", SalaryBasisCode="MONTHLY")
    con, _ = conformed(tmp_path, oracle_delivery(tmp_path / "landing", rows))
    got = con.execute("SELECT annual_salary_gbp FROM stage_employees WHERE _row IN (1, 2)")
    assert got.fetchall() == [(1234567.5,), (30000.0,)]


def test_a_missing_native_column_refuses_the_delivery(tmp_path):
    columns = [c for c in ORACLE_WORKERS if c != "GradeCode"]
    rows = [{k: v for k, v in r.items() if k != "GradeCode"} for r in oracle_rows(10)]
    folder = oracle_delivery(tmp_path / "landing", rows, columns=columns)
    _, refusal = conformed(tmp_path, folder)
    assert refusal == (
        f"{ORACLE} workers.csv: column GradeCode is missing"
        " (oracle_hcm workers.csv, as golden_oracle.toml says)"
    )


def test_a_cp1252_file_declared_utf8_is_refused(tmp_path):
    rows = oracle_rows(400)
    rows[5]["JobFamilyName"] = "Régulation"  # é is the single byte E9 in cp1252
    folder = oracle_delivery(tmp_path / "landing", rows, mapping="golden_workday_like")
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    text = (NATIVE / "mappings" / "golden_oracle.toml").read_text()
    (mappings / "golden_workday_like.toml").write_text(text.replace('"cp1252"', '"utf-8"'))
    _, refusal = conformed(tmp_path, folder, mappings=mappings)
    assert refusal == (
        f"{ORACLE} workers.csv: not UTF-8 as golden_workday_like.toml says: byte 0xE9 on"
        ' line 7 is not UTF-8 (a cp1252 export? set encoding = "cp1252")'
    )


def test_a_utf8_file_declared_cp1252_is_refused(tmp_path):
    rows = oracle_rows(400)
    rows[5]["JobFamilyName"] = "Régulation"
    folder = oracle_delivery(tmp_path / "landing", rows, encoding="utf-8")
    _, refusal = conformed(tmp_path, folder)
    assert refusal == (
        f"{ORACLE} workers.csv: is UTF-8, not cp1252 as golden_oracle.toml says: all its"
        ' non-ASCII bytes are UTF-8 sequences; set encoding = "utf-8" in the mapping'
    )


def test_a_byte_order_mark_is_ignored_in_utf8_and_refused_in_cp1252(tmp_path):
    folder = golden_delivery(tmp_path / "landing", "workday")
    path = folder / "workers.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    manifest(folder, "MATRIX", date(2026, 10, 31), "golden_workday")
    con, refusal = conformed(tmp_path / "a", folder)
    assert refusal is None
    assert con.execute("SELECT count(*) FROM stage_employees").fetchone() == (3,)
    folder = oracle_delivery(tmp_path / "landing")
    path = folder / "workers.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    manifest(folder, "DEFENCE", date(2026, 10, 31), "golden_oracle")
    _, refusal = conformed(tmp_path / "b", folder)
    assert refusal == (
        f"{ORACLE} workers.csv: starts with a UTF-8 byte-order mark, but golden_oracle.toml"
        " says cp1252"
    )


def test_a_plain_ascii_file_is_accepted_as_cp1252(tmp_path):
    con, refusal = conformed(tmp_path, oracle_delivery(tmp_path / "landing"))
    assert refusal is None
    assert con.execute("SELECT count(*) FROM stage_employees").fetchone() == (400,)


def test_rows_counted_differently_from_the_manifest_refuse(tmp_path):
    folder = oracle_delivery(tmp_path / "landing")
    document = json.loads((folder / "manifest.json").read_text())
    document["files"]["workers.csv"]["rows"] = 401  # counted the header
    (folder / "manifest.json").write_text(json.dumps(document))
    _, refusal = conformed(tmp_path, folder)
    assert refusal == f"{ORACLE} workers.csv: has 400 rows but the manifest says 401"


def test_the_raw_rows_kept_for_the_quarantine_hold_no_ni_number_or_birth_date(tmp_path):
    con, _ = conformed(tmp_path, oracle_delivery(tmp_path / "landing"))
    columns = [c[0] for c in con.execute("SELECT * FROM raw_employees LIMIT 0").description]
    assert "NationalIdentifier" not in columns and "DateOfBirth" not in columns
    assert "GradeCode" in columns
    dump = str(con.execute("SELECT * FROM raw_employees").fetchall())
    assert KNOWN_DOB not in dump and "ZX908172C" not in dump and "ZX 90" not in dump


def test_amounts_beyond_pence_or_decimal_18_2_are_rule_faults_not_crashes(tmp_path):
    folder = golden_delivery(tmp_path / "landing", "oracle_hcm")
    path = folder / "journal_lines.csv"
    text = path.read_bytes().decode("cp1252")
    text = text.replace('"312,000.00",', '"99,999,999,999,999,999,999.00",')
    text = text.replace('"10,000.50","2,000.25"', '"10,000.505",')
    path.write_bytes(text.encode("cp1252"))
    manifest(folder, "DEFENCE", date(2026, 10, 31), "golden_oracle")
    _, refusal = conformed(tmp_path, folder)
    assert refusal == (
        f"{ORACLE} journal_lines.csv: 2 of 4 rows (50%) broke rules (limit 0.5%):"
        " 2 × amount_gbp must be in whole pence within decimal(18,2)"
    )


def test_the_encoding_scan_across_chunks_and_cp1252s_undefined_bytes(tmp_path):
    path = tmp_path / "workers.csv"
    line = b"a,b\r\n"
    head = line * ((csvfile.CHUNK - 1) // len(line))
    pad = b"x" * (csvfile.CHUNK - 1 - len(head))
    # é (C3 A9) split by the 1 MiB chunk boundary: still UTF-8
    path.write_bytes(head + pad + "é\r\n".encode())
    assert csvfile.scan(path, "utf-8", "M.toml").fault is None
    # a bad byte after the boundary is found on its line
    path.write_bytes(head + pad + b"ok\r\nb,\xe9\r\n")
    lines = head.count(b"\n") + 2
    assert csvfile.scan(path, "utf-8", "M.toml").fault == (
        f"not UTF-8 as M.toml says: byte 0xE9 on line {lines} is not UTF-8"
        ' (a cp1252 export? set encoding = "cp1252")'
    )
    path.write_bytes(b"a,b\r\n1,\x81\r\n")  # a byte cp1252 leaves undefined
    assert csvfile.scan(path, "cp1252", "M.toml").fault == (
        "not cp1252 as M.toml says: byte 0x81 on line 2 is not cp1252"
    )
    assert (
        csvfile.scan(path, "cp1252", "M.toml").sha256
        == hashlib.sha256(path.read_bytes()).hexdigest()
    )
