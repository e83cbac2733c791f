"""Signing in: lockout, lock expiry, unlock, one answer for every failure, rate limit."""

import re
import statistics
import time
from datetime import datetime, timedelta

from tests.conftest import PASSWORD
from tests.security.conftest import is_signed_in, sign_in

T0 = datetime(2026, 6, 1, 9, 0)


def _fail(client, username, times):
    for _ in range(times):
        resp = sign_in(client, username, "wrong-password-123456")
        assert resp.status_code == 302
        assert resp.headers["Location"].startswith("/login/")


def test_lockout_after_max_failures_refuses_the_right_password(client, user, log_rows):
    _fail(client, "staff", 5)
    assert user("staff").locked_until is not None
    resp = sign_in(client, "staff", PASSWORD)
    assert resp.headers["Location"].startswith("/login/")
    assert not is_signed_in(client)

    failures = log_rows("login.failure", username="staff")
    locked = log_rows("login.locked", username="staff")
    assert [r.detail["reason"] for r in failures] == ["password"] * 4 + ["locked"]
    assert len(locked) == 1
    assert locked[0].detail["failures"] == 5
    assert log_rows("login.success", username="staff") == []


def test_failures_below_the_limit_are_forgotten_after_a_success(client, user):
    _fail(client, "staff", 4)
    assert sign_in(client, "staff").headers["Location"] == "/"
    assert user("staff").fail_login_count == 0
    assert user("staff").locked_until is None


def test_lock_runs_out_after_lock_minutes(app, client, user, frozen_clock):
    frozen_clock(T0)
    _fail(client, "staff", 5)
    frozen_clock(T0 + timedelta(minutes=app.config["LOGIN_LOCK_MINUTES"] - 1))
    assert sign_in(client, "staff").headers["Location"].startswith("/login/")
    frozen_clock(T0 + timedelta(minutes=app.config["LOGIN_LOCK_MINUTES"], seconds=1))
    assert sign_in(client, "staff").headers["Location"] == "/"
    assert user("staff").locked_until is None


def test_after_the_lock_runs_out_one_failure_does_not_lock_again(app, client, user, frozen_clock):
    frozen_clock(T0)
    _fail(client, "staff", 5)
    frozen_clock(T0 + timedelta(minutes=31))
    _fail(client, "staff", 1)
    assert user("staff").locked_until is None
    assert sign_in(client, "staff").headers["Location"] == "/"


def test_supervisor_unlocks(app, client, login, user, log_rows):
    _fail(client, "staff", 5)
    staff_id = user("staff").id
    boss = login("supervisor")
    resp = boss.post(f"/staffaccounts/unlock/{staff_id}")
    assert resp.status_code == 302
    assert sign_in(app.test_client(), "staff").headers["Location"] == "/"
    rows = log_rows("account.unlock")
    assert len(rows) == 1
    assert rows[0].username == "supervisor"
    assert rows[0].target == "staff"


def _final_page(client, username, password):
    resp = sign_in(client, username, password, follow=True)
    # The CSP nonce is new on every response; everything else must be equal.
    return resp.status_code, re.sub(r'nonce="[^"]+"', "", resp.get_data(as_text=True))


def test_unknown_user_wrong_password_locked_and_disabled_look_the_same(app, db, user):
    from app.extensions import db as sqla

    wrong = _final_page(app.test_client(), "staff", "wrong-password-123456")
    unknown = _final_page(app.test_client(), "nobody-here", "wrong-password-123456")
    auditor = user("auditor")
    auditor.locked_until = datetime(2099, 1, 1)
    branch = user("branch")
    branch.active = False
    sqla.session.commit()
    locked = _final_page(app.test_client(), "auditor", PASSWORD)
    disabled = _final_page(app.test_client(), "branch", PASSWORD)
    assert wrong[0] == unknown[0] == locked[0] == disabled[0] == 200
    assert wrong[1] == unknown[1] == locked[1] == disabled[1]
    assert "サインインできませんでした" in wrong[1]


def test_unknown_user_takes_about_as_long_as_a_wrong_password(app, db):
    def timed(username):
        started = time.perf_counter()
        sign_in(app.test_client(), username, "wrong-password-123456")
        return time.perf_counter() - started

    timed("staff")  # warm-up
    known = statistics.median(timed(u) for u in ("staff", "auditor", "branch", "staff"))
    unknown = statistics.median(timed(u) for u in ("ghost1", "ghost2", "ghost3", "ghost4"))
    # Both do one scrypt check (~50 ms); without the dummy check unknown users
    # answer in a few milliseconds.
    assert 0.5 < unknown / known < 2.0, (known, unknown)


def test_empty_or_nul_password_never_signs_in(client, user, db):
    from app.extensions import db as sqla

    staff = user("staff")
    staff.password = None
    sqla.session.commit()
    for password in ("", "\x00"):
        resp = sign_in(client, "staff", password)
        assert resp.headers["Location"].startswith("/login/")
    assert not is_signed_in(client)


def test_username_is_not_case_sensitive_but_email_does_not_sign_in(client):
    assert sign_in(client, "STAFF").headers["Location"] == "/"
    other = client.application.test_client()
    assert sign_in(other, "staff@localhost.invalid").headers["Location"].startswith("/login/")


def test_rate_limit_per_address(app, client, ratelimit_on, config_value, log_rows):
    config_value("AUTH_RATE_LIMIT", "5 per minute")
    for n in range(5):
        assert sign_in(client, f"user{n}", "wrong-password-123456").status_code == 302
    resp = sign_in(client, "staff", PASSWORD)
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "60"
    assert "しばらく" in resp.get_data(as_text=True) or "秒" in resp.get_data(as_text=True)
    assert not is_signed_in(client)
    limited = [r for r in log_rows("login.failure") if r.detail["reason"] == "rate_limited"]
    assert len(limited) == 1
    assert limited[0].username == "staff"
    # Another address is not affected.
    other = sign_in(app.test_client(), "staff", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.headers["Location"] == "/"


def test_rate_limit_window_passes(app, client, ratelimit_on, config_value, frozen_clock):
    config_value("AUTH_RATE_LIMIT", "3 per minute")
    frozen_clock(T0)
    for n in range(3):
        sign_in(client, f"user{n}", "wrong-password-123456")
    assert sign_in(client, "staff").status_code == 429
    frozen_clock(T0 + timedelta(seconds=61))
    assert sign_in(client, "staff").headers["Location"] == "/"


def test_successful_sign_ins_do_not_use_up_the_limit(app, ratelimit_on, config_value):
    config_value("AUTH_RATE_LIMIT", "3 per minute")
    for _ in range(6):
        assert sign_in(app.test_client(), "staff").headers["Location"] == "/"


def test_sign_in_is_logged_once_with_the_user(client, log_rows, user):
    before = len(log_rows())
    sign_in(client, "branch")
    rows = log_rows()[before:]
    assert [r.action for r in rows] == ["login.success"]
    assert rows[0].user_id == user("branch").id
    assert rows[0].role == "BranchStaff"
    assert rows[0].office_code == "YOTSUYA"
    assert rows[0].ip == "127.0.0.1"


def test_sign_in_form_without_fields_is_a_generic_failure(client, log_rows):
    resp = client.post("/login/", data={"username": "", "password": ""})
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login/")
