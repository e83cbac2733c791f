"""Server-side sessions: sign-out by POST, replayed cookies, idle and absolute
expiry, sessions ended by disabling or a password change, one-time passwords."""

from datetime import datetime, timedelta

from tests.conftest import PASSWORD
from tests.security.conftest import is_signed_in, sign_in

T0 = datetime(2026, 6, 1, 9, 0)
NEW_PASSWORD = "a-brand-new-pass-phrase-77"


def _session_cookie(client):
    return client.get_cookie("session").value


def test_get_logout_only_asks(login, log_rows):
    c = login("staff")
    resp = c.get("/logout/")
    assert resp.status_code == 200
    assert 'method="post"' in resp.get_data(as_text=True)
    assert is_signed_in(c)
    assert log_rows("logout") == []


def test_post_logout_ends_the_session_and_is_logged_once(login, log_rows, user):
    c = login("staff")
    resp = c.post("/logout/")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/login/"
    assert not is_signed_in(c)
    rows = log_rows("logout")
    assert len(rows) == 1
    assert rows[0].user_id == user("staff").id


def test_a_copied_cookie_is_useless_after_logout(app, login, log_rows):
    c = login("staff")
    stolen = _session_cookie(c)
    c.post("/logout/")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    resp = thief.get("/myaccount/")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login/")
    denied = log_rows("access.denied")
    assert len(denied) == 1
    assert denied[0].username == "staff"
    assert denied[0].detail["reason"] == "session_ended"
    assert denied[0].target == "/myaccount/"


def test_idle_session_ends(app, login, frozen_clock, log_rows):
    frozen_clock(T0)
    c = login("staff")
    idle = app.config["SESSION_IDLE_MINUTES"]
    frozen_clock(T0 + timedelta(minutes=idle - 1))
    assert is_signed_in(c)
    frozen_clock(T0 + timedelta(minutes=2 * idle - 1))
    assert is_signed_in(c)  # activity moved the idle limit on
    frozen_clock(T0 + timedelta(minutes=3 * idle))
    resp = c.get("/myaccount/")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login/")
    page = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert f"{idle}分間操作がなかった" in page
    assert [r.detail["reason"] for r in log_rows("access.denied")] == ["session_idle"]
    assert not is_signed_in(c)


def test_absolute_session_limit(app, login, frozen_clock, log_rows):
    frozen_clock(T0)
    c = login("staff")
    limit = app.config["PERMANENT_SESSION_LIFETIME"]
    moment = T0
    while moment < T0 + limit - timedelta(minutes=20):
        moment += timedelta(minutes=20)
        frozen_clock(moment)
        assert is_signed_in(c)
    frozen_clock(T0 + limit + timedelta(minutes=1))
    assert not is_signed_in(c)
    assert [r.detail["reason"] for r in log_rows("access.denied")] == ["session_absolute"]


def test_disabling_an_account_ends_its_sessions_at_once(login, user, log_rows):
    staff = login("staff")
    boss = login("supervisor")
    resp = boss.post(f"/staffaccounts/disable/{user('staff').id}", data={"confirm": "yes"})
    assert resp.status_code == 302
    assert not is_signed_in(staff)
    assert user("staff").active is False
    rows = log_rows("account.disable")
    assert len(rows) == 1
    assert rows[0].detail["sessions_ended"] == 1


def test_password_change_needs_the_current_password(login, user, log_rows):
    c = login("staff")
    old_hash = user("staff").password
    resp = c.post(
        "/myaccount/password",
        data={
            "current_password": "not-my-password-123",
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert resp.status_code == 200
    assert "現在のパスワードが正しくありません" in resp.get_data(as_text=True)
    assert user("staff").password == old_hash
    rows = log_rows("password.change")
    assert len(rows) == 1
    assert rows[0].outcome == "failure"


def test_password_change_ends_other_sessions_and_keeps_this_one(app, login, log_rows):
    here = login("staff")
    elsewhere = login("staff")
    resp = here.post(
        "/myaccount/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert resp.status_code == 302
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)
    assert sign_in(app.test_client(), "staff", NEW_PASSWORD).headers["Location"] == "/"
    rows = log_rows("password.change")
    assert len(rows) == 1
    assert rows[0].outcome == "ok"
    assert rows[0].detail["other_sessions_ended"] == 1


def test_password_change_follows_the_policy(login, user):
    c = login("staff")
    for bad, message in (
        ("short-1", "12文字以上"),
        ("password1234567", "よく使われている"),
        ("staff-is-my-name-2026", "ユーザー名"),
        ("qwertyuiopasdfgh", "キーボード"),
    ):
        old_hash = user("staff").password
        resp = c.post(
            "/myaccount/password",
            data={"current_password": PASSWORD, "new_password": bad, "confirm_password": bad},
        )
        assert resp.status_code == 200
        assert message in resp.get_data(as_text=True), bad
        assert user("staff").password == old_hash


def test_fab_reset_my_password_goes_to_our_form(login):
    c = login("admin")
    resp = c.get("/resetmypassword/form")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/myaccount/password"
    resp = c.post("/resetmypassword/form", data={"password": "x", "conf_password": "x"})
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/myaccount/password"


def test_one_time_password_must_be_changed_before_anything_else(app, login, log_rows):
    boss = login("supervisor")
    resp = boss.post(
        "/staffaccounts/add/",
        data={
            "username": "yamada",
            "full_name": "山田 花子",
            "role": "Staff",
            "office": "HQ",
            "email": "",
        },
    )
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    import re

    otp = re.search(r"<code>([A-Za-z0-9-]{23})</code>", html).group(1)
    newcomer = app.test_client()
    resp = sign_in(newcomer, "yamada", otp)
    assert resp.headers["Location"] == "/myaccount/password"
    for url in ("/", "/myaccount/", "/accesslog/"):
        resp = newcomer.get(url)
        assert resp.status_code == 302
        assert resp.headers["Location"] == "/myaccount/password"
    resp = newcomer.post(
        "/myaccount/password",
        data={
            "current_password": otp,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert resp.status_code == 302
    assert newcomer.get("/").status_code == 200
    assert len(log_rows("password.change", username="yamada")) == 1


def test_session_cookie_flags(app, client):
    resp = sign_in(client, "staff")
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in the test
    secure = app.test_client()
    resp = secure.post("https://localhost/login/", data={"username": "staff", "password": PASSWORD})
    assert "Secure" in resp.headers["Set-Cookie"]
