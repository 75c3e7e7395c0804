"""Bearer tokens of an OpenID Connect provider, checked against the keys it publishes.

The provider is found through its discovery document; its keys (JWKS) are kept in memory,
fetched again when a token names a key they lack or when they grow old, never more often
than `min_refresh_seconds`, so that forged key ids cannot make the service hammer the provider.
"""
{% from "driver.jinja" import async, await, async_imports, sync_imports with context %}

import json
{{- sync_imports("threading") }}
import time
import urllib.request
from dataclasses import dataclass
from typing import Any
{{ async_imports("anyio", "anyio.to_thread") }}
import jwt

from .settings import Settings

# Signatures with the provider's public keys only: never "none", never a shared secret.
ALGORITHMS = ["RS256", "ES256"]
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]
# Clock skew tolerated between the provider and this service.
LEEWAY_SECONDS = 30
# Keys older than this are fetched again at the next token, so that keys the provider
# withdrew stop working within the hour.
KEYS_MAX_AGE_SECONDS = 3600
# Seconds a fetch of the discovery document and the keys may take in all.
FETCH_TIMEOUT_SECONDS = 5
# The types an access token may declare in its header (RFC 9068; most providers say JWT). An
# ID token, a logout token or a DPoP proof says another, and is refused.
ACCESS_TOKEN_TYPES = {"at+jwt", "application/at+jwt", "jwt"}


@dataclass(frozen=True)
class Identity:
    """Who a valid token says the caller is."""

    subject: str
    email: str | None
    name: str
    is_admin: bool


class InvalidTokenError(Exception):
    """The token is not one the provider signed for this service, or it has expired."""


class ProviderUnavailableError(Exception):
    """The provider's discovery document or keys cannot be had right now."""


