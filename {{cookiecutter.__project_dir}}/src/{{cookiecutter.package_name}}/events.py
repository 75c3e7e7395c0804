"""Security events: one JSON log line each, saying who and from where, never a secret."""

import logging

logger = logging.getLogger(__name__)


def security_event(
    event: str,
    *,
    user_id: int | None,
    client: str,
    level: int = logging.INFO,
    **details: str | int | bool | None,
) -> None:
    """Log a security event by its name, with the account it concerns and the client's address.

    `details` are identifiers and flags only: never a password, token or key.
    """
    fields = {"event": event, "user_id": user_id, "client": client, **details}
    logger.log(level, event, extra=fields)
