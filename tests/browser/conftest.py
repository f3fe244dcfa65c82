"""Serve the app with ``streamlit run`` and drive it in headless Chromium (Playwright).

Chromium is Debian's (``apt-get install chromium``), never a Playwright download.  Without it
the browser tests are skipped, unless ``WORKFORCE_REQUIRE_BROWSER=1`` (as in CI), when they
fail instead.  Every browser test module sets ``pytestmark = pytest.mark.browser``.

Under ``pytest -n 2`` the two workers share the browser tests out like any others: each worker
starts one Chromium for its session (``tests/conftest.py``: ``browser``), and each module or
test serves its own app on a free loopback port over its own folder, so no server, port or
file is shared between workers.  (They were meant to run on one worker, with ``--dist
loadgroup`` and an ``xdist_group`` mark, but with pytest 9.2 xdist can no longer add the group
to a test's node id, which its grouping relies on (pytest-xdist issue #1386), so they always
ran on both.)
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_healthy(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"streamlit exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"streamlit not healthy after {STARTUP_SECONDS}s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def serve(
    root: Path,
    warehouse: Path,
    reference: Path = REPO / "data" / "reference",
    *,
    role: str = "admin",
    clusters: tuple[str, ...] = ("*",),
    record_level: bool = False,
    extra_env: dict[str, str] | None = None,
):
    """``streamlit run app.py`` from the repository over ``warehouse``, in demo mode as a user
    with ``role`` over ``clusters`` (an admin of all by default); yields its URL.  The audit
    log is ``root/audit.sqlite``."""
    from tests.pages import ADMIN, policy_text

    (root / "access.toml").write_text(policy_text(ADMIN, role, clusters, record_level))
    env = {
        **os.environ,
        "WORKFORCE_LANDING": str(root / "landing"),
        "WORKFORCE_WAREHOUSE": str(warehouse),
        "WORKFORCE_REFERENCE": str(reference),
        "WORKFORCE_ACCESS": str(root / "access.toml"),
        "WORKFORCE_DEMO_USER": ADMIN,
        "WORKFORCE_AUDIT": str(root / "audit.sqlite"),
        **(extra_env or {}),  # the test's own settings, e.g. sign-in (test_oidc_browser.py)
    }
    with streamlit(REPO / "app.py", root / "streamlit.log", env=env) as url:
        yield url


@contextlib.contextmanager
def streamlit(
    script: Path, log: Path, *, env: dict[str, str] | None = None, args: tuple[str, ...] = ()
) -> Iterator[str]:
    """``streamlit run script`` (from its folder) headless on a free loopback port, with the
    app's flags and ``args``; yields its URL once healthy, stops it after."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        *(sys.executable, "-m", "streamlit", "run", script.name),
        *("--server.port", str(port), "--server.address", "127.0.0.1"),
        *("--server.headless", "true", "--server.fileWatcherType", "none"),
        *args,
    ]
    with log.open("w") as out:
        server = subprocess.Popen(
            command, cwd=script.parent, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_healthy(url, server, log)
        yield url
    finally:
        stop(server)


def stop(process: subprocess.Popen) -> None:
    """Ask ``process`` to end, and kill it if it has not within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of the app served from the repository, over an empty warehouse."""
    root = tmp_path_factory.mktemp("served")
    with serve(root, root / "warehouse") as url:
        yield url


@pytest.fixture(scope="session")
def tiny_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of the app served over the tiny warehouse (tests/tiny_warehouse.py)."""
    from tests.tiny_warehouse import build

    root = tmp_path_factory.mktemp("served-tiny")
    settings = build(root)
    with serve(root, settings.warehouse, settings.reference) as url:
        yield url


@pytest.fixture(scope="session")
def unity_analyst_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the UNITY analyst's app keeps its policy and audit log (``audit.sqlite``)."""
    return tmp_path_factory.mktemp("served-unity")


@pytest.fixture(scope="session")
def unity_analyst_url(unity_analyst_root: Path) -> Iterator[str]:
    """The app over the tiny warehouse for an analyst of UNITY alone, with record-level rights."""
    from tests.tiny_warehouse import build

    settings = build(unity_analyst_root)
    with serve(
        unity_analyst_root,
        settings.warehouse,
        settings.reference,
        role="analyst",
        clusters=("UNITY",),
        record_level=True,
    ) as url:
        yield url


def launch_browser() -> Iterator:
    """Chromium for the session: the ``browser`` fixture, defined in ``tests/conftest.py`` so
    that tests/cluster shares it (Playwright's sync API runs one instance at a time)."""
    if not CHROMIUM.exists():
        from tests.services import unavailable

        unavailable(f"{CHROMIUM} is missing: apt-get install chromium", "WORKFORCE_REQUIRE_BROWSER")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def settled(page, timeout: float = 30_000) -> None:
    """Wait until the page's script run has finished (Streamlit marks the app "notRunning").
    Before a click that must land: a rerun replaces the page's buttons while it runs."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        timeout=timeout
    )