class IdentityProvider:
    """The OpenID Connect provider the settings name, and the signing keys it publishes."""

    def __init__(
        self,
        settings: Settings,
        *,
        min_refresh_seconds: float = 30.0,
        fetch_timeout: float = FETCH_TIMEOUT_SECONDS,
    ) -> None:
        self._issuer = settings.oidc_issuer
        self._audience = settings.oidc_audience
        self._max_lifetime = settings.oidc_max_token_lifetime_seconds
        self._authorized_parties = set(settings.oidc_authorized_parties)
        self._fetch_timeout = fetch_timeout
        self._roles_claim = settings.oidc_roles_claim.split(".")
        self._admin_role = settings.oidc_admin_role
        self._min_refresh_seconds = min_refresh_seconds
        self._keys: dict[str, jwt.PyJWK] = {}
        self._jwks_uri: str | None = None
        self._fetched_at = -float("inf")
        self._last_failure: ProviderUnavailableError | None = None
        self._lock = {{ "anyio.Lock()" if cookiecutter.driver == "async" else "threading.Lock()" }}

    @property
    def configured(self) -> bool:
        """Whether the settings name a provider and this service's audience at it."""
        return bool(self._issuer and self._audience)

    {{ async }}def verify(self, token: str) -> Identity:
        """Check the token's signature, issuer, audience and times; say whom it identifies.

        Raises InvalidTokenError for a token to refuse, ProviderUnavailableError when the
        provider's keys cannot be had.
        """
        if not self.configured:
            message = "no identity provider is configured (OIDC_ISSUER, OIDC_AUDIENCE)"
            raise InvalidTokenError(message)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise InvalidTokenError from error
        if str(header.get("typ", "jwt")).lower() not in ACCESS_TOKEN_TYPES:
            message = "not an access token"
            raise InvalidTokenError(message)
        key_id = header.get("kid")
        key = {{ await }}self._signing_key(str(key_id))
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as error:
            raise InvalidTokenError from error
        self._check_issuance(claims)
        return self._identity(claims)

    def _check_issuance(self, claims: dict[str, Any]) -> None:
        # A token valid for years outlives every change at the provider: refused.
        lifetime = claims["exp"] - claims["iat"]
        if not isinstance(lifetime, int | float) or lifetime > self._max_lifetime:
            message = "the token's lifetime is longer than OIDC_MAX_TOKEN_LIFETIME_SECONDS"
            raise InvalidTokenError(message)
        # The client the token was issued to, where the provider says it and the settings
        # name the clients this service serves.
        party = claims.get("azp")
        if self._authorized_parties and party is not None and party not in self._authorized_parties:
            message = "the token was issued to a client this service does not serve"
            raise InvalidTokenError(message)

    {{ async }}def _signing_key(self, key_id: str) -> jwt.PyJWK:
        key = self._keys.get(key_id)
        if key is None or time.monotonic() - self._fetched_at > KEYS_MAX_AGE_SECONDS:
            try:
                {{ await }}self._fetch_keys()
            except ProviderUnavailableError:
                if key is None:
                    raise
                # The keys in hand still verify while the provider is away.
            key = self._keys.get(key_id)
        if key is None:
            message = f"the provider has no signing key {key_id!r}"
            raise InvalidTokenError(message)
        return key

    {{ async }}def _fetch_keys(self) -> None:
        {{ async }}with self._lock:
            if time.monotonic() - self._fetched_at < self._min_refresh_seconds:
                # Fetched a moment ago (perhaps while this caller waited for the lock).
                if self._last_failure is not None:
                    raise self._last_failure
                return
            self._fetched_at = time.monotonic()
            # One deadline for the documents together, not one per document.
            deadline = self._fetched_at + self._fetch_timeout
            try:
                if self._jwks_uri is None:
                    discovery_url = f"{self._issuer.rstrip('/')}/.well-known/openid-configuration"
                    discovery = {{ await }}self._fetch_json(discovery_url, deadline)
                    if discovery.get("issuer") != self._issuer:
                        message = "the discovery document names another issuer"
                        raise ProviderUnavailableError(message)
                    self._jwks_uri = str(discovery["jwks_uri"])
                keys = {{ await }}self._fetch_json(self._jwks_uri, deadline)
                published = jwt.PyJWKSet.from_dict(keys)
            except (OSError, ValueError, KeyError, jwt.PyJWTError) as error:
                self._last_failure = ProviderUnavailableError(type(error).__name__)
                raise self._last_failure from error
            except ProviderUnavailableError as error:
                self._last_failure = error
                raise
            self._keys = {key.key_id: key for key in published.keys if key.key_id}
            self._last_failure = None

    {{ async }}def _fetch_json(self, url: str, deadline: float) -> dict[str, Any]:
        timeout = deadline - time.monotonic()
        if timeout <= 0:
            raise TimeoutError
{% if cookiecutter.driver == "async" %}
        # urllib blocks: in a worker thread, the event loop serves other requests meanwhile.
        return await anyio.to_thread.run_sync(_get_json, url, timeout)
{% else %}
        return _get_json(url, timeout)
{% endif %}

    def _identity(self, claims: dict[str, Any]) -> Identity:
        email = claims.get("email")
        name = claims.get("name") or claims.get("preferred_username") or email or claims["sub"]
        return Identity(
            subject=str(claims["sub"]),
            email=email if isinstance(email, str) and len(email) <= 320 else None,
            name=str(name)[:200],
            is_admin=self._admin_role in self._roles(claims),
        )

    def _roles(self, claims: dict[str, Any]) -> list[str]:
        # A claim, or a path into nested claims, such as Keycloak's realm_access.roles.
        found: Any = claims
        for part in self._roles_claim:
            found = found.get(part) if isinstance(found, dict) else None
        if isinstance(found, str):
            return found.split()
        return [role for role in found if isinstance(role, str)] if isinstance(found, list) else []


def _get_json(url: str, timeout: float) -> dict[str, Any]:
    if not url.startswith(("https://", "http://")):
        message = f"not an http(s) URL: {url!r}"
        raise ValueError(message)
    # S310 asks that the scheme be checked first: it is, above.
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
        document = json.load(response)
    if not isinstance(document, dict):
        message = "the provider's document is not a JSON object"
        raise ValueError(message)
    return document
