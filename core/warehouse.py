"""Where the warehouse lives, how readers open it and how a load publishes a new version.

The warehouse is a folder of DuckDB files, one per published version (``wh-000001.duckdb``,
...), and a ``CURRENT`` file naming the version readers should open.  A load (one at a time:
:func:`ingest_lock`) copies the current version, loads into the copy and, once it is complete,
checkpointed and closed, swaps ``CURRENT`` atomically (``os.replace``).  Readers open the
version named by ``CURRENT`` read-only, so they never see half a load and never hold the lock
the writer needs: DuckDB allows one read-write process or many read-only ones per file, and
here they never share a file.  Versions older than the previous one are deleted; a reader
still holding one keeps reading it (an unlinked file lives on until closed).

A load that cannot write (a full disk, a read-only folder) leaves no unpublished version
behind, and ``CURRENT`` still names the version it named before.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from core.locks import exclusive
from core.sqltext import quote

CURRENT = "CURRENT"
LOCK = ".ingest.lock"
_VERSION = re.compile(r"wh-(\d{6,})\.duckdb")
# Every nightly load rewrites a little of each history table (the valid_to of changed
# versions, the appended tail), and each rewritten segment leaves the unused tail of its block
# behind.  Measured on the scale-1 demo after 31 nightly runs, employee history in the file
# (whole file): 256 KiB blocks (DuckDB's default) 44.5 MB (66 MB), 128 KiB 38.8 MB (58 MB),
# 64 KiB 37.9 MB (55 MB), 16 KiB 58.9 MB (82 MB).
BLOCK_SIZE = 64 * 1024
# A version file whose free blocks pass this share is rewritten compactly on the next load.
COMPACT_FREE_SHARE = 0.3


class WarehouseMissing(RuntimeError):
    """No load has been published yet."""


class WarehouseUnreadable(WarehouseMissing):
    """The published version is there but cannot be opened (a damaged or foreign file)."""


def unreadable(path: Path, error: Exception) -> WarehouseUnreadable:
    """The one-line error for a published version that DuckDB cannot open."""
    first = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return WarehouseUnreadable(f"the published warehouse {path} cannot be opened: {first}")


def current_path(warehouse: Path) -> Path | None:
    """The published DuckDB file, or None when nothing has been loaded."""
    pointer = warehouse / CURRENT
    try:
        name = pointer.read_text().strip()
    except FileNotFoundError:
        return None
    path = warehouse / name
    return path if name and path.exists() else None


def connect_readonly(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published version.

    Retries briefly when the version named by ``CURRENT`` is deleted between reading the name
    and opening it (two loads published in quick succession)."""
    for attempt in range(20):
        path = current_path(warehouse)
        if path is None:
            raise WarehouseMissing(f"no warehouse at {warehouse}: run `workforce ingest` first")
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.Error as error:
            if path.exists() or attempt == 19:
                raise unreadable(path, error) from None
            time.sleep(0.05)
    raise AssertionError("unreachable")


def versions(warehouse: Path) -> dict[int, Path]:
    """Every version file in the folder, published or not, by number."""
    found = {}
    for path in warehouse.glob("wh-*.duckdb"):
        match = _VERSION.fullmatch(path.name)
        if match:
            found[int(match.group(1))] = path
    return found


@contextlib.contextmanager
def ingest_lock(
    warehouse: Path, *, wait: bool = True, on_wait: Callable[[Path], None] | None = None
) -> Iterator[None]:
    """Hold the warehouse's writer lock.  When another ingest holds it: wait until it is done,
    first calling ``on_wait`` with the lock file (so the wait is never silent), or with
    ``wait=False`` raise :class:`LockHeld` at once."""
    warehouse.mkdir(parents=True, exist_ok=True)
    busy = "another ingest is running"
    with exclusive(warehouse / LOCK, wait=wait, on_wait=on_wait, busy=busy):
        yield


def connect_writable(path: Path) -> duckdb.DuckDBPyConnection:
    """The writer's connection to an unpublished version (new files get :data:`BLOCK_SIZE`).
    One checkpoint when the load is done, not one whenever the WAL passes 16 MB."""
    return duckdb.connect(
        str(path), config={"default_block_size": str(BLOCK_SIZE), "checkpoint_threshold": "1GB"}
    )


def is_loose(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connected version has enough free blocks to be worth rewriting."""
    total, free = con.execute(
        "SELECT total_blocks, free_blocks FROM pragma_database_size()"
        " WHERE database_name = current_database()"
    ).fetchone()
    return bool(total) and free / total > COMPACT_FREE_SHARE


def new_version(warehouse: Path, compact: bool = False) -> tuple[Path, Path | None]:
    """A fresh, unpublished copy of the current version (or an empty path when there is none),
    and the current version it was copied from.  ``compact``: rewrite every table into the
    copy (``COPY FROM DATABASE``) instead of copying bytes, leaving no free blocks behind.
    Call under :func:`ingest_lock`."""
    current = current_path(warehouse)
    number = max(versions(warehouse), default=0) + 1
    path = warehouse / f"wh-{number:06d}.duckdb"
    discard(path)
    try:
        if current is not None and compact:
            with contextlib.closing(connect_writable(path)) as con:
                con.execute("ATTACH $path AS published (READ_ONLY)", {"path": str(current)})
                name = con.execute("SELECT current_database()").fetchone()[0]
                con.execute(f"COPY FROM DATABASE published TO {quote(name)}")
                con.execute("DETACH published")
                con.execute("CHECKPOINT")
        elif current is not None:
            # Readers never write to a published file, so a byte copy of it is consistent.
            shutil.copyfile(current, path)
    except BaseException as error:  # a full disk half way through the copy: no partial version
        with contextlib.suppress(OSError):  # keep the error that stopped the copy
            discard(path)
        if isinstance(error, OSError) and error.filename != str(path):
            # shutil names the file it copied from; the failure was writing the copy
            raise OSError(error.errno, error.strerror, str(path)) from None
        raise
    return path, current


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(warehouse: Path, path: Path, previous: Path | None) -> None:
    """Make ``path`` (closed, checkpointed) the current version, then delete versions older
    than ``previous``.  Call under :func:`ingest_lock`."""
    tmp = warehouse / (CURRENT + ".tmp")
    try:
        _fsync(path)
        tmp.write_text(path.name + "\n")
        _fsync(tmp)
        os.replace(tmp, warehouse / CURRENT)
    except BaseException:  # not published: CURRENT still names ``previous``
        with contextlib.suppress(OSError):
            discard(tmp)
            discard(path)
        raise
    # Published.  What follows only tidies up: a failure here must not read as a failed load.
    with contextlib.suppress(OSError):
        _fsync(warehouse)
    keep = {path.name} | ({previous.name} if previous else set())
    for old in versions(warehouse).values():
        if old.name not in keep:
            with contextlib.suppress(OSError):
                discard(old)


def discard(path: Path) -> None:
    """Remove an unpublished (or superseded) version file and its write-ahead log."""
    for candidate in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()
