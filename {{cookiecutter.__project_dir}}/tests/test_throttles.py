"""The throttles table forgets ended windows; the tries that tell taken addresses are counted."""
{% from "driver.jinja" import async, await, Client, Connection, imports with context %}

from collections.abc import Callable
from datetime import timedelta
{{ imports("Client") }}
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update
{{- imports("Connection") }}

from {{ cookiecutter.package_name }}.attempts import PRUNE_BATCH
from {{ cookiecutter.package_name }}.column_types import utc_now
from {{ cookiecutter.package_name }}.models import Throttle

from accounts import Account

TOKEN = "/api/v1/auth/token"
USERS = "/api/v1/users"
ME = "/api/v1/users/me"
TAKEN = {"detail": "Another user has this e-mail address."}


def wrong_login(email: str) -> dict[str, str]:
    """The OAuth2 password form, with a password that is nobody's."""
    return {"username": email, "password": "not anybody's password"}


{{ async }}def _keys(connection: {{ Connection }}) -> set[str]:
    return set(({{ await }}connection.scalars(select(Throttle.key))).all())


{{ async }}def _windows_end(connection: {{ Connection }}, keys: set[str]) -> None:
    # As if their time had passed: the windows, and any lockout in them, ended a while ago.
    ago = utc_now() - timedelta(hours=1)
    {{ await }}connection.execute(
        update(Throttle).where(Throttle.key.in_(keys)).values(window_ends_at=ago, locked_until=None)
    )


{{ async }}def test_new_keys_forget_the_keys_whose_windows_have_ended_and_keep_the_others(
    client_with: Callable[..., {{ Client }}], connection: {{ Connection }}
) -> None:
    """ASVS 5 V2.4.1: addresses sprayed at the login cannot make the table grow without bound."""
    sprayed = {f"login:spray{number}@example.com" for number in range(3 * PRUNE_BATCH)}
    {{ async }}with client_with(client_logins_per_minute=1000, login_max_failures=1) as client:
        for key in sorted(sprayed):
            {{ await }}client.post(TOKEN, data=wrong_login(key.removeprefix("login:")))
        # Still locked out, in a window of its own, with the client's count: kept.
        {{ await }}client.post(TOKEN, data=wrong_login("locked@example.com"))
        live = {{ await }}_keys(connection) - sprayed
        {{ await }}_windows_end(connection, sprayed)

        {{ await }}client.post(TOKEN, data=wrong_login("first@example.com"))
        after_one = {{ await }}_keys(connection)
        for number in range(2):
            {{ await }}client.post(TOKEN, data=wrong_login(f"next{number}@example.com"))
        after_three = {{ await }}_keys(connection)

    assert len(live) == 2  # "login:locked@example.com" and the client's logins
    # Each new key forgets a bounded batch, the oldest first, and never a live key.
    assert len(after_one & sprayed) == len(sprayed) - PRUNE_BATCH
    assert after_one >= live | {"login:first@example.com"}
    assert after_three & sprayed == set()
    assert after_three >= live


{{ async }}def test_an_address_quiet_for_the_longest_lockout_starts_afresh(
    client_with: Callable[..., {{ Client }}], connection: {{ Connection }}, ada: Account
) -> None:
    """ASVS 5 V6.3.1: forgetting an ended window, as pruning does, gives no guess more."""
    {{ async }}with client_with(login_max_failures=2) as strict:
        {{ await }}strict.post(TOKEN, data=wrong_login(ada.email))
        {{ await }}_windows_end(connection, {f"login:{ada.email}"})
        quiet = {{ await }}strict.post(TOKEN, data=wrong_login(ada.email))
        locks = {{ await }}strict.post(TOKEN, data=wrong_login(ada.email))
        locked = {{ await }}strict.post(TOKEN, data={"username": ada.email, "password": ada.password})

    # The failure before the quiet time is forgotten; the two after it lock as ever.
    assert (quiet.status_code, locks.status_code, locked.status_code) == (401, 401, 429)


{{ async }}def test_sign_ups_refused_for_a_taken_address_count_toward_the_clients_limit(
    client_with: Callable[..., {{ Client }}], connection: {{ Connection }}, ada: Account
) -> None:
    """ASVS 5 V2.4.1: a 409 tells a taken address apart (V6.3.8, level 3): it costs a try."""
    {{ await }}connection.execute(delete(Throttle))  # the accounts' own sign-ups
    guess = {"email": ada.email, "full_name": "Eve", "password": "Eve guesses addresses"}
    {{ async }}with client_with(client_signups_per_hour=2) as limited:
        answers = [{{ await }}limited.post(USERS, json=guess) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [409, 409, 429]
    assert answers[0].json() == TAKEN
    assert 0 < int(answers[2].headers["retry-after"]) <= 3600


{{ async }}def test_a_users_changes_of_address_count_toward_the_clients_sign_up_limit(
    client_with: Callable[..., {{ Client }}],
    connection: {{ Connection }},
    ada: Account,
    grace: Account,
) -> None:
    """ASVS 5 V2.4.1: changing one's address cannot test, without limit, which are taken."""
    {{ await }}connection.execute(delete(Throttle))  # the accounts' own sign-ups
    taken = {"email": grace.email, "current_password": ada.password}
    {{ async }}with client_with(client_signups_per_hour=2) as limited:
        answers = [{{ await }}limited.patch(ME, json=taken, headers=ada.headers) for _ in range(2)]
        free = {"email": "ada.new@example.com", "current_password": ada.password}
        over = {{ await }}limited.patch(ME, json=free, headers=ada.headers)
        signup = {"email": "eve@example.com", "full_name": "Eve", "password": "Eve signs up now"}
        sign_up = {{ await }}limited.post(USERS, json=signup)

    assert [answer.status_code for answer in answers] == [409, 409]
    assert (over.status_code, sign_up.status_code) == (429, 429)
    assert 0 < int(over.headers["retry-after"]) <= 3600
