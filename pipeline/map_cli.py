"""``workforce map check FOLDER [--mappings DIR]``: a dry run of one native delivery (cli.md).

For the administrator writing a mapping file: the delivery is verified and conformed exactly
as the ingest would (:mod:`pipeline.ingest.native`, :mod:`pipeline.ingest.stage`), in an
in-memory DuckDB, and nothing is written anywhere.  It prints the rows per file, each value
the mapping lacks with its row count and the table to add it to, the other faulty rows by
reason, and whether the delivery would load.  Exit 0 if it would, 1 if it would be refused,
2 for bad usage (not a delivery folder, not a native one).

Without the person_key secret the dry run still conforms the files (with a throwaway key,
never shown) so the mapping can be checked, but says that the ingest would refuse them.

Only argparse is imported at the top: ``pipeline.cli`` builds this parser for every command.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from core.errors import UsageError, printable


def add_map_parser(sub: Any) -> None:
    """``workforce map check FOLDER [--mappings DIR]``."""
    mapping = sub.add_parser("map", help="check a native delivery against its mapping file")
    actions = mapping.add_subparsers(dest="map_command", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check", help="dry run of one native delivery folder: what would load, what is unmapped"
    )
    check.add_argument("folder", type=Path, metavar="FOLDER", help="<landing>/<CLUSTER>/<date>")
    check.add_argument("--mappings", type=Path, help="mapping files folder (WORKFORCE_MAPPINGS)")


@dataclass
class FileReport:
    name: str
    rows: int = 0
    faulty: int = 0
    unmapped: list[tuple[str, str, int, str]] = field(default_factory=list)  # col, value, n, table
    other: list[tuple[str, int]] = field(default_factory=list)  # reason, rows


@dataclass
class DryRun:
    """What ``map check`` found; ``refusal`` is None when the delivery would load."""

    label: str
    mapping: str | None = None
    files: list[FileReport] = field(default_factory=list)
    refusal: str | None = None


def _delivery(folder: Path, mappings: Path):
    from core.contract import CLUSTERS
    from pipeline.ingest.discover import MANIFEST, Delivery, _extract_date

    when = _extract_date(folder.name)
    if not folder.is_dir() or folder.parent.name not in CLUSTERS or when is None:
        raise UsageError(
            f"{printable(folder)} is not a delivery folder <landing>/<CLUSTER>/<YYYY-MM-DD>"
        )
    delivery = Delivery(folder.parent.name, when, folder, mappings=mappings)
    if not (folder / MANIFEST).is_file():
        raise UsageError(f"{printable(folder)} has no {MANIFEST} yet: the delivery is incomplete")
    if not delivery.native:
        raise UsageError(
            f"{printable(folder)} is a contract delivery: its manifest names no mapping"
        )
    return delivery


def dry_run(folder: Path, settings: Any, con: Any = None) -> DryRun:
    """Verify, conform and check the delivery at ``folder`` as the ingest would, on ``con``
    (an in-memory DuckDB of its own unless given: tests read its tables)."""
    import duckdb
    from pydantic import SecretStr

    from core.reference import organisations_by_cluster
    from pipeline.ingest import stage
    from pipeline.ingest.errors import DeliveryRefused
    from pipeline.ingest.native import Sources, no_secret_reason
    from pipeline.ingest.verify import check_delivery

    delivery = _delivery(folder, settings.mappings)
    report = DryRun(delivery.label, delivery.mapping_name())
    by_cluster = organisations_by_cluster(settings.organisations_csv)
    secret = settings.person_key_secret
    missing_secret = secret is None or not secret.get_secret_value()
    throwaway = SecretStr(secrets.token_hex(32)) if missing_secret else secret
    sources = Sources(settings.mappings, throwaway, frozenset().union(*by_cluster.values()))
    own = con is None
    con = duckdb.connect(":memory:") if own else con
    try:
        checked = check_delivery(delivery, date.today(), sources=sources)
        report.mapping = checked.mapping.file
        organisations = sorted(by_cluster.get(delivery.feed, frozenset()))
        for f in checked.files.values():
            stage.stage_file(con, checked, f)
            stage.find_faults(con, checked, f, organisations)
            report.files.append(_file_report(con, checked, f))
        for f in checked.files.values():
            stage.enforce_limit(con, checked, f)
        if missing_secret:
            report.refusal = no_secret_reason(delivery)
    except DeliveryRefused as refusal:
        report.refusal = refusal.reason
    finally:
        if own:
            with contextlib.suppress(duckdb.Error):
                con.close()
    return report


def _file_report(con: Any, checked: Any, f: Any) -> FileReport:
    from core import systems
    from pipeline.sql import ident

    stem = f.name.removesuffix(".parquet")
    report = FileReport(f.shown, f.rows)
    report.faulty = con.execute(f"SELECT count(*) FROM {ident('faults_' + stem)}").fetchone()[0]
    unmapped_reasons = []
    for d in systems.COLUMNS[checked.mapping.spec.system][f.source]:
        if d.how != systems.MAPPED:
            continue
        column = ident(d.source[0])
        for value, count in con.execute(
            f"""SELECT trim({column}) AS v, count(*) AS n FROM {ident("raw_" + stem)}
            WHERE nullif(trim({column}), '') IS NOT NULL
                AND trim({column}) NOT IN (SELECT k FROM {ident("map_" + d.table)})
            GROUP BY 1 ORDER BY n DESC, v"""
        ).fetchall():
            report.unmapped.append((d.source[0], value, count, d.table))
            unmapped_reasons.append(f"{d.column} '{value}' is not in ")
    report.other = [
        (reason, n)
        for reason, n in con.execute(
            f"""SELECT reason, count(*) AS n FROM (SELECT unnest(reasons) AS reason
            FROM {ident("faults_" + stem)}) GROUP BY 1 ORDER BY n DESC, reason"""
        ).fetchall()
        if not any(reason.startswith(prefix) for prefix in unmapped_reasons)
    ]
    return report


def _rows(n: int) -> str:
    return f"{n:,} row" + ("" if n == 1 else "s")


def print_report(report: DryRun) -> None:
    mapping = f"mapping {report.mapping}" if report.mapping else "no usable mapping"
    print(printable(f"map check {report.label}: {mapping}"))
    for f in report.files:
        held = f", {f.faulty:,} would be quarantined" if f.faulty else ""
        print(printable(f"{f.name}: {_rows(f.rows)}{held}"))
        for column, value, count, table in f.unmapped:
            print(
                printable(
                    f"  unmapped {column} {value!r}: {_rows(count)}; add it to"
                    f" {report.mapping} [{table}]"
                )
            )
        for reason, count in f.other:
            print(printable(f"  {_rows(count)}: {reason}"))
    if report.refusal:
        print(printable(f"would be refused: {report.refusal}"))
    else:
        print("would load")


def map_main(settings: Any, args: argparse.Namespace) -> int:
    """Run ``workforce map check``: 0 would load, 1 would be refused (2: UsageError)."""
    if args.map_command != "check":  # pragma: no cover: argparse allows only check
        raise UsageError(f"unknown action {args.map_command!r}")
    report = dry_run(args.folder, settings)
    print_report(report)
    return 1 if report.refusal else 0
