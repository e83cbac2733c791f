"""Migration 0014 gives the people already held their name grams and builds
the index over them (issue 15); ``flask search rebuild-index`` on the result
changes nothing."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture
def scratch_url(tmp_path):
    """A database of its own (not the suite's template), dropped afterwards."""
    pg_url = os.environ.get("TEST_DATABASE_URL")
    if not pg_url:
        yield f"sqlite:///{tmp_path / 'grams.db'}"
        return
    url = make_url(pg_url).set(database=f"{make_url(pg_url).database}_grams")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def _flask(url, tmp_path, *args):
    env = {**os.environ, "FLASK_APP": "run.py", "APP_ENV": "development", "DATABASE_URL": url,
           "INSTANCE_DIR": str(tmp_path / "instance")}  # fmt: skip
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


PEOPLE = (("0000000001", "渡辺\u3000太郎", "渡辺太郎", "ワタナベタロウ"),
          ("0000000002", "田中\u3000花子", "田中花子", "タナカハナコ"))  # fmt: skip


def test_upgrade_indexes_the_people_already_held(scratch_url, tmp_path):
    _flask(scratch_url, tmp_path, "db", "upgrade", "0013")
    engine = create_engine(scratch_url)
    with engine.begin() as conn:
        for no, name, nkey, kkey in PEOPLE:
            conn.execute(
                text(
                    "INSERT INTO resident (resident_no, name, kana, name_key, kana_key, sex,"
                    " birth_date, postal_code, address, address2, phone, is_elderly,"
                    " is_disabled, is_child_allowance, status, needs_review, has_gaiji,"
                    " created_at, updated_at, version) VALUES (:no, :name, :kana, :nkey, :kkey,"
                    " 1, '1950-04-01', '', '', '', '', true, false, false, 'active', false,"
                    " false, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)"
                ),
                {"no": no, "name": name, "kana": kkey, "nkey": nkey, "kkey": kkey},
            )
    engine.dispose()
    _flask(scratch_url, tmp_path, "db", "upgrade")

    from app.residents.grams import FTS_TABLE, GramList
    from app.text.grams import fts_query, name_grams

    engine = create_engine(scratch_url)
    column = GramList()
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT name_key, name_grams, kana_grams FROM resident ORDER BY id")
        ).all()
        dialect = conn.dialect
        stored = [
            (column.process_result_value(n, dialect), column.process_result_value(k, dialect))
            for _, n, k in rows
        ]
        assert stored == [(name_grams(p[2]), name_grams(p[3])) for p in PEOPLE]
        if dialect.name == "sqlite":
            found = conn.execute(
                text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :m"),
                {"m": "name_grams : " + fts_query("辺太")},
            ).scalars()
        else:
            found = conn.execute(
                text("SELECT id FROM resident WHERE name_grams @> ARRAY['辺太']::text[]")
            ).scalars()
        assert list(found) == [1]
    engine.dispose()
    summary = json.loads(_flask(scratch_url, tmp_path, "search", "rebuild-index").splitlines()[-1])
    assert (summary["residents"], summary["changed"], summary["index_ok"]) == (2, 0, True)
    _flask(scratch_url, tmp_path, "db", "downgrade", "0013")
