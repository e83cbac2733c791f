"""Test fixtures.

One application per test session (FAB's AppBuilder is a process-wide object).
The schema is built once by the migrations, with roles, offices and one account
per role, and saved as a template; every test that asks for ``db`` gets a fresh
copy of that template: a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on
PostgreSQL (``TEST_DATABASE_URL``).  Tests use dummy data only.
"""

import os
import shutil
from datetime import datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import TestingConfig

PG_URL = os.environ.get("TEST_DATABASE_URL")
PASSWORD = "correct-horse-battery-staple-42"

# username -> (role, office code)
ACCOUNTS = {
    "admin": ("Admin", "HQ"),
    "supervisor": ("Supervisor", "HQ"),
    "staff": ("Staff", "HQ"),
    "branch": ("BranchStaff", "YOTSUYA"),
    "auditor": ("Auditor", "HQ"),
}


def _pg_admin(url):
    return create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


def _pg_recreate(admin, name, template=None):
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        suffix = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))


@pytest.fixture(scope="session")
def db_target(tmp_path_factory):
    if PG_URL:
        url = make_url(PG_URL)
        admin = _pg_admin(url)
        _pg_recreate(admin, url.database)
        return {
            "kind": "postgresql",
            "url": url.render_as_string(hide_password=False),
            "name": url.database,
            "template": f"{url.database}_tmpl",
            "admin": admin,
        }
    folder = tmp_path_factory.mktemp("db")
    return {
        "kind": "sqlite",
        "url": f"sqlite:///{folder / 'test.db'}",
        "path": folder / "test.db",
        "template": folder / "template.db",
    }


@pytest.fixture(scope="session")
def app(db_target, tmp_path_factory):
    from flask_migrate import upgrade

    from app import create_app, setup
    from app.extensions import db
    from app.security import accounts

    instance = tmp_path_factory.mktemp("instance")

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = db_target["url"]
        HOST_INBOX_DIR = str(instance / "inbox")
        OUTPUT_DIR = str(instance / "output")

    application = create_app(Config)
    with application.app_context():
        upgrade(directory=application.extensions["migrate"].directory, revision="head")
        setup.initialise()
        for username, (role, office) in ACCOUNTS.items():
            accounts.create_user(
                username=username,
                role_name=role,
                office_code=office,
                full_name=f"試験 {username}",
                password=PASSWORD,
                must_change_password=False,
            )
        db.session.remove()
        db.engine.dispose()
    if db_target["kind"] == "sqlite":
        shutil.copy(db_target["path"], db_target["template"])
    else:
        _pg_recreate(db_target["admin"], db_target["template"], template=db_target["name"])
    return application


def _reset_database(application, db_target):
    from app.extensions import db

    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if db_target["kind"] == "sqlite":
        for suffix in ("-wal", "-shm"):
            extra = db_target["path"].with_name(db_target["path"].name + suffix)
            if extra.exists():
                extra.unlink()
        shutil.copy(db_target["template"], db_target["path"])
    else:
        _pg_recreate(db_target["admin"], db_target["name"], template=db_target["template"])


@pytest.fixture
def db(app, db_target):
    """A fresh database (migrated, roles, offices, one account per role) and an
    application context."""
    from app.extensions import db as sqla

    _reset_database(app, db_target)
    with app.app_context():
        yield sqla
        sqla.session.remove()


@pytest.fixture
def on_postgresql(db):
    """The database, for a test of something only PostgreSQL has (skipped on SQLite)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    return db


@pytest.fixture
def statements(db):
    """``watch()``: a context manager collecting ``(statement, parameters)`` of
    every SQL statement run inside it."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def watch():
        seen = []

        def _keep(_conn, _cursor, statement, parameters, *_rest):
            seen.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", _keep)
        try:
            yield seen
        finally:
            event.remove(db.engine, "before_cursor_execute", _keep)

    return watch


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def login(app, db):
    """``login(role_or_username)`` → a test client signed in as that account."""

    def _login(who):
        username = (
            who
            if who in ACCOUNTS
            else {r.lower(): u for u, (r, _) in ACCOUNTS.items()}[who.lower()]
        )
        c = app.test_client()
        resp = c.post(
            "/login/", data={"username": username, "password": PASSWORD}, follow_redirects=False
        )
        assert resp.status_code == 302, resp.data[:500]
        return c

    return _login


@pytest.fixture
def user(db):
    """``user(username)`` → the StaffUser object."""
    from app.extensions import appbuilder

    return lambda username: appbuilder.sm.find_user(username=username)


@pytest.fixture
def frozen_clock(monkeypatch):
    """``frozen_clock(datetime)`` fixes :mod:`app.clock` at that local time."""
    from app import clock

    def _freeze(moment):
        if not isinstance(moment, datetime):
            moment = datetime.combine(moment, datetime.min.time()).replace(hour=10)
        monkeypatch.setattr(clock, "_now", lambda: moment.replace(tzinfo=clock.TIMEZONE))
        return moment

    return _freeze
