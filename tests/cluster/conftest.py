"""One cluster (``deploy/cluster.py``) for the module: a throwaway PostgreSQL, nginx and two app
servers over the tiny warehouse (``tests/tiny_warehouse.py``), in demo mode as an admin.

The services are real: without nginx or PostgreSQL's server binaries the tests are skipped,
unless ``WORKFORCE_REQUIRE_SERVICES=1`` (as in CI), when they fail instead.  Chromium is the
session's one (the ``browser`` fixture of ``tests/conftest.py``).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services import unavailable


def require_services() -> None:
    """Skip (or fail, with ``WORKFORCE_REQUIRE_SERVICES=1``) when a service is missing."""
    from deploy import nginx_conf
    from deploy.postgres import local

    missing = [
        what
        for what, there in (
            ("nginx (apt-get install nginx-light)", nginx_conf.binary() is not None),
            ("PostgreSQL's server binaries (apt-get install postgresql)", local.available()),
        )
        if not there
    ]
    if missing:
        unavailable(f"missing: {', '.join(missing)}")


@pytest.fixture(scope="module")
def cluster_root() -> Iterator[Path]:
    """The tiny warehouse's landing zone, warehouse and policy: a folder the cluster's
    processes can all read (not pytest's private tmp_path)."""
    root = Path(tempfile.mkdtemp(prefix="workforce-cluster-test-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster(cluster_root: Path) -> Iterator:
    """The started cluster (:class:`deploy.cluster.Cluster`)."""
    require_services()
    from deploy.cluster import Cluster
    from tests.pages import ADMIN, policy_text
    from tests.tiny_warehouse import build

    settings = build(cluster_root)
    access = cluster_root / "access.toml"
    access.write_text(policy_text(ADMIN, "admin", ("*",), False))
    with Cluster(
        landing=settings.landing,
        warehouse=settings.warehouse,
        reference=settings.reference,
        access=access,
        env={"WORKFORCE_DEMO_USER": ADMIN},
    ) as started:
        yield started
