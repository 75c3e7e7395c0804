"""Logs as one JSON object per line, each carrying the id of the request it belongs to."""

import logging
import logging.config
from contextvars import ContextVar

from pythonjsonlogger.core import RESERVED_ATTRS
{% if cookiecutter.include_tracing %}

from .tracing import current_ids
{% endif %}

# The id of the request being served; set by the request-context middleware.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
# Record attributes that never become JSON fields: the standard ones, and uvicorn's copy of
# its message with terminal colour codes.
NOT_LOGGED = [*RESERVED_ATTRS, "color_message"]


class RequestIdFilter(logging.Filter):
    """Adds the current request's id{{ " (and trace's)" if cookiecutter.include_tracing else "" }} to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
{% if cookiecutter.include_tracing %}
        # trace_id and span_id, in a traced request: a log line leads to its trace.
        record.__dict__.update(current_ids())
{% endif %}
        return True


def configure_logging(level: str) -> None:
    """Send every log record, uvicorn's included, to stdout as JSON, at `level` and above."""
    # What no line shows is not gathered for each record either (the logging HOWTO's
    # "Optimization"): the caller's file and line, found by a walk up the stack, the thread,
    # the process.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {"request_id": {"()": RequestIdFilter}},
            "formatters": {
                "json": {
                    "()": "pythonjsonlogger.json.JsonFormatter",
                    "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
                    "rename_fields": {"levelname": "level", "name": "logger"},
                    "reserved_attrs": NOT_LOGGED,
                    "timestamp": "time",
                }
            },
            "handlers": {
                "stdout": {
                    "class": "logging.StreamHandler",
                    "stream": "ext://sys.stdout",
                    "formatter": "json",
                    "filters": ["request_id"],
                }
            },
            "root": {"level": level, "handlers": ["stdout"]},
            "loggers": {
                "uvicorn": {"handlers": [], "propagate": True},
                "uvicorn.error": {"handlers": [], "propagate": True},
                # The request-context middleware writes one line per request, with its id.
                "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            },
        }
    )
