"""Enumerations shared by the tables and the API's bodies."""

import enum


class ItemStatus(enum.StrEnum):
    """Who may see an item."""

    PUBLIC = "public"
    PRIVATE = "private"
