"""Throwaway database servers for the suite: real PostgreSQL clusters on loopback.

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
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

# initdb and pg_ctl refuse to run as root; as root the suite runs them as this user.
POSTGRES_USER = "postgres"


class ServerUnavailable(Exception):
    """The server's programs are not installed here (the message says which)."""


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
        if candidates:
            return str(candidates[0])
    raise ServerUnavailable(f"{name} is not installed")


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
            port=int(info.get("port", 5432)),
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
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
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
