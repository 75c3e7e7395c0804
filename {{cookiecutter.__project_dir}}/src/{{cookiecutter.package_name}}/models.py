"""ORM models: the service's tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from .base import Base
from .column_types import UTCDateTime
from .column_types import utc_now
from .enums import ItemStatus


{% if cookiecutter.auth == "password" %}
class User(Base):
    """A person with an account: a password, and the right to administer the service or not."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    hashed_password: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    is_superuser: Mapped[bool] = mapped_column(default=False)
    # Written into every token issued; a new password, a deactivation or the loss of admin
    # rights moves it on, and the tokens issued before stop working.
    token_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
{% elif cookiecutter.auth == "oidc" %}
class User(Base):
    """A person who signs in at the identity provider, recorded when first seen."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The provider's id of the person (the tokens' `sub`): the only way they are recognised.
    subject: Mapped[str] = mapped_column(String(255), unique=True)
    # As the provider gave it when the user was first seen, if it did.
    email: Mapped[str | None] = mapped_column(String(320))
    full_name: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
{% else %}
class User(Base):
    """A person the service keeps items for."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
{% endif %}

    # The database deletes a user's items with the user (ON DELETE CASCADE), and
    # the collection is never loaded implicitly: ask for it with selectinload().
    items: Mapped[list[Item]] = relationship(
        back_populates="owner",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )


class Item(Base):
    """Something a user owns; a user's items have distinct titles."""

    __tablename__ = "items"
    # Also the index for the owner's foreign key: owner_id leads.
    __table_args__ = (UniqueConstraint("owner_id", "title"),{{ ' {"sqlite_autoincrement": True}' if cookiecutter.database == "sqlite" else "" }})

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # Stored as a string with a CHECK constraint rather than a native enum type,
    # so that adding a status later is a plain migration on every database.
    status: Mapped[ItemStatus] = mapped_column(
        Enum(
            ItemStatus,
            name="item_status",
            native_enum=False,
            create_constraint=True,
            length=20,
            values_callable=lambda statuses: [status.value for status in statuses],
        ),
        default=ItemStatus.PRIVATE,
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    owner: Mapped[User] = relationship(back_populates="items", lazy="raise")
{% if cookiecutter.auth == "password" %}


class Throttle(Base):
    """Attempts counted under a key: logins to an address, or a client's logins or sign-ups.

    In the database, so that every replica of the service counts the same attempts.
    """

    __tablename__ = "throttles"

    # "login:<address>", whether or not the address has an account; "<action>:<client address>".
    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    # Attempts counted since the window began, and when it ends.
    attempts: Mapped[int] = mapped_column(default=0)
    window_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Lockouts in a row, and until when attempts are refused.
    lockouts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
{% endif %}
