"""Helpers of the security tests: switches for CSRF and rate limiting (off in
TestingConfig), and access-log look-ups."""

import re

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def config_value(app):
    """``config_value(KEY, value)`` sets ``app.config[KEY]`` for one test."""
    saved = {}

    def _set(key, value):
        saved.setdefault(key, app.config.get(key))
        app.config[key] = value

    yield _set
    for key, value in saved.items():
        app.config[key] = value


@pytest.fixture
def csrf_on(config_value):
    config_value("WTF_CSRF_ENABLED", True)


@pytest.fixture
def ratelimit_on(config_value):
    config_value("RATELIMIT_ENABLED", True)


@pytest.fixture
def log_rows(db):
    """``log_rows(action=None, **filters)`` → access-log rows in order of writing."""
    from app.audit.models import AccessLog

    def _rows(action=None, **filters):
        q = db.session.query(AccessLog)
        if action:
            q = q.filter(AccessLog.action == action)
        if filters:
            q = q.filter_by(**filters)
        rows = q.order_by(AccessLog.id).all()
        db.session.expire_all()
        return rows

    return _rows


def sign_in(client, username, password=PASSWORD, follow=False, **kwargs):
    return client.post(
        "/login/",
        data={"username": username, "password": password, **kwargs.pop("data", {})},
        follow_redirects=follow,
        **kwargs,
    )


def csrf_token(client, url="/login/"):
    """The CSRF token of the form on ``url`` (the client keeps the session)."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, html[:2000]
    return match.group(1)


def is_signed_in(client):
    """Does ``client`` get the account page (not a redirect to the sign-in page)?"""
    return client.get("/myaccount/").status_code == 200
