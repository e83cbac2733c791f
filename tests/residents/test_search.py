"""Searching people through the service: kinds of query, filters, paging."""

from datetime import date

import pytest

from app.errors import DomainError
from app.passes.issuance import issue_pass
from app.residents import search as service


def _search(text, **filters):
    return service.search(service.parse_query(text), service.SearchFilters(**filters))


def _names(page):
    return [r.name for r in page.rows]


@pytest.fixture
def people(resident):
    return {
        "taro": resident(name="山田\u3000太郎", kana="ヤマダ タロウ", resident_no="1000000001"),
        "hanako": resident(name="山田\u3000花子", kana="ヤマダ ハナコ", resident_no="1000000002"),
        "ichiro": resident(
            name="髙橋\u3000一郎",
            kana="タカハシ イチロウ",
            resident_no="1000000003",
            birth_date=date(1950, 2, 3),
            is_elderly=False,
            is_disabled=True,
        ),
        "kazuko": resident(name="山本\u3000和子", kana="ヤマモト カズコ", resident_no="1000000011"),
    }


def test_kana_prefix_in_any_kana_form(people):
    for text in ("やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "やま"):
        assert "山田\u3000太郎" in _names(_search(text)), text
    assert _names(_search("やまだ た")) == ["山田\u3000太郎"]
    assert _names(_search("ﾔﾏﾀﾞﾊﾅｺ")) == ["山田\u3000花子"]
    # ordered by kana: ヤマダタロウ < ヤマダハナコ < ヤマモトカズコ
    assert _names(_search("やま")) == ["山田\u3000太郎", "山田\u3000花子", "山本\u3000和子"]


def test_kana_prefix_only_not_infix(people):
    assert _names(_search("たろう")) == []


def test_kanji_part_of_name(people):
    assert _names(_search("田　花")) == ["山田\u3000花子"]
    assert _names(_search("髙")) == ["髙橋\u3000一郎"]
    assert _names(_search("高橋")) == []  # 髙 is not 高


def test_like_wildcards_are_plain_characters(people):
    assert _names(_search("%")) == []
    assert _names(_search("_")) == []


def test_resident_number_exact_and_prefix(people):
    assert _names(_search("1000000002")) == ["山田\u3000花子"]
    assert len(_search("100000000").rows) == 3
    assert _names(_search("100000001")) == ["山本\u3000和子"]


def test_birth_date_in_any_form(people):
    for text in ("S25.2.3", "昭和25年2月3日", "1950-02-03", "19500203"):
        assert _names(_search(text)) == ["髙橋\u3000一郎"], text


def test_impossible_date_message_is_japanese(people):
    with pytest.raises(DomainError) as err:
        service.parse_query("S64.1.8")
    assert "昭和" in str(err.value.message) or "元号" in str(err.value.message)


def test_filters(people, user, office, today):
    people["kazuko"].status = "excluded"
    service.db.session.commit()
    assert _names(_search("", category="disabled")) == ["髙橋\u3000一郎"]
    assert _names(_search("やま", status="excluded")) == ["山本\u3000和子"]
    issue_pass(
        people["hanako"],
        kind="new",
        applied_on=today,
        issued_on=today,
        office=office("YOTSUYA"),
        method="counter",
        user=user("staff"),
    )
    assert _names(_search("", office_id=office("YOTSUYA").id)) == ["山田\u3000花子"]
    assert _names(_search("", office_id=office("OKUBO").id)) == []
    assert _names(_search("やま", fiscal_year=2026)) == ["山田\u3000花子"]
    assert _names(_search("やま", fiscal_year=2025)) == []


def test_nothing_to_search_returns_nothing(people):
    page = _search("")
    assert page.rows == []
    assert not page.has_next


@pytest.mark.parametrize("text", ["さとう", "佐藤"])
def test_paging_without_counting(resident, text):
    for i in range(7):
        resident(name=f"佐藤\u3000{i}", kana=f"サトウ {'アイウエオカキ'[i]}")
    query = service.parse_query(text)
    first = service.search(query, limit=3)
    assert len(first.rows) == 3
    assert first.has_next
    second = service.search(query, after_id=first.last_id, limit=3)
    third = service.search(query, after_id=second.last_id, limit=3)
    assert not third.has_next
    kana = [r.kana for r in first.rows + second.rows + third.rows]
    assert kana == sorted(kana)
    assert len(set(kana)) == 7


def test_current_passes_are_loaded_with_the_page(people, user, office, today):
    issue_pass(
        people["taro"],
        kind="new",
        applied_on=today,
        issued_on=today,
        office=office("HQ"),
        method="counter",
        user=user("staff"),
    )
    page = _search("やまだ")
    assert set(page.current_passes) == {people["taro"].id}


def _plan_of_the_page_statement(db, statements, run):
    """``EXPLAIN`` of the statement that reads the page of residents, with
    PostgreSQL told to avoid a scan of the (tiny) table and a sort."""
    with statements() as seen:
        run()
    statement, parameters = next(s for s in seen if "ORDER BY resident.kana_key" in s[0])
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("SET enable_sort = off")
            cursor.execute(f"EXPLAIN {statement}", parameters)
            return " ".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("after", [False, True])
def test_a_kana_page_is_read_in_order_from_the_kana_index(
    on_postgresql, resident, statements, after
):
    """PostgreSQL walks ix_resident_kana_order (migration 0018) for a kana
    prefix and for the next page: no sort of every match (13,130 rows for
    イマ at 1.2 million people before)."""
    for i in range(7):
        resident(name=f"佐藤\u3000{i}", kana=f"サトウ {'アイウエオカキ'[i]}")
    query = service.parse_query("さとう")
    first = service.search(query, limit=3)

    def run():
        service.search(query, after_id=first.last_id if after else None, limit=3)

    plan = _plan_of_the_page_statement(on_postgresql, statements, run)
    assert "ix_resident_kana_order" in plan
    assert "Sort" not in plan
