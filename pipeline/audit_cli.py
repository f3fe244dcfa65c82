"""``workforce audit verify``: the audit log checked from outside the dashboard; and
``workforce audit init``, which starts a new log on purpose.

An operator runs it by hand or from a daily job: it walks the whole log (:func:`core.audit.
verify`) and prints one line.  Intact: the number of entries and the head ``SEQ:HASH``, exit 0;
a job that records that head somewhere the app servers cannot write can later pass it back with
``--expect-head``, which catches the log and its anchor rolled back together.  Anything else
(missing, empty, tampered, unreadable, of the earlier version): the first fault, exit 1.  Bad
usage: exit 2.

``init`` is how a log is started when its key is ``WORKFORCE_AUDIT_KEY`` (the dashboard does
not start one by itself then: nothing on disk would show that a deleted log had been there),
or on purpose after an earlier log was set aside with its anchor but its key file kept.  It
refuses while a log exists or an anchor still records entries: exit 1.

Only argparse is imported at the top: ``pipeline.cli`` builds this parser for every command,
and ``workforce query`` loads no more than it needs.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core.errors import UsageError, printable


def add_audit_parser(sub: Any) -> None:
    """``workforce audit verify [--log PATH] [--expect-head SEQ:HASH]`` and
    ``workforce audit init [--log PATH]``."""
    audit = sub.add_parser("audit", help="check the audit log")
    actions = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = actions.add_parser(
        "verify", help="check every entry, the numbering and the anchor; print the head"
    )
    verify.add_argument("--log", help="the audit log (WORKFORCE_AUDIT): a file or a URL")
    verify.add_argument(
        "--expect-head",
        dest="expect_head",
        metavar="SEQ:HASH",
        help="a head printed by an earlier run: fail unless that entry is still in the log",
    )
    init = actions.add_parser("init", help="start a new, empty audit log on purpose")
    init.add_argument("--log", help="the audit log (WORKFORCE_AUDIT): a file or a URL")


def audit_main(settings: Any, args: argparse.Namespace) -> int:
    """Run ``workforce audit verify`` or ``init``; one line to stdout (done, intact) or to
    stderr (anything else), escaped for the terminal."""
    from core import audit
    from core.settings import audit_target

    path = audit_target(args.log) if args.log else settings.audit  # a URL prints masked
    if args.audit_command == "init":
        try:
            audit.start(path)
        except (FileExistsError, audit.AuditError) as error:
            print(f"workforce audit init: {printable(error)}", file=sys.stderr)
            return 1
        print(printable(f"started a new audit log at {path}"))
        return 0

    expect = None
    if args.expect_head is not None:
        try:
            expect = audit.Head.parse(args.expect_head)
        except ValueError as error:
            raise UsageError(f"--expect-head: {error}") from None
    check = audit.verify(path, expect_head=expect)
    if check.intact:
        print(printable(check.message))
        return 0
    print(f"workforce audit verify: {printable(check.message)}", file=sys.stderr)
    return 1
