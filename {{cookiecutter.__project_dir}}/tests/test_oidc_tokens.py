"""What a provider's token may be, what the service makes of it, and where it finds the provider."""
{% from "driver.jinja" import async, await with context %}

import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from {{ cookiecutter.package_name }}.api.caller import set_up_callers
from {{ cookiecutter.package_name }}.oidc import IdentityProvider
from {{ cookiecutter.package_name }}.oidc import ProviderUnavailableError
from {{ cookiecutter.package_name }}.settings import Settings

from accounts import IdentityProviderServer
from accounts import claims

EMAIL = "ada@example.com"
# An address of 320 characters, the longest one an account keeps, and one of 321.
LONGEST_EMAIL = "a" * 308 + "@example.com"
TOO_LONG_EMAIL = "a" + LONGEST_EMAIL
CALLER_LOGGER = "{{ cookiecutter.package_name }}.api.caller"


class IssuerUnderAPath(IdentityProviderServer):
    """A provider whose issuer is a path ending in "/" (Keycloak's realms, Auth0's tenants)."""

    PATH = "/realms/X/"

    def __init__(self) -> None:
        super().__init__()
        self.issuer = f"{self.issuer}{self.PATH}"

    def _documents(self) -> dict[str, dict[str, Any]]:
        keys = super()._documents()["/jwks"]
        discovery = {"issuer": self.issuer, "jwks_uri": f"{self.issuer}jwks"}
        return {f"{self.PATH}.well-known/openid-configuration": discovery, f"{self.PATH}jwks": keys}


@pytest.fixture
def issuer_under_a_path() -> Iterator[IssuerUnderAPath]:
    """A provider of its own for one test, whose issuer ends in "/"."""
    provider = IssuerUnderAPath()
    yield provider
    provider.close()


{{ async }}def test_a_token_whose_header_names_no_type_is_taken(
    settings: Settings, identity_provider: IdentityProviderServer
) -> None:
    # PyJWT leaves an empty "typ" out of the header.
    token = identity_provider.sign(claims(identity_provider), typ="")

    identity = {{ await }}IdentityProvider(settings).verify(token)

    assert identity.subject == "ada"


{{ async }}def test_a_token_may_live_exactly_as_long_as_the_longest_lifetime_allowed(
    settings: Settings, identity_provider: IdentityProviderServer
) -> None:
    now = int(time.time())
    token = identity_provider.sign(claims(identity_provider, iat=now, exp=now + 600))
    ours = settings.model_copy(update={"oidc_max_token_lifetime_seconds": 600})

    identity = {{ await }}IdentityProvider(ours).verify(token)

    assert identity.subject == "ada"


{{ async }}def test_without_authorized_parties_set_a_token_issued_to_any_client_is_taken(
    settings: Settings, identity_provider: IdentityProviderServer
) -> None:
    token = identity_provider.sign(claims(identity_provider, azp="some-client"))

    identity = {{ await }}IdentityProvider(settings).verify(token)

    assert identity.subject == "ada"


@pytest.mark.parametrize(
    ("token_claims", "email", "name"),
    [
        pytest.param(
            {"name": "Ada Lovelace", "preferred_username": "ada_l", "email": EMAIL},
            EMAIL,
            "Ada Lovelace",
            id="name",
        ),
        pytest.param(
            {"preferred_username": "ada_l", "email": EMAIL},
            EMAIL,
            "ada_l",
            id="preferred-username",
        ),
        pytest.param({"email": EMAIL}, EMAIL, EMAIL, id="email"),
        pytest.param({}, None, "ada", id="subject"),
        pytest.param({"email": LONGEST_EMAIL}, LONGEST_EMAIL, LONGEST_EMAIL[:200], id="longest"),
        pytest.param({"email": TOO_LONG_EMAIL}, None, TOO_LONG_EMAIL[:200], id="too-long"),
        pytest.param({"email": 42}, None, "42", id="email-not-a-string"),
        pytest.param({"name": "N" * 250}, None, "N" * 200, id="long-name"),
    ],
)
{{ async }}def test_the_name_is_the_first_the_token_gives_and_the_email_only_a_usable_one(
    settings: Settings,
    identity_provider: IdentityProviderServer,
    token_claims: dict[str, Any],
    email: str | None,
    name: str,
) -> None:
    token = identity_provider.sign(claims(identity_provider, **token_claims))

    identity = {{ await }}IdentityProvider(settings).verify(token)

    assert (identity.email, identity.name) == (email, name)


