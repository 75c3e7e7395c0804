"""Real proxies in front of throwaway servers and services: PgBouncer, and HAProxy as a load balancer.

Each runs from its Debian package in a temporary directory, on a free loopback port, until
the block that started it ends.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness.servers import POSTGRES_USER
from harness.servers import PostgresServer
from harness.servers import ServerUnavailable
from harness.servers import find_program
from harness.servers import free_port
from harness.servers import run_as_server_user


@dataclass(frozen=True)
class Proxy:
    """A running proxy: where it listens, and its log."""

    port: int
    log: Path
    process: subprocess.Popen[bytes]

    def url(self, database: str, *, driver: str) -> str:
        """An SQLAlchemy URL of a database behind PgBouncer."""
        return f"{driver}://{POSTGRES_USER}@127.0.0.1:{self.port}/{database}"


def pgbouncer_program() -> str:
    """PgBouncer's program, from PATH or where Debian puts it."""
    return find_program("pgbouncer", "/usr/sbin", "/usr/bin")


def haproxy_program() -> str:
    """HAProxy's program, from PATH or where Debian puts it."""
    return find_program("haproxy", "/usr/sbin", "/usr/bin")


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    """Wait until something accepts connections on the loopback port, or fail with the log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerUnavailable(f"exited with {process.returncode}: {log.read_text()[-2000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise ServerUnavailable(f"nothing listens on {port} after {timeout} s: {log.read_text()[-2000:]}")


@contextmanager
def pgbouncer(server: PostgresServer) -> Iterator[Proxy]:
    """PgBouncer in transaction mode in front of the server, for every database on it.

    Debian's PgBouncer (1.18) does not track prepared statements: one prepared in a
    transaction may be missing, or taken, on the server connection of the next.
    """
    program = pgbouncer_program()
    directory = Path(tempfile.mkdtemp(prefix="template-suite-pgbouncer-"))
    if os.geteuid() == 0:
        shutil.chown(directory, POSTGRES_USER)
    port = free_port()
    (directory / "users.txt").write_text(f'"{POSTGRES_USER}" ""\n')
    (directory / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host=127.0.0.1 port={server.port} user={POSTGRES_USER}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir = {directory}\n"
        f"auth_type = trust\nauth_file = {directory / 'users.txt'}\n"
        "pool_mode = transaction\nmax_client_conn = 1000\ndefault_pool_size = 20\n"
        f"logfile = {directory / 'pgbouncer.log'}\npidfile = {directory / 'pgbouncer.pid'}\n"
    )
    log = directory / "pgbouncer.log"
    log.touch()
    if os.geteuid() == 0:
        shutil.chown(log, POSTGRES_USER)
        shutil.chown(directory / "pgbouncer.ini", POSTGRES_USER)
        shutil.chown(directory / "users.txt", POSTGRES_USER)
    process = subprocess.Popen(
        run_as_server_user([program, str(directory / "pgbouncer.ini")], user=POSTGRES_USER),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with running(Proxy(port, log, process), directory) as proxy:
        yield proxy


@contextmanager
def haproxy(backends: list[int], *, health_path: str = "/health/db") -> Iterator[Proxy]:
    """HAProxy balancing HTTP over the backends' loopback ports, checking each on health_path.

    A backend that fails two checks in a row (every 200 ms) gets no new requests; a request
    whose connection a stopping backend refuses is sent to another (a connection never made
    carried no write, so sending it again is safe, even a POST). One cut off half-way is not.
    """
    program = haproxy_program()
    directory = Path(tempfile.mkdtemp(prefix="template-suite-haproxy-"))
    port = free_port()
    servers = "\n".join(
        f"    server app{number} 127.0.0.1:{backend} check" for number, backend in enumerate(backends)
    )
    (directory / "haproxy.cfg").write_text(
        "global\n    maxconn 2000\n    log stdout format raw local0\n"
        "defaults\n    mode http\n    log global\n    option httplog\n"
        "    timeout connect 2s\n    timeout client 60s\n    timeout server 60s\n"
        # A check may take longer than its 200 ms interval on a busy machine: without this,
        # a check cut off at 200 ms counts as failed and healthy replicas go down.
        "    timeout check 2s\n"
        "    retries 3\n    option redispatch 1\n    retry-on conn-failure\n"
        "    option http-server-close\n"
        f"frontend api\n    bind 127.0.0.1:{port}\n    default_backend replicas\n"
        f"backend replicas\n    balance roundrobin\n    option httpchk GET {health_path}\n"
        "    default-server inter 200ms fall 2 rise 2\n"
        f"{servers}\n"
    )
    log = directory / "haproxy.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [program, "-db", "-f", str(directory / "haproxy.cfg")], stdout=output, stderr=subprocess.STDOUT
        )
    with running(Proxy(port, log, process), directory) as proxy:
        yield proxy


@contextmanager
def running(proxy: Proxy, directory: Path) -> Iterator[Proxy]:
    """The proxy once it listens; stopped, and its directory removed, when done."""
    try:
        wait_for_port(proxy.port, proxy.process, proxy.log)
        yield proxy
    finally:
        proxy.process.terminate()
        proxy.process.wait(timeout=30)
        shutil.rmtree(directory, ignore_errors=True)
