"""Outside development and testing the application refuses to start with debug
on by any route, or with the development key as session or JWT secret (issue
11, items 2 and 7).  Each case is a process of its own, as an operator would
start it: ``flask init``, ``flask run`` and ``create_app()``."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from app import ConfigurationError, create_app
from config import DEV_SECRET_KEY, DevelopmentConfig, ProductionConfig

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REFUSED = "debug mode is not allowed in production mode"

pytestmark = pytest.mark.slow


@pytest.fixture
def production_env(tmp_path):
    """The environment of a production start on a scratch SQLite file, with a
    good key and nothing of the test run's own settings."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TEST_DATABASE", "FLASK_"))},
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fureai.db'}",
        "INSTANCE_DIR": str(tmp_path),
        "FLASK_APP": "run.py",
    }


def _run(env, *args, timeout=120):
    return subprocess.run(
        [*args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def _flask(env, *args, timeout=120):
    return _run(env, str(BIN / "flask"), *args, timeout=timeout)


def _python(env, code):
    return _run(env, sys.executable, "-c", code)


# --- 2. debug on by any route ------------------------------------------------


@pytest.mark.parametrize(
    ("extra_env", "args"),
    [
        ({"FLASK_DEBUG": "1"}, ["init"]),
        ({}, ["--debug", "init"]),
    ],
    ids=["FLASK_DEBUG", "--debug"],
)
def test_flask_init_refuses_debug_in_production(production_env, tmp_path, extra_env, args):
    done = _flask({**production_env, **extra_env}, *args)
    assert done.returncode != 0
    assert REFUSED in done.stderr
    assert "database ready" not in done.stdout
    assert not (tmp_path / "fureai.db").exists()


@pytest.mark.parametrize(
    ("extra_env", "args"),
    [
        ({"FLASK_DEBUG": "1"}, ["run"]),
        ({}, ["--debug", "run"]),
        ({}, ["run", "--debugger"]),
    ],
    ids=["FLASK_DEBUG", "--debug", "--debugger"],
)
def test_flask_run_refuses_debug_in_production(production_env, extra_env, args):
    # --no-reload: should the server start after all, it is this one process,
    # which the timeout ends (and the test fails).
    done = _flask({**production_env, **extra_env}, *args, "--no-reload", "--port", "0", timeout=60)
    assert done.returncode != 0
    assert REFUSED in done.stderr
    assert "Debugger is active" not in done.stderr + done.stdout


def test_create_app_refuses_flask_debug_and_a_later_app_debug(production_env):
    done = _python(
        {**production_env, "FLASK_DEBUG": "1"}, "from app import create_app; create_app()"
    )
    assert done.returncode != 0
    assert REFUSED in done.stderr
    done = _python(
        production_env,
        "from app import ConfigurationError, create_app\n"
        "app = create_app()\n"
        "try:\n"
        "    app.debug = True\n"
        "except ConfigurationError as exc:\n"
        "    print('refused:', exc)\n"
        "print('debug', app.debug)\n",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"refused: {REFUSED}" in done.stdout
    assert "debug False" in done.stdout


def test_production_starts_without_debug(production_env):
    done = _flask(production_env, "init")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "database ready" in done.stdout


# --- 7. the development key: never outside development and testing -----------


def test_every_other_mode_refuses_the_development_key():
    class Staging(DevelopmentConfig):
        ENV_NAME = "staging"
        SECRET_KEY = DEV_SECRET_KEY

    class JwtDevKey(ProductionConfig):
        SECRET_KEY = secrets.token_hex(32)
        JWT_SECRET_KEY = DEV_SECRET_KEY

    class Production(ProductionConfig):
        SECRET_KEY = DEV_SECRET_KEY

    for unsafe, message in (
        (Staging, "SECRET_KEY must be set in staging mode"),
        (JwtDevKey, "JWT_SECRET_KEY must not be the development key"),
        (Production, "SECRET_KEY must be set in production mode"),
    ):
        with pytest.raises(ConfigurationError, match=message):
            create_app(unsafe)


def test_an_unknown_app_env_refuses_to_start(production_env):
    done = _python(
        {**production_env, "APP_ENV": "staging"}, "from app import create_app; create_app()"
    )
    assert done.returncode != 0
    assert "APP_ENV must be one of development, production, testing, not 'staging'" in done.stderr


TOKEN_CHECK = """
import jwt
from app import create_app
from config import DEV_SECRET_KEY

client = create_app().test_client()
resp = client.post(
    "/api/v1/security/login",
    json={"username": "tanaka", "password": "a-long-enough-password-9", "provider": "db"},
)
assert resp.status_code == 200, resp.data
token = resp.get_json()["access_token"]
claims = jwt.decode(token, options={"verify_signature": False})
forged = jwt.encode(claims, DEV_SECRET_KEY, algorithm="HS256")
for name, value in (("real", token), ("forged", forged)):
    answer = client.get("/api/v1/residents/", headers={"Authorization": f"Bearer {value}"})
    print(name, answer.status_code)
"""


def test_a_token_signed_with_the_development_key_is_refused_in_production(production_env):
    for args in (
        ["init"],
        ["users", "add", "tanaka", "--role", "Staff", "--office", "HQ",
         "--name", "田中 一郎", "--password", "a-long-enough-password-9"],
    ):  # fmt: skip
        done = _flask(production_env, *args)
        assert done.returncode == 0, done.stderr[-2000:]
    done = _python({**production_env, "SESSION_COOKIE_SECURE": "0"}, TOKEN_CHECK)
    assert done.returncode == 0, done.stderr[-2000:]
    answers = dict(line.split() for line in done.stdout.splitlines())
    assert answers["real"] == "200"
    assert answers["forged"] in {"401", "422"}
