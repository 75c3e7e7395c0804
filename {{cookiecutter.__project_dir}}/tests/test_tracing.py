"""Traces: the real exporter sends the spans over OTLP/HTTP to a receiver that the tests start."""
{% from "driver.jinja" import async, await, Client, Engine, sync_engine, imports with context %}

import json
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any

import anyio
import pytest
{{- imports("Client") }}
from opentelemetry import trace
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from opentelemetry.proto.trace.v1.trace_pb2 import Span
{{- imports("Engine") }}

from {{ cookiecutter.package_name }}.db import connect
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.tracing import flush_traces
from {{ cookiecutter.package_name }}.tracing import trace_statements
from {{ cookiecutter.package_name }}.tracing import tracer

from urls import ITEMS


class Receiver:
    """An OTLP/HTTP receiver on 127.0.0.1: keeps each body it is sent, decodes their spans."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.endpoint = f"http://127.0.0.1:{self._server.server_port}/v1/traces"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def spans(self, trace_id: str) -> list[Span]:
        """The spans of one trace received so far."""
        return [
            span
            for body in list(self.bodies)
            for resource in ExportTraceServiceRequest.FromString(body).resource_spans
            for scope in resource.scope_spans
            for span in scope.spans
            if span.trace_id.hex() == trace_id
        ]

    def wait_for(self, trace_id: str, count: int, timeout: float = 30) -> list[Span]:
        """The spans of one trace, once at least `count` have arrived."""
        deadline = time.monotonic() + timeout
        while len(spans := self.spans(trace_id)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return spans

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_args: Any) -> None:
                pass

        return Handler


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    """The receiver, for the whole run: the exporter that the first traced app sets up stays."""
    receiver = Receiver()
    yield receiver
    provider = trace.get_tracer_provider()
    shutdown = getattr(provider, "shutdown", None)
    if shutdown is not None:
        shutdown()  # What is left is sent before the receiver goes.
    receiver.close()


@pytest.fixture(scope="session")
def _traced_test_engine(engine: {{ Engine }}) -> None:
    # The tests' apps run their statements on the tests' connection (conftest.py), whose
    # engine is traced here as the app traces its own.
    trace_statements({{ sync_engine }})


@pytest.fixture(autouse=True)
def _traced(receiver: Receiver, monkeypatch: pytest.MonkeyPatch, _traced_test_engine: None) -> None:
    # Set before any app of these tests is built, the accounts' included.
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", receiver.endpoint)
{% if cookiecutter.auth == "none" %}


@pytest.fixture
def owner(user: dict[str, Any]) -> dict[str, Any]:
    """Who a new item belongs to: a user named in the request."""
    return {"owner_id": user["id"]}
{% else %}


@pytest.fixture
def owner() -> dict[str, Any]:
    """Who a new item belongs to: the caller, by default."""
    return {}
{% endif %}


def trace_id_of(response_headers: Any) -> tuple[str, str]:
    """The trace and span ids of W3C's `traceresponse` header: 00-<trace>-<span>-<flags>."""
    version, trace_id, span_id, _flags = response_headers["traceresponse"].split("-")
    assert version == "00"
    return trace_id, span_id


def log_lines(output: str) -> list[dict[str, Any]]:
    """The JSON log lines in some output."""
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def server_span(spans: list[Span]) -> Span:
    """The one server span among a trace's spans."""
    (found,) = [span for span in spans if span.kind == Span.SPAN_KIND_SERVER]
    return found


def attributes(span: Span) -> dict[str, Any]:
    """A span's attributes, as plain values."""
    return {
        attribute.key: getattr(attribute.value, attribute.value.WhichOneof("value"))
        for attribute in span.attributes
    }


def statements(spans: list[Span], parent: Span) -> list[str]:
    """The SQL of the statement spans that are children of `parent`."""
    return [
        attributes(span).get("db.statement") or attributes(span)["db.query.text"]
        for span in spans
        if span.kind == Span.SPAN_KIND_CLIENT and span.parent_span_id == parent.span_id
    ]


