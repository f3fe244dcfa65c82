"""Real services for the tests that need them: a throwaway PostgreSQL server
(``deploy/postgres/local.py``), one per test session, and a fresh database (a log of its own)
per test.

Where PostgreSQL's binaries are absent the tests that need it are skipped, unless
``WORKFORCE_REQUIRE_SERVICES=1`` (the CI sets it): then they fail, so a CI image that lost its
PostgreSQL cannot pass by skipping.  Use::

    from tests.services import postgres_server, require_postgres  # the fixture, re-exported

    require_postgres()  # at the top of a module: skip it, or fail under the CI
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from typing import NoReturn

import pytest

from deploy.postgres import local

SERVICES = "WORKFORCE_REQUIRE_SERVICES"
_names = itertools.count(1)


def unavailable(why: str, required_by: str = SERVICES) -> NoReturn:
    """Skip the test (or module) that needs what is missing, ``why``; fail instead when the
    setting ``required_by`` is 1 (the CI sets it), so that a CI machine without it cannot pass
    by skipping."""
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{required_by}=1 but {why}", pytrace=False)
    pytest.skip(why, allow_module_level=True)


def require_postgres() -> None:
    """Skip the calling module when no local PostgreSQL can be made here; fail instead when the
    CI requires the services."""
    if not local.available():
        unavailable("PostgreSQL's server binaries (/usr/lib/postgresql/*/bin) are not installed")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[local.Server]:
    """One PostgreSQL for the session, with the audit schema and grants applied to its
    ``workforce`` database (left as made: tests copy it with :func:`fresh_log`)."""
    require_postgres()
    server = local.start(tempfile.mkdtemp(prefix="workforce-pg-"))
    try:
        yield server
    finally:
        server.remove()


def fresh_log(server: local.Server, *, empty: bool = False) -> local.Database:
    """A database of its own for one test: the audit tables and grants as deploy/postgres
    makes them, the log not started yet (``empty``: no tables at all)."""
    if not server.running:  # a test that stopped the server and failed before restarting it
        server.start()
    return server.create_database(f"audit_{os.getpid()}_{next(_names)}", empty=empty)
