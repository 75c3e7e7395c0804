"""Prometheus metrics, for a scraper on the inside network; keep the route off the public port."""

from fastapi import APIRouter
from fastapi import Response

from ... import metrics

router = APIRouter(tags=["metrics"])


@router.get("/metrics", include_in_schema=False)
async def read_metrics() -> Response:
    """The service's metrics in Prometheus' text format."""
    return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)
