"""One user to an e-mail address: the database's unique constraint decides who has it."""
{% from "driver.jinja" import async, await, Session, imports with context %}

from sqlalchemy.exc import IntegrityError
{{- imports("Session") }}

from .crud import TakenError
from .dialect import violated_constraint

# What the database refuses, by the name its constraint gets from the naming convention (base.py).
USER_EMAIL_UNIQUE = "uq_users_email"


class EmailTakenError(TakenError):
    """Another user already has this e-mail address."""

    detail = "Another user has this e-mail address."


# The constraint decides, not a look-up beforehand: two requests racing for one
# e-mail address cannot both pass it, and a valid write costs one round trip.
{{ async }}def flush_user(session: {{ Session }}) -> None:
    """Write the user added or changed; raise EmailTakenError if another user has the address."""
    try:
        {{ await }}session.flush()
    except IntegrityError as error:
        if violated_constraint(error) == USER_EMAIL_UNIQUE:
            raise EmailTakenError from error
        raise
