"""The client a security event names, when the server cannot tell it."""

from fastapi import Request

from {{ cookiecutter.package_name }}.api.caller_base import client_address


def test_a_request_without_a_client_address_is_from_an_unknown_client() -> None:
    # A server on a Unix socket gives no client address.
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": []})

    assert client_address(request) == "unknown"
