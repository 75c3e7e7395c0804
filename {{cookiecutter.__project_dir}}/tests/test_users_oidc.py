"""The users API with an identity provider: users recorded when first seen, and admin rights."""
{% from "driver.jinja" import async, await, Client, Connection, imports with context %}

import logging

import pytest
{{- imports("Client") }}
from sqlalchemy import func
from sqlalchemy import select
{{- imports("Connection") }}

from {{ cookiecutter.package_name }}.models import User

from accounts import ADMIN_ROLE
from accounts import ME
from accounts import Account
from accounts import IdentityProviderServer
from races import inserted_meanwhile
from urls import ITEMS
from urls import USERS


{{ async }}def test_a_first_request_records_the_user_from_the_token(
    client: {{ Client }}, identity_provider: IdentityProviderServer
) -> None:
    token = identity_provider.token("ada-1815", email="ada@example.com", name="Ada Lovelace")

    response = {{ await }}client.get(ME, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    body = response.json()
    assert (body["subject"], body["email"], body["full_name"]) == (
        "ada-1815",
        "ada@example.com",
        "Ada Lovelace",
    )
    assert body["is_active"] is True


{{ async }}def test_people_not_recorded_yet_read_what_is_public_or_as_admins_everything(
    client: {{ Client }},
    connection: {{ Connection }},
    identity_provider: IdentityProviderServer,
    ada: Account,
) -> None:
    ids = {}
    for status in ("public", "private"):
        item = {"title": f"Ada's {status} item", "status": status}
        created = {{ await }}client.post(ITEMS, json=item, headers=ada.headers)
        assert created.status_code == 201, created.text
        ids[status] = created.json()["id"]
    newcomer = {"Authorization": f"Bearer {identity_provider.token('newcomer')}"}
    new_admin_token = identity_provider.token("new-admin", roles=(ADMIN_ROLE,))
    new_admin = {"Authorization": f"Bearer {new_admin_token}"}

    listed = {{ await }}client.get(ITEMS, headers=newcomer)
    private = {{ await }}client.get(f"{ITEMS}/{ids['private']}", headers=newcomer)
    listed_by_admin = {{ await }}client.get(ITEMS, headers=new_admin)
    private_by_admin = {{ await }}client.get(f"{ITEMS}/{ids['private']}", headers=new_admin)
    # An item that no one has, for a caller that can see everything.
    missing = {{ await }}client.get(f"{ITEMS}/{max(ids.values()) + 1}", headers=new_admin)

    assert [item["id"] for item in listed.json()] == [ids["public"]]
    assert private.status_code == 404
    assert [item["id"] for item in listed_by_admin.json()] == sorted(ids.values())
    assert private_by_admin.status_code == 200
    assert missing.status_code == 404
    # Reads record no one.
    recorded = select(func.count()).select_from(User).where(User.subject != "ada")
    assert ({{ await }}connection.execute(recorded)).scalar_one() == 0


{{ async }}def test_a_first_request_goes_on_as_the_user_another_request_recorded_meanwhile(
    client: {{ Client }}, connection: {{ Connection }}, identity_provider: IdentityProviderServer
) -> None:
    # Two first requests of one person at once: the other records them just after this one
    # looked for them in vain.
    subject = "lovelace"
    token = identity_provider.token(subject, email="ada@example.com", name="Ada Lovelace")
    other = {subject: {"subject": subject, "email": "ada@example.com", "full_name": "Ada"}}
    with inserted_meanwhile(User, other):
        response = {{ await }}client.get(ME, headers={"Authorization": f"Bearer {token}"})

    assert not other  # the race was run
    assert response.status_code == 200, response.text
    # The row the other request recorded, not a second one.
    assert response.json()["full_name"] == "Ada"
    recorded = select(func.count()).select_from(User).where(User.subject == subject)
    assert ({{ await }}connection.execute(recorded)).scalar_one() == 1


{{ async }}def test_later_requests_find_the_same_user(
    client: {{ Client }}, connection: {{ Connection }}, ada: Account
) -> None:
    again = {{ await }}client.get(ME, headers=ada.headers)

    assert again.json()["id"] == ada.id
    count = {{ await }}connection.execute(select(func.count()).select_from(User))
    assert count.scalar_one() == 1


{{ async }}def test_a_token_without_email_or_name_records_the_subject(
    client: {{ Client }}, identity_provider: IdentityProviderServer
) -> None:
    token = identity_provider.token("service-account-7")

    response = {{ await }}client.get(ME, headers={"Authorization": f"Bearer {token}"})

    assert response.json()["email"] is None
    assert response.json()["full_name"] == "service-account-7"


{{ async }}def test_a_user_changes_their_name_but_only_an_admin_deactivates(
    client: {{ Client }}, ada: Account, admin: Account
) -> None:
    renamed = {{ await }}client.patch(ME, json={"full_name": "Ada King"}, headers=ada.headers)
    by_self = {{ await }}client.patch(ME, json={"is_active": False}, headers=ada.headers)
    deactivate = {"is_active": False}
    by_admin = {{ await }}client.patch(f"{USERS}/{ada.id}", json=deactivate, headers=admin.headers)

    assert renamed.json()["full_name"] == "Ada King"
    assert (by_self.status_code, by_self.json()) == (
        403,
        {"detail": "Only an admin may change is_active."},
    )
    assert by_admin.json()["is_active"] is False


{{ async }}def test_a_user_who_deletes_their_account_is_recorded_anew_by_their_next_token(
    client: {{ Client }}, ada: Account
) -> None:
    before = ({{ await }}client.get(ME, headers=ada.headers)).json()

    deleted = {{ await }}client.delete(ME, headers=ada.headers)
    again = {{ await }}client.get(ME, headers=ada.headers)

    assert deleted.status_code == 204
    assert again.json()["subject"] == "ada"
    assert again.json()["created_at"] > before["created_at"]


{{ async }}def test_deactivations_deletions_and_refused_tokens_are_security_events(
    client: {{ Client }},
    ada: Account,
    grace: Account,
    admin: Account,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """ASVS 5 V16.3.1 and V16.3.2: changes of an account's state, and refusals, are logged."""
    with caplog.at_level(logging.INFO):
        deactivate = {"is_active": False}
        {{ await }}client.patch(f"{USERS}/{ada.id}", json=deactivate, headers=admin.headers)
        {{ await }}client.get(ME, headers=ada.headers)
        {{ await }}client.delete(f"{USERS}/{grace.id}", headers=admin.headers)
        {{ await }}client.get(ME, headers={"Authorization": "Bearer not.a.token"})

    events = [
        (vars(record)["event"], vars(record)["user_id"], vars(record).get("by"))
        for record in caplog.records
        if "event" in vars(record)
    ]
    assert events == [
        ("is_active_changed", ada.id, admin.id),
        ("deactivated_account_refused", ada.id, None),
        ("user_deleted", grace.id, admin.id),
        ("token_refused", None, None),
    ]
    assert "not.a.token" not in caplog.text
