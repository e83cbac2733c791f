"""The migrations have one head, and a database built by the old branches
(0002–0005 each revising 0001) upgrades cleanly with plain ``flask db upgrade``
and ``flask init``."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
FLASK = [sys.executable, "-m", "flask"]
# The head is the highest-numbered revision (they are numbered in order).
HEAD = max(p.name.split("_", 1)[0] for p in (ROOT / "migrations" / "versions").glob("0*.py"))
OLD_HEADS = ("0002", "0003", "0004", "0005")

pytestmark = pytest.mark.slow


@pytest.fixture
def scratch_url(tmp_path):
    """A database of its own (not the suite's template), dropped afterwards."""
    pg_url = os.environ.get("TEST_DATABASE_URL")
    if not pg_url:
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    url = make_url(pg_url).set(database=f"{make_url(pg_url).database}_migrations")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def _flask(url, tmp_path, *args):
    env = {
        **os.environ,
        "FLASK_APP": "run.py",
        "APP_ENV": "development",
        "DATABASE_URL": url,
        "INSTANCE_DIR": str(tmp_path / "instance"),
    }
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run(
        [*FLASK, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _versions(url):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
    finally:
        engine.dispose()


def test_one_head(scratch_url, tmp_path):
    heads = [line for line in _flask(scratch_url, tmp_path, "db", "heads").splitlines() if line]
    assert len(heads) == 1, heads
    assert heads[0].startswith(HEAD)


def test_database_of_the_old_branches_upgrades(scratch_url, tmp_path):
    for revision in OLD_HEADS:
        _flask(scratch_url, tmp_path, "db", "upgrade", revision)
    assert _versions(scratch_url) == set(OLD_HEADS)
    engine = create_engine(scratch_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO office (code, name, is_headquarters, sort_order) VALUES (:c, :n, :h, :s)"
            ),
            {"c": "OLD", "n": "移行前の事務所", "h": False, "s": 99},
        )
    engine.dispose()

    _flask(scratch_url, tmp_path, "db", "upgrade")
    assert _versions(scratch_url) == {HEAD}
    output = _flask(scratch_url, tmp_path, "init")
    assert "database ready" in output
    assert _versions(scratch_url) == {HEAD}

    engine = create_engine(scratch_url)
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT name FROM office WHERE code = 'OLD'")).scalar_one()
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    assert kept == "移行前の事務所"
    assert {"resident", "issuance", "import_run", "mass_mailing_run", "user_session"} <= tables
