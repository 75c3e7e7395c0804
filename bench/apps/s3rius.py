"""s3rius/FastAPI-template's create, as that template bakes it for REST + SQLAlchemy + PostgreSQL.

Replicated from the template at github.com/s3rius/FastAPI-template (commit f7ed808, the `dummy`
example with migrations off), not copied: the same engine (`create_async_engine(url)`, the default
pool), `async_sessionmaker(engine, expire_on_commit=False)` kept in the app's state, a dependency
that yields a session and commits and closes it afterwards, a DAO class taken with `Depends()`
that only `add`s the new row (the commit in the dependency writes it), and `PUT /api/dummy/` with
`{"name": ...}` answering `null`. Its table, `dummy_model` (a serial id and a 200-character name),
is created when the app starts, as the template does without migrations. Not taken: its other
routes, settings class and logging; added: the benchmark's `GET /health`.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter
from fastapi import Depends
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from starlette.requests import Request


class Base(DeclarativeBase):
    pass


class DummyModel(Base):
    __tablename__ = "dummy_model"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(length=200))


class DummyModelInputDTO(BaseModel):
    name: str


async def get_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    session: AsyncSession = request.app.state.db_session_factory()
    try:
        yield session
    finally:
        await session.commit()
        await session.close()


class DummyDAO:
    # The template's own style: Depends() as a default value, as FastAPI's older docs show it.
    def __init__(self, session: AsyncSession = Depends(get_db_session)) -> None:  # noqa: B008
        self.session = session

    async def create_dummy_model(self, name: str) -> None:
        self.session.add(DummyModel(name=name))


router = APIRouter()


@router.put("/")
async def create_dummy_model(
    new_dummy_object: DummyModelInputDTO,
    dummy_dao: DummyDAO = Depends(),  # noqa: B008
) -> None:
    await dummy_dao.create_dummy_model(name=new_dummy_object.name)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    engine = create_async_engine(os.environ["DATABASE_URL"])
    app.state.db_engine = engine
    app.state.db_session_factory = async_sessionmaker(engine, expire_on_commit=False)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


def get_app() -> FastAPI:
    app = FastAPI(
        lifespan=lifespan, docs_url="/api/docs", redoc_url="/api/redoc", openapi_url="/api/openapi.json"
    )
    api_router = APIRouter()
    api_router.include_router(router, prefix="/dummy", tags=["dummy"])
    app.include_router(router=api_router, prefix="/api")

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
