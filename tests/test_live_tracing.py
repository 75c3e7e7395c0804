"""Traces of a service served as its image serves it: each worker exports its own, and on SIGTERM.

The service runs `python -m <package> serve` with two worker processes, sending its spans over
OTLP/HTTP to a receiver of the suite's that decodes them with the official protobuf. Nothing is
sent on a schedule (OTEL_BSP_SCHEDULE_DELAY is ten minutes): what arrives was sent when the
workers stopped, after the drain.
"""

from __future__ import annotations

import json

import httpx2 as httpx
import pytest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from harness.combinations import FULL_CYCLE
from harness.combinations import Combination
from harness.combinations import parametrize_combinations
from harness.identities import Callers
from harness.otlp import Receiver
from harness.projects import Baked
from harness.servers import DatabaseFactory
from harness.services import serving_with_workers

pytestmark = pytest.mark.live

# What is under test is the same for every database and driver (the baked projects' own
# tests trace each): one combination.
TRACED = [c for c in FULL_CYCLE if c == Combination("postgresql", "async")]
CHEAP_HASHES = {"PASSWORD_HASH_MEMORY_KIB": "1024", "PASSWORD_HASH_TIME_COST": "1"}


@parametrize_combinations(TRACED)
def test_each_worker_sends_its_spans_when_sigterm_stops_it(
    baked: Baked, database_url: DatabaseFactory, callers: Callers
) -> None:
    url = database_url("traced")
    baked.migrate(url)
    caller_span = "00f067aa0ba902b7"
    traceparents = [f"00-{index:032x}-{caller_span}-01" for index in range(1, 9)]

    with Receiver() as receiver:
        settings = {
            **CHEAP_HASHES,
            **callers.settings,
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "600000",
            # Each batch names the process that sent it.
            "OTEL_EXPERIMENTAL_RESOURCE_DETECTORS": "process",
            "SHUTDOWN_DRAIN_SECONDS": "0.5",
        }
        with (
            serving_with_workers(baked, url, workers=2, **settings) as service,
            httpx.Client(base_url=service.url, timeout=30) as http,
        ):
            # New connections each: the kernel spreads them over both workers' accepts.
            health = f"{service.url}/health/db"
            answers = [httpx.get(health, headers={"traceparent": parent}) for parent in traceparents]
            user_id, headers = callers.user(http, "ada@example.com")
            item = {"title": "Notes", "owner_id": user_id}
            created = http.post("/api/v1/items", json=item, headers=headers)
            sent_while_serving = len(receiver.bodies)
            supervisor = service.process.pid
        spans = receiver.spans()

    assert [answer.status_code for answer in answers] == [200] * len(answers)
    assert created.status_code == 201
    assert sent_while_serving == 0
    # Every request's server span arrived, a child of the caller's span, from a worker process.
    server = Span.SPAN_KIND_SERVER
    servers = {found.span.trace_id.hex(): found for found in spans if found.span.kind == server}
    for traceparent in traceparents:
        received = servers[traceparent.split("-")[1]]
        assert received.span.name == "GET /health/db"
        assert received.span.parent_span_id.hex() == caller_span
        assert received.resource["process.pid"] != supervisor
    assert "POST /api/v1/items" in {received.span.name for received in servers.values()}
    # The request's log line names the trace that the response's traceresponse header names.
    logged = [json.loads(line) for line in service.log.read_text().splitlines() if line.startswith("{")]
    trace_id = created.headers["traceresponse"].split("-")[1]
    (line,) = [line for line in logged if line.get("request_id") == created.headers["x-request-id"]]
    assert line["trace_id"] == trace_id
    assert servers[trace_id].span.span_id.hex() == line["span_id"]
