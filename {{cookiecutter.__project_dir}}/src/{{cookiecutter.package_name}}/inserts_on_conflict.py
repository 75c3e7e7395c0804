"""An INSERT that keeps a row whose key is taken as it is: INSERT ... ON CONFLICT DO NOTHING."""

from sqlalchemy import Insert
from sqlalchemy.dialects import {{ cookiecutter.database }}

from .base import Base


def insert_unless_taken(entity: type[Base]) -> Insert:
    """An INSERT that leaves a row whose primary key is taken as it is."""
    return {{ cookiecutter.database }}.insert(entity).on_conflict_do_nothing()
