"""Traces with OpenTelemetry: a span per request and per SQL statement, sent over OTLP/HTTP."""
{% from "driver.jinja" import Engine, sync_engine, async_imports with context %}

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from time import time_ns

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from opentelemetry import metrics
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.sdk.resources import SERVICE_NAME
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span
from opentelemetry.trace import Status
from opentelemetry.trace import StatusCode
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine import ExceptionContext
{{- async_imports("Engine") }}
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

# Where the spans go; without one, nothing is traced and nothing is sent.
ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
DEFAULT_SERVICE_NAME = "{{ cookiecutter.project_slug }}"
# Paths whose requests are not traced: comma-separated regular expressions, e.g. `health,metrics`.
EXCLUDED_PATHS_VARIABLE = "OTEL_PYTHON_FASTAPI_EXCLUDED_URLS"
# The response header that names the trace; CORS exposes it to a browser client too.
TRACE_RESPONSE_HEADER = "traceresponse"

tracer = trace.get_tracer(__name__)


def tracing_enabled() -> bool:
    """Whether an OTLP endpoint is set, and the SDK not switched off (OTEL_SDK_DISABLED)."""
    disabled = os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true"
    return not disabled and any(os.environ.get(name) for name in ENDPOINT_VARIABLES)


def request_spans() -> TelemetryConfig:
    """FastAPI's own tracing of requests, which starts once a tracer provider is set.

    A server span per request, named by its route's template as soon as routing finds it,
    continuing the caller's `traceparent`. Not FastAPI's spans for each dependency, endpoint
    and serialization: each costs about as much as a statement's, and the statements' spans
    stay the request's own children.
    """
    # Traces only: the service's metrics are Prometheus's, and its log lines its own. Without
    # an endpoint, not even the check for a tracer provider that FastAPI makes per request.
    config: TelemetryConfig = {
        "tracing": tracing_enabled(),
        "operation_spans": False,
        "metrics": False,
        "logs": False,
    }
    patterns = [p.strip() for p in os.environ.get(EXCLUDED_PATHS_VARIABLE, "").split(",")]
    if any(patterns):
        excluded = re.compile("|".join(p for p in patterns if p))
        config["exclude"] = lambda scope: bool(excluded.search(scope["path"]))
    return config


def trace_requests(app: FastAPI, engine: {{ Engine }}) -> None:
    """Trace each request the app serves, and each SQL statement the engine runs, if enabled.

    The exporter, its queue and its thread belong to the process: the first app built in a
    process (each worker's, after the fork) sets them up; every app and engine uses them.
    FastAPI traces the requests itself once the provider is set (`request_spans`).
    """
    if not tracing_enabled():
        return
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        # OTEL_TRACES_SAMPLER, OTEL_RESOURCE_ATTRIBUTES, OTEL_BSP_* and OTEL_EXPORTER_OTLP_*
        # are read by the SDK itself.
        name = os.environ.get("OTEL_SERVICE_NAME", DEFAULT_SERVICE_NAME)
        provider = TracerProvider(resource=Resource.create({SERVICE_NAME: name}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
    app.add_middleware(TraceResponseMiddleware)
    trace_statements({{ sync_engine }})


class TraceResponseMiddleware:
    """Name each response's trace: `traceresponse: 00-<trace id>-<span id>-<flags>` (W3C)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Inside FastAPI's server span, which is the current one here.
        context = trace.get_current_span().get_span_context()
        if scope["type"] != "http" or not context.is_valid:
            await self.app(scope, receive, send)
            return
        header = (
            TRACE_RESPONSE_HEADER.encode(),
            f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}".encode(),
        )

        async def send_with_trace(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        await self.app(scope, receive, send_with_trace)


def trace_statements(engine: Engine) -> None:
    """One client span per statement the engine runs: its text, never the values bound to it."""
    # Registered first, to run before the tracer's own handler of errors: a driver's message
    # may quote a value ("Duplicate entry '1-Notes'", "Key (email)=(...) already exists").
    event.listen(engine, "handle_error", _hide_the_error_message)
    # (The instrumentation's calls carry no type annotations, hence the ignores.)
    connections = metrics.get_meter(__name__).create_up_down_counter("db.client.connections")
    EngineTracer(tracer, engine, connections)  # type: ignore[no-untyped-call]


def _hide_the_error_message(context: ExceptionContext) -> None:
    # The span keeps the error's type, not its message.
    span: Span | None = getattr(context.execution_context, "_otel_span", None)
    if span is None:
        return
    error = context.original_exception
    span.set_status(Status(StatusCode.ERROR, type(error).__name__))
    span.set_attribute("error.type", type(error).__qualname__)
    span.end()
    # The tracer's own handler, next, finds no span left to end with the message.
    delattr(context.execution_context, "_otel_span")


@contextmanager
def waiting_for_a_connection() -> Iterator[None]:
    """Note on the request's span that it waited for its turn at the pool's connections.

    An event, `db.pool.wait`, when the wait began, with its length in seconds: under load
    nearly every request waits, and a span of its own would cost as much again as a statement's.
    """
    began = time_ns()
    try:
        yield
    finally:
        waited = (time_ns() - began) / 1e9
        trace.get_current_span().add_event(
            "db.pool.wait", {"db.client.connection.wait_time": waited}, timestamp=began
        )


def current_ids() -> dict[str, str]:
    """The ids of the current trace and span, for a log line; none outside a traced request."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return {}
    return {
        "trace_id": trace.format_trace_id(context.trace_id),
        "span_id": trace.format_span_id(context.span_id),
    }


def flush_traces() -> None:
    """Send the spans not sent yet: called when the app stops, before the process exits."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.force_flush()
