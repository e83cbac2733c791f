"""The gaps of issue 11, item 8: forms that show a person's data are logged,
as first shown and as shown again after a refused submission, and every
refused attempt leaves one ``access.denied`` row (naming the person when the
page showed one), also for API tokens that are not ours."""

from datetime import date

import jwt
import pytest
from sqlalchemy import func, select

from app.audit.models import AccessLog
from app.passes.models import Issuance
from tests.factories import make_resident
from tests.matrix.conftest import api_token

NEW_ACCOUNT = {"username": "suzuki", "full_name": "鈴木 一郎", "office": "HQ", "email": ""}


@pytest.fixture
def new_rows(db):
    """``new_rows()`` → the access-log rows written since the last call, as
    ``(action, username, resident_no, outcome)``, with the rows themselves."""
    state = {"last": 0}

    def _rows():
        db.session.expire_all()
        rows = db.session.scalars(
            select(AccessLog).where(AccessLog.id > state["last"]).order_by(AccessLog.id)
        ).all()
        if rows:
            state["last"] = rows[-1].id
        db.session.commit()
        return rows

    return _rows


def _brief(rows):
    return [(r.action, r.username, r.resident_no, r.outcome) for r in rows]


@pytest.fixture
def person(db, frozen_clock):
    frozen_clock(date(2026, 6, 1))
    return make_resident(name="見本\u3000一郎", kana="ミホン イチロウ")


def _issuances(db):
    return db.session.scalar(select(func.count()).select_from(Issuance))


# --- forms that show a person ---------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "branch"])
def test_the_application_form_is_logged_as_a_read_of_the_person(login, person, new_rows, who):
    client = login(who)
    new_rows()
    resp = client.get(f"/issuances/new/{person.id}")
    assert resp.status_code == 200
    assert person.resident_no in resp.get_data(as_text=True)
    rows = new_rows()
    assert _brief(rows) == [("resident.view", who, person.resident_no, "ok")]
    assert rows[0].detail == {"form": "issue"}


def test_the_pass_correction_form_is_logged(login, person, user, new_rows):
    from app.offices.services import by_code
    from app.passes import issuance

    made = issuance.issue_pass(
        person, kind="new", applied_on=date(2026, 6, 1), issued_on=date(2026, 6, 1),
        office=by_code("HQ"), method="counter", user=user("staff"),
    )  # fmt: skip
    client = login("staff")
    new_rows()
    assert client.get(f"/issuances/{made.id}/edit").status_code == 200
    resp = client.post(f"/issuances/{made.id}/edit", data={"issued_on": "not a date"})
    assert resp.status_code == 200  # shown again with the error
    rows = new_rows()
    assert _brief(rows) == [("issuance.view", "staff", person.resident_no, "ok")] * 2
    assert {r.target for r in rows} == {f"{made.fiscal_year}-{made.control_no}"}
    assert [r.detail for r in rows] == [{"form": "correction"}] * 2


def test_a_refused_correction_of_a_person_is_logged_as_a_read(login, person, new_rows):
    client = login("staff")
    new_rows()
    resp = client.post(f"/residents/{person.id}/edit", data={"name": "", "version": "1"})
    assert resp.status_code == 200
    assert person.resident_no in resp.get_data(as_text=True)
    assert _brief(new_rows()) == [("resident.view", "staff", person.resident_no, "ok")]


def test_a_refused_application_is_logged_once(login, person, new_rows, db):
    client = login("staff")
    new_rows()
    resp = client.post(f"/issuances/new/{person.id}", data={"kind": "new", "applied_on": "x"})
    assert resp.status_code == 200
    assert _brief(new_rows()) == [("resident.view", "staff", person.resident_no, "ok")]
    assert _issuances(db) == 0


# --- refusals ------------------------------------------------------------------------


