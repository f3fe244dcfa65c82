"""A throwaway PostgreSQL server for the tests and ``make serve-cluster``: standard library only.

It makes a fresh cluster in a directory, listening on 127.0.0.1 only (its unix socket inside
the data directory), with two login roles, and the audit schema (``schema.sql``, run as the
owner) and grants (``grants.sql``) applied, exactly as a platform team would apply them, to
the database ``workforce`` (copied from ``workforce_template``, which nobody connects to).
The log in it is not started: ``WORKFORCE_AUDIT=<app_url> WORKFORCE_AUDIT_KEY=... workforce
audit init`` (or ``core.audit.start(app_url)``) seals its head at entry 0 first.

API (used by ``tests/services.py`` and ``deploy/cluster.py``)::

    from deploy.postgres import local

    local.available() -> bool            # PostgreSQL's server binaries are installed
    local.bin_dir() -> Path              # the newest /usr/lib/postgresql/<version>/bin
    server = local.start(data_dir, port=None)   # initdb (if new), start, roles, schema, grants
    server.owner_url   # postgresql://workforce_owner:<password>@127.0.0.1:<port>/workforce
    server.app_url     # postgresql://workforce_app:<password>@127.0.0.1:<port>/workforce
    server.superuser_url  # (no password: only over the unix socket, for psql as the OS user)
    server.port, server.data_dir, server.log_file
    server.running -> bool
    server.stop()      # fast shutdown: "PostgreSQL down mid-session"; the cluster is kept
    server.start()     # the same cluster again, same port, roles, passwords and data
    server.restart()
    server.remove()    # stop, then delete the data directory
    server.psql(sql, *, as_owner=True) -> str   # run SQL through psql (tests, fixtures)
    server.create_database(name, *, empty=False) -> Database(owner_url, app_url)
                       # a copy of the fresh audit database (or an empty one): a log per test
    with local.running(data_dir, port=None, remove=False) as server: ...  # stopped on exit

Running as root (as the CI and the dev container do), initdb and pg_ctl run as the ``postgres``
OS user through ``runuser`` (PostgreSQL refuses to run as root) and the data directory is
handed to that user: its parents must be traversable by it (pytest's ``tmp_path`` is not:
pass the directory :func:`tempfile.mkdtemp` made, itself).  The passwords are random per
cluster and kept in ``<data_dir>/workforce-roles.json`` (readable by its owner only), so a
restarted cluster is reached with the same URLs.  Tuned for speed (``fsync=off``): never for
real data.

Run as a script it starts a server in the given directory and prints the URLs:
``python deploy/postgres/local.py DATA_DIR [PORT]`` (stopped on Ctrl-C).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCHEMA, GRANTS = HERE / "schema.sql", HERE / "grants.sql"
DATABASE, OWNER, APP, SUPERUSER = "workforce", "workforce_owner", "workforce_app", "postgres"
# The audit database as schema.sql and grants.sql leave it, which nobody connects to: the
# source of ``workforce`` and of every :meth:`Server.create_database` copy (a template in use
# cannot be copied, and ``workforce`` is in use by whoever runs the app).
TEMPLATE = "workforce_template"
HOST = "127.0.0.1"
_ROLES_FILE = "workforce-roles.json"
_TUNING = {  # a throwaway cluster: fast, small, loud in its own log
    "listen_addresses": f"'{HOST}'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "'32MB'",
    "max_connections": "60",
    "log_min_messages": "warning",
}


class LocalServerError(RuntimeError):
    """The server could not be made, started or stopped; one line, with the log's tail."""


def bin_dir() -> Path:
    """The newest installed PostgreSQL's binaries (``WORKFORCE_PG_BIN`` overrides)."""
    if configured := os.environ.get("WORKFORCE_PG_BIN"):
        return Path(configured)
    found = [p / "bin" for p in Path("/usr/lib/postgresql").glob("*") if (p / "bin").is_dir()]
    found = [p for p in found if (p / "initdb").exists() and (p / "pg_ctl").exists()]
    if not found:
        raise LocalServerError("PostgreSQL's server binaries are not installed (postgresql)")

    def version(path: Path) -> tuple[int, ...]:
        digits = path.parent.name.split(".")
        return tuple(int(d) if d.isdigit() else 0 for d in digits)

    return max(found, key=version)


