"""Migration 0012: the kinds it gives to existing 送付先, on its rules alone
and by upgrading a database that holds old-style rows."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
MIGRATION = ROOT / "migrations" / "versions" / "0012_proxy_and_destination_kind.py"


def _migration():
    spec = importlib.util.spec_from_file_location("migration_0012", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# (mail_name, mail_reason, mail_address) → (mail_kind, mail_contact)
CASES = [
    ("新宿ケアホーム", "facility", "東京都新宿区大久保３－１－２", ("facility", None)),
    ("山田 花子", "family", "東京都新宿区四谷１－１", ("family", None)),
    ("成年後見人 山田 花子", "other", "東京都新宿区新宿１－１", ("representative", "成年後見人")),
    ("代理人 鈴木 一郎様", "other", "東京都新宿区新宿１－２", ("representative", "代理人")),
    ("特別養護老人ホーム若松", "other", "東京都新宿区若松町１", ("facility", None)),
    ("さくら園", None, "東京都新宿区若松町２", ("facility", None)),
    ("園田 花子", "other", "東京都新宿区若松町３", ("other", None)),  # 園 only at the end
    ("鈴木法律事務所", "other", "東京都新宿区新宿１－３", ("other", None)),
    ("山田 太郎", "facility", "東京都新宿区新宿１－４", ("other", None)),  # the resident
    ("", "facility", "東京都新宿区新宿１－５", ("other", None)),
    (None, None, None, (None, None)),  # no 送付先
]


@pytest.mark.parametrize(("mail_name", "reason", "address", "expected"), CASES)
def test_each_rule_of_the_kinds(mail_name, reason, address, expected):
    row = SimpleNamespace(name="山田\u3000太郎", mail_name=mail_name, mail_reason=reason,
                          mail_address=address)  # fmt: skip
    assert _migration().kind_of(row) == expected


@pytest.fixture
def scratch_url(tmp_path):
    """A database of its own (not the suite's template), dropped afterwards."""
    pg_url = os.environ.get("TEST_DATABASE_URL")
    if not pg_url:
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    url = make_url(pg_url).set(database=f"{make_url(pg_url).database}_applications")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def _upgrade(url, tmp_path, revision):
    env = {**os.environ, "FLASK_APP": "run.py", "APP_ENV": "development", "DATABASE_URL": url,
           "INSTANCE_DIR": str(tmp_path / "instance")}  # fmt: skip
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-m", "flask", "db", "upgrade", revision], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


INSERT = text(
    "INSERT INTO resident (resident_no, name, kana, name_key, kana_key, sex, birth_date,"
    " postal_code, address, address2, phone, is_elderly, is_disabled, is_child_allowance,"
    " status, needs_review, has_gaiji, mail_name, mail_postal_code, mail_address, mail_reason,"
    " created_at, updated_at, version) VALUES (:no, '山田　太郎', 'ヤマダ タロウ', 'x', 'x', 1,"
    " '1950-01-01', '1600000', '東京都新宿区', '', '', :t, :f, :f, 'active', :f, :f,"
    " :mail_name, :postal, :address, :reason, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)"
)


@pytest.mark.slow
def test_upgrading_a_database_with_old_style_rows_assigns_the_kinds(scratch_url, tmp_path):
    _upgrade(scratch_url, tmp_path, "0011")
    engine = create_engine(scratch_url)
    with engine.begin() as conn:
        for n, (mail_name, reason, address, _expected) in enumerate(CASES):
            conn.execute(INSERT, {"no": f"{9100000000 + n}", "t": True, "f": False,
                                  "mail_name": mail_name, "postal": "1600000" if address else None,
                                  "address": address, "reason": reason})  # fmt: skip
    engine.dispose()
    _upgrade(scratch_url, tmp_path, "0012")
    engine = create_engine(scratch_url)
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT resident_no, mail_kind, mail_contact FROM resident ORDER BY resident_no")
        ).all()
        columns = {column["name"] for column in inspect(conn).get_columns("issuance")}
    engine.dispose()
    assert [(kind, contact) for _no, kind, contact in found] == [c[3] for c in CASES]
    assert {"applicant", "proxy_name", "proxy_relation", "proxy_authority", "id_checked",
            "mail_to_kind", "mail_to_contact"} <= columns  # fmt: skip
