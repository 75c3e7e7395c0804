"""Settings of the identity provider: production needs it, development does not."""

import pytest
from pydantic import ValidationError

from example_settings import FOR_PRODUCTION
from example_settings import make_settings


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("oidc_issuer", "", "OIDC_ISSUER must be the provider's https:// URL"),
        ("oidc_issuer", "http://login.example.com", "OIDC_ISSUER must be the provider's https"),
        ("oidc_audience", "", "OIDC_AUDIENCE must be set"),
    ],
)
def test_production_needs_the_identity_provider(setting: str, value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        make_settings(environment="production", **{**FOR_PRODUCTION, setting: value})


def test_development_starts_without_an_identity_provider() -> None:
    assert make_settings().oidc_issuer == ""


def test_production_refuses_to_start_without_each_setting_of_the_provider() -> None:
    for setting in FOR_PRODUCTION:
        lacking = {name: value for name, value in FOR_PRODUCTION.items() if name != setting}
        with pytest.raises(ValidationError, match=f"(?i){setting}"):
            make_settings(environment="production", **lacking)
