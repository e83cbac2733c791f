"""Dummy people and ``flask demo-data``."""

import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from app.demo import accounts as demo_accounts
from app.demo.people import GAIJI_CHAR, SHINJUKU_TOWNS, generate_people
from app.passes.models import ControlNumberCounter, Issuance
from app.residents.models import Resident
from app.security.roles import ROLE_NAMES
from app.text.kana import is_kana_query

REFERENCE = date(2026, 4, 1)
POSTAL_CODES = {code for _town, code, _chome in SHINJUKU_TOWNS}


def test_same_seed_same_people():
    assert generate_people(200, seed=7, reference=REFERENCE) == generate_people(
        200, seed=7, reference=REFERENCE
    )
    assert generate_people(200, seed=7, reference=REFERENCE) != generate_people(
        200, seed=8, reference=REFERENCE
    )


def test_people_look_like_the_host_data():
    people = generate_people(20000, seed=1, reference=REFERENCE)
    assert len({p["resident_no"] for p in people}) == 20000
    for p in people[:2000]:
        assert re.fullmatch(r"\d{10}", p["resident_no"])
        surname, given = p["name"].split("\u3000")
        assert surname
        assert given
        kana_surname, kana_given = p["kana"].split(" ")
        assert is_kana_query(kana_surname)
        assert re.fullmatch("[\u30a1-\u30fc]+", kana_given)
        assert p["postal_code"] in POSTAL_CODES
        assert p["address"].startswith("東京都新宿区")
        assert re.search("[０-９]－[０-９]", p["address"])
        assert not re.search("[0-9]", p["address"])
        assert p["sex"] in (1, 2)
        assert p["is_elderly"] or p["is_disabled"] or p["is_child_allowance"]
        if p["is_elderly"]:
            age = REFERENCE.year - p["birth_date"].year
            assert 60 <= age <= 96
    extension = sum(any(c in p["name"] for c in "髙﨑德") for p in people)
    assert 100 <= extension <= 300  # about 1 %
    assert any(GAIJI_CHAR in p["name"] for p in people)
    assert any(p["address2"] for p in people)
    assert any(not p["phone"] for p in people)


def test_eighty_nine_thousand_people_quickly():
    import time

    started = time.perf_counter()
    people = generate_people(89086, reference=REFERENCE)
    assert len(people) == 89086
    assert time.perf_counter() - started < 10


@pytest.fixture
def fresh_accounts(monkeypatch):
    """Demo accounts under names the test database does not have yet."""
    accounts = [(f"d_{name}", role, office) for name, role, office in demo_accounts.DEMO_ACCOUNTS]
    monkeypatch.setattr(demo_accounts, "DEMO_ACCOUNTS", accounts)
    monkeypatch.setattr(
        demo_accounts,
        "DEMO_FULL_NAMES",
        {f"d_{k}": v for k, v in demo_accounts.DEMO_FULL_NAMES.items()},
    )
    return accounts


def _snapshot(db):
    residents = db.session.execute(
        select(Resident.resident_no, Resident.name, Resident.status, Resident.mail_address)
        .order_by(Resident.resident_no)
    ).all()  # fmt: skip
    passes = db.session.execute(
        select(Resident.resident_no, Issuance.fiscal_year, Issuance.control_no, Issuance.kind,
               Issuance.issued_on, Issuance.status)
        .join(Issuance.resident)
        .order_by(Issuance.fiscal_year, Issuance.control_no)
    ).all()  # fmt: skip
    return residents, passes


def test_demo_data_command(app, db, fresh_accounts, today):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo-data", "--residents", "400", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert db.session.execute(select(func.count(Resident.id))).scalar_one() == 400
    residents, passes = _snapshot(db)
    assert len(passes) > 400  # about 2.9 per person over four years
    assert {p.fiscal_year for p in passes} == {2023, 2024, 2025, 2026}
    assert all(p.issued_on <= today for p in passes)
    assert Counter(p.kind for p in passes).keys() >= {"new", "renewal"}
    # 整理番号 were handed out through the counter, without gaps or repeats
    for fy, last in db.session.execute(select(ControlNumberCounter.fiscal_year,
                                              ControlNumberCounter.last_no)):  # fmt: skip
        numbers = sorted(p.control_no for p in passes if p.fiscal_year == fy)
        assert numbers == list(range(1, last + 1))
    # one account per role, usable without a password change
    from app.extensions import appbuilder

    roles = set()
    for username, role, office in fresh_accounts:
        account = appbuilder.sm.find_user(username=username)
        assert account.office.code == office
        assert not account.must_change_password
        assert [r.name for r in account.roles] == [role]
        roles.update(r.name for r in account.roles)
    assert roles == set(ROLE_NAMES)

    again = runner.invoke(args=["demo-data", "--residents", "400", "--seed", "3"])
    assert again.exit_code == 2
    assert "--force" in again.output

    replaced = runner.invoke(args=["demo-data", "--residents", "400", "--seed", "3", "--force"])
    assert replaced.exit_code == 0, replaced.output
    db.session.expire_all()
    assert _snapshot(db) == (residents, passes)


def test_demo_data_is_refused_in_production(app, db, fresh_accounts):
    saved = app.config["ALLOW_DEMO_DATA"]
    app.config["ALLOW_DEMO_DATA"] = False
    try:
        result = app.test_cli_runner().invoke(args=["demo-data", "--residents", "10"])
    finally:
        app.config["ALLOW_DEMO_DATA"] = saved
    assert result.exit_code == 2
    assert "ALLOW_DEMO_DATA" in result.output
    assert db.session.execute(select(func.count(Resident.id))).scalar_one() == 0


def test_demo_data_accepts_a_large_city_and_refuses_beyond(app, db, fresh_accounts):
    from app.demo.cli import MAX_RESIDENTS, demo_data_command

    count = next(p for p in demo_data_command.params if p.name == "count")
    assert count.type.convert("1200000", count, None) == 1_200_000
    assert MAX_RESIDENTS >= 1_200_000
    # Refused by the argument's range, before anything is loaded.
    result = app.test_cli_runner().invoke(args=["demo-data", "--residents", str(MAX_RESIDENTS + 1)])
    assert result.exit_code == 2
    assert "range" in result.output
    assert db.session.execute(select(func.count(Resident.id))).scalar_one() == 0


def test_demo_data_written_in_small_chunks_is_the_same(app, db, fresh_accounts, monkeypatch):
    from app.db import bulk

    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo-data", "--residents", "120", "--seed", "5"])
    assert result.exit_code == 0, result.output
    whole = _snapshot(db)
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 7)
    result = runner.invoke(args=["demo-data", "--residents", "120", "--seed", "5", "--force"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert _snapshot(db) == whole
