"""Throwaway database servers for the suite: real PostgreSQL and MariaDB servers on loopback.

A server lives in a temporary directory, listens on a free port of 127.0.0.1 only,
and is stopped (and its files removed) when the suite ends. Databases in it are
created on demand, one per baked project and purpose, so that tests never share
state. The server runs without fsync: it is thrown away, and speed matters here.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from typing import NoReturn
from typing import Protocol
from urllib.parse import quote
from urllib.parse import unquote
from urllib.parse import urlsplit

import psycopg
import pymysql
import pytest
from psycopg import sql

from harness.projects import CI

# The servers refuse to run as root; as root the suite runs them as these users.
POSTGRES_USER = "postgres"
MARIADB_USER = "mysql"


# Makes a fresh, empty database for a purpose ("tests", "migrations", ...) and returns its URL.
DatabaseFactory = Callable[[str], str]


class ServerUnavailable(Exception):
    """The server's programs are not installed here (the message says which)."""


class DatabaseServer(Protocol):
    """What the suite does with a database server, whichever kind it is."""

    host: str
    port: int

    def url(self, database: str = ..., *, driver: str = ...) -> str:
        """An SQLAlchemy URL of a database on this server, for the given dialect+driver."""
        ...

    def create_database(self, name: str) -> None:
        """Create an empty database, dropping any left over."""
        ...

    def count_connections(self, database: str) -> int:
        """Count the client connections open to a database right now."""
        ...

    def start(self) -> None:
        """Start (or restart) a server the suite created."""
        ...

    def stop(self) -> None:
        """Stop a server the suite created at once, dropping every connection."""
        ...

    def destroy(self) -> None:
        """Stop the server and remove its files."""
        ...


def free_port() -> int:
    """Return a TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def find_program(name: str, *patterns: str) -> str:
    """Return the path of a server program, from PATH or the distribution's own directory."""
    found = shutil.which(name)
    if found:
        return found
    for pattern in patterns:
        candidates = sorted(Path("/").glob(pattern.lstrip("/") + "/" + name), reverse=True)
        executable = [path for path in candidates if os.access(path, os.X_OK)]
        if executable:
            return str(executable[0])
    raise ServerUnavailable(f"{name} is not installed")


def unavailable(reason: str) -> NoReturn:
    """Skip a test that needs what this machine lacks; under CI=true, fail it."""
    if CI:
        pytest.fail(f"{reason}; under CI=true this is a failure", pytrace=False)
    pytest.skip(reason)


def require(find: Callable[[], str], package: str) -> str:
    """The path of a program a test needs (found by `find`); without it, unavailable()."""
    try:
        return find()
    except ServerUnavailable as error:
        unavailable(f"{error} (install the {package} package: .ci/install-deps)")


def run_as_server_user(args: list[str], *, user: str) -> list[str]:
    """Prefix a command so that it runs as the server's user when the suite runs as root."""
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", user, "--", *args]


