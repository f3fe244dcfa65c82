"""Native deliveries for the tests (sources.md): the golden folders under ``tests/native/``
copied into a landing zone with their manifest, and larger generated ones (``oracle_rows``)
for the rules that need a file of hundreds of rows (the 0.5% quarantine limit).

The secret, NI numbers and dates of birth here are made up; ``KNOWN_NI`` and ``KNOWN_DOB`` are
in every generated workers file so a test can grep the warehouse and every output for them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

from ingest_factories import REFERENCE

from core.settings import Settings

NATIVE = Path(__file__).resolve().parent / "native"
MAPPINGS = NATIVE / "mappings"
SECRET = "golden-test-secret"
WHEN = date(2026, 10, 31)
FILES = ("workers.csv", "contingent_workers.csv", "journal_lines.csv")
GOLDEN = {  # system -> (cluster, mapping name)
    "oracle_hcm": ("DEFENCE", "golden_oracle"),
    "workday": ("MATRIX", "golden_workday"),
    "sap_successfactors": ("UNITY", "golden_sap"),
}
KNOWN_NI, KNOWN_DOB = "ZX 90 81 72 C", "17/06/1977"


def native_settings(tmp_path: Path, *, mappings: Path | None = None, secret: str | None = SECRET):
    return Settings(
        landing=tmp_path / "landing",
        warehouse=tmp_path / "warehouse",
        reference=REFERENCE,
        mappings=mappings or MAPPINGS,
        person_key_secret=secret,
    )


def manifest(folder: Path, cluster: str, when: date, mapping: str, **extra: Any) -> None:
    """Write the manifest last, over the CSV files in the folder (rows = data rows)."""
    files = {}
    for name in FILES:
        data = (folder / name).read_bytes()
        rows = sum(1 for _ in csv.reader(io.StringIO(data.decode("latin-1"), newline=""))) - 1
        files[name] = {"rows": rows, "sha256": hashlib.sha256(data).hexdigest()}
    document = {
        "contract_version": "1.0",
        "cluster": cluster,
        "extract_date": when.isoformat(),
        "generated_at": f"{when.isoformat()}T23:30:00Z",
        "source_system": "test export",
        "mapping": mapping,
        "files": files,
        **extra,
    }
    (folder / "manifest.json").write_text(json.dumps(document, indent=2))


def golden_delivery(landing: Path, system: str, when: date = WHEN) -> Path:
    cluster, mapping = GOLDEN[system]
    folder = landing / cluster / when.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copyfile(NATIVE / system / name, folder / name)
    manifest(folder, cluster, when, mapping)
    return folder


ORACLE_WORKERS = [
    "NationalIdentifier",
    "AssignmentNumber",
    "LegalEmployerName",
    "GradeCode",
    "JobFamilyName",
    "LocationCode",
    "AssignmentCategory",
    "FTE",
    "SalaryAmount",
    "SalaryBasisCode",
    "OriginalDateOfHire",
    "DateStart",
    "ManagerAssignmentNumber",
    "Sex",
    "EthnicOrigin",
    "Disabled",
    "DateOfBirth",
]


def oracle_rows(n: int = 400) -> list[dict[str, str]]:
    """``n`` valid DEFENCE workers in golden_oracle's codes; row 0 carries KNOWN_NI/KNOWN_DOB."""
    rows = []
    for i in range(n):
        rows.append(
            {
                "NationalIdentifier": KNOWN_NI if i == 0 else f"AA{i:06d}B",
                "AssignmentNumber": f"E{i:05d}",
                "LegalEmployerName": "Ministry of Defence" if i % 2 else "DES01",
                "GradeCode": ("B1", "B2", "C1", "C2", "D")[i % 5],
                "JobFamilyName": "Policy",
                "LocationCode": "ABW",
                "AssignmentCategory": "Permanent",
                "FTE": "1",
                "SalaryAmount": f"{30000 + i:,}.00",
                "SalaryBasisCode": "ANNUAL",
                "OriginalDateOfHire": "01/09/2001",
                "DateStart": "01/09/2011",
                "ManagerAssignmentNumber": "" if i == 0 else "E00000",
                "Sex": "F",
                "EthnicOrigin": "White British",
                "Disabled": "N",
                "DateOfBirth": KNOWN_DOB if i == 0 else "15/03/1980",
            }
        )
    return rows


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str], encoding: str) -> None:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))


def oracle_delivery(
    landing: Path,
    rows: list[dict[str, str]] | None = None,
    *,
    when: date = WHEN,
    mapping: str = "golden_oracle",
    columns: list[str] | None = None,
    encoding: str = "cp1252",
) -> Path:
    """A DEFENCE oracle_hcm delivery: generated workers, the golden contingent and journal."""
    folder = landing / "DEFENCE" / when.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "workers.csv", oracle_rows() if rows is None else rows,
              columns or ORACLE_WORKERS, encoding)  # fmt: skip
    for name in FILES[1:]:
        text = (NATIVE / "oracle_hcm" / name).read_bytes().decode("cp1252")
        text = text.replace("31/10/2026", when.strftime("%d/%m/%Y"))
        (folder / name).write_bytes(text.encode(encoding))
    manifest(folder, "DEFENCE", when, mapping)
    return folder


def copy_mappings(tmp_path: Path) -> Path:
    """A mappings folder of the test's own, to change."""
    folder = tmp_path / "mappings"
    shutil.copytree(MAPPINGS, folder)
    return folder
