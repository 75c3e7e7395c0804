"""The HTTP API: routes, their dependencies, error answers and middleware."""

# Where the versioned API lives; /health and the OpenAPI pages stay outside it.
API_PREFIX = "/api/v1"