def available() -> bool:
    """Whether a local server can be made here (binaries, and the OS user when root)."""
    try:
        binaries = bin_dir()
    except LocalServerError:
        return False
    if not (binaries / "initdb").exists() or not (binaries / "psql").exists():
        return False
    return not _as_root() or (shutil.which("runuser") is not None and _user_exists(SUPERUSER))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Database:
    """Another database of the cluster (:meth:`Server.create_database`): its URLs."""

    owner_url: str
    app_url: str


@dataclass
class Server:
    """One local cluster; see the module's docstring."""

    data_dir: Path
    port: int
    owner_password: str
    app_password: str

    @property
    def owner_url(self) -> str:
        return _url(OWNER, self.owner_password, self.port)

    @property
    def app_url(self) -> str:
        return _url(APP, self.app_password, self.port)

    @property
    def superuser_url(self) -> str:
        return f"postgresql://{SUPERUSER}@/{DATABASE}?host={self.data_dir}&port={self.port}"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "server.log"

    @property
    def running(self) -> bool:
        done = _run_as_server([str(bin_dir() / "pg_ctl"), "-D", str(self.data_dir), "status"])
        return done.returncode == 0

    def start(self) -> None:
        """Start the cluster (again): waits until it takes connections; a running one is left
        as it is."""
        if self.running:
            return
        pg_ctl = str(bin_dir() / "pg_ctl")
        self.log_file.touch(exist_ok=True)
        _chown(self.log_file)
        _checked(
            [pg_ctl, "-D", str(self.data_dir), "-l", str(self.log_file), "-w", "-t", "30", "start"],
            "start PostgreSQL",
            self.log_file,
        )

    def stop(self) -> None:
        """Fast shutdown (sessions cut, nothing lost); a stopped server is left as it is."""
        if self.running:
            pg_ctl = str(bin_dir() / "pg_ctl")
            cmd = [pg_ctl, "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "30", "stop"]
            _checked(cmd, "stop PostgreSQL", self.log_file)

    def restart(self) -> None:
        self.stop()
        self.start()

    def remove(self) -> None:
        """Stop the server and delete its cluster (the data directory and all in it)."""
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def create_database(self, name: str, *, empty: bool = False) -> Database:
        """A new database ``name`` owned by the owner: a copy of the audit database as
        schema.sql and grants.sql left it (its log not started), or with ``empty`` one with no
        tables at all.  For tests that each want a log of their own."""
        if not name.isidentifier() or not name.isascii() or name.lower() != name:
            raise LocalServerError(f"not a plain database name: {name!r}")
        template = "template0" if empty else TEMPLATE
        _superuser_sql(self, f"CREATE DATABASE {name} TEMPLATE {template} OWNER {OWNER}")
        return Database(
            _url(OWNER, self.owner_password, self.port, name),
            _url(APP, self.app_password, self.port, name),
        )

    def psql(self, sql: str, *, as_owner: bool = True) -> str:
        """Run ``sql`` through psql as the owner (over TCP) or as the superuser (over the
        socket, as the OS user that runs the server); returns its output, raises on error."""
        psql = str(bin_dir() / "psql")
        args = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql]
        if as_owner:
            env = {**os.environ, "PGPASSWORD": self.owner_password, "PGCONNECT_TIMEOUT": "5"}
            cmd = [psql, "-h", HOST, "-p", str(self.port), "-U", OWNER, "-d", DATABASE, *args]
            done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        else:
            cmd = [psql, "-h", str(self.data_dir), "-p", str(self.port), "-U", SUPERUSER]
            done = _run_as_server([*cmd, "-d", DATABASE, *args])
        if done.returncode != 0:
            raise LocalServerError(f"psql failed: {_first_line(done.stderr)}")
        return done.stdout

    def _apply(self, script: Path, database: str) -> None:
        psql = str(bin_dir() / "psql")
        env = {**os.environ, "PGPASSWORD": self.owner_password, "PGCONNECT_TIMEOUT": "5"}
        cmd = [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", HOST, "-p", str(self.port)]
        cmd += ["-U", OWNER, "-d", database, "-f", str(script)]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            raise LocalServerError(f"applying {script.name} failed: {_first_line(done.stderr)}")


def start(data_dir: Path | str, port: int | None = None) -> Server:
    """A running server in ``data_dir``: made there when the directory is new or empty (initdb,
    the roles, ``schema.sql`` then ``grants.sql``), else the cluster already there started again
    (``port`` ignored then: it keeps its own)."""
    data_dir = Path(data_dir).resolve()
    roles = data_dir / _ROLES_FILE
    if roles.exists():
        saved = json.loads(roles.read_text())
        server = Server(data_dir, int(saved["port"]), saved["owner"], saved["app"])
        if not server.running:
            server.start()
        return server
    server = Server(data_dir, port or free_port(), secrets.token_hex(16), secrets.token_hex(16))
    _initdb(server)
    server.start()
    _make_roles(server)
    server._apply(SCHEMA, TEMPLATE)
    server._apply(GRANTS, TEMPLATE)
    _superuser_sql(server, f"ALTER DATABASE {TEMPLATE} WITH ALLOW_CONNECTIONS false")
    server.create_database(DATABASE)
    return server


@contextmanager
def running(
    data_dir: Path | str, port: int | None = None, *, remove: bool = False
) -> Iterator[Server]:
    """:func:`start`, then stop on exit; with ``remove`` the cluster is deleted too."""
    server = start(data_dir, port)
    try:
        yield server
    finally:
        server.remove() if remove else server.stop()


# --- making the cluster ------------------------------------------------------------------------


def _initdb(server: Server) -> None:
    data_dir = server.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    if any(data_dir.iterdir()):
        raise LocalServerError(f"{data_dir} is not empty and holds no cluster made here")
    data_dir.chmod(0o700)
    _chown(data_dir)
    if _as_root() and _run_as_server(["test", "-w", str(data_dir)]).returncode != 0:
        raise LocalServerError(
            f"the {SUPERUSER} OS user cannot reach {data_dir}: use a directory whose parents it "
            "can traverse (e.g. the one tempfile.mkdtemp() made, itself)"
        )
    initdb = str(bin_dir() / "initdb")
    cmd = [initdb, "-D", str(data_dir), "-U", SUPERUSER, "-E", "UTF8", "--locale=C", "-N"]
    cmd += ["--auth-local=trust", "--auth-host=scram-sha-256"]
    _checked(cmd, "initdb", None)
    settings = {**_TUNING, "port": str(server.port), "unix_socket_directories": f"'{data_dir}'"}
    with open(data_dir / "postgresql.conf", "a") as conf:
        conf.write("\n# deploy/postgres/local.py: a throwaway cluster\n")
        conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
    saved = {"port": server.port, "owner": server.owner_password, "app": server.app_password}
    fd = os.open(data_dir / _ROLES_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(saved, out)


def _make_roles(server: Server) -> None:
    """The owner (owns the database, runs schema.sql) and the app's role (no rights of its own:
    grants.sql gives it what it needs); the passwords are hex, safe inside quotes."""
    for sql in (
        f"CREATE ROLE {OWNER} LOGIN PASSWORD '{server.owner_password}'",
        f"CREATE ROLE {APP} LOGIN PASSWORD '{server.app_password}'",
        f"CREATE DATABASE {TEMPLATE} OWNER {OWNER}",
    ):
        _superuser_sql(server, sql)


def _superuser_sql(server: Server, sql: str) -> None:
    psql = str(bin_dir() / "psql")
    cmd = [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(server.data_dir)]
    cmd += ["-p", str(server.port), "-U", SUPERUSER, "-d", "postgres", "-c", sql]
    done = _run_as_server(cmd)
    if done.returncode != 0:
        raise LocalServerError(f"psql as {SUPERUSER} failed: {_first_line(done.stderr)}")


# --- running as the postgres OS user ----------------------------------------------------------


def _as_root() -> bool:
    return os.geteuid() == 0


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _chown(path: Path) -> None:
    if _as_root():
        shutil.chown(path, SUPERUSER, SUPERUSER)


def _run_as_server(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    if _as_root():
        cmd = ["runuser", "-u", SUPERUSER, "--", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, check=False, cwd="/")


def _checked(cmd: list[str], what: str, log: Path | None) -> None:
    done = _run_as_server(cmd)
    if done.returncode == 0:
        return
    detail = _first_line(done.stderr) or _first_line(done.stdout)
    if log is not None and log.exists():
        detail += f" | log: {_first_line(''.join(log.read_text().splitlines(True)[-3:]))}"
    raise LocalServerError(f"{what} failed: {detail}")


def _first_line(text: str) -> str:
    return " ".join(text.split())[:400]


def _url(user: str, password: str, port: int, database: str = DATABASE) -> str:
    return f"postgresql://{user}:{password}@{HOST}:{port}/{database}"


if __name__ == "__main__":  # python deploy/postgres/local.py DATA_DIR [PORT]
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python deploy/postgres/local.py DATA_DIR [PORT]")
    with running(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else None) as served:
        print(f"owner: {served.owner_url}\napp:   {served.app_url}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
