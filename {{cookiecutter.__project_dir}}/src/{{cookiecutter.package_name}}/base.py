"""The base class of the ORM models, and how their constraints are named."""

{% if cookiecutter.database == "sqlite" %}
from typing import Any

{% endif %}
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase
{% if cookiecutter.database == "sqlite" %}
from sqlalchemy.orm import declared_attr
{% endif %}

# Constraint names that Alembic can rely on to alter or drop them later, and that the
# service reads back from integrity errors to tell which rule a write broke.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every ORM model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
{% if cookiecutter.database == "sqlite" %}

    # AUTOINCREMENT: without it SQLite gives the id of the last row deleted to the next row,
    # and a token or a link that named the deleted row would reach the new one. A model
    # with table arguments of its own repeats this one.
    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> dict[str, Any] | tuple[Any, ...]:
        return {"sqlite_autoincrement": True}
{% endif %}
