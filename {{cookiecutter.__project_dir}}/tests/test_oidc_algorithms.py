"""Only the signature algorithms the service accepts, whatever keys the provider publishes."""
{% from "driver.jinja" import async, await, Client, imports with context %}

from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
{{- imports("Client") }}
from jwt.algorithms import HMACAlgorithm
from jwt.algorithms import RSAAlgorithm

from accounts import ME
from accounts import IdentityProviderServer
from accounts import claims

OTHER_KEY_ID = "key-of-another-algorithm"


class ProviderOfTwoAlgorithms(IdentityProviderServer):
    """A provider that publishes, beside its RS256 key, one for `algorithm`, and signs with both."""

    def __init__(self, algorithm: str) -> None:
        super().__init__()
        self.algorithm = algorithm
        if algorithm.startswith("HS"):
            # A shared secret, published as a JWK like any key: whoever reads it can sign.
            self._other: Any = b"a secret of thirty-two bytes ...."
            published = HMACAlgorithm.to_jwk(self._other, as_dict=True)
        else:
            self._other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            published = RSAAlgorithm.to_jwk(self._other.public_key(), as_dict=True)
        self._other_jwk = {**published, "kid": OTHER_KEY_ID, "use": "sig", "alg": algorithm}

    def sign_with_other_key(self, claims: dict[str, Any]) -> str:
        """A token signed with the other key, by its own algorithm."""
        headers = {"kid": OTHER_KEY_ID, "typ": "at+jwt"}
        return jwt.encode(claims, self._other, algorithm=self.algorithm, headers=headers)

    def _documents(self) -> dict[str, dict[str, Any]]:
        documents = super()._documents()
        documents["/jwks"]["keys"].append(self._other_jwk)
        return documents


@pytest.fixture(params=["RS384", "HS256"])
def provider_of_two_algorithms(request: pytest.FixtureRequest) -> Iterator[ProviderOfTwoAlgorithms]:
    """A provider of its own for one test, with a key for an algorithm the service refuses."""
    provider = ProviderOfTwoAlgorithms(request.param)
    yield provider
    provider.close()


{{ async }}def test_a_token_signed_by_an_algorithm_outside_the_accepted_list_is_refused(
    client_with: Callable[..., {{ Client }}], provider_of_two_algorithms: ProviderOfTwoAlgorithms
) -> None:
    """ASVS 5 V9.1.2: only the allowed algorithms (RS256, ES256) verify a token, whatever the key.

    The provider's own key names the algorithm: a key published for RS384, or a shared secret
    for HS256, must still verify nothing here.
    """
    provider = provider_of_two_algorithms
    valid = claims(provider)
    other = {"Authorization": f"Bearer {provider.sign_with_other_key(valid)}"}
    usual = {"Authorization": f"Bearer {provider.sign(valid)}"}

    {{ async }}with client_with(oidc_issuer=provider.issuer) as client:
        refused = {{ await }}client.get(ME, headers=other)
        taken = {{ await }}client.get(ME, headers=usual)

    assert refused.status_code == 401, refused.text
    # The same provider, the same claims, its RS256 key: taken.
    assert taken.status_code == 200, taken.text
