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


def test_the_pool_sizes_come_from_the_settings_on_postgresql():
    from app import _pool_options

    config = {
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg2://fureai@dbhost/fureai",
        "DATABASE_POOL_SIZE": 2,
        "DATABASE_MAX_OVERFLOW": 1,
    }
    _pool_options(config)
    assert config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_size": 2, "max_overflow": 1}
    sqlite = {"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db", "DATABASE_POOL_SIZE": 2}
    _pool_options(sqlite)
    assert "SQLALCHEMY_ENGINE_OPTIONS" not in sqlite


def test_the_application_pool_has_the_configured_size(app, db):
    import pytest

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's file has no pool of its own")
    assert db.engine.pool.size() == app.config["DATABASE_POOL_SIZE"]
    assert db.engine.pool._max_overflow == app.config["DATABASE_MAX_OVERFLOW"]
