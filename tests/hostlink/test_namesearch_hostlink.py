"""The host import keeps the bigram index of names in step (issue 15): new
people and changed names are found by part of the name at once."""

import pytest

from app.residents import grams
from app.residents import search as people
from app.text.search import parse_search
from tests.hostlink.conftest import AS_OF, NEXT_AS_OF, person


@pytest.fixture(autouse=True)
def _no_sanity_hold(app):
    saved = app.config["HOSTLINK_MAX_EXCLUDE_RATIO"]
    app.config["HOSTLINK_MAX_EXCLUDE_RATIO"] = 1.0
    yield
    app.config["HOSTLINK_MAX_EXCLUDE_RATIO"] = saved


def _found(value):
    return [r.resident_no for r in people.search(parse_search(value), with_passes=False).rows]


def test_imported_and_renamed_people_are_found_by_part_of_the_name(db, import_path):
    watanabe = person(name="渡辺\u3000花子", kana="ワタナベ ハナコ")
    gaiji = person(name="髙\ue000\u3000一郎", kana="タカ イチロウ")
    assert import_path(AS_OF, [watanabe, gaiji]).status == "applied"
    assert _found("辺花") == [watanabe["resident_no"]]
    assert _found("\ue000一") == [gaiji["resident_no"]]
    renamed = dict(watanabe, name="渡邊\u3000花子")
    assert import_path(NEXT_AS_OF, [renamed, gaiji]).counts["updated"] == 1
    db.session.expire_all()
    assert _found("渡辺") == []
    assert _found("邊花") == [watanabe["resident_no"]]
    assert grams.integrity_ok(db.session)
