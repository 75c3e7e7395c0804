"""Serving: uvicorn with the settings' workers, address and trusted proxies."""

import logging
import os
import signal
import tempfile
import threading
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

{% if cookiecutter.database != "sqlite" %}
from .db_server import warn_if_the_server_admits_fewer
{% endif %}
from .logs import configure_logging
from .main import create_app
from .settings import Settings

logger = logging.getLogger(__name__)


def serve(settings: Settings) -> None:
    """Serve the app until SIGTERM or SIGINT, then let the requests in flight finish."""
    configure_logging(settings.log_level)
    check_the_pool_arithmetic(settings)
    if settings.metrics_enabled and settings.web_concurrency > 1:
        # Each worker process writes its samples here; /metrics adds them up.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="metrics-")
    config = Config(
        settings,
        host=settings.host,
        port=settings.port,
        workers=settings.web_concurrency,
        # Only the proxies named are trusted with a client's address and scheme.
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
        # The app logs each request itself, in JSON (logs.py), with its id.
        log_config=None,
        access_log=False,
    )
    if config.workers > 1:
        Supervisor(config, sockets=[config.bind_socket()]).run()
        return
    server = uvicorn.Server(config)
    server.run()
    if not server.started:
        message = "the service did not start: see the log above"
        raise SystemExit(message)


class Config(uvicorn.Config):
    """uvicorn's configuration, building the app from the settings `serve` checked.

    Each worker process gets a copy of it and builds its own app when it loads it, after
    uvicorn has taken over the signals and before serving; the supervisor builds none.
    """

    def __init__(self, settings: Settings, **options: Any) -> None:
        super().__init__(self.build_app, factory=True, **options)
        self.settings = settings

    def build_app(self) -> FastAPI:
        """The app of this worker, draining on SIGTERM when SHUTDOWN_DRAIN_SECONDS is set."""
        app = create_app(self.settings)
        seconds = self.settings.shutdown_drain_seconds
        if seconds > 0 and threading.current_thread() is threading.main_thread():
            drain_on_sigterm(app, seconds)
        return app


def drain_on_sigterm(app: FastAPI, seconds: float) -> None:
    """On SIGTERM, answer /health/db with 503 for `seconds`, then let uvicorn stop the server.

    The requests keep being served meanwhile: a load balancer that checks /health/db stops
    sending new ones before the server stops accepting them. A second SIGTERM stops at once.
    """
    stop = signal.getsignal(signal.SIGTERM)
    if not callable(stop):
        return

    def drain(signum: int, frame: FrameType | None) -> None:
        if app.state.draining:
            stop(signum, frame)
            return
        app.state.draining = True
        logger.info("SIGTERM: /health/db answers 503 for %g s, then the server stops", seconds)
        timer = threading.Timer(seconds, stop, (signum, frame))
        timer.daemon = True
        timer.start()

    signal.signal(signal.SIGTERM, drain)


class Supervisor(Multiprocess):
    """uvicorn's supervisor of worker processes, letting go of the socket when told to stop.

    The workers stop accepting connections when they are told to stop. Were the supervisor to
    keep its copy of the listening socket open until they have exited, the kernel would go on
    accepting connections that nobody reads, and reset them when it exits: a load balancer
    would answer those requests with an error instead of sending them to another replica.
    """

    def terminate_all(self) -> None:
        for sock in self.sockets:
            sock.close()
        super().terminate_all()


def check_the_pool_arithmetic(settings: Settings) -> None:
    """Log the connections the service may open, once; warn if the server admits fewer."""
    per_process = settings.db_pool_size + settings.db_max_overflow
    total = per_process * settings.web_concurrency
    logger.info(
        "up to %d database connections: %d per worker process, %d workers",
        total,
        per_process,
        settings.web_concurrency,
    )
{% if cookiecutter.database != "sqlite" %}
    warn_if_the_server_admits_fewer(settings, total)
{% endif %}
