"""Who calls a baked service: how a client gets its credentials, for each answer to `auth`.

- password: an account signed up through the API, and a token from its login route;
- oidc: a token of a local identity provider, which this module serves;
- none: nothing at all.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any

import httpx2 as httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from harness.projects import Baked
from harness.projects import CommandError
from harness.projects import explain

AUDIENCE = "template-suite"
ADMIN_ROLE = "admin"
PASSWORD = "correct horse battery staple"


class IdentityProvider:
    """A local OpenID Connect provider: a discovery document and one signing key, over HTTP."""

    def __init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = {**RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True), "kid": "suite", "use": "sig"}
        documents: dict[str, dict[str, Any]] = {"/jwks": {"keys": [jwk]}}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(documents))
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        discovery = {"issuer": self.issuer, "jwks_uri": f"{self.issuer}/jwks"}
        documents["/.well-known/openid-configuration"] = discovery
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def settings(self) -> dict[str, str]:
        """What a baked service needs to accept this provider's tokens."""
        return {"OIDC_ISSUER": self.issuer, "OIDC_AUDIENCE": AUDIENCE, "OIDC_ADMIN_ROLE": ADMIN_ROLE}

    def token(self, subject: str, *, admin: bool = False, lifetime: int = 600) -> str:
        """A token for `subject`, valid for `lifetime` seconds."""
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": subject,
            "iat": now,
            "exp": now + lifetime,
            "email": f"{subject}@example.com",
            "roles": [ADMIN_ROLE] if admin else [],
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": "suite"})

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()


def _handler(documents: dict[str, dict[str, Any]]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            document = documents.get(self.path)
            if document is None:
                self.send_error(404)
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


@contextmanager
def identity_provider() -> Iterator[IdentityProvider]:
    """A local identity provider, until the block ends."""
    provider = IdentityProvider()
    try:
        yield provider
    finally:
        provider.close()


class Callers:
    """Credentials for the clients of one baked service, by its answer to `auth`."""

    def __init__(self, auth: str, provider: IdentityProvider | None = None) -> None:
        if auth == "oidc" and provider is None:
            raise ValueError("an oidc service needs an identity provider")
        self.auth = auth
        self.provider = provider

    @property
    def settings(self) -> dict[str, str]:
        """The service's settings that authentication needs."""
        return self.provider.settings if self.auth == "oidc" and self.provider else {}

    def sign_up(self, http: httpx.Client, email: str, **fields: Any) -> httpx.Response:
        """Create a user through the API (password and none only), with any first items."""
        body = {"email": email, "full_name": "Ada Lovelace", **fields}
        if self.auth == "password":
            body.setdefault("password", PASSWORD)
        return http.post("/api/v1/users", json=body)

    def headers(self, http: httpx.Client, email: str, *, password: str = PASSWORD) -> dict[str, str]:
        """Headers that authenticate as the user of this address, who exists (or, oidc, is new)."""
        if self.auth == "none":
            return {}
        if self.auth == "oidc":
            assert self.provider is not None
            return {"Authorization": f"Bearer {self.provider.token(email.split('@')[0])}"}
        response = http.post("/api/v1/auth/token", data={"username": email, "password": password})
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def user(self, http: httpx.Client, email: str) -> tuple[int, dict[str, str]]:
        """A user that exists, by signing up where the API has sign-up: their id and headers."""
        if self.auth == "oidc":
            # Recorded by the service at its first request with a token.
            headers = self.headers(http, email)
            me = http.get("/api/v1/users/me", headers=headers)
            assert me.status_code == 200, me.text
            return int(me.json()["id"]), headers
        created = self.sign_up(http, email)
        assert created.status_code == 201, created.text
        return int(created.json()["id"]), self.headers(http, email)

    def admin(self, http: httpx.Client, baked: Baked, database_url: str, email: str) -> dict[str, str]:
        """Headers of an admin: made by the project's create-admin command, or the provider's role."""
        if self.auth == "oidc":
            assert self.provider is not None
            return {"Authorization": f"Bearer {self.provider.token(email.split('@')[0], admin=True)}"}
        if self.auth == "none":
            return {}
        env = {"DATABASE_URL": database_url, "ADMIN_PASSWORD": PASSWORD}
        created = baked.python("-m", baked.package, "create-admin", email, env=env)
        if created.returncode != 0:
            raise CommandError(f"create-admin: {explain(created)}")
        return self.headers(http, email)
