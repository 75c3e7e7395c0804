{% set await = "await " if cookiecutter.driver == "async" else "" %}
"""The application factory and the ASGI app."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from . import __version__
from .api.errors import register_exception_handlers
from .api.middleware import RequestContextMiddleware
from .api.routes import health
from .api.routes import items
from .api.routes import users
from .db import engine
from .logs import configure_logging
from .settings import get_settings

API_PREFIX = "/api/v1"


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """Close the pooled database connections when the service stops."""
    yield
    {{ await }}engine.dispose()


def _operation_id(route: APIRoute) -> str:
    # Readable ids for generated clients: "users-create_user", not "create_user_api_v1_users_post".
    return f"{route.tags[0]}-{route.name}"


def create_app() -> FastAPI:
    """Build the application: logging, middleware, routes, error handlers and the lifespan."""
    settings = get_settings()
    configure_logging(settings.log_level)
    app = FastAPI(
        title="{{ cookiecutter.project_name }}",
        description="{{ cookiecutter.description }}",
        version=__version__,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
    )
    app.add_middleware(RequestContextMiddleware)
    register_exception_handlers(app)
    app.include_router(health.router)
    # Limits set on the routers apply inside the middleware: a 413 carries a request id too.
    app.include_router(users.router, prefix=API_PREFIX, max_body_size=settings.max_body_bytes)
    app.include_router(items.router, prefix=API_PREFIX, max_body_size=settings.max_body_bytes)
    return app


app = create_app()
