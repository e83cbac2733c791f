"""The people and pass screens through HTTP, per role."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.audit.models import AccessLog
from app.passes.issuance import issue_pass
from app.passes.models import Issuance
from app.residents.models import Resident

READERS = ("admin", "supervisor", "staff", "branch", "auditor")


def _passes(db):
    return db.session.execute(select(func.count(Issuance.id))).scalar_one()


def _logs(db, action):
    return db.session.execute(select(AccessLog).where(AccessLog.action == action)).scalars().all()


def _text(resp):
    return resp.get_data(as_text=True)


@pytest.fixture
def person(resident, today):
    return resident(name="山田\u3000花子", kana="ヤマダ ハナコ", resident_no="1000000001")


@pytest.mark.parametrize("role", READERS)
def test_every_reader_can_search_and_view(login, person, role):
    client = login(role)
    resp = client.get("/residents/?q=やまだ")
    assert resp.status_code == 200
    assert "山田\u3000花子" in _text(resp)
    resp = client.get(f"/residents/{person.id}")
    assert resp.status_code == 200
    assert "昭和30年4月1日" in _text(resp)
    assert "1955-04-01" not in _text(resp)
    assert "no-store" in resp.headers["Cache-Control"]
    assert client.get("/issuances/").status_code == 200


def test_anonymous_is_sent_to_sign_in(client, person):
    resp = client.get(f"/residents/{person.id}")
    assert resp.status_code in (302, 401)
    assert "山田" not in _text(resp)
    assert client.get("/residents/lookup?q=やま").status_code == 401


def test_search_and_view_are_logged(db, login, person):
    client = login("staff")
    client.get("/residents/?q=やまだ&category=elderly")
    client.get(f"/residents/{person.id}")
    (search,) = _logs(db, "resident.search")
    assert search.detail["q"] == "やまだ"
    assert search.detail["category"] == "elderly"
    assert search.username == "staff"
    (view,) = _logs(db, "resident.view")
    assert view.resident_no == "1000000001"


def test_full_resident_number_opens_the_person(login, person):
    resp = login("branch").get("/residents/?q=1000000001")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/residents/{person.id}")


def test_impossible_date_gets_a_japanese_message(login, person):
    resp = login("staff").get("/residents/?q=S64.1.8")
    assert resp.status_code == 200
    assert "S64.1.8" in _text(resp)
    assert "昭和" in _text(resp)


def _issue_at_okubo(person, user, office, today, method="counter"):
    return issue_pass(
        person,
        kind="new",
        applied_on=today,
        issued_on=today,
        office=office("OKUBO"),
        method=method,
        user=user("staff"),
    )


def test_person_page_shows_ages_history_and_passes(db, login, person, user, office, today):
    _issue_at_okubo(person, user, office, today)
    page = _text(login("auditor").get(f"/residents/{person.id}"))
    assert "本日時点 71歳" in page
    assert "年度当初" in page
    assert "大久保特別出張所" in page
    assert "令和8年度" in page
    assert "交付日" in page  # history of the pass, with translated field names


def test_person_page_names_the_clerk_and_looks_up_returns_only_after_one(
    db, login, person, user, office, today, statements
):
    issued = _issue_at_okubo(person, user, office, today, method="mail")
    clerk = user("staff")
    client = login("auditor")
    client.get(f"/residents/{person.id}")  # the first page also loads permissions
    with statements() as seen:
        page = _text(client.get(f"/residents/{person.id}"))
    assert f"{clerk.last_name} {clerk.first_name}" in page
    assert "大久保特別出張所" in page
    # no letter came back: the page does not look for an unresolved return
    assert not any("returned_on IS NOT NULL" in sql for sql, _params in seen)
    assert "返戻未解決" not in page
    issued.returned_on = today
    db.session.commit()
    with statements() as seen:
        page = _text(client.get(f"/residents/{person.id}"))
    assert any("returned_on IS NOT NULL" in sql for sql, _params in seen)
    assert "返戻未解決" in page


def test_hostile_name_is_escaped(login, resident, today):
    hostile = resident(
        name="<script>alert(1)</script>", kana="テスト", note='<img src=x onerror="1">'
    )
    page = _text(login("staff").get(f"/residents/{hostile.id}"))
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page
    assert "<img src=x" not in page
    page = _text(login("staff").get("/residents/?q=テスト"))
    assert "<script>alert(1)" not in page


def test_only_readers_and_writers_get_the_buttons(login, person):
    staff = _text(login("staff").get(f"/residents/{person.id}"))
    assert f"/issuances/new/{person.id}" in staff
    assert f"/residents/{person.id}/edit" in staff
    branch = _text(login("branch").get(f"/residents/{person.id}"))
    assert f"/issuances/new/{person.id}" in branch
    assert "/edit" not in branch
    auditor = _text(login("auditor").get(f"/residents/{person.id}"))
    assert "/issuances/new/" not in auditor
    assert "/edit" not in auditor


@pytest.mark.parametrize("role", ["branch", "auditor"])
def test_master_data_is_refused_to_branch_and_auditor(db, login, person, role):
    client = login(role)
    assert client.get(f"/residents/{person.id}/edit").status_code == 403
    resp = client.post(f"/residents/{person.id}/edit", data={"name": "改ざん\u3000太郎"})
    assert resp.status_code == 403
    assert (
        client.post(f"/residents/{person.id}/exclude", data={"reason": "other"}).status_code == 403
    )
    db.session.expire_all()
    assert db.session.get(Resident, person.id).name == "山田\u3000花子"


def test_auditor_cannot_record_issues(db, login, person):
    client = login("auditor")
    assert client.get(f"/issuances/new/{person.id}").status_code == 403
    resp = client.post(f"/issuances/new/{person.id}", data=_issue_form(date(2026, 11, 20), 1))
    assert resp.status_code == 403
    assert _passes(db) == 0


def _issue_form(day, office_id, **extra):
    data = {
        "kind": "new",
        "applied_on": day.isoformat(),
        "issued_on": day.isoformat(),
        "office": str(office_id),
        "method": "counter",
        "supersedes_id": "",
    }
    data.update(extra)
    return data


def test_issue_form_defaults(login, person, office, user, today):
    page = _text(login("staff").get(f"/issuances/new/{person.id}"))
    assert re.search(r'<option selected value="new">', page)
    assert 'value="令和8年11月20日"' in page
    issue_pass(person, kind="new", applied_on=date(2025, 6, 1), issued_on=date(2025, 6, 1),
               office=office("HQ"), method="counter", user=user("staff"))  # fmt: skip
    page = _text(login("staff").get(f"/issuances/new/{person.id}"))
    assert re.search(r'<option selected value="renewal">', page)
    current = issue_pass(person, kind="renewal", applied_on=today, issued_on=today,
                         office=office("HQ"), method="counter", user=user("staff"))  # fmt: skip
    page = _text(login("staff").get(f"/issuances/new/{person.id}"))
    assert re.search(r'<option selected value="reissue">', page)
    assert f'name="supersedes_id" type="hidden" value="{current.id}"' in page


def test_branch_form_offers_own_office_and_counter_only(login, person, office):
    page = _text(login("branch").get(f"/issuances/new/{person.id}"))
    assert "四谷特別出張所" in page
    assert "大久保特別出張所" not in page
    assert 'value="counter"' in page
    assert 'value="mail"' not in page


def test_branch_cannot_record_at_another_office(db, login, person, office):
    resp = login("branch").post(
        f"/issuances/new/{person.id}", data=_issue_form(date(2026, 11, 20), office("OKUBO").id)
    )
    assert resp.status_code == 200
    assert _passes(db) == 0


def _form_token(client, person):
    """The submission token of a freshly rendered application form."""
    page = _text(client.get(f"/issuances/new/{person.id}"))
    return re.search(r'name="submission" type="hidden" value="([^"]+)"', page).group(1)


def test_issue_then_double_submission(db, login, person, office):
    client = login("staff")
    form = _issue_form(date(2026, 11, 20), office("HQ").id, submission=_form_token(client, person))
    first = client.post(f"/issuances/new/{person.id}", data=form)
    assert first.status_code == 302
    assert first.headers["Location"].endswith(f"/residents/{person.id}")
    second = client.post(f"/issuances/new/{person.id}", data=form, follow_redirects=True)
    assert second.status_code == 200
    assert "既に登録済み" in _text(second)
    assert _passes(db) == 1
    (created,) = _logs(db, "issuance.create")
    assert created.resident_no == "1000000001"


def test_reissue_double_submission(db, login, person, office, user, today):
    current = issue_pass(person, kind="new", applied_on=today, issued_on=today,
                         office=office("HQ"), method="counter", user=user("staff"))  # fmt: skip
    client = login("staff")
    form = _issue_form(today, office("HQ").id, kind="reissue", reissue_reason="damaged",
                       supersedes_id=str(current.id),
                       submission=_form_token(client, person))  # fmt: skip
    assert client.post(f"/issuances/new/{person.id}", data=form).status_code == 302
    second = client.post(f"/issuances/new/{person.id}", data=form, follow_redirects=True)
    assert "既に登録済み" in _text(second)
    assert _passes(db) == 2


def test_refused_issue_shows_the_rule_and_saves_nothing(db, login, person, office):
    client = login("staff")
    future = _issue_form(date(2026, 11, 21), office("HQ").id)
    page = _text(client.post(f"/issuances/new/{person.id}", data=future))
    assert "未来" in page
    impossible = _issue_form(date(2026, 11, 20), office("HQ").id, applied_on="S64.1.8")
    page = _text(client.post(f"/issuances/new/{person.id}", data=impossible))
    assert "S64.1.8" in page
    assert _passes(db) == 0


def test_edit_form_saves_unticked_boxes_and_refuses_long_notes(db, login, person):
    client = login("staff")
    form = {
        "name": "山田\u3000花子",
        "kana": "やまだ はなこ",
        "sex": "2",
        "birth_date": "S30.4.1",
        "postal_code": "160-0000",
        "address": person.address,
        "address2": "",
        "phone": "",
        "mail_reason": "",
        "note": "あ" * 5000,
        "version": str(person.version),
    }  # is_elderly left out: an unticked box
    page = _text(client.post(f"/residents/{person.id}/edit", data=form))
    assert "2,000" in page
    db.session.expire_all()
    assert db.session.get(Resident, person.id).is_elderly is True
    form["note"] = "耳が遠い"
    resp = client.post(f"/residents/{person.id}/edit", data=form)
    assert resp.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Resident, person.id)
    assert saved.is_elderly is False
    assert saved.note == "耳が遠い"
    assert saved.kana == "ヤマダ ハナコ"


def test_exclude_and_reinstate_through_the_page(db, login, person):
    client = login("supervisor")
    client.post(
        f"/residents/{person.id}/exclude",
        data={"reason": "other", "excluded_on": "R8.11.1", "confirm": "y",
              "version": str(person.version)},
    )  # fmt: skip
    db.session.expire_all()
    excluded = db.session.get(Resident, person.id)
    assert excluded.status == "excluded"
    assert excluded.excluded_on == date(2026, 11, 1)
    page = _text(client.get(f"/residents/{person.id}"))
    assert "除外" in page
    assert f"/issuances/new/{person.id}" not in page
    client.post(f"/residents/{person.id}/reinstate", data={"version": str(excluded.version)})
    db.session.expire_all()
    assert db.session.get(Resident, person.id).status == "active"


def test_pass_list_filters_and_correction(db, login, person, office, user, today):
    sent = issue_pass(person, kind="new", applied_on=today, issued_on=today,
                      office=office("HQ"), method="mail", user=user("staff"))  # fmt: skip
    client = login("staff")
    page = _text(client.get("/issuances/?fy=2026&method=mail"))
    assert "山田\u3000花子" in page
    assert "山田\u3000花子" not in _text(client.get("/issuances/?returned=1"))
    resp = client.post(
        f"/issuances/{sent.id}/edit",
        data={
            "applied_on": "2026-11-20",
            "issued_on": "2026-11-20",
            "office": str(office("HQ").id),
            "method": "mail",
            "returned_on": "R8.11.20",
            "resent_on": "",
            "note": "",
            "version": str(sent.version),
        },
    )
    assert resp.status_code == 302
    assert "山田\u3000花子" in _text(client.get("/issuances/?returned=1"))
    assert login("branch").get(f"/issuances/{sent.id}/edit").status_code == 403
    assert login("auditor").get(f"/issuances/{sent.id}").status_code == 200


def test_lookup_returns_a_few_people_as_json(login, person):
    data = login("branch").get("/residents/lookup?q=ﾔﾏﾀﾞ").get_json()
    assert [p["name"] for p in data] == ["山田\u3000花子"]
    assert data[0]["birth_date"] == "昭和30年4月1日"
