"""The API's paths that the tests call."""

ITEMS = "/api/v1/items"
USERS = "/api/v1/users"
