"""Role and office agree, notes hold no control characters, and 除外 and
アカウントを無効にする ask first (issue 11, item 16)."""

import re

import pytest

from app.errors import DomainError
from app.residents.models import Resident
from app.security import accounts
from tests.passes.conftest import form_token, issue_form, page_text

# --- role and office ------------------------------------------------------------------


def _new(boss, **fields):
    data = {"username": "kato", "full_name": "加藤 一郎", "role": "BranchStaff",
            "office": "HQ", "email": ""}  # fmt: skip
    return boss.post("/staffaccounts/add/", data={**data, **fields})


def test_branch_staff_cannot_be_created_for_the_main_office(login, user):
    page = page_text(_new(login("supervisor")))
    assert "出張所担当のアカウントは出張所に所属します" in page
    assert user("kato") is None


def test_a_branch_office_account_must_be_branch_staff(login, user):
    for role in ("Staff", "Auditor"):
        page = page_text(_new(login("supervisor"), role=role, office="OKUBO"))
        assert "出張所に所属するアカウントの役割は出張所担当です" in page
        assert user("kato") is None


def test_agreeing_role_and_office_are_accepted(login, user):
    assert _new(login("supervisor"), office="OKUBO").status_code == 200
    assert user("kato").office.code == "OKUBO"


def test_an_edit_cannot_make_them_disagree(login, user):
    boss = login("supervisor")
    branch = user("branch")
    resp = boss.post(
        f"/staffaccounts/edit/{branch.id}",
        data={"full_name": "四谷 次郎", "role": "BranchStaff", "office": "HQ", "email": ""},
    )
    assert "出張所担当のアカウントは出張所に所属します" in page_text(resp)
    assert user("branch").office.code == "YOTSUYA"
    with pytest.raises(DomainError):
        accounts.update_user(user("supervisor"), user("staff"), office_code="OKUBO")
    assert user("staff").office.code == "HQ"


def test_the_command_line_keeps_the_rule(app, db):
    result = app.test_cli_runner().invoke(
        args=["users", "add", "x1", "--role", "BranchStaff", "--office", "HQ",
              "--name", "x y", "--password", "a-long-enough-password-9"]
    )  # fmt: skip
    assert result.exit_code == 2
    assert "出張所" in result.output


# --- control characters in notes --------------------------------------------------------


def _resident_form(person, note):
    return {"name": person.name, "kana": person.kana, "sex": "2", "birth_date": "S30.4.1",
            "postal_code": "160-0000", "address": person.address, "address2": "",
            "phone": "", "mail_reason": "", "is_elderly": "y", "note": note,
            "version": str(person.version)}  # fmt: skip


@pytest.mark.parametrize("bad", ["\x07", "\x00", "\x1b[31m", "\x85", "\x9f", "\x7f", "\x1c"])
def test_a_resident_note_refuses_control_characters(db, login, person, bad):
    page = page_text(
        login("staff").post(
            f"/residents/{person.id}/edit", data=_resident_form(person, f"前{bad}後")
        )
    )
    assert "制御文字" in page
    db.session.expire_all()
    assert db.session.get(Resident, person.id).note in (None, "")


def test_a_resident_note_keeps_line_breaks_and_tabs(db, login, person):
    resp = login("staff").post(
        f"/residents/{person.id}/edit", data=_resident_form(person, "耳が遠い\r\n\t筆談")
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert "\t筆談" in db.session.get(Resident, person.id).note


@pytest.mark.parametrize("bad", ["\x08", "\x85"])
def test_a_pass_note_refuses_control_characters(db, login, person, office, today, bad):
    from app.passes.models import Issuance

    client = login("supervisor")
    form = issue_form(today, office("HQ").id, note=f"備考{bad}です",
                      submission=form_token(client, person))  # fmt: skip
    assert "制御文字" in page_text(client.post(f"/issuances/new/{person.id}", data=form))
    assert db.session.query(Issuance).count() == 0
    good = {**form, "note": "窓口で\r\n説明済み"}
    assert client.post(f"/issuances/new/{person.id}", data=good).status_code == 302
    issued = db.session.query(Issuance).one()
    correction = {"applied_on": "R8.11.20", "issued_on": "R8.11.20",
                  "office": str(office("HQ").id), "method": "counter", "returned_on": "",
                  "resent_on": "", "note": f"訂正{bad}です", "version": str(issued.version)}  # fmt: skip
    page = page_text(client.post(f"/issuances/{issued.id}/edit", data=correction))
    assert "制御文字" in page
    db.session.expire_all()
    assert db.session.get(Issuance, issued.id).note == "窓口で\r\n説明済み"


# --- confirmations ----------------------------------------------------------------------


def test_exclusion_needs_the_confirmation_box(db, login, person, today):
    client = login("supervisor")
    page = page_text(client.get(f"/residents/{person.id}"))
    assert re.search(r'<input id="confirm" name="confirm" required type="checkbox"', page)
    data = {"reason": "moved_out", "excluded_on": "R8.11.1", "version": str(person.version)}
    resp = client.post(f"/residents/{person.id}/exclude", data=data, follow_redirects=True)
    assert "確認欄にチェック" in page_text(resp)
    db.session.expire_all()
    assert db.session.get(Resident, person.id).status == "active"
    client.post(f"/residents/{person.id}/exclude", data={**data, "confirm": "y"})
    db.session.expire_all()
    assert db.session.get(Resident, person.id).status == "excluded"


def test_disabling_an_account_asks_first(db, login, user):
    boss = login("supervisor")
    staff_id = user("staff").id
    resp = boss.post(f"/staffaccounts/disable/{staff_id}")
    assert resp.status_code == 200
    page = page_text(resp)
    assert "を無効にしますか" in page
    assert 'name="confirm" value="yes"' in page
    assert user("staff").active is True
    boss.post(f"/staffaccounts/disable/{staff_id}", data={"confirm": "yes"})
    db.session.expire_all()
    assert user("staff").active is False
