"""The ``workforce`` command (``shared/contract/cli.md``).

Parses options, builds the one Settings object (options first, then ``WORKFORCE_*`` variables,
then defaults) and hands over to the command's module.  Usage errors exit 2 with one line and no
traceback; argparse already does that for unknown options, and :class:`UsageError` does it for
the rest.  ``workforce ingest`` also exits 2 when the warehouse cannot be written (a full disk,
a read-only folder) or, with ``--no-wait``, when another ingest holds it: 1 is kept for "a
delivery was refused, the others loaded".  Dates are exactly ``YYYY-MM-DD``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from core.dates import ISO_DATE
from core.errors import UsageError, printable

# Exactly YYYY-MM-DD: date.fromisoformat also takes 20261031 and 2026-W44-6.


def _date(text: str) -> date:
    try:
        if not ISO_DATE.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _delivery(text: str) -> tuple[str, date]:
    """``CLUSTER/YYYY-MM-DD``, naming one cluster delivery (``--allow-empty``)."""
    from core.contract import CLUSTERS

    cluster, _, day = text.partition("/")
    if cluster not in CLUSTERS:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not CLUSTER/YYYY-MM-DD with CLUSTER one of {', '.join(CLUSTERS)}"
        )
    return cluster, _date(day)


def _settings(args: argparse.Namespace):
    from core.settings import Settings

    overrides = {
        key: getattr(args, key)
        for key in ("landing", "warehouse", "mappings")
        if getattr(args, key, None) is not None
    }
    return Settings(**overrides)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workforce", description="Workforce Picture: demo data, ingest, status and queries."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="write a synthetic landing zone that follows the contract")
    demo.add_argument("--landing", type=Path, help="landing zone folder (WORKFORCE_LANDING)")
    demo.add_argument(
        "--scale", type=float, default=1.0, help="1.0 = the whole in-scope civil service"
    )
    demo.add_argument(
        "--start", type=_date, help="first month-end (default: 24 month-ends before end)"
    )
    demo.add_argument("--end", type=_date, help="last extract date (default: yesterday)")
    demo.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same bytes)")
    demo.add_argument(
        "--native",
        action="store_true",
        help="write each cluster in its own system's export shape (sources.md)",
    )

    ingest = sub.add_parser("ingest", help="load every complete delivery not yet loaded")
    ingest.add_argument("--landing", type=Path, help="landing zone folder (WORKFORCE_LANDING)")
    ingest.add_argument("--warehouse", type=Path, help="warehouse folder (WORKFORCE_WAREHOUSE)")
    ingest.add_argument(
        "--allow-empty",
        "--allow-shrink",
        dest="allow_empty",
        type=_delivery,
        action="append",
        default=[],
        metavar="CLUSTER/YYYY-MM-DD",
        help="load this delivery although its employees file has no rows, or fewer than half"
        " the rows of the cluster's snapshot before it (repeatable)",
    )
    ingest.add_argument(
        "--no-wait",
        dest="wait",
        action="store_false",
        help="exit 2 at once if another ingest is running, instead of waiting for it",
    )

    status = sub.add_parser("status", help="the load log")
    status.add_argument("--warehouse", type=Path, help="warehouse folder (WORKFORCE_WAREHOUSE)")
    status.add_argument("--format", choices=("table", "json"), default="table")

    query = sub.add_parser("query", help="a metric's rows as CSV, JSON or Parquet")
    query.add_argument("metric", metavar="METRIC")
    query.add_argument("--warehouse", type=Path, help="warehouse folder (WORKFORCE_WAREHOUSE)")
    query.add_argument("--as-at", dest="as_at", metavar="D")
    query.add_argument("--from", dest="date_from", metavar="A")
    query.add_argument("--to", dest="date_to", metavar="B")
    query.add_argument("--by", metavar="DIM[,DIM...]")
    query.add_argument("--where", action="append", metavar="DIM=VALUE")
    query.add_argument("--format", choices=("csv", "json", "parquet"), default="csv")
    query.add_argument("--output", type=Path, metavar="FILE")
    query.add_argument("--disclosure-control", action="store_true")

    from pipeline.audit_cli import add_audit_parser

    add_audit_parser(sub)
    from pipeline.map_cli import add_map_parser

    add_map_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "query":
            # Analysts script this command: it loads no more than it needs.  With --warehouse
            # given, the settings (and pydantic with them) are not needed at all.
            from pipeline.query_cli import query_main

            warehouse = args.warehouse or _settings(args).warehouse
            return query_main(warehouse, args)
        settings = _settings(args)
        if args.command == "demo":
            from pipeline.demo.generate import run_demo

            if args.end and args.end > date.today():  # the ingest would refuse such deliveries
                raise UsageError(f"--end {args.end} is after today {date.today()}")
            return run_demo(
                settings,
                scale=args.scale,
                start=args.start,
                end=args.end,
                seed=args.seed,
                native=args.native,
            )
        if args.command == "ingest":
            from pipeline.ingest import ingest_main

            return ingest_main(settings, allow_empty=args.allow_empty, wait=args.wait)
        if args.command == "status":
            from pipeline.ingest import status_main

            return status_main(settings, fmt=args.format)
        if args.command == "audit":
            from pipeline.audit_cli import audit_main

            return audit_main(settings, args)
        if args.command == "map":
            from pipeline.map_cli import map_main

            return map_main(settings, args)
    except UsageError as error:
        print(f"workforce {args.command}: {printable(error)}", file=sys.stderr)
        return 2
    parser.error(f"unknown command {args.command!r}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
