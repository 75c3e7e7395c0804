"""Every answer carries a request id; bodies over the limit are refused before they are parsed."""
{% from "driver.jinja" import async, await, Client, Iterator, imports with context %}
{{ imports("Iterator") }}

import pytest
{{- imports("Client") }}

from {{ cookiecutter.package_name }}.settings import Settings


{{ async }}def test_request_id_from_the_client_is_returned(client: {{ Client }}) -> None:
    response = {{ await }}client.get("/health", headers={"X-Request-ID": "trace-42"})

    assert response.headers["x-request-id"] == "trace-42"


@pytest.mark.parametrize("given", [None, "", "x" * 129, "spaces are not plain"])
{{ async }}def test_request_id_is_made_up_when_missing_or_unusable(
    client: {{ Client }},
    given: str | None,
) -> None:
    headers = {} if given is None else {"X-Request-ID": given}

    response = {{ await }}client.get("/health", headers=headers)

    assert len(response.headers["x-request-id"]) == 32
    assert response.headers["x-request-id"] != given


{{ async }}def test_body_over_the_limit_returns_413(client: {{ Client }}, settings: Settings) -> None:
    too_large = b"x" * (settings.max_body_bytes + 1)

    response = {{ await }}client.post(
        "/api/v1/items", content=too_large, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert "x-request-id" in response.headers


{{ async }}def test_streamed_body_over_limit_gets_413(client: {{ Client }}, settings: Settings) -> None:
    # No Content-Length: the limit is enforced while the body arrives.
    chunk = b"[" * 65536
    chunks = [chunk] * (settings.max_body_bytes // len(chunk) + 1)

    response = {{ await }}client.post(
        "/api/v1/items", content=_stream(chunks), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413
{% if cookiecutter.driver == "async" %}


async def _stream(chunks: list[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk
{% else %}


def _stream(chunks: list[bytes]) -> Iterator[bytes]:
    yield from chunks
{% endif %}


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        ("[" * 100_000 + "]" * 100_000, "application/json"),
        ('{"title": "x", "owner_id": 1}', "text/plain"),
        ("\xff\xfe", "application/json"),
        ('{"title": "x", "owner_id": 1', "application/json"),
    ],
    ids=["deeply-nested", "wrong-content-type", "not-utf8", "truncated"],
)
{{ async }}def test_malformed_body_is_a_client_error(
    client: {{ Client }},
    content: str,
    content_type: str,
) -> None:
    body = content.encode("latin-1", "replace")

    response = {{ await }}client.post(
        "/api/v1/items",
        content=body,
        headers={"Content-Type": content_type},
    )

    assert 400 <= response.status_code < 500
