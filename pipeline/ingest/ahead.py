"""Native files conformed one delivery ahead, on the core the load leaves idle (issue 13).

A run is one DuckDB connection working through the deliveries in order, and most of what it
runs for a delivery (the contract's row rules, the history merges, storing) keeps one core
busy.  A native delivery's own work, reading its CSV files, checking their encoding, parsing and
conforming them, depends on nothing in the warehouse: only on the files, the mapping file, the
secret and the extract date.  So while the connection stores one delivery, a worker thread
prepares the next native one on a DuckDB of its own, in memory, and hands over Arrow tables.

What the worker prepares is an offer, never a verdict.  Every check still runs on the main
thread, in the same order and with the same words as without the worker (:mod:`.native`,
:mod:`.stage`): it takes the worker's scan of a file (its sha256 and its text, from one read)
and, when the file conformed cleanly, its staged rows.  Anything the worker could not do (a
mapping that does not load, a file that is not a regular file, a malformed CSV, a value that
cannot be parsed, any error at all) it leaves undone, and the main thread does it again from the
start and refuses the delivery in its usual words.  A run's result is the same with and without
the worker; only its time changes.

The worker is at most one delivery ahead of the load.  As on the main thread, the NI numbers
and dates of birth never leave the conforming statement: the staged rows hold ``person_key``
and ``age_band``, the raw rows neither column.
"""

from __future__ import annotations

import contextlib
import stat
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.ingest.discover import Delivery
from pipeline.ingest.sql import ident
from pipeline.sources import conform, csvfile
from pipeline.sources.mapping import load_mapping
from pipeline.sources.systems import NATIVE_FILES, native_columns

# The worker's own DuckDB: in memory, small; its tables live only until they are handed over.
WORKER_MEMORY = "512MB"


@dataclass
class Prepared:
    """One native file as the worker found it: always the scan, and the conformed tables
    when the file conformed without a fault (``stage`` is then set)."""

    scan: csvfile.Scan
    header: list[str]
    mapping_sha256: str
    rows: int | None = None
    stage: pa.Table | None = None
    faults: pa.Table | None = None
    raw: pa.Table | None = None

    def matches(self, mapping_sha256: str) -> bool:
        return self.mapping_sha256 == mapping_sha256


def _regular_file(path: Path) -> bool:
    """A plain file, not a link (the main thread refuses links before it reads anything)."""
    try:
        return stat.S_ISREG(path.lstat().st_mode) and not path.parent.is_symlink()
    except OSError:
        return False


class Ahead:
    """Prepares the native deliveries of ``order`` one ahead of the load (module docstring).

    The main thread calls :meth:`begin` as it starts each delivery, :meth:`take` for a native
    delivery's prepared files (once), and :meth:`close` at the end of the run."""

    def __init__(
        self,
        order: Sequence[Delivery],
        *,
        mappings: Path,
        organisations: frozenset[str],
        secret: str,
    ) -> None:
        self._order = list(order)
        self._position = {d.label: i for i, d in enumerate(self._order)}
        self._mappings, self._organisations, self._secret = mappings, organisations, secret
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="conform-ahead")
        self._futures: dict[str, Future[dict[str, Prepared]]] = {}
        self._local = threading.local()
        self._next = 0  # the first native delivery not yet handed to the worker

    def begin(self, delivery: Delivery) -> None:
        """The load starts on ``delivery``: have it and the native delivery after it under way."""
        at = self._position.get(delivery.label)
        if at is None:  # not native: prepare the next native delivery in the order
            return self._submit_upto(self._next)
        self._submit_upto(at + 1)

    def _submit_upto(self, last: int) -> None:
        while self._next <= min(last, len(self._order) - 1):
            d = self._order[self._next]
            self._futures[d.label] = self._pool.submit(self._prepare, d)
            self._next += 1

    def take(self, delivery: Delivery) -> dict[str, Prepared]:
        """The worker's files of ``delivery`` (native name -> :class:`Prepared`), waiting for
        them if it is still at work; empty if it prepared nothing."""
        future = self._futures.pop(delivery.label, None)
        if future is None:
            return {}
        try:
            return future.result()
        except Exception:  # the main thread does it all again and says what is wrong
            return {}

    def close(self) -> None:
        """Stop preparing: drop what was not taken, free the worker's database."""
        for future in self._futures.values():
            future.cancel()
        self._futures.clear()
        self._pool.submit(self._close_connection)
        self._pool.shutdown(wait=True)

    # --- the worker thread -------------------------------------------------------------------

    def _connection(self) -> duckdb.DuckDBPyConnection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = duckdb.connect(config={"memory_limit": WORKER_MEMORY})
            self._local.con = con
        return con

    def _close_connection(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    def _prepare(self, d: Delivery) -> dict[str, Prepared]:
        name = d.mapping_name()
        if name is None or d.symlink() is not None:
            return {}
        mapping = load_mapping(self._mappings, name, self._organisations)
        encoding, out = mapping.spec.encoding, {}
        for native, contract in NATIVE_FILES.items():
            path = d.folder / native
            if not _regular_file(path):
                continue
            scan = csvfile.scan(path, encoding, mapping.file, d.hashes.get(native))
            header = csvfile.header(scan.data) if scan.data is not None else []
            out[native] = prepared = Prepared(scan, header, mapping.sha256)
            if scan.data is not None:
                self._conform(prepared, d, mapping, native, contract.removesuffix(".parquet"))
        return out

    def _conform(self, prepared: Prepared, d: Delivery, mapping, native: str, name: str) -> None:
        """The file's staged rows, conforming faults and raw rows, if it conforms cleanly."""
        con = self._connection()
        assert prepared.scan.data is not None
        try:
            columns = native_columns(mapping.spec.system, native)
            rows = csvfile.read_rows(prepared.scan.data, columns)
            conform.create_mapping_tables(con, mapping, native)
            raw = conform.conform_file(
                con,
                rows,
                native=native,
                stem=name,
                mapping=mapping,
                extract_date=d.extract_date,
                secret=self._secret,
            )
            stage, faults = ident("stage_" + name), ident("conform_faults_" + name)
            prepared.stage = con.sql(f"SELECT * FROM {stage}").to_arrow_table()
            prepared.faults = con.sql(f"SELECT * FROM {faults}").to_arrow_table()
            prepared.raw, prepared.rows = raw, rows.height
        except Exception:  # left to the main thread, which says what is wrong
            prepared.stage = prepared.faults = prepared.raw = None
            return
        finally:
            with contextlib.suppress(Exception):
                con.unregister(f"raw_{name}")
            for table in ("stage_", "conform_faults_"):
                with contextlib.suppress(Exception):
                    con.execute(f"DROP TABLE IF EXISTS temp.{ident(table + name)}")
        # the text is no longer needed: the rows are staged (the header was taken above)
        prepared.scan = csvfile.Scan(prepared.scan.sha256, None, None)
