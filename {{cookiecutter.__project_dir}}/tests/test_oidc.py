"""Tokens of the identity provider: which are taken, which refused (and logged), how keys come."""
{% from "driver.jinja" import async, await, Client, Connection, imports with context %}
{{ imports("asyncio", "concurrent.futures") }}
import logging
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
{{- imports("Client") }}
from prometheus_client import REGISTRY
from sqlalchemy import update
{{- imports("Connection") }}

from {{ cookiecutter.package_name }} import oidc
from {{ cookiecutter.package_name }}.models import User
from {{ cookiecutter.package_name }}.settings import Settings

from accounts import CLIENT_ADDRESS
from accounts import ME
from accounts import Account
from accounts import IdentityProviderServer
from accounts import claims
from urls import ITEMS


{{ async }}def test_a_valid_token_identifies_the_caller(
    settings: Settings, identity_provider: IdentityProviderServer
) -> None:
    token = identity_provider.token("ada", email="ada@example.com", name="Ada Lovelace")

    identity = {{ await }}oidc.IdentityProvider(settings).verify(token)

    assert identity == oidc.Identity("ada", "ada@example.com", "Ada Lovelace", is_admin=False)


@pytest.mark.parametrize(
    ("roles_claim", "token_claims", "is_admin"),
    [
        ("roles", {"roles": ["admin", "auditor"]}, True),
        ("roles", {"roles": ["auditor"]}, False),
        ("realm_access.roles", {"realm_access": {"roles": ["admin"]}}, True),
        ("scope", {"scope": "openid admin"}, True),
        ("roles", {"roles": "admin"}, True),
        ("roles", {}, False),
    ],
)
{{ async }}def test_admin_rights_come_from_the_configured_role_claim(
    settings: Settings,
    identity_provider: IdentityProviderServer,
    roles_claim: str,
    token_claims: dict[str, Any],
    is_admin: bool,
) -> None:
    provider = oidc.IdentityProvider(settings.model_copy(update={"oidc_roles_claim": roles_claim}))
    token = identity_provider.sign(claims(identity_provider, **token_claims))

    identity = {{ await }}provider.verify(token)

    assert identity.is_admin is is_admin


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"aud": "another-service"}, id="other-audience"),
        pytest.param({"iss": "https://impostor.example.com"}, id="other-issuer"),
        pytest.param({"exp": -120}, id="expired"),
        pytest.param({"nbf": 120}, id="not-yet-valid"),
        pytest.param({"sub": None}, id="no-subject"),
        pytest.param({"exp": 10 * 365 * 86400}, id="ten-year-lifetime"),
        pytest.param({"azp": "another-client"}, id="other-authorized-party"),
    ],
)
{{ async }}def test_a_token_with_wrong_claims_is_refused(
    settings: Settings, identity_provider: IdentityProviderServer, changes: dict[str, Any]
) -> None:
    """ASVS 5 V9.2.1 (validity), V9.2.3 (audience), V10.3.1 (issuer) and a bounded lifetime."""
    # Times are in seconds from when the test runs: from its collection, a slow run outlives them.
    now = int(time.time())
    timed = {key: now + value for key, value in changes.items() if key in {"exp", "nbf"}}
    changes = {**changes, **timed}
    wanted = {key: value for key, value in claims(identity_provider, **changes).items() if value}
    token = identity_provider.sign(wanted)
    ours = settings.model_copy(update={"oidc_authorized_parties": ["our-web-app"]})

    with pytest.raises(oidc.InvalidTokenError):
        {{ await }}oidc.IdentityProvider(ours).verify(token)


@pytest.mark.parametrize("typ", ["logout+jwt", "dpop+jwt", "id_token+jwt"])
{{ async }}def test_a_token_of_another_type_is_refused(
    settings: Settings, identity_provider: IdentityProviderServer, typ: str
) -> None:
    """ASVS 5 V9.2.2: only access tokens are taken for access."""
    token = identity_provider.sign(claims(identity_provider), typ=typ)

    with pytest.raises(oidc.InvalidTokenError):
        {{ await }}oidc.IdentityProvider(settings).verify(token)


@pytest.mark.parametrize("typ", ["at+jwt", "JWT"])
{{ async }}def test_an_access_token_of_a_usual_type_from_an_authorized_party_is_taken(
    settings: Settings, identity_provider: IdentityProviderServer, typ: str
) -> None:
    ours = settings.model_copy(update={"oidc_authorized_parties": ["our-web-app"]})
    token = identity_provider.sign(claims(identity_provider, azp="our-web-app"), typ=typ)

    identity = {{ await }}oidc.IdentityProvider(ours).verify(token)

    assert identity.subject == "ada"


