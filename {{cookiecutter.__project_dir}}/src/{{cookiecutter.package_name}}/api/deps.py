"""Dependencies the routes share: paging, and ids in paths."""

from typing import Annotated

from fastapi import Path
from fastapi import Query

from ..schemas import MAX_ID

Limit = Annotated[int, Query(ge=1, le=100, description="How many rows to return at most.")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="How many rows to skip.")]
# A user's or an item's id in the path; one out of the keys' range is refused, never looked up.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
