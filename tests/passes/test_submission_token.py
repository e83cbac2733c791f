"""The double-submission guard of the application form matches the same
submission (its token), not "something recent for this person" (issue 11,
item 11)."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app.errors import Conflict
from app.passes import queries
from app.passes.issuance import issue_pass
from app.passes.models import Issuance
from tests.factories import make_resident
from tests.passes.conftest import form_token, issue_form, page_text


def _passes(db):
    return db.session.execute(select(func.count(Issuance.id))).scalar_one()


def test_every_rendered_form_has_its_own_token(login, person, today):
    client = login("staff")
    first, second = form_token(client, person), form_token(client, person)
    assert first != second
    assert len(first) == 43


def test_a_replay_of_the_same_form_shows_the_pass_it_created(db, login, person, office, today):
    client = login("staff")
    form = issue_form(today, office("HQ").id, submission=form_token(client, person))
    assert client.post(f"/issuances/new/{person.id}", data=form).status_code == 302
    (created,) = db.session.scalars(select(Issuance)).all()
    assert created.submission_token == form["submission"]
    again = client.post(f"/issuances/new/{person.id}", data=form, follow_redirects=True)
    assert "既に登録済み" in page_text(again)
    assert f"整理番号 {created.control_no}" in page_text(again)
    assert _passes(db) == 1


def test_a_second_application_right_after_shows_the_real_rule(db, login, person, office, today):
    client = login("staff")
    form = issue_form(today, office("HQ").id, submission=form_token(client, person))
    assert client.post(f"/issuances/new/{person.id}", data=form).status_code == 302
    # A second, different application (a new form) within seconds: a pass of
    # the same year again.  The rule's own answer, not "already recorded".
    other = issue_form(today, office("HQ").id, submission=form_token(client, person))
    page = page_text(client.post(f"/issuances/new/{person.id}", data=other))
    assert "既に登録済み" not in page
    assert "この年度の有効な入浴証を既にお持ちです" in page
    assert _passes(db) == 1


def test_next_years_pass_right_after_shows_the_real_rule(db, login, person, office, today):
    client = login("staff")
    form = issue_form(today, office("HQ").id, submission=form_token(client, person))
    client.post(f"/issuances/new/{person.id}", data=form)
    next_year = issue_form(date(2027, 4, 1), office("HQ").id,
                           submission=form_token(client, person))  # fmt: skip
    page = page_text(client.post(f"/issuances/new/{person.id}", data=next_year))
    assert "既に登録済み" not in page
    assert "未来" in page
    assert _passes(db) == 1


def test_a_long_note_right_after_is_refused_with_its_own_message(db, login, person, office, today):
    client = login("staff")
    first = issue_form(today, office("HQ").id, submission=form_token(client, person))
    client.post(f"/issuances/new/{person.id}", data=first)
    noted = issue_form(today, office("HQ").id, note="あ" * 5000,
                       submission=form_token(client, person))  # fmt: skip
    page = page_text(client.post(f"/issuances/new/{person.id}", data=noted))
    assert "既に登録済み" not in page
    assert "2,000" in page
    assert _passes(db) == 1


def test_a_refused_form_keeps_its_token_and_records_once_corrected(
    db, login, person, office, today
):
    client = login("staff")
    token = form_token(client, person)
    future = issue_form(date(2026, 11, 21), office("HQ").id, submission=token)
    page = page_text(client.post(f"/issuances/new/{person.id}", data=future))
    assert "未来" in page
    assert f'value="{token}"' in page
    fixed = issue_form(today, office("HQ").id, submission=token)
    assert client.post(f"/issuances/new/{person.id}", data=fixed).status_code == 302
    assert _passes(db) == 1


def test_a_token_is_claimed_once_by_the_database(db, person, office, user, today):
    token = "t" * 43
    issue_pass(person, kind="new", applied_on=today, issued_on=today, office=office("HQ"),
               method="counter", user=user("staff"), submission_token=token)  # fmt: skip
    other = make_resident(name="別人\u3000一郎")
    with pytest.raises(Conflict):
        issue_pass(other, kind="new", applied_on=today, issued_on=today, office=office("HQ"),
                   method="counter", user=user("staff"), submission_token=token)  # fmt: skip
    assert _passes(db) == 1


def test_two_requests_of_one_form_at_once_record_one_pass(
    db, login, person, office, today, monkeypatch
):
    client = login("staff")
    form = issue_form(today, office("HQ").id, submission=form_token(client, person))
    assert client.post(f"/issuances/new/{person.id}", data=form).status_code == 302
    # The second request looked for the token before the first had saved its
    # pass (a race): the rules or the unique index refuse it, and the answer is
    # still the pass the form recorded.
    real = queries.by_submission_token
    calls = []

    def late(token):
        calls.append(token)
        return None if len(calls) == 1 else real(token)

    monkeypatch.setattr(queries, "by_submission_token", late)
    again = client.post(f"/issuances/new/{person.id}", data=form, follow_redirects=True)
    assert len(calls) == 2
    assert "既に登録済み" in page_text(again)
    assert _passes(db) == 1


def test_odd_numbers_in_the_form_and_the_list_are_no_error(db, login, person, office, today):
    client = login("staff")
    for query in ("fy=²", "fy=٣", "after=" + "9" * 30, "after=²", "fy=" + "9" * 5000):
        assert client.get(f"/issuances/?{query}").status_code == 200, query
    odd = issue_form(date(2026, 3, 31), office("HQ").id, supersedes_id="²",
                     confirm_fiscal_year="9" * 5000,
                     submission=form_token(client, person))  # fmt: skip
    resp = client.post(f"/issuances/new/{person.id}", data=odd)
    assert resp.status_code == 200
    assert "令和7年度の入浴証として登録する" in page_text(resp)
    assert _passes(db) == 0
    assert login("staff").get("/residents/?q=やま&after=²").status_code == 200
