"""Workforce Picture as a cluster on one machine, for trying it (``make serve-cluster``) and for
``tests/cluster``: a throwaway PostgreSQL holding the audit log, the ingest, two app servers on
one warehouse folder, and nginx in front keeping each browser on its server.

It is what ``deploy/README.md`` sets up for real, with the platform's parts swapped for local
ones: ``deploy/postgres/local.py`` instead of a managed database (the same ``schema.sql`` and
``grants.sql`` applied, the app connecting as the app role), processes of its own instead of
systemd units, an ingest every few minutes instead of the nightly timer, and nginx run from a
private prefix with the same site template.  Nothing else is applied or set up here.

    python -m deploy.cluster serve [--port 8500] [--app-port P ...] [--ingest-every SECONDS]
    python -m deploy.cluster nginx --listen ADDR:PORT --app HOST:PORT ... [--tls-cert C --tls-key K]

``serve`` prints the URL and runs until Ctrl-C, then stops everything and deletes its state
(the audit log with it: a key is made per run unless ``WORKFORCE_AUDIT_KEY`` is set).  The
landing zone, warehouse, policy and the rest come from the usual ``WORKFORCE_*`` settings.
``nginx`` prints the site config for a real deployment.  In tests, :class:`Cluster` is a
context manager (free ports, temporary state).  Standard library and the project's settings
only; the app never imports this.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

from deploy.nginx_conf import Nginx, NginxError, render
from deploy.postgres import local

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
STARTUP_SECONDS = 60
DEMO_ADMIN = "demo.admin@workforce.local"  # data/access.example.toml's admin, as in the Makefile


class ClusterError(RuntimeError):
    """A part of the cluster did not start; one line naming it, with its log's tail."""


