"""Prometheus metrics: requests by route and status, the connection pool, and 503s by cause.

With several worker processes (`serve` with WEB_CONCURRENCY above 1) every process writes its
samples under PROMETHEUS_MULTIPROC_DIR, and /metrics adds them up.
"""

import os

import anyio
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import REGISTRY
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram
from prometheus_client import generate_latest
from prometheus_client import multiprocess
from sqlalchemy.pool import Pool
from sqlalchemy.pool import QueuePool

REQUESTS = Counter(
    "http_requests_total",
    "Requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer a request, by route template and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# Summed over the worker processes that are alive.
POOL_SIZE = Gauge("db_pool_size", "Connections the pools keep open.", multiprocess_mode="livesum")
POOL_CHECKED_OUT = Gauge(
    "db_pool_checked_out", "Pooled connections in use by a request.", multiprocess_mode="livesum"
)
POOL_OVERFLOW = Gauge(
    "db_pool_overflow", "Connections open above the pools' size.", multiprocess_mode="livesum"
)
POOL_WAITS = Counter(
    "db_pool_waits_total", "Requests that arrived with every pooled connection in use, and waited."
)
UNAVAILABLE = Counter("http_unavailable_total", "503 answers, by cause.", ["cause"])
CONTENT_TYPE = CONTENT_TYPE_LATEST


async def sample_pool(pool: Pool, every: float = 1.0) -> None:
    """Keep the pool gauges current, reading the pool every `every` seconds until cancelled.

    Read by a background task of each worker process, not on every checkout: a request
    pays nothing for them.
    """
    if not isinstance(pool, QueuePool):
        return
    while True:
        POOL_SIZE.set(pool.size())
        POOL_CHECKED_OUT.set(pool.checkedout())
        POOL_OVERFLOW.set(max(pool.overflow(), 0))
        await anyio.sleep(every)


class RequestCounter:
    """Counts a request and its latency by route template, method and status."""

    def __init__(self) -> None:
        # The labelled series, looked up once each: prometheus-client's labels() takes a lock
        # and converts its arguments every time.
        self._series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def count(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, status)
        series = self._series.get(key)
        if series is None:
            series = (REQUESTS.labels(route, method, status), LATENCY.labels(route, method))
            self._series[key] = series
        series[0].inc()
        series[1].observe(seconds)


def exposition() -> bytes:
    """The metrics in Prometheus' text format, added up over the worker processes if several."""
    registry = REGISTRY
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    exposed: bytes = generate_latest(registry)
    return exposed
