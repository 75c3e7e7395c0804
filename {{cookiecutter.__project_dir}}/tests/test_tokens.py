"""Access tokens: one lacking a required claim is refused; the cache of valid ones is bounded."""
{% from "driver.jinja" import async, await, Client, imports with context %}

import logging
from datetime import timedelta
from itertools import pairwise
from typing import Any

import jwt
import pytest
{{- imports("Client") }}

from {{ cookiecutter.package_name }} import tokens
from {{ cookiecutter.package_name }}.column_types import utc_now
from {{ cookiecutter.package_name }}.schemas import MAX_ID
from {{ cookiecutter.package_name }}.settings import Settings

from accounts import CLIENT_ADDRESS
from accounts import ME
from accounts import TEST_SECRET_KEY
from accounts import Account
from accounts import logged_in
from urls import ITEMS

REFUSED = {"detail": "The token is invalid or has expired."}


def signed(claims: dict[str, Any]) -> dict[str, str]:
    """Headers with a token signed with the service's own key, holding exactly these claims."""
    token = jwt.encode(claims, TEST_SECRET_KEY, algorithm=tokens.ALGORITHM)
    return {"Authorization": f"Bearer {token}"}


def claims_of(account: Account) -> dict[str, Any]:
    """Every claim the service puts in a token of this account."""
    now = utc_now()
    return {"sub": str(account.id), "ver": 0, "iat": now, "exp": now + timedelta(minutes=5)}


{{ async }}def test_a_token_with_every_claim_is_taken(client: {{ Client }}, ada: Account) -> None:
    # The control for the test below: these claims, all of them, make a token the service takes.
    response = {{ await }}client.get(ME, headers=signed(claims_of(ada)))

    assert response.status_code == 200
    assert response.json()["id"] == ada.id


@pytest.mark.parametrize("missing", tokens.REQUIRED_CLAIMS)
{{ async }}def test_a_signed_token_lacking_a_required_claim_returns_401(
    client: {{ Client }}, ada: Account, missing: str
) -> None:
    # Without `exp` a token would never expire; without `ver` no password change would end it.
    claims = claims_of(ada)
    del claims[missing]

    response = {{ await }}client.get(ME, headers=signed(claims))

    assert response.status_code == 401
    assert response.json() == REFUSED
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


def test_every_claim_the_service_issues_is_required(settings: Settings) -> None:
    token, _lifetime = tokens.issue(tokens.Bearer(7, 0), settings, now=utc_now())

    issued = jwt.decode(token, options={"verify_signature": False})

    assert sorted(tokens.REQUIRED_CLAIMS) == sorted(issued)


def test_ids_up_to_the_highest_an_account_can_have_are_read(settings: Settings) -> None:
    highest, beyond = (
        tokens.issue(tokens.Bearer(user_id, 0), settings, now=utc_now())[0]
        for user_id in (MAX_ID, MAX_ID + 1)
    )

    assert tokens.read(highest, settings)[0] == tokens.Bearer(MAX_ID, 0)
    with pytest.raises(tokens.InvalidTokenError):
        tokens.read(beyond, settings)


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens whose signature and claims are checked, in order (not those remembered)."""
    seen: list[str] = []
    real_read = tokens.read

    def counted_read(token: str, settings: Settings) -> tuple[tokens.Bearer, int]:
        seen.append(token)
        return real_read(token, settings)

    monkeypatch.setattr(tokens, "read", counted_read)
    return seen


def issued(settings: Settings, count: int) -> list[str]:
    """Tokens that differ from each other, as many as asked for."""
    return [
        tokens.issue(tokens.Bearer(1, version), settings, now=utc_now())[0]
        for version in range(count)
    ]


def test_the_cache_of_valid_tokens_forgets_the_oldest_when_full(
    settings: Settings, checked: list[str]
) -> None:
    reader = tokens.TokenReader(settings, remembered=2)
    first, second, third = issued(settings, 3)

    assert [reader.read(token).token_version for token in (first, second, third)] == [0, 1, 2]
    # The third pushed the first out: it is checked again; the two newest are remembered.
    assert [reader.read(token).token_version for token in (third, second, first)] == [2, 1, 0]
    assert checked == [first, second, third, first]


def test_the_cache_holds_a_few_thousand_tokens_by_default(
    settings: Settings, checked: list[str]
) -> None:
    reader = tokens.TokenReader(settings)
    many = issued(settings, 4097)
    for token in many:
        reader.read(token)
    checked.clear()

    # The 4097th pushed the first out; the second is still remembered.
    assert reader.read(many[1]).token_version == 1
    assert reader.read(many[0]).token_version == 0
    assert checked == [many[0]]


{{ async }}def test_a_deleted_accounts_token_cannot_create_an_item_any_more(
    client: {{ Client }}, ada: Account
) -> None:
    assert ({{ await }}client.delete(ME, headers=ada.headers)).status_code == 204

    response = {{ await }}client.post(ITEMS, json={"title": "Notes"}, headers=ada.headers)

    assert response.status_code == 401
    assert response.json() == REFUSED


{{ async }}def test_an_outdated_token_is_refused_as_invalid_and_logged_as_a_security_event(
    client: {{ Client }}, ada: Account, caplog: pytest.LogCaptureFixture
) -> None:
    outdated = signed({**claims_of(ada), "ver": 1})  # the account is at version 0

    with caplog.at_level(logging.INFO):
        response = {{ await }}client.get(ME, headers=outdated)

    assert response.status_code == 401
    assert response.json() == REFUSED
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    events = [
        tuple(vars(record)[field] for field in ("event", "user_id", "client"))
        for record in caplog.records
        if "event" in vars(record)
    ]
    assert events == [("token_outdated", ada.id, CLIENT_ADDRESS)]


{{ async }}def test_each_password_change_ends_the_tokens_of_the_one_before(
    client: {{ Client }}, ada: Account
) -> None:
    passwords = [ada.password, "a brand new passphrase", "and another new passphrase"]
    for old, new in pairwise(passwords):
        before = {{ await }}logged_in(client, ada.email, old)
        change = {"password": new, "current_password": old}
        assert ({{ await }}client.patch(ME, json=change, headers=before)).status_code == 200

        assert ({{ await }}client.get(ME, headers=before)).status_code == 401


{{ async }}def test_changes_that_touch_no_right_leave_the_tokens_working(
    client: {{ Client }}, ada: Account, admin: Account
) -> None:
    renamed = {{ await }}client.patch(ME, json={"full_name": "Countess Lovelace"}, headers=ada.headers)
    unchanged = {"is_superuser": False, "is_active": True}
    kept = {{ await }}client.patch(f"/api/v1/users/{ada.id}", json=unchanged, headers=admin.headers)
    admin_renamed = {{ await }}client.patch(ME, json={"full_name": "Admiral"}, headers=admin.headers)

    assert (renamed.status_code, kept.status_code, admin_renamed.status_code) == (200, 200, 200)
    assert ({{ await }}client.get(ME, headers=ada.headers)).status_code == 200
    assert ({{ await }}client.get(ME, headers=admin.headers)).status_code == 200
