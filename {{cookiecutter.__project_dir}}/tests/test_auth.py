"""Logging in and access tokens: who gets a token, which tokens are refused, and when."""
{% from "driver.jinja" import async, await, Client, Connection, imports with context %}

import base64
import json
import logging
from datetime import timedelta

import jwt
import pytest
{{- imports("Client") }}
from pwdlib import PasswordHash
from sqlalchemy import update
{{- imports("Connection") }}

from {{ cookiecutter.package_name }} import tokens
from {{ cookiecutter.package_name }}.column_types import utc_now
from {{ cookiecutter.package_name }}.models import User
from {{ cookiecutter.package_name }}.settings import Settings

from accounts import CLIENT_ADDRESS
from accounts import ME
from accounts import TOKEN
from accounts import Account
from accounts import logged_in
from accounts import login
from accounts import sign_up
from urls import USERS

REFUSED = {"detail": "Incorrect e-mail address or password."}


{{ async }}def test_login_gives_a_bearer_token_for_the_account(
    client: {{ Client }},
    ada: Account,
) -> None:
    response = {{ await }}client.post(TOKEN, data=login("ADA@example.com", ada.password))

    assert response.status_code == 200
    body = response.json()
    assert (body["token_type"], body["expires_in"]) == ("bearer", 15 * 60)
    me = {{ await }}client.get(ME, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["id"] == ada.id


@pytest.mark.parametrize("email", ["ada@example.com", "nobody@example.com"])
{{ async }}def test_wrong_password_and_unknown_address_get_the_same_401(
    client: {{ Client }}, ada: Account, email: str
) -> None:
    response = {{ await }}client.post(TOKEN, data=login(email, "not-the-password"))

    assert response.status_code == 401
    assert response.json() == REFUSED
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("email", ["ada@example.com", "nobody@example.com"])
{{ async }}def test_a_login_checks_one_hash_whether_or_not_the_account_exists(
    client: {{ Client }}, ada: Account, monkeypatch: pytest.MonkeyPatch, email: str
) -> None:
    # The same work, so about the same time: the answer does not tell which addresses exist.
    checked = []
    real_verify = PasswordHash.verify

    def counted_verify(hasher: PasswordHash, password: str, hashed: str) -> bool:
        checked.append(hashed)
        return real_verify(hasher, password, hashed)

    monkeypatch.setattr(PasswordHash, "verify", counted_verify)

    {{ await }}client.post(TOKEN, data=login(email, "not-the-password"))

    assert len(checked) == 1
    assert checked[0].startswith("$argon2id$")


{{ async }}def test_a_deactivated_account_gets_no_token(
    client: {{ Client }}, connection: {{ Connection }}, ada: Account
) -> None:
    {{ await }}connection.execute(update(User).where(User.id == ada.id).values(is_active=False))

    response = {{ await }}client.post(TOKEN, data=login(ada.email, ada.password))

    assert response.status_code == 401
    assert response.json() == REFUSED


{{ async }}def test_a_deleted_accounts_token_never_reaches_the_next_account(
    client: {{ Client }}, settings: Settings, ada: Account
) -> None:
    """ASVS 5 V7.4.2: deleting an account ends its sessions; its id is never handed out again."""
    old = {{ await }}logged_in(client, ada.email, ada.password)
    assert ({{ await }}client.delete(ME, headers=old)).status_code == 204

    newcomer = {{ await }}sign_up(client, settings, "eve@example.com", "Eve Newcomer")
    me = {{ await }}client.get(ME, headers=old)
    items = {{ await }}client.get("/api/v1/items", headers=old)
    changed = {{ await }}client.patch(ME, json={"full_name": "Taken Over"}, headers=old)

    assert newcomer.id > ada.id
    assert (me.status_code, items.status_code, changed.status_code) == (401, 401, 401)


{{ async }}def test_a_demoted_admins_token_loses_the_rights_at_once(
    client: {{ Client }}, settings: Settings, admin: Account
) -> None:
    """ASVS 5 V8.3.2: a change of rights applies at once, not when the token expires."""
    mallory = {{ await }}sign_up(client, settings, "mallory@example.com", "Mallory")
    promote = {{ await }}client.patch(
        f"/api/v1/users/{mallory.id}", json={"is_superuser": True}, headers=admin.headers
    )
    assert promote.status_code == 200
    hers = {{ await }}logged_in(client, mallory.email, mallory.password)
    demote = {{ await }}client.patch(
        f"/api/v1/users/{mallory.id}", json={"is_superuser": False}, headers=admin.headers
    )
    assert demote.status_code == 200

    listed = {{ await }}client.get("/api/v1/users", headers=hers)
    back = {{ await }}client.patch(f"{USERS}/{mallory.id}", json={"is_superuser": True}, headers=hers)
    coup = {{ await }}client.patch(f"{USERS}/{admin.id}", json={"is_superuser": False}, headers=hers)

    assert (listed.status_code, back.status_code, coup.status_code) == (401, 401, 401)
    root = {{ await }}client.get(f"/api/v1/users/{admin.id}", headers=admin.headers)
    assert root.json()["is_superuser"] is True


{{ async }}def test_rights_come_from_the_account_not_the_token(
    client: {{ Client }}, connection: {{ Connection }}, ada: Account
) -> None:
    """ASVS 5 V8.3.1: authorization is decided on the service's own data, never the client's."""
    hers = {{ await }}logged_in(client, ada.email, ada.password)
    {{ await }}connection.execute(update(User).where(User.id == ada.id).values(is_superuser=True))

    listed = {{ await }}client.get("/api/v1/users", headers=hers)

    assert listed.status_code == 200


{{ async }}def test_a_deactivated_accounts_token_stops_working(
    client: {{ Client }}, admin: Account, ada: Account
) -> None:
    """ASVS 5 V7.4.2: disabling an account ends its active sessions."""
    hers = {{ await }}logged_in(client, ada.email, ada.password)
    deactivate = {{ await }}client.patch(
        f"/api/v1/users/{ada.id}", json={"is_active": False}, headers=admin.headers
    )
    assert deactivate.status_code == 200

    me = {{ await }}client.get(ME, headers=hers)
    created = {{ await }}client.post("/api/v1/items", json={"title": "Still here"}, headers=hers)
    # A GET of one item reads the account in the same statement as the item.
    item = {{ await }}client.get("/api/v1/items/1", headers=hers)
    back = {{ await }}client.patch(ME, json={"is_active": True}, headers=hers)

    refused = (me.status_code, created.status_code, item.status_code, back.status_code)
    assert refused == (401, 401, 401, 401)


{{ async }}def test_a_password_change_ends_every_token_issued_before_it(
    client: {{ Client }}, ada: Account
) -> None:
    """ASVS 5 V7.4.3: after a password change, the sessions opened before it end."""
    stolen = {{ await }}logged_in(client, ada.email, ada.password)
    change = {"password": "a brand new passphrase", "current_password": ada.password}
    changed = {{ await }}client.patch(ME, json=change, headers=ada.headers)
    assert changed.status_code == 200

    me = {{ await }}client.get(ME, headers=stolen)
    fresh = {{ await }}logged_in(client, ada.email, "a brand new passphrase")

    assert me.status_code == 401
    assert ({{ await }}client.get(ME, headers=fresh)).status_code == 200


@pytest.mark.parametrize("subject", ["1" * 50, "0", "-1", "ada"])
{{ async }}def test_a_signed_token_naming_no_possible_account_returns_401(
    client: {{ Client }}, settings: Settings, subject: str
) -> None:
    """ASVS 5 V16.5.3: a client's bad input fails safely, as a 401, never a 500."""
    now = int(utc_now().timestamp())
    claims = {"sub": subject, "ver": 0, "iat": now, "exp": now + 600}
    token = jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm="HS256")

    response = {{ await }}client.get(ME, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


def _forged(token: str, **changes: object) -> str:
    # The token's claims changed, its signature kept.
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    changed = base64.urlsafe_b64encode(json.dumps({**claims, **changes}).encode()).rstrip(b"=")
    return f"{header}.{changed.decode()}.{signature}"


@pytest.mark.parametrize("kind", ["expired", "tampered", "alg-none", "wrong-key", "garbage"])
{{ async }}def test_a_token_that_is_not_the_services_own_and_current_is_refused(
    client: {{ Client }}, settings: Settings, ada: Account, kind: str
) -> None:
    caller = tokens.Bearer(ada.id, 0)
    valid, _lifetime = tokens.issue(caller, settings, now=utc_now())
    now = int(utc_now().timestamp())
    claims = {"sub": str(ada.id), "ver": 0, "iat": now, "exp": now + 600}
    token = {
        "expired": tokens.issue(caller, settings, now=utc_now() - timedelta(hours=1))[0],
        "tampered": _forged(valid, sub="1"),
        "alg-none": jwt.encode(claims, key="", algorithm="none"),
        "wrong-key": jwt.encode(claims, "another-key-of-at-least-32-characters", algorithm="HS256"),
        "garbage": "not.a.token",
    }[kind]

    response = {{ await }}client.get(ME, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert token not in response.text


{{ async }}def test_a_token_keeps_working_for_its_lifetime_only(
    client: {{ Client }}, settings: Settings, ada: Account
) -> None:
    caller = tokens.Bearer(ada.id, 0)
    almost = tokens.issue(caller, settings, now=utc_now() - timedelta(minutes=14))[0]
    over = tokens.issue(caller, settings, now=utc_now() - timedelta(minutes=16))[0]

    still = {{ await }}client.get(ME, headers={"Authorization": f"Bearer {almost}"})
    expired = {{ await }}client.get(ME, headers={"Authorization": f"Bearer {over}"})

    assert (still.status_code, expired.status_code) == (200, 401)


{{ async }}def test_the_openapi_page_logs_in_at_the_token_route(client: {{ Client }}) -> None:
    schema = ({{ await }}client.get("/openapi.json")).json()

    [scheme] = schema["components"]["securitySchemes"].values()
    assert scheme["flows"]["password"]["tokenUrl"] == TOKEN


{{ async }}def test_logins_are_security_events_with_the_user_and_client_never_the_password(
    client: {{ Client }}, ada: Account, caplog: pytest.LogCaptureFixture
) -> None:
    """ASVS 5 V16.3.1 (authentication is logged) and V16.2.5 (never a secret in the log)."""
    with caplog.at_level(logging.INFO):
        {{ await }}client.post(TOKEN, data=login(ada.email, "wrong-password"))
        {{ await }}client.post(TOKEN, data=login(ada.email, ada.password))

    events = [
        (record.levelname, *(vars(record)[field] for field in ("event", "user_id", "client")))
        for record in caplog.records
        if "event" in vars(record)
    ]
    assert events == [
        ("WARNING", "login_failed", ada.id, CLIENT_ADDRESS),
        ("INFO", "login_succeeded", ada.id, CLIENT_ADDRESS),
    ]
    assert "wrong-password" not in caplog.text
    assert ada.password not in caplog.text
