"""Signing in and locking out, as people see it in the browser."""

import pytest

from tests.browser.japanese import english_words

pytestmark = pytest.mark.browser


def test_sign_in_page_and_home_are_japanese(page, sign_in_as):
    page.goto("/login/")
    page.shot("login")
    body = page.inner_text("body")
    assert "ふれあい入浴証管理システム" in body
    assert english_words(body) == []

    sign_in_as("staff")
    assert "/login" not in page.url
    page.shot("home")
    assert english_words(page.inner_text("body")) == []
    nav = page.inner_text(".navbar")
    for label in ("対象者", "入浴証", "ホスト連携"):
        assert label in nav


def test_wrong_passwords_lock_the_account_with_a_japanese_message(page, sign_in_as, app):
    attempts = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(attempts):
        sign_in_as("branch", password="wrong-password-123456")
        assert "/login" in page.url
    message = page.inner_text(".alert")
    page.shot("failed")
    assert "サインイン" in message or "ログイン" in message
    assert english_words(message) == []

    # The right password no longer opens the account, and says no more than before.
    sign_in_as("branch")
    assert "/login" in page.url
    page.shot("locked")
    assert page.inner_text(".alert") == message
