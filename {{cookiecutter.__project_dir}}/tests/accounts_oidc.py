"""Who calls the API: people with tokens of an identity provider, played here by a local server."""
{% from "driver.jinja" import async, await, Client, imports with context %}

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
{{- imports("Client") }}
from jwt.algorithms import RSAAlgorithm

from urls import USERS

# The caller's own account.
ME = f"{USERS}/me"
# The fixtures that both kinds of accounts share.
pytest_plugins = ["accounts_shared"]
AUDIENCE = "tests-audience"
ADMIN_ROLE = "admin"
# The address the test client calls from, as the service's security events record it.
CLIENT_ADDRESS = "{{ "127.0.0.1" if cookiecutter.driver == "async" else "testclient" }}"


class IdentityProviderServer:
    """A local OpenID Connect provider: its discovery document and signing keys, over HTTP."""

    def __init__(self) -> None:
        self._keys: dict[str, rsa.RSAPrivateKey] = {}
        self.requests: list[str] = []
        self.available = True
        # Seconds each answer takes: a slow provider.
        self.delay = 0.0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self.rotate()
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def rotate(self) -> str:
        """Publish a new signing key in place of the old ones; return its id."""
        self.key_id = f"key-{len(self.requests)}-{time.monotonic_ns()}"
        self._keys = {self.key_id: rsa.generate_private_key(public_exponent=65537, key_size=2048)}
        return self.key_id

    def sign(
        self, claims: dict[str, Any], *, key_id: str | None = None, typ: str = "at+jwt"
    ) -> str:
        """A token with these claims, signed with the current key (or named another)."""
        key = next(iter(self._keys.values()))
        headers = {"kid": key_id or self.key_id, "typ": typ}
        return jwt.encode(claims, key, algorithm="RS256", headers=headers)

    def token(self, subject: str, *, roles: tuple[str, ...] = (), **claims: Any) -> str:
        """A valid token for `subject`, with these roles and any other claims."""
        now = int(time.time())
        standard = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": subject,
            "iat": now,
            "exp": now + 300,
        }
        return self.sign({**standard, "roles": list(roles), **claims})

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    def _documents(self) -> dict[str, dict[str, Any]]:
        keys = [
            {**RSAAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": key_id, "use": "sig"}
            for key_id, key in self._keys.items()
        ]
        discovery = {"issuer": self.issuer, "jwks_uri": f"{self.issuer}/jwks"}
        return {"/.well-known/openid-configuration": discovery, "/jwks": {"keys": keys}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.requests.append(self.path)
                time.sleep(provider.delay)
                document = provider._documents().get(self.path)
                if not provider.available or document is None:
                    self.send_error(503 if document else 404)
                    return
                body = json.dumps(document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass  # quiet

        return Handler


def claims(provider: IdentityProviderServer, **changes: Any) -> dict[str, Any]:
    """Valid claims for a token of the provider, with some changed."""
    now = int(time.time())
    valid = {"iss": provider.issuer, "aud": AUDIENCE, "sub": "ada", "iat": now, "exp": now + 300}
    return {**valid, **changes}


@dataclass(frozen=True)
class Account:
    """A user of the API: their id here, their id at the provider, and a token's headers."""

    id: int
    subject: str
    headers: dict[str, str]


@pytest.fixture(scope="session")
def identity_provider() -> Iterator[IdentityProviderServer]:
    """A local identity provider for the whole run."""
    provider = IdentityProviderServer()
    yield provider
    provider.close()


@pytest.fixture(autouse=True)
def _provider_serves(identity_provider: IdentityProviderServer) -> Iterator[None]:
    # A test may take the provider down or slow it; the next one finds it up and quick again.
    yield
    identity_provider.available = True
    identity_provider.delay = 0.0


@pytest.fixture(scope="session")
def auth_settings(identity_provider: IdentityProviderServer) -> dict[str, Any]:
    """Settings of authentication for the tests: the local provider, and this service's audience."""
    return {
        "oidc_issuer": identity_provider.issuer,
        "oidc_audience": AUDIENCE,
        "oidc_admin_role": ADMIN_ROLE,
    }


{{ async }}def first_seen(
    client: {{ Client }}, provider: IdentityProviderServer, subject: str, *roles: str
) -> Account:
    """An account as the service records it at its first request with a provider's token."""
    email, name = f"{subject}@example.com", subject.title()
    token = provider.token(subject, roles=roles, email=email, name=name)
    headers = {"Authorization": f"Bearer {token}"}
    response = {{ await }}client.get(ME, headers=headers)
    assert response.status_code == 200, response.text
    return Account(response.json()["id"], subject, headers)


@pytest.fixture
{{ async }}def ada(client: {{ Client }}, identity_provider: IdentityProviderServer) -> Account:
    """A user the provider knows."""
    return {{ await }}first_seen(client, identity_provider, "ada")


@pytest.fixture
{{ async }}def grace(client: {{ Client }}, identity_provider: IdentityProviderServer) -> Account:
    """Another user the provider knows."""
    return {{ await }}first_seen(client, identity_provider, "grace")


@pytest.fixture
{{ async }}def admin(client: {{ Client }}, identity_provider: IdentityProviderServer) -> Account:
    """A user to whom the provider gives the admin role."""
    return {{ await }}first_seen(client, identity_provider, "root", ADMIN_ROLE)


@dataclass(frozen=True)
class Crowd:
    """Many callers at once of an app whose writes commit, all with one admin's credentials."""

    user_id: int
    headers: dict[str, str]

    def sent(self, number: int) -> dict[tuple[str, str], dict[str, Any]]:
        """What caller `number` sends to the routes of accounts that take a body."""
        return {("PATCH", ME): {"json": {"full_name": f"Caller {number}"}}}


@pytest.fixture
{{ async }}def crowd(pool_of_one: {{ Client }}, identity_provider: IdentityProviderServer) -> Crowd:
    """The admin of test_pool's crowd, recorded for real."""
    account = {{ await }}first_seen(pool_of_one, identity_provider, "crowd", ADMIN_ROLE)
    return Crowd(account.id, account.headers)