{{ async }}def test_fetching_the_keys_has_one_deadline_in_all(
    settings: Settings, identity_provider: IdentityProviderServer
) -> None:
    # Two documents (discovery, then keys) of 0.4 s each: each within 0.5 s, not both.
    identity_provider.delay = 0.4
    provider = oidc.IdentityProvider(settings, fetch_timeout=0.5)

    started = time.monotonic()
    with pytest.raises(oidc.ProviderUnavailableError):
        {{ await }}provider.verify(identity_provider.token("ada"))

    assert time.monotonic() - started < 0.75


{{ async }}def test_a_little_clock_skew_is_tolerated(
    settings: Settings, identity_provider: IdentityProviderServer
) -> None:
    token = identity_provider.sign(claims(identity_provider, exp=int(time.time()) - 10))

    identity = {{ await }}oidc.IdentityProvider(settings).verify(token)

    assert identity.subject == "ada"


@pytest.mark.parametrize("kind", ["alg-none", "shared-secret", "unknown-key", "garbage"])
{{ async }}def test_a_token_the_provider_did_not_sign_is_refused(
    settings: Settings, identity_provider: IdentityProviderServer, kind: str
) -> None:
    valid = claims(identity_provider)
    key_named = {"kid": identity_provider.key_id}
    token = {
        "alg-none": jwt.encode(valid, key="", algorithm="none", headers=key_named),
        "shared-secret": jwt.encode(valid, "a-guessed-secret-of-32-characters", algorithm="HS256"),
        "unknown-key": identity_provider.sign(valid, key_id="someone-elses-key"),
        "garbage": "not.a.token",
    }[kind]

    with pytest.raises(oidc.InvalidTokenError):
        {{ await }}oidc.IdentityProvider(settings).verify(token)


{{ async }}def test_a_new_key_is_fetched_when_a_token_names_it(
    settings: Settings, identity_provider: IdentityProviderServer
) -> None:
    provider = oidc.IdentityProvider(settings, min_refresh_seconds=0)
    {{ await }}provider.verify(identity_provider.token("ada"))

    identity_provider.rotate()
    identity = {{ await }}provider.verify(identity_provider.token("ada"))

    assert identity.subject == "ada"


{{ async }}def test_unknown_key_ids_do_not_make_the_service_fetch_keys_again_at_once(
    settings: Settings, identity_provider: IdentityProviderServer
) -> None:
    provider = oidc.IdentityProvider(settings, min_refresh_seconds=30)
    {{ await }}provider.verify(identity_provider.token("ada"))
    fetched = identity_provider.requests.count("/jwks")

    for number in range(5):
        forged = identity_provider.sign(claims(identity_provider), key_id=f"made-up-{number}")
        with pytest.raises(oidc.InvalidTokenError):
            {{ await }}provider.verify(forged)

    assert identity_provider.requests.count("/jwks") == fetched


