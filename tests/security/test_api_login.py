"""The JWT login (/api/v1/security/login) under the same rules as the form."""

import pytest

from tests.conftest import PASSWORD

LOGIN = "/api/v1/security/login"


def _login(client, username, password=PASSWORD, refresh=False, **kwargs):
    return client.post(
        LOGIN,
        json={"username": username, "password": password, "provider": "db", "refresh": refresh},
        **kwargs,
    )


def _menu(client, token):
    """A protected API read (the residents API, which Staff may use)."""
    return client.get("/api/v1/residents/", headers={"Authorization": f"Bearer {token}"})


def test_api_login_gives_a_working_token_and_is_logged(client, log_rows):
    resp = _login(client, "staff")
    assert resp.status_code == 200
    token = resp.get_json()["access_token"]
    assert _menu(client, token).status_code == 200
    rows = log_rows("login.success")
    assert len(rows) == 1
    assert rows[0].detail["channel"] == "api"


def test_api_login_failures_are_one_answer(client, user, db):
    user("auditor").active = False
    db.session.commit()
    answers = {
        _login(client, "staff", "wrong-password-123").get_data(),
        _login(client, "nobody", "wrong-password-123").get_data(),
        _login(client, "auditor").get_data(),
    }
    assert len(answers) == 1
    assert _login(client, "nobody").status_code == 401


def test_api_login_counts_towards_the_lockout(app, client, user, log_rows):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _login(client, "staff", "wrong-password-123").status_code == 401
    assert user("staff").locked_until is not None
    assert _login(client, "staff").status_code == 401  # right password, locked
    assert len(log_rows("login.locked")) == 1
    # ...and the web form is locked too.
    resp = client.post("/login/", data={"username": "staff", "password": PASSWORD})
    assert resp.headers["Location"].startswith("/login/")


def test_api_login_is_rate_limited(client, ratelimit_on, config_value):
    config_value("AUTH_RATE_LIMIT", "3 per minute")
    for n in range(3):
        _login(client, f"ghost{n}", "wrong-password-123")
    resp = _login(client, "staff")
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "60"


@pytest.mark.parametrize("change", ["disable", "reset"])
def test_tokens_stop_working_when_the_account_is_disabled_or_reset(client, login, user, change):
    tokens = _login(client, "staff", refresh=True).get_json()
    assert _menu(client, tokens["access_token"]).status_code == 200
    login("supervisor").post(f"/staffaccounts/{change}/{user('staff').id}", data={"confirm": "yes"})
    assert _menu(client, tokens["access_token"]).status_code == 401
    refreshed = client.post(
        "/api/v1/security/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )
    assert refreshed.status_code == 401


def test_one_time_password_cannot_be_used_on_the_api(client, user, db):
    user("staff").must_change_password = True
    db.session.commit()
    resp = _login(client, "staff")
    assert resp.status_code == 403
    assert "access_token" not in resp.get_json()


def test_api_refusals_are_logged(client, login, log_rows):
    token = _login(client, "branch").get_json()["access_token"]
    forbidden = client.get("/api/v1/menu/", headers={"Authorization": f"Bearer {token}"})
    assert forbidden.status_code == 403
    no_token = client.get("/api/v1/residents/")
    assert no_token.status_code == 401
    denied = log_rows("access.denied")
    assert [(r.username, r.detail["status"]) for r in denied] == [("branch", 403), (None, 401)]
