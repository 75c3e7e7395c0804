"""An INSERT that keeps a row whose key is taken as it is: MySQL's ON DUPLICATE KEY UPDATE."""

from sqlalchemy import Insert
from sqlalchemy import inspect
from sqlalchemy.dialects import mysql

from .base import Base


def insert_unless_taken(entity: type[Base]) -> Insert:
    """An INSERT that leaves a row whose primary key is taken as it is, locked for update.

    Not INSERT IGNORE: it takes a shared lock on the row it finds, and two transactions that
    both then lock the row for update each wait for the other. Setting the key to itself
    changes nothing, and takes the exclusive lock at once.
    """
    keys = inspect(entity).primary_key
    return mysql.insert(entity).on_duplicate_key_update({key.name: key for key in keys})
