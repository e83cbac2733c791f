"""Configuration: the cheap test hash stays in tests; production hashes with scrypt."""

from werkzeug.security import check_password_hash

from config import DevelopmentConfig, ProductionConfig, TestingConfig


def test_only_testing_uses_the_cheap_hash():
    assert TestingConfig.FAB_PASSWORD_HASH_METHOD.startswith("pbkdf2:")
    for cls in (DevelopmentConfig, ProductionConfig):
        assert not hasattr(cls, "FAB_PASSWORD_HASH_METHOD")
        assert not hasattr(cls, "AUTH_DB_FAKE_PASSWORD_HASH_CHECK")


def _new_account(username):
    from app.security import accounts

    return accounts.create_user(
        username=username,
        role_name="Staff",
        office_code="HQ",
        full_name="試験 暗号",
        password="a-long-enough-password-9",
        must_change_password=False,
    )


def test_accounts_are_hashed_with_scrypt_outside_tests(app, db, monkeypatch):
    monkeypatch.delitem(app.config, "FAB_PASSWORD_HASH_METHOD")
    user = _new_account("scrypt-check")
    assert user.password.startswith("scrypt:")
    assert check_password_hash(user.password, "a-long-enough-password-9")


def test_the_test_hash_is_cheap(app, db):
    user = _new_account("pbkdf2-check")
    assert user.password.startswith("pbkdf2:sha256:1000$")
