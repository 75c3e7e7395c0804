"""An OTLP/HTTP endpoint that accepts every batch of spans and drops it: tracing's cost, not a collector's."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        # An empty ExportTraceServiceResponse is zero bytes: every span accepted.
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


@contextmanager
def otlp_sink(cpu: int) -> Iterator[str]:
    """Accept OTLP/HTTP on a free loopback port while in the block; yield its base URL.

    Its threads run on `cpu` alone (wrk's): the time spent receiving is the rig's, never
    taken from the CPU of the service under test.
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)

    def serve() -> None:
        # Linux pins the calling thread; the thread made for each connection inherits it.
        os.sched_setaffinity(0, {cpu})
        server.serve_forever()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