@dataclass
class PostgresServer:
    """A PostgreSQL cluster: started by the suite, or one that TEST_POSTGRES_URL points at."""

    host: str
    port: int
    user: str
    password: str = ""
    data_dir: Path | None = None
    pg_ctl: str = "pg_ctl"

    @classmethod
    def from_url(cls, url: str) -> PostgresServer:
        """Use a running server, given by a libpq URL with the right to create databases."""
        info = psycopg.conninfo.conninfo_to_dict(url)
        return cls(
            host=str(info.get("host", "127.0.0.1")),
            port=int(str(info.get("port", 5432))),
            user=str(info.get("user", POSTGRES_USER)),
            password=str(info.get("password", "")),
        )

    @classmethod
    def start_new(cls) -> PostgresServer:
        """Create a cluster in a new temporary directory and start it on a free port."""
        initdb = find_program("initdb", "/usr/lib/postgresql/*/bin")
        pg_ctl = find_program("pg_ctl", "/usr/lib/postgresql/*/bin")
        # Not under pytest's own temporary directory: that one is private to the
        # suite's user, and the server may run as another.
        root = Path(tempfile.mkdtemp(prefix="template-suite-postgres-"))
        if os.geteuid() == 0:
            shutil.chown(root, POSTGRES_USER)
        data_dir = root / "data"
        subprocess.run(
            run_as_server_user(
                [initdb, "-D", str(data_dir), "-U", POSTGRES_USER, "--auth=trust", "-E", "UTF8"],
                user=POSTGRES_USER,
            ),
            check=True,
            capture_output=True,
        )
        server = cls(host="127.0.0.1", port=free_port(), user=POSTGRES_USER, data_dir=data_dir, pg_ctl=pg_ctl)
        server.start()
        return server

    @property
    def log_file(self) -> Path:
        assert self.data_dir is not None
        return self.data_dir.parent / "server.log"

    def start(self) -> None:
        """Start (or restart) the cluster this suite created, and wait until it accepts connections."""
        assert self.data_dir is not None, "only a cluster the suite created can be started"
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data_dir.parent} "
            "-c fsync=off -c full_page_writes=off -c max_connections=300"
        )
        subprocess.run(
            run_as_server_user(
                [self.pg_ctl, "start", "-w", "-t", "60", "-D", str(self.data_dir),
                 "-l", str(self.log_file), "-o", options],
                user=POSTGRES_USER,
            ),
            check=True,
            capture_output=True,
        )  # fmt: skip

    def stop(self) -> None:
        """Stop the cluster at once, dropping every connection (as a crash or an outage would)."""
        assert self.data_dir is not None, "only a cluster the suite created can be stopped"
        subprocess.run(
            run_as_server_user(
                [self.pg_ctl, "stop", "-w", "-m", "immediate", "-D", str(self.data_dir)],
                user=POSTGRES_USER,
            ),
            check=True,
            capture_output=True,
        )

    def url(self, database: str = "postgres", *, driver: str = "postgresql") -> str:
        """Return an SQLAlchemy URL of a database on this server, for the given dialect+driver."""
        credentials = f"{self.user}:{self.password}" if self.password else self.user
        return f"{driver}://{credentials}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        """Create an empty database, dropping any left over from an earlier run."""
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def count_connections(self, database: str) -> int:
        """Count the client connections open to a database right now."""
        with psycopg.connect(self.url(), autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            ).fetchone()
        assert row is not None
        return int(row[0])

    def wait_until_ready(self, timeout: float = 30.0) -> None:
        """Wait until the server accepts connections."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(self.url(), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def destroy(self) -> None:
        """Stop the cluster and remove its files."""
        if self.data_dir is None:
            return
        subprocess.run(
            run_as_server_user(
                [self.pg_ctl, "stop", "-m", "immediate", "-D", str(self.data_dir)],
                user=POSTGRES_USER,
            ),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


@dataclass
class MariaDBServer:
    """A MariaDB (MySQL) server: started by the suite, or one that TEST_MYSQL_URL points at."""

    host: str
    port: int
    user: str
    password: str
    data_dir: Path | None = None
    mariadbd: str = "mariadbd"
    process: subprocess.Popen[bytes] | None = None

    @classmethod
    def from_url(cls, url: str) -> MariaDBServer:
        """Use a running server, given as mysql://user:password@host:port, allowed to create databases."""
        parsed = urlsplit(url)
        return cls(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 3306,
            user=unquote(parsed.username or "root"),
            password=unquote(parsed.password or ""),
        )

    @classmethod
    def start_new(cls) -> MariaDBServer:
        """Create a data directory in a new temporary directory and start a server on a free port."""
        install_db = find_program("mariadb-install-db", "/usr/bin", "/usr/local/mysql/bin")
        mariadbd = find_program("mariadbd", "/usr/sbin", "/usr/local/mysql/bin")
        root = Path(tempfile.mkdtemp(prefix="template-suite-mariadb-"))
        if os.geteuid() == 0:
            shutil.chown(root, MARIADB_USER)
        data_dir = root / "data"
        # A temporary directory of its own: servers sharing /tmp clash on their temporary tables.
        (root / "tmp").mkdir()
        if os.geteuid() == 0:
            shutil.chown(root / "tmp", MARIADB_USER)
        installed = subprocess.run(
            [install_db, "--no-defaults", f"--datadir={data_dir}", f"--tmpdir={root / 'tmp'}",
             "--auth-root-authentication-method=normal", "--skip-test-db", *server_user_option()],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        if installed.returncode != 0:
            shutil.rmtree(root, ignore_errors=True)
            output = installed.stdout[-3000:] + installed.stderr[-3000:]
            raise RuntimeError(f"mariadb-install-db failed:\n{output}")
        server = cls(host="127.0.0.1", port=free_port(), user="suite", password="suite", data_dir=data_dir,
                     mariadbd=mariadbd)  # fmt: skip
        server.start()
        # The suite connects over TCP with a password, as the services will.
        with server._connect(as_root=True) as conn, conn.cursor() as cursor:
            cursor.execute("CREATE USER 'suite'@'%' IDENTIFIED BY 'suite'")
            cursor.execute("GRANT ALL ON *.* TO 'suite'@'%' WITH GRANT OPTION")
        return server

    @property
    def socket(self) -> Path:
        assert self.data_dir is not None
        return self.data_dir.parent / "mariadbd.sock"

    def start(self) -> None:
        """Start (or restart) the server this suite created, and wait until it accepts connections."""
        assert self.data_dir is not None, "only a server the suite created can be started"
        log = self.data_dir.parent / "server.log"
        self.process = subprocess.Popen(
            [self.mariadbd, "--no-defaults", f"--datadir={self.data_dir}", f"--socket={self.socket}",
             f"--tmpdir={self.data_dir.parent / 'tmp'}",
             f"--port={self.port}", "--bind-address=127.0.0.1", f"--log-error={log}", "--skip-log-bin",
             f"--pid-file={self.data_dir.parent / 'mariadbd.pid'}", "--innodb-flush-log-at-trx-commit=2",
             "--max-connections=500", *server_user_option()],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.wait_until_ready()

    def stop(self) -> None:
        """Kill the server at once, dropping every connection (as a crash or an outage would)."""
        assert self.process is not None, "only a server the suite started can be stopped"
        self.process.kill()
        self.process.wait(timeout=30)

    def url(self, database: str = "", *, driver: str = "mysql") -> str:
        """Return an SQLAlchemy URL of a database on this server, for the given dialect+driver."""
        return f"{driver}://{quote(self.user)}:{quote(self.password)}@{self.host}:{self.port}/{database}"

    def _connect(self, *, as_root: bool = False) -> pymysql.connections.Connection[Any]:
        if as_root:
            return pymysql.connect(unix_socket=str(self.socket), user="root", autocommit=True)
        return pymysql.connect(
            host=self.host, port=self.port, user=self.user, password=self.password, autocommit=True,
            connect_timeout=2,
        )  # fmt: skip

    def create_database(self, name: str) -> None:
        """Create an empty utf8mb4 database, dropping any left over from an earlier run."""
        with self._connect() as conn, conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")

    def count_connections(self, database: str) -> int:
        """Count the client connections open to a database right now."""
        with self._connect() as conn, conn.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM information_schema.processlist WHERE db = %s AND id <> connection_id()",
                (database,),
            )
            row = cursor.fetchone()
        assert row is not None
        return int(row[0])

    def wait_until_ready(self, timeout: float = 60.0) -> None:
        """Wait until the server accepts connections on its socket."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise ServerUnavailable(f"mariadbd exited with {self.process.returncode}")
            try:
                with self._connect(as_root=True):
                    return
            except pymysql.err.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def destroy(self) -> None:
        """Stop the server and remove its files."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.data_dir is not None:
            shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def server_user_option() -> list[str]:
    """mariadbd refuses to run as root unless told which user to switch to."""
    return [f"--user={MARIADB_USER}"] if os.geteuid() == 0 else []
