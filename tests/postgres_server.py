"""A throwaway PostgreSQL server for the tests: one cluster per test session (initdb in a temporary folder,
started on a free port on 127.0.0.1, stopped at the end), and one fresh database per test, copied from a
template database already migrated to the newest schema (a copy takes a few milliseconds, migrating takes
a second).

PostgreSQL refuses to run as root: as root (CI) the cluster runs as the ``postgres`` user through
``runuser``. The binaries are found with ``pg_config --bindir``, else under /usr/lib/postgresql/*/bin.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

# Set by .ci/run: there, a missing server fails the run instead of skipping its tests.
REQUIRED_ENV = "PHOTO_ANNOTATOR_TEST_POSTGRES"
SUPERUSER = "postgres"
TEMPLATE = "photo_annotator_template"


class ServerUnavailable(Exception):
    """No PostgreSQL server can be started here; the message says why and what to install."""


def _bindir() -> Path:
    candidates: list[str] = []
    if shutil.which("pg_config"):
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(found.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    candidates += sorted(glob.glob("/usr/local/pgsql/bin"))
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    raise ServerUnavailable("PostgreSQL server binaries (initdb, pg_ctl) not found: "
                            "install the Debian package postgresql")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """A running throwaway cluster; ``new_database()`` gives each test its own migrated database."""

    def __init__(self, durable: bool = False) -> None:
        self.bindir = _bindir()
        self.folder = Path(tempfile.mkdtemp(prefix="photo-annotator-pg-"))
        self.port = _free_port()
        self._as_root = os.geteuid() == 0
        self._numbers = itertools.count(1)
        if self._as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        data = self.folder / "data"
        try:
            self._run("initdb", "-D", str(data), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8",
                      "--locale=C.UTF-8")
            # fsync off: a test cluster need not survive a power cut, and commits are ten times faster.
            # ``durable`` (benchmarks): PostgreSQL's defaults, every commit flushed, as a team's server runs.
            fast = "" if durable else " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                       f"-c max_connections=300{fast}")
            self._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(self.folder / "log"), "-w",
                      "start")
            self._make_template()
        except BaseException:
            self.stop()
            raise

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bindir / program), *args]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ServerUnavailable(f"{program} failed: {(done.stderr or done.stdout).strip()[-500:]}")

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def execute(self, *statements: str, database: str = "postgres") -> None:
        """Run statements as the superuser, outside a transaction (CREATE DATABASE needs that)."""
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)  # type: ignore[arg-type]

    def _make_template(self) -> None:
        from desktop_app.catalogue import open_catalogue

        self.execute(f"CREATE DATABASE {TEMPLATE}")
        open_catalogue(self.url(TEMPLATE)).close()

    def new_database(self) -> str:
        """The URL of a new database at the newest schema, empty."""
        name = f"test_{os.getpid()}_{next(self._numbers)}"
        self.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        try:
            if (self.folder / "data" / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_server(durable: bool = False) -> PostgresServer:
    """A started server; ServerUnavailable (with the reason) when there are no binaries or no driver."""
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise ServerUnavailable("the psycopg driver is not installed: pip install 'psycopg[binary]'") from exc
    return PostgresServer(durable)


def required() -> bool:
    return os.environ.get(REQUIRED_ENV, "").lower() in ("1", "required", "yes", "true")