{{ async }}def test_a_roles_path_through_a_claim_that_is_not_an_object_gives_no_role(
    settings: Settings, identity_provider: IdentityProviderServer
) -> None:
    nested = settings.model_copy(update={"oidc_roles_claim": "realm_access.roles"})
    token = identity_provider.sign(claims(identity_provider, realm_access=["admin"]))

    identity = {{ await }}IdentityProvider(nested).verify(token)

    assert identity.is_admin is False


{{ async }}def test_an_issuer_under_a_path_ending_in_a_slash_is_found(
    settings: Settings, issuer_under_a_path: IssuerUnderAPath
) -> None:
    ours = settings.model_copy(update={"oidc_issuer": issuer_under_a_path.issuer})

    identity = {{ await }}IdentityProvider(ours).verify(issuer_under_a_path.token("ada"))

    assert identity.subject == "ada"


{{ async }}def test_a_discovery_document_naming_another_issuer_leaves_the_provider_unavailable(
    settings: Settings, identity_provider: IdentityProviderServer
) -> None:
    # The same server, named with a slash its discovery document does not have.
    ours = settings.model_copy(update={"oidc_issuer": f"{identity_provider.issuer}/"})
    provider = IdentityProvider(ours)

    with pytest.raises(ProviderUnavailableError):
        {{ await }}provider.verify(identity_provider.token("ada"))
    # Too soon to ask again: the same answer, not a refusal of the token.
    with pytest.raises(ProviderUnavailableError):
        {{ await }}provider.verify(identity_provider.token("ada"))


{{ async }}def test_an_https_issuer_is_asked(
    settings: Settings, identity_provider: IdentityProviderServer
) -> None:
    # The local provider speaks plain HTTP: the TLS handshake fails, which shows it was tried.
    https = identity_provider.issuer.replace("http://", "https://")
    provider = IdentityProvider(settings.model_copy(update={"oidc_issuer": https}))

    with pytest.raises(ProviderUnavailableError) as unavailable:
        {{ await }}provider.verify(identity_provider.token("ada"))

    assert isinstance(unavailable.value.__cause__, OSError), repr(unavailable.value.__cause__)


{{ async }}def test_fresh_keys_in_hand_are_not_fetched_again(
    settings: Settings, identity_provider: IdentityProviderServer
) -> None:
    provider = IdentityProvider(settings, min_refresh_seconds=0)
    {{ await }}provider.verify(identity_provider.token("ada"))
    fetched = identity_provider.requests.count("/jwks")

    {{ await }}provider.verify(identity_provider.token("grace"))

    assert identity_provider.requests.count("/jwks") == fetched


{{ async }}def test_a_fetch_deadline_under_a_second_is_enough_for_a_quick_provider(
    settings: Settings, identity_provider: IdentityProviderServer
) -> None:
    provider = IdentityProvider(settings, fetch_timeout=0.99)

    identity = {{ await }}provider.verify(identity_provider.token("ada"))

    assert identity.subject == "ada"


def test_an_app_without_a_provider_warns_that_every_token_is_refused(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=CALLER_LOGGER):
        set_up_callers(FastAPI(), settings)
        configured = _warnings(caplog)
        set_up_callers(FastAPI(), settings.model_copy(update={"oidc_issuer": ""}))

    assert configured == []
    assert _warnings(caplog) == [
        "OIDC_ISSUER or OIDC_AUDIENCE is not set: every bearer token is refused"
    ]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == CALLER_LOGGER]
