"""The HTTP layer: routes, their dependencies, and error responses."""