def _application(office_id, method="counter"):
    return {
        "kind": "new", "applied_on": "2026-06-01", "issued_on": "2026-06-01",
        "office": str(office_id), "method": method, "supersedes_id": "",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("office", "method", "refused"),
    [
        ("HQ", "counter", ["office"]),
        ("YOTSUYA", "mail", ["method"]),
        ("HQ", "mail", ["office", "method"]),
    ],
)
def test_a_branch_posting_for_another_office_or_by_mail_is_refused_and_logged(
    login, person, new_rows, db, office, method, refused
):
    from app.offices.services import by_code

    client = login("branch")
    new_rows()
    resp = client.post(f"/issuances/new/{person.id}", data=_application(by_code(office).id, method))
    assert resp.status_code == 200  # the form again, with the error
    assert _issuances(db) == 0
    rows = new_rows()
    assert _brief(rows) == [("access.denied", "branch", person.resident_no, "denied")]
    assert rows[0].detail["reason"] == "not_permitted"
    assert rows[0].detail["fields"] == refused
    assert rows[0].target == f"/issuances/new/{person.id}"


def test_a_branch_at_its_own_office_at_the_counter_is_not_refused(login, person, new_rows, db):
    from app.offices.services import by_code

    client = login("branch")
    new_rows()
    resp = client.post(f"/issuances/new/{person.id}", data=_application(by_code("YOTSUYA").id))
    assert resp.status_code == 302
    assert [r.action for r in new_rows()] == ["issuance.create"]


@pytest.mark.parametrize("role", ["Admin", "Supervisor"])
def test_a_supervisor_creating_an_admin_or_a_peer_is_refused_and_logged(
    login, user, new_rows, role
):
    boss = login("supervisor")
    new_rows()
    resp = boss.post("/staffaccounts/add/", data={**NEW_ACCOUNT, "role": role})
    assert resp.status_code == 200
    assert user("suzuki") is None
    rows = new_rows()
    assert _brief(rows) == [("access.denied", "supervisor", None, "denied")]
    assert rows[0].detail["role"] == role
    assert rows[0].detail["reason"] == "not_permitted"


def test_a_supervisor_raising_a_role_is_refused_and_logged(login, user, new_rows):
    boss = login("supervisor")
    staff = user("staff")
    new_rows()
    resp = boss.post(
        f"/staffaccounts/edit/{staff.id}",
        data={"full_name": "試験 staff", "role": "Supervisor", "office": "HQ", "email": ""},
    )
    assert resp.status_code == 200
    assert [r.name for r in user("staff").roles] == ["Staff"]
    rows = new_rows()
    assert _brief(rows) == [("access.denied", "supervisor", None, "denied")]
    assert rows[0].detail["role"] == "Supervisor"


def test_an_ordinary_mistake_in_the_account_form_is_no_refusal(login, new_rows):
    boss = login("supervisor")
    new_rows()
    resp = boss.post("/staffaccounts/add/", data={**NEW_ACCOUNT, "role": "Staff", "full_name": ""})
    assert resp.status_code == 200
    assert new_rows() == []


def _tokens(app):
    good = api_token(app, "staff")
    claims = jwt.decode(good, options={"verify_signature": False})
    return {
        "wrong key": jwt.encode(claims, "not-the-key-of-this-application-0123456789"),
        "alg none": jwt.encode(claims, None, algorithm="none"),
        "garbled": good[:-6] + "AAAAAA",
        "not a token": "nonsense",
    }


@pytest.mark.parametrize("kind", ["wrong key", "alg none", "garbled", "not a token"])
def test_an_api_token_that_is_not_ours_is_refused_and_logged(app, client, new_rows, kind):
    token = _tokens(app)[kind]
    new_rows()
    resp = client.get("/api/v1/residents/", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401
    assert "message" in resp.get_json()
    rows = new_rows()
    assert _brief(rows) == [("access.denied", None, None, "denied")]
    assert rows[0].detail == {
        "method": "GET",
        "status": 401,
        "endpoint": "ResidentApi.get_list",
        "reason": "invalid_token",
    }
