"""``workforce ingest`` and ``workforce status`` (shared/contract/cli.md).

The ingest accepts exactly the extract contract (shared/contract/extracts.md): it discovers
complete deliveries (:mod:`.discover`), decides what each needs (:mod:`.plan`), verifies them
file by file (:mod:`.verify`) and row by row in SQL derived from the contract's models
(:mod:`.rules`, :mod:`.stage`), loads them into versioned history (:mod:`.load`,
:mod:`.history`) in a new warehouse version that it publishes atomically
(:mod:`core.warehouse`, :mod:`.run`), and logs every attempt (:mod:`.log`).  A cluster's
native export (shared/contract/sources.md) is verified by :mod:`.native` and conformed to the
contract (:mod:`pipeline.sources`) before the same checks and load.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from core.settings import Settings
from pipeline.ingest.errors import DeliveryRefused

__all__ = ["DeliveryRefused", "ingest_main", "status_main"]


def ingest_main(
    settings: Settings,
    *,
    allow_empty: Collection[tuple[str, date]] = (),
    wait: bool = True,
    today: date | None = None,
) -> int:
    """Load every complete delivery not yet loaded; 0, or 1 when any delivery was refused.
    ``allow_empty``: (cluster, date) deliveries whose employees file may have no rows, or
    fewer than half the rows of the cluster's snapshot before it;
    ``wait=False``: stop at once when another ingest holds the lock; ``today``: the date after
    which deliveries are refused (the machine's date unless a test gives one)."""
    from pipeline.ingest.report import Reporter
    from pipeline.ingest.run import run_ingest

    with Reporter() as reporter:
        return run_ingest(settings, reporter, allow_empty=allow_empty, wait=wait, today=today)


def status_main(settings: Settings, fmt: str = "table") -> int:
    """Print the load log (``table`` or ``json``)."""
    from pipeline.ingest.status import print_status

    return print_status(settings, fmt)