class AppServer:
    """One ``streamlit run app.py`` on ``port``, its output in ``log``."""

    def __init__(self, port: int, log: Path, env: Mapping[str, str]) -> None:
        self.port, self.log, self.env = port, log, dict(env)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    def start(self) -> None:
        command = [
            *(sys.executable, "-m", "streamlit", "run", "app.py"),
            *("--server.port", str(self.port), "--server.address", HOST),
            *("--server.headless", "true", "--server.fileWatcherType", "none"),
        ]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command,
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the cluster, which stops it in order
            )

    def wait_healthy(self, timeout: float = STARTUP_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise ClusterError(f"app server {self.address} exited: {tail(self.log)}")
            with contextlib.suppress(OSError, urllib.error.URLError):
                url = f"http://{self.address}/_stcore/health"
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            time.sleep(0.25)
        raise ClusterError(f"app server {self.address} not healthy after {timeout}s")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, *, kill: bool = False) -> None:
        """Stop the server (``kill``: SIGKILL, as a crash would)."""
        if not self.running:
            return
        assert self.process is not None
        self.process.kill() if kill else self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Cluster:
    """PostgreSQL, the ingest, ``len(app_ports)`` app servers and nginx; see the module."""

    def __init__(
        self,
        *,
        landing: Path,
        warehouse: Path,
        reference: Path = REPO / "data" / "reference",
        access: Path = REPO / "data" / "access.toml",
        mappings: Path = REPO / "data" / "mappings",
        port: int = 0,
        app_ports: Sequence[int] = (0, 0),
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.landing, self.warehouse = landing.resolve(), warehouse.resolve()
        self.state = Path(tempfile.mkdtemp(prefix="workforce-cluster-"))
        self.state.chmod(0o711)  # nginx's workers reach their temporary folder inside
        self.port = port or local.free_port()
        base = {k: v for k, v in os.environ.items() if not k.startswith("WORKFORCE_AUDIT")}
        self.audit_key = (env or {}).get("WORKFORCE_AUDIT_KEY") or os.environ.get(
            "WORKFORCE_AUDIT_KEY", secrets.token_hex(32)
        )
        self.env = {
            **base,
            "WORKFORCE_LANDING": str(self.landing),
            "WORKFORCE_WAREHOUSE": str(self.warehouse),
            "WORKFORCE_REFERENCE": str(reference.resolve()),
            "WORKFORCE_ACCESS": str(access.resolve()),
            "WORKFORCE_MAPPINGS": str(mappings.resolve()),
            **(env or {}),
            "WORKFORCE_AUDIT_KEY": self.audit_key,
        }
        self.apps = [
            AppServer(p or local.free_port(), self.state / f"app-{i + 1}.log", self.env)
            for i, p in enumerate(app_ports)
        ]
        # PostgreSQL's own folder, handed to its OS user (local.py: not inside ``state``).
        self._pg_dir = Path(tempfile.mkdtemp(prefix="workforce-pg-"))
        self.postgres: local.Server | None = None
        self.nginx: Nginx | None = None
        self.first_ingest: subprocess.CompletedProcess[str] | None = None

    @classmethod
    def local(cls, root: Path, *, warehouse: Path, servers: int = 2, port: int = 0) -> Cluster:
        """A cluster of ``servers`` app servers over an existing ``warehouse`` (benchmarks): an
        empty landing zone under ``root``, the example access policy, in demo mode as the demo
        admin unless ``WORKFORCE_DEMO_USER`` says otherwise."""
        (root / "landing").mkdir(parents=True, exist_ok=True)
        return cls(
            landing=root / "landing",
            warehouse=warehouse,
            access=REPO / "data" / "access.example.toml",
            port=port,
            app_ports=(0,) * servers,
            env={"WORKFORCE_DEMO_USER": os.environ.get("WORKFORCE_DEMO_USER", DEMO_ADMIN)},
        )

    def server_pids(self) -> list[int]:
        """The app servers' process ids, in order (for memory sampling)."""
        return [app.process.pid for app in self.apps if app.process is not None]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def audit_url(self) -> str:
        """The app role's URL of the audit log (what the app servers connect with)."""
        assert self.postgres is not None, "the cluster is not started"
        return self.postgres.app_url

    def start(self) -> Cluster:
        try:
            self.postgres = local.start(self._pg_dir)
            # The log started on purpose, by the owner, sealed with the cluster's key; the
            # app servers then append as the app role.
            started = self.workforce("audit", "init", audit=self.postgres.owner_url)
            if started.returncode != 0:
                raise ClusterError(f"workforce audit init: {started.stderr.strip()}")
            self.env["WORKFORCE_AUDIT"] = self.postgres.app_url
            self.first_ingest = self.ingest()
            for app in self.apps:
                app.env["WORKFORCE_AUDIT"] = self.postgres.app_url
                app.start()
            for app in self.apps:
                app.wait_healthy()
            site = render(f"{HOST}:{self.port}", [app.address for app in self.apps])
            self.nginx = Nginx(self.state / "nginx", site, self.port)
            self.nginx.start()
        except BaseException:
            self.stop()
            raise
        return self

    def ingest(self) -> subprocess.CompletedProcess[str]:
        """``workforce ingest`` over the cluster's landing zone and warehouse, as the nightly
        job runs it (exit 1: a delivery was refused, the others loaded)."""
        return self.workforce("ingest")

    def workforce(self, *args: str, audit: str | None = None) -> subprocess.CompletedProcess[str]:
        """The ``workforce`` command with the cluster's settings (``audit``: another log URL)."""
        env = self.env if audit is None else {**self.env, "WORKFORCE_AUDIT": audit}
        return subprocess.run(
            [sys.executable, "-m", "pipeline.cli", *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    def restart_app(self, index: int) -> None:
        """Start app server ``index`` again on its port (after :meth:`AppServer.stop`)."""
        app = self.apps[index]
        app.stop()
        app.start()
        app.wait_healthy()

    def stop(self) -> None:
        """Stop everything started, in the reverse order, and delete the cluster's state."""
        if self.nginx is not None:
            self.nginx.stop()
        for app in self.apps:
            app.stop()
        if self.postgres is not None:
            with contextlib.suppress(local.LocalServerError):
                self.postgres.remove()
        shutil.rmtree(self._pg_dir, ignore_errors=True)
        shutil.rmtree(self.state, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def tail(log: Path, lines: int = 5) -> str:
    """The last lines of ``log`` on one line."""
    text = (
        "".join(log.read_text(errors="replace").splitlines(True)[-lines:]) if log.exists() else ""
    )
    return " ".join(text.split())[:600]


# --- the command line --------------------------------------------------------------------------


def _serve(args: argparse.Namespace) -> int:
    from core.settings import Settings  # the WORKFORCE_* settings, read as the app reads them

    settings = Settings()
    cluster = Cluster(
        landing=settings.landing,
        warehouse=settings.warehouse,
        reference=settings.reference,
        access=settings.access,
        mappings=settings.mappings,
        port=args.port,
        app_ports=args.app_port or (0, 0),
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stopped like Ctrl-C
    print("starting PostgreSQL, the ingest, the app servers and nginx...", flush=True)
    try:
        with cluster:
            _said(cluster.first_ingest)
            servers = ", ".join(app.address for app in cluster.apps)
            print(f"Workforce Picture at {cluster.url} (app servers {servers}); Ctrl-C stops it")
            print(f"the audit log's owner: psql {cluster.postgres.owner_url}")
            print(f"logs (deleted on exit): {cluster.state}", flush=True)
            while True:  # the nightly timer, sooner
                time.sleep(args.ingest_every)
                _said(cluster.ingest())
    except KeyboardInterrupt:
        print("stopped", flush=True)
    except (ClusterError, NginxError, local.LocalServerError) as error:
        print(f"serve-cluster: {error}", file=sys.stderr)
        return 1
    return 0


def _said(done: subprocess.CompletedProcess[str] | None) -> None:
    """The ingest's last line (its summary), with its exit status."""
    if done is not None:
        lines = (done.stdout + done.stderr).strip().splitlines()
        print(f"ingest (exit {done.returncode}): {lines[-1] if lines else ''}", flush=True)


def _nginx(args: argparse.Namespace) -> int:
    tls = (Path(args.tls_cert), Path(args.tls_key)) if args.tls_cert and args.tls_key else None
    print(render(args.listen, args.app, tls=tls), end="")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.cluster", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the cluster on this machine until Ctrl-C")
    serve.add_argument("--port", type=int, default=8500, help="nginx's port (default 8500)")
    serve.add_argument("--app-port", type=int, action="append", help="an app server's port")
    serve.add_argument("--ingest-every", type=float, default=600, help="seconds between ingests")
    nginx = commands.add_parser("nginx", help="print the nginx site config for these servers")
    nginx.add_argument("--listen", required=True, help="ADDR:PORT nginx listens on")
    nginx.add_argument("--app", action="append", required=True, help="an app server, HOST:PORT")
    nginx.add_argument("--tls-cert", help="certificate file: listen with TLS")
    nginx.add_argument("--tls-key", help="its key file")
    args = parser.parse_args(argv)
    return _serve(args) if args.command == "serve" else _nginx(args)


if __name__ == "__main__":
    sys.exit(main())
