{% from "driver.jinja" import await with context %}
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
from .db import connect
from .logs import configure_logging
from .security import Passwords
from .settings import Settings
from .settings import get_settings

TITLE = "{{ cookiecutter.project_name }}"
DESCRIPTION = "{{ cookiecutter.description }}"
API_PREFIX = "/api/v1"


def _operation_id(route: APIRoute) -> str:
    # Readable ids for generated clients: "users-create_user", not "create_user_api_v1_users_post".
    return f"{route.tags[0]}-{route.name}"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application from its settings (by default, the environment's).

    Logging, the database engine, password hashing, middleware, routes and error handlers:
    everything a request needs is made here, once per process, and handed to the routes
    through the app's state.
    """
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    database = connect(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        # Close the pooled connections when the service stops.
        {{ await }}database.engine.dispose()

    app = FastAPI(
        title=TITLE,
        description=DESCRIPTION,
        version=__version__,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
    )
    app.state.database = database
    app.state.passwords = Passwords(settings)
    app.add_middleware(RequestContextMiddleware)
    register_exception_handlers(app)
    app.include_router(health.router)
    # Limits set on the routers apply inside the middleware: a 413 carries a request id too.
    app.include_router(users.router, prefix=API_PREFIX, max_body_size=settings.max_body_bytes)
    app.include_router(items.router, prefix=API_PREFIX, max_body_size=settings.max_body_bytes)
    return app


app = create_app()
