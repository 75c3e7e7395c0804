"""The migrations build exactly the schema the models describe, both ways."""

from alembic import command
from alembic.config import Config


def test_migrations_match_the_models(alembic_config: Config) -> None:
    # Fails with the differences if a model changed without a revision.
    command.check(alembic_config)


def test_migrations_downgrade_to_base_and_upgrade_again(alembic_config: Config) -> None:
    command.downgrade(alembic_config, "base")
    command.upgrade(alembic_config, "head")

    command.check(alembic_config)
