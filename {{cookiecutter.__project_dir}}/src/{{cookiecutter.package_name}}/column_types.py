"""Column types shared by the models."""

from datetime import UTC
from datetime import datetime

from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from .dialect import TIMESTAMP


def utc_now() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and read back timezone-aware, on every database.

    Some databases keep no time zone with a timestamp and return naive values:
    storing UTC and attaching it again on the way out gives one behaviour everywhere.
    """

    impl = TIMESTAMP
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            message = "timestamps must be timezone-aware"
            raise ValueError(message)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
