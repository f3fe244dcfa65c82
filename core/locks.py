"""One advisory file lock (``flock``) for every writer that must go one at a time across
threads and processes: the nightly ingest (one writer of the warehouse) and the audit log's
appenders (the insert and the anchor move together).  POSIX only, like the servers."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Callable, Iterator
from pathlib import Path


class LockHeld(RuntimeError):
    """Another process holds the lock, and the caller would not wait."""


@contextlib.contextmanager
def exclusive(
    lock: Path,
    *,
    wait: bool = True,
    on_wait: Callable[[Path], None] | None = None,
    busy: str = "another process holds it",
) -> Iterator[None]:
    """Hold the lock file ``lock`` (created if missing).  When another holder has it: wait,
    first calling ``on_wait`` with the lock file (so a wait is never silent), or with
    ``wait=False`` raise :class:`LockHeld` at once, saying ``busy``."""
    with lock.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise LockHeld(f"{busy} (lock held on {lock})") from None
            if on_wait is not None:
                on_wait(lock)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
