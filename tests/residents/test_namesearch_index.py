"""The bigram index of names kept in step by the writers of names, rebuilt by
``flask search rebuild-index``, and one-character searches (issue 15)."""

import json

from sqlalchemy import select, text

from app.residents import corrections, grams
from app.residents import search as people
from app.residents.models import Resident
from app.text.grams import name_grams
from app.text.search import parse_search


def _found(value):
    return [r.name for r in people.search(parse_search(value), with_passes=False).rows]


def _stored_grams(db, person):
    db.session.expire_all()
    return db.session.execute(
        select(Resident.name_grams, Resident.kana_grams).where(Resident.id == person.id)
    ).one()


def test_a_new_person_has_the_grams_of_both_keys(db, resident):
    person = resident(name="渡辺\u3000太郎", kana="ワタナベ タロウ")
    assert tuple(_stored_grams(db, person)) == (
        name_grams("渡辺太郎"),
        name_grams("ワタナベタロウ"),
    )
    assert _found("辺太") == ["渡辺\u3000太郎"]
    assert grams.integrity_ok(db.session)


def test_a_correction_of_the_name_moves_the_person_in_the_index(db, resident, user, today):
    person = resident(name="渡辺\u3000太郎", kana="ワタナベ タロウ")
    resident(name="渡部\u3000花子", kana="ワタベ ハナコ")
    corrections.update_resident(
        person, {"name": "渡邊\u3000太郎"}, user("staff"), expected_version=person.version
    )
    assert _stored_grams(db, person).name_grams == name_grams("渡邊太郎")
    assert _found("渡辺") == []
    assert _found("渡邊") == ["渡邊\u3000太郎"]
    assert _found("渡") == ["渡邊\u3000太郎", "渡部\u3000花子"]  # ワタナベ, ワタベ: kana order
    assert grams.integrity_ok(db.session)


def test_one_character_finds_every_name_holding_it_wherever_it_stands(db, resident):
    for name, kana in (("林", "ハヤシ"), ("小林\u3000一", "コバヤシ ハジメ"), ("林田\u3000二郎", "ハヤシダ ジロウ"),
                       ("森\u3000三郎", "モリ サブロウ")):  # fmt: skip
        resident(name=name, kana=kana)
    assert _found("林") == ["小林\u3000一", "林", "林田\u3000二郎"]
    assert _found("郎") == ["林田\u3000二郎", "森\u3000三郎"]


def test_the_screen_pages_a_one_character_search(db, resident, login):
    for n in range(people.PAGE_SIZE + 3):
        resident(name=f"田中\u3000{n:02d}", kana=f"タナカ {chr(0x30A2 + n)}")
    client = login("staff")
    first = client.get("/residents/", query_string={"q": "田"}).get_data(as_text=True)
    assert first.count("田中\u3000") >= people.PAGE_SIZE
    assert "after=" in first


def test_rebuild_index_command_puts_back_grams_written_wrong(app, db, resident):
    person = resident(name="渡辺\u3000太郎", kana="ワタナベ タロウ")
    # A row written behind the application's back: empty grams, found by nobody.
    db.session.execute(
        text("UPDATE resident SET name_grams = :g WHERE id = :i"),
        {"g": "{}" if db.engine.dialect.name == "postgresql" else "", "i": person.id},
    )
    db.session.commit()
    assert _found("渡辺") == []
    version = person.version
    result = app.test_cli_runner().invoke(args=["search", "rebuild-index"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["residents"] == 1
    assert summary["changed"] == 1
    assert summary["index_ok"] is True
    db.session.expire_all()
    assert _found("渡辺") == ["渡辺\u3000太郎"]
    assert db.session.get(Resident, person.id).version == version  # open forms still save


def test_demo_data_people_are_found_by_part_of_the_name(db, frozen_clock):
    from datetime import datetime

    from app.demo.cli import load_demo_data

    frozen_clock(datetime(2026, 11, 20, 10, 0))
    load_demo_data(60, seed=4)
    names = db.session.execute(select(Resident.name_key)).scalars().all()
    for key in names[:20]:
        part = key[1:3]
        expected = sorted(n for n in names if part.lower() in n.lower())
        found = []
        after = None
        while True:
            page = people.search(parse_search(part), after_id=after, with_passes=False)
            found += [r.name.replace("\u3000", "") for r in page.rows]
            if not page.has_next:
                break
            after = page.last_id
        assert sorted(found) == expected, part
