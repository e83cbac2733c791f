"""返戻 (returned mail) and 再送."""

from datetime import date

import pytest

from app.audit.models import AccessLog
from app.history.models import ChangeLog
from app.passes import returns
from app.passes.parsing import ControlInputError, parse_control_input
from tests.factories import make_resident
from tests.letters.conftest import pdf_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("123", (2026, 123)), ("１２３\n", (2026, 123)), ("2025-7", (2025, 7)),
     (" 2025/0042 ", (2025, 42))],
)  # fmt: skip
def test_parse_control_input(text, expected):
    assert parse_control_input(text, 2026) == expected


@pytest.mark.parametrize("text", ["", "abc", "12a", "0", "<script>", "2025-"])
def test_parse_control_input_refuses(text):
    with pytest.raises(ControlInputError):
        parse_control_input(text, 2026)


def test_record_a_return_in_one_step(login, march, mailed_pass, db):
    resident = make_resident(name="返戻\u3000花子")
    issuance = mailed_pass(resident, fiscal_year=2025, issued_on=date(2025, 6, 1))
    client = login("staff")
    page = client.get("/returns/").get_data(as_text=True)
    assert 'name="control_no"' in page
    assert "autofocus" in page
    resp = client.post("/returns/record", data={"fiscal_year": "2025",
                                                 "control_no": str(issuance.control_no)},
                       follow_redirects=True)  # fmt: skip
    body = resp.get_data(as_text=True)
    assert "返戻を記録しました" in body
    assert "返戻\u3000花子" in body  # now in the list awaiting action
    db.session.refresh(issuance)
    assert issuance.returned_on == march.date()
    entry = db.session.query(ChangeLog).filter_by(entity_id=issuance.id, action="return").one()
    assert entry.changes == {"returned_on": [None, "2026-03-23"]}
    assert db.session.query(AccessLog).filter_by(action="issuance.return").count() == 1
    # the same envelope scanned twice changes nothing
    again = client.post("/returns/record", data={"fiscal_year": "2025",
                                                 "control_no": str(issuance.control_no)},
                        follow_redirects=True)  # fmt: skip
    assert "すでに返戻として記録されています" in again.get_data(as_text=True)
    assert db.session.query(ChangeLog).filter_by(action="return").count() == 1


def test_refused_returns(login, march, mailed_pass, db):
    counter = mailed_pass(make_resident(), fiscal_year=2025, method="counter")
    client = login("staff")
    for number, message in (
        ("99999", "令和7年度に整理番号 99999 の入浴証はありません"),
        (str(counter.control_no), "窓口で交付されたもので、郵送していません"),
        ("<img src=x>", "整理番号を数字で入力してください"),
    ):
        resp = client.post("/returns/record", data={"fiscal_year": "2025", "control_no": number},
                           follow_redirects=True)  # fmt: skip
        assert message in resp.get_data(as_text=True)
    assert db.session.query(ChangeLog).filter_by(action="return").count() == 0


def test_resend_takes_the_corrected_address(login, march, mailed_pass, db, user):
    resident = make_resident(name="再送\u3000一郎", postal_code="1600004",
                             address="東京都新宿区四谷１－１")  # fmt: skip
    issuance = mailed_pass(resident, fiscal_year=2025)
    returns.record_return(issuance, user("staff"))
    resident.address = "東京都新宿区大久保２－２"
    resident.postal_code = "1690072"
    db.session.commit()
    client = login("staff")
    resp = client.post(f"/returns/{issuance.id}/resend", data={"version": issuance.version},
                       follow_redirects=True)  # fmt: skip
    body = resp.get_data(as_text=True)
    assert "再送を記録しました" in body
    assert f"/letters/cover/{issuance.id}" in body
    db.session.refresh(issuance)
    assert issuance.resent_on == march.date()
    assert issuance.mail_to_address == "東京都新宿区大久保２－２"
    entry = db.session.query(ChangeLog).filter_by(action="resend").one()
    assert entry.changes["resent_on"] == [None, "2026-03-23"]
    assert entry.changes["mail_to_address"] == [
        "東京都新宿区四谷１－１",
        "東京都新宿区大久保２－２",
    ]
    assert db.session.query(AccessLog).filter_by(action="issuance.resend").count() == 1
    text = pdf_text(client.get(f"/letters/cover/{issuance.id}").data)
    assert "再送付について" in text
    assert "〒169-0072" in text
    assert "大久保２－２" in text
    # a second click is refused, nothing changes
    again = client.post(f"/returns/{issuance.id}/resend", data={"version": issuance.version},
                        follow_redirects=True)  # fmt: skip
    assert "再送待ちではありません" in again.get_data(as_text=True)
    assert db.session.query(ChangeLog).filter_by(action="resend").count() == 1


def test_returns_screen_needs_issuance_admin(login, db):
    assert login("branch").get("/returns/").status_code == 403
    assert login("auditor").get("/returns/").status_code == 403
    assert login("branch").post("/returns/record", data={"control_no": "1"}).status_code == 403
