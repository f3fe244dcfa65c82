"""nginx in front of the app servers: the site's config rendered from
``nginx/workforce.conf.template``, and a private nginx process that serves it on one machine.

The template is the whole of what a platform team needs in nginx's ``http { }`` block (the
sticky route cookie, the websocket, failover to the next server, the security headers); its
``@@...@@`` markers are the only site-specific parts, filled by :func:`render`.  For
``make serve-cluster`` and the tests, :class:`Nginx` wraps it in a minimal main config of its
own under a prefix directory (pid, logs and temporary files there) and runs Debian's nginx
in the foreground: the system's nginx, its config and its service are never touched.

Standard library only; not imported by the app.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "workforce.conf.template"
NGINX = "/usr/sbin/nginx"
# Each server: out of the ring for 10s after one refused connection (the template says why).
SERVER_LINE = "    server {address} max_fails=1 fail_timeout=10s;"


class NginxError(RuntimeError):
    """nginx refused the config or did not start; one line with its log's tail."""


def binary() -> str | None:
    """nginx's path, or None when it is not installed."""
    return shutil.which("nginx") or (NGINX if Path(NGINX).exists() else None)


def render(
    listen: str,
    servers: Sequence[str],
    *,
    tls: tuple[Path, Path] | None = None,
    template: Path = TEMPLATE,
) -> str:
    """The site's config: ``listen`` (``ADDR:PORT``) in front of ``servers`` (``HOST:PORT``
    each).  With ``tls`` (certificate, key) it listens with TLS, marks the route cookie
    ``Secure`` and sends HSTS."""
    if not servers:
        raise ValueError("nginx needs at least one app server")
    lines = "\n".join(SERVER_LINE.format(address=address) for address in servers)
    tls_lines = ""
    if tls is not None:
        certificate, key = tls
        tls_lines = "\n".join(
            [
                f"    ssl_certificate {certificate};",
                f"    ssl_certificate_key {key};",
                "    ssl_protocols TLSv1.2 TLSv1.3;",
                '    add_header Strict-Transport-Security "max-age=31536000" always;',
            ]
        )
    text = template.read_text()
    for marker, value in {
        "@@LISTEN@@": f"{listen} ssl" if tls else listen,
        "@@SERVERS@@": lines,
        "@@COOKIE_SECURE@@": "; Secure" if tls else "",
        "@@TLS@@": tls_lines,
    }.items():
        text = text.replace(marker, value)
    return text


def main_config(prefix: Path, site: Path) -> str:
    """A whole nginx.conf for a private instance under ``prefix`` that includes ``site``."""
    tmp = prefix / "tmp"
    temp_paths = "\n".join(
        f"    {kind}_temp_path {tmp / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""# A private nginx for deploy/cluster.py; the site itself is {site.name}.
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{
    worker_connections 1024;
}}
http {{
    access_log {prefix / "access.log"};
    default_type application/octet-stream;
{temp_paths}
    include {site};
}}
"""


class Nginx:
    """One private nginx serving ``site_text`` from ``prefix`` (a folder of its own)."""

    def __init__(self, prefix: Path, site_text: str, port: int) -> None:
        self.prefix, self.port = prefix, port
        self.process: subprocess.Popen[bytes] | None = None
        found = binary()
        if found is None:
            raise NginxError("nginx is not installed (apt-get install nginx-light)")
        self.binary = found
        prefix.mkdir(parents=True, exist_ok=True)
        # Run as root, nginx's workers drop to "nobody": they must reach the temporary folders
        # (a large download or upload is buffered there), so the prefix is traversable.
        prefix.chmod(0o711)
        (prefix / "tmp").mkdir(exist_ok=True)
        (prefix / "tmp").chmod(0o711)
        site = prefix / "workforce.conf"
        site.write_text(site_text)
        self.config = prefix / "nginx.conf"
        self.config.write_text(main_config(prefix, site))

    def _command(self, *extra: str) -> list[str]:
        # -e: nginx's own error log before it reads the config (never /var/log/nginx).
        prefix = f"{self.prefix}/"
        return [self.binary, "-p", prefix, "-e", str(self.prefix / "error.log"), *extra]

    def start(self, timeout: float = 15) -> None:
        checked = subprocess.run(
            self._command("-t", "-c", str(self.config)), capture_output=True, text=True
        )
        if checked.returncode != 0:
            raise NginxError(f"nginx refused the config: {_first_line(checked.stderr)}")
        with (self.prefix / "nginx.out").open("ab") as out:
            self.process = subprocess.Popen(
                self._command("-c", str(self.config), "-g", "daemon off;"),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches deploy/cluster.py, which stops it
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise NginxError(f"nginx exited: {self.log_tail()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.1)
        raise NginxError(f"nginx not listening on {self.port} after {timeout}s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # SIGTERM: nginx's fast shutdown
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self) -> str:
        log = self.prefix / "error.log"
        return _first_line("".join(log.read_text().splitlines(True)[-3:])) if log.exists() else ""


def _first_line(text: str) -> str:
    return " ".join(text.split())[:400]
