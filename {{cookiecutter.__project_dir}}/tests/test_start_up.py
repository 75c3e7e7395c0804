"""What the app does as it starts: objects it built are kept out of the collector's full passes."""

import gc

import anyio
from fastapi import FastAPI

from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.settings import Settings


async def _frozen_once_started(app: FastAPI) -> int:
    async with app.router.lifespan_context(app):
        return gc.get_freeze_count()


def test_start_up_freezes_the_objects_built_so_far(settings: Settings) -> None:
    """A full collection walks every object tracked: an app's are many, and it frees none of them.

    Requests in flight wait while it runs, which made the slowest 1 % several times the median.
    """
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        frozen = anyio.run(_frozen_once_started, create_app(settings))
    finally:
        gc.unfreeze()
    assert frozen > 0