{{ async }}def test_keys_in_hand_keep_verifying_while_the_provider_is_away(
    settings: Settings, identity_provider: IdentityProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = oidc.IdentityProvider(settings, min_refresh_seconds=0)
    {{ await }}provider.verify(identity_provider.token("ada"))
    identity_provider.available = False
    # Every token now asks for the keys again, and the provider does not answer.
    monkeypatch.setattr(oidc, "KEYS_MAX_AGE_SECONDS", 0)

    identity = {{ await }}provider.verify(identity_provider.token("ada"))

    assert identity.subject == "ada"


{{ async }}def test_a_provider_that_cannot_be_reached_is_unavailable_not_a_refusal(
    settings: Settings, identity_provider: IdentityProviderServer
) -> None:
    identity_provider.available = False

    with pytest.raises(oidc.ProviderUnavailableError):
        {{ await }}oidc.IdentityProvider(settings).verify(identity_provider.token("ada"))


{{ async }}def test_a_deactivated_account_is_refused_with_why_and_each_refusal_logged(
    client: {{ Client }},
    connection: {{ Connection }},
    ada: Account,
    caplog: pytest.LogCaptureFixture,
) -> None:
    {{ await }}connection.execute(update(User).where(User.id == ada.id).values(is_active=False))

    with caplog.at_level(logging.INFO):
        # Routes that only read (one reads the account with the item), and one that records.
        read = {{ await }}client.get(ITEMS, headers=ada.headers)
        read_one = {{ await }}client.get(f"{ITEMS}/1", headers=ada.headers)
        own = {{ await }}client.get(ME, headers=ada.headers)

    refusal = (403, {"detail": "This account is deactivated."})
    assert (read.status_code, read.json()) == refusal
    assert (read_one.status_code, read_one.json()) == refusal
    assert (own.status_code, own.json()) == refusal
    events = [
        (vars(record)["event"], vars(record)["user_id"], vars(record)["client"])
        for record in caplog.records
        if "event" in vars(record)
    ]
    assert events == [("deactivated_account_refused", ada.id, CLIENT_ADDRESS)] * 3


@pytest.mark.parametrize(("path", "kind"), [(ITEMS, "garbage"), (ME, "other-audience")])
{{ async }}def test_the_api_refuses_a_bad_token_with_401_a_challenge_and_a_warning_with_the_client(
    client: {{ Client }},
    identity_provider: IdentityProviderServer,
    caplog: pytest.LogCaptureFixture,
    path: str,
    kind: str,
) -> None:
    token = {
        "garbage": "not.a.token",
        "other-audience": identity_provider.sign(claims(identity_provider, aud="another-service")),
    }[kind]

    with caplog.at_level(logging.INFO):
        response = {{ await }}client.get(path, headers={"Authorization": f"Bearer {token}"})

    assert (response.status_code, response.json()) == (
        401,
        {"detail": "The token is invalid or has expired."},
    )
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    events = [
        (record.levelname, vars(record)["event"], vars(record)["user_id"], vars(record)["client"])
        for record in caplog.records
        if "event" in vars(record)
    ]
    assert events == [("WARNING", "token_refused", None, CLIENT_ADDRESS)]


@pytest.mark.parametrize("path", [ITEMS, ME])
{{ async }}def test_an_unreachable_provider_is_a_503_to_retry_counted_by_its_cause(
    client: {{ Client }}, identity_provider: IdentityProviderServer, path: str
) -> None:
    identity_provider.available = False
    headers = {"Authorization": f"Bearer {identity_provider.token('ada')}"}
    cause = {"cause": "identity_provider"}
    before = REGISTRY.get_sample_value("http_unavailable_total", cause) or 0.0

    response = {{ await }}client.get(path, headers=headers)

    assert (response.status_code, response.json()) == (
        503,
        {"detail": "The identity provider is unavailable; try again shortly."},
    )
    assert int(response.headers["retry-after"]) > 0
    assert REGISTRY.get_sample_value("http_unavailable_total", cause) == before + 1


{{ async }}def test_without_a_configured_provider_every_token_is_refused(
    settings: Settings, identity_provider: IdentityProviderServer
) -> None:
    unconfigured = oidc.IdentityProvider(settings.model_copy(update={"oidc_issuer": ""}))

    with pytest.raises(oidc.InvalidTokenError):
        {{ await }}unconfigured.verify(identity_provider.token("ada"))


{{ async }}def test_a_slow_key_fetch_holds_no_connection_from_other_requests(
    client_with: Callable[..., {{ Client }}], identity_provider: IdentityProviderServer
) -> None:
    """One token naming an unknown key, from a slow provider, leaves the pool to the others."""
    identity_provider.delay = 0.6
    unknown_key = identity_provider.sign(claims(identity_provider), key_id="not-a-key-of-ours")
    pool = {"db_pool_size": 1, "db_max_overflow": 0, "db_pool_timeout": 0.5}
{% if cookiecutter.driver == "async" %}
    async with client_with(**pool) as client:

        async def health_meanwhile() -> int:
            await asyncio.sleep(0.2)
            return (await client.get("/health/db")).status_code

        refused, health = await asyncio.gather(
            client.get(ME, headers={"Authorization": f"Bearer {unknown_key}"}), health_meanwhile()
        )

    assert (refused.status_code, health) == (401, 200)
{% else %}
    with client_with(**pool) as client, concurrent.futures.ThreadPoolExecutor(2) as callers:
        refused = callers.submit(client.get, ME, headers={"Authorization": f"Bearer {unknown_key}"})
        time.sleep(0.2)
        health = callers.submit(client.get, "/health/db")

        assert (refused.result().status_code, health.result().status_code) == (401, 200)
{% endif %}
