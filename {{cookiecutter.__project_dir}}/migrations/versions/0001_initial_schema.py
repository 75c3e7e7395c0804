{# As autogenerate spells the timestamp type of column_types.py for this database: #}
{% set timestamp = "mysql.DATETIME(fsp=6)" if cookiecutter.database == "mysql" else "sa.DateTime(timezone=True)" %}
{# SQLite gives a table AUTOINCREMENT when asked (see base.py); the others have no such option. #}
{% set autoincrement = "\n        sqlite_autoincrement=True," if cookiecutter.database == "sqlite" else "" %}
"""Create the service's tables.

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
{{- "\nfrom sqlalchemy.dialects import mysql" if cookiecutter.database == "mysql" else "" }}

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the tables."""
{% if cookiecutter.auth == "password" %}
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("hashed_password", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_superuser", sa.Boolean(), nullable=False),
        sa.Column("token_version", sa.Integer(), nullable=False),
        sa.Column("created_at", {{ timestamp }}, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
{{- autoincrement }}
    )
{% elif cookiecutter.auth == "oidc" %}
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", {{ timestamp }}, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("subject", name=op.f("uq_users_subject")),
{{- autoincrement }}
    )
{% else %}
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", {{ timestamp }}, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
{{- autoincrement }}
    )
{% endif %}
    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("created_at", {{ timestamp }}, nullable=False),
        sa.CheckConstraint("status IN ('public', 'private')", name=op.f("ck_items_item_status")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_items_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
        sa.UniqueConstraint("owner_id", "title", name=op.f("uq_items_owner_id_title")),
{{- autoincrement }}
    )
{% if cookiecutter.auth == "password" %}
    op.create_table(
        "throttles",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("window_ends_at", {{ timestamp }}, nullable=False),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.Column("locked_until", {{ timestamp }}, nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_throttles")),
    )
{% endif %}


def downgrade() -> None:
    """Drop the tables."""
{% if cookiecutter.auth == "password" %}
    op.drop_table("throttles")
{% endif %}
    op.drop_table("items")
    op.drop_table("users")