{{ async }}def test_a_create_and_a_read_are_traced_by_route_with_their_sql_and_no_values(
    client_with: Callable[..., {{ Client }}],
    auth_headers: dict[str, str],
    owner: dict[str, Any],
    receiver: Receiver,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Values that only the database may see: bound to the statements, never in a span.
    title = "Tracing-title-4f1c9e"
    description = "Tracing-description-b7d20a"
    {{ async }}with client_with() as client:
        created = {{ await }}client.post(
            ITEMS, json={"title": title, "description": description, **owner}, headers=auth_headers
        )
        item_id = created.json()["id"]
        read = {{ await }}client.get(f"{ITEMS}/{item_id}", headers=auth_headers)
        # The same title again: refused by the database, whose message quotes it.
        taken = {{ await }}client.post(ITEMS, json={"title": title, **owner}, headers=auth_headers)
    flush_traces()
    logged = log_lines(capsys.readouterr().out)

    assert (created.status_code, read.status_code, taken.status_code) == (201, 200, 409)
    for response, route, verb in [
        (created, ITEMS, "INSERT"),
        (read, ITEMS + "/{item_id}", "SELECT"),
        (taken, ITEMS, "INSERT"),
    ]:
        trace_id, span_id = trace_id_of(response.headers)
        spans = receiver.wait_for(trace_id, 2)
        server = server_span(spans)
        # Named by the route's template, never by the path with its id.
        assert server.name == f"{response.request.method} {route}"
        assert attributes(server)["http.route"] == route
        assert (server.span_id.hex(), server.parent_span_id) == (span_id, b"")
        sql = statements(spans, server)
        assert any(statement.lstrip().upper().startswith(verb) for statement in sql), sql
        # The request's log line carries the ids of its trace and of its server span.
        request_id = response.headers["x-request-id"]
        (line,) = [line for line in logged if line["request_id"] == request_id and "method" in line]
        assert (line["trace_id"], line["span_id"]) == (trace_id, span_id)
    exported = b"".join(receiver.bodies)
    secrets = [title, description, *auth_headers.values()]
    assert not [secret for secret in secrets if secret.encode() in exported]
{% if cookiecutter.auth == "password" %}


{{ async }}def test_a_sign_up_sends_no_password_or_address(
    client_with: Callable[..., {{ Client }}], receiver: Receiver
) -> None:
    password = "Tracing-password-9c3e51"
    email = "tracing-3b8f@example.com"
    {{ async }}with client_with() as client:
        response = {{ await }}client.post(
            "/api/v1/users", json={"email": email, "full_name": "Tracy", "password": password}
        )
    flush_traces()

    assert response.status_code == 201
    trace_id, _span_id = trace_id_of(response.headers)
    spans = receiver.wait_for(trace_id, 2)
    assert server_span(spans).name == "POST /api/v1/users"
    exported = b"".join(receiver.bodies)
    assert password.encode() not in exported
    assert email.encode() not in exported
{% endif %}


{{ async }}def test_a_callers_traceparent_is_continued(client: {{ Client }}, receiver: Receiver) -> None:
    caller_trace, caller_span = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"

    response = {{ await }}client.get(
        "/health/db", headers={"traceparent": f"00-{caller_trace}-{caller_span}-01"}
    )
    flush_traces()

    assert trace_id_of(response.headers)[0] == caller_trace
    server = server_span(receiver.wait_for(caller_trace, 2))
    assert server.name == "GET /health/db"
    assert server.parent_span_id.hex() == caller_span


def test_a_wait_for_a_connection_is_an_event_of_the_requests_span(
    app_with: Callable[..., Any], settings: Settings, receiver: Receiver
) -> None:
    app_with()  # Sets up the process's exporter, as the first app of a worker does.
    one_connection = {"db_pool_size": 1, "db_max_overflow": 0, "db_pool_timeout": 5}
    database = connect(settings.model_copy(update=one_connection))

    async def two_requests_at_once() -> None:
        async with anyio.create_task_group() as requests, database.turn():
            # The second waits until the first lets go of the only connection.
            requests.start_soon(database.turn().__aenter__)
            await anyio.sleep(0.05)

    with tracer.start_as_current_span("request") as request:
        anyio.run(two_requests_at_once)
    flush_traces()

    context = request.get_span_context()
    (span,) = receiver.wait_for(trace.format_trace_id(context.trace_id), 1)
    (wait,) = [event for event in span.events if event.name == "db.pool.wait"]
    waited = attributes(wait)["db.client.connection.wait_time"]
    assert 0.04 < waited < 5
    assert span.start_time_unix_nano <= wait.time_unix_nano <= span.end_time_unix_nano


{{ async }}def test_a_browser_may_read_the_traceresponse_header_across_origins(
    client_with: Callable[..., {{ Client }}],
) -> None:
    origin = "https://app.example.com"
    {{ async }}with client_with(cors_origins=[origin]) as client:
        response = {{ await }}client.get("/health", headers={"Origin": origin})

    assert response.headers["access-control-allow-origin"] == origin
    exposed = response.headers["access-control-expose-headers"].lower().split(", ")
    assert "traceresponse" in exposed
    assert trace_id_of(response.headers)
