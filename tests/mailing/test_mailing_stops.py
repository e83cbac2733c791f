"""送付停止: stop, resume, hand a pass back (返還), and what they write."""

from datetime import date

import pytest
from sqlalchemy import select

from app.audit.models import AccessLog
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db as _db
from app.history.models import ChangeLog
from app.mailing import stops
from app.mailing.models import STATUS_HANDED_BACK, MailStop
from app.passes.models import Issuance
from tests.factories import make_resident


def test_stop_then_resume_keeps_the_history(march, db, user):
    person = make_resident(name="停止\u3000一郎")
    stop = stops.stop_mailing(person, "declined", user("staff"), since=date(2026, 3, 1))
    assert stops.is_stopped(person.id)
    assert set(db.session.execute(stops.active_stop_ids()).scalars()) == {person.id}
    assert stop.recorded_by.username == "staff"
    row = db.session.query(ChangeLog).filter_by(entity="mail_stop", action="mail_stop").one()
    assert row.changes == {"mail_stop_reason": [None, "declined"],
                           "mail_stop_since": [None, "2026-03-01"]}  # fmt: skip
    assert db.session.query(AccessLog).filter_by(action="resident.update").count() == 1

    stops.resume_mailing(person, user("supervisor"), reason="本人から再申出")
    assert not stops.is_stopped(person.id)
    kept = db.session.query(MailStop).one()  # lifted, not deleted
    assert kept.lifted_on == date(2026, 3, 23)
    assert kept.lift_reason == "本人から再申出"
    assert kept.lifted_by.username == "supervisor"
    assert db.session.query(ChangeLog).filter_by(action="mail_resume").count() == 1

    # stopped again later: a second row, the first one stays
    stops.stop_mailing(person, "facility", user("staff"))
    assert db.session.query(MailStop).count() == 2
    assert [s.reason for s in stops.stops_of(person.id)] == ["facility", "declined"]


def test_other_needs_a_note_and_unknown_reasons_are_refused(march, db, user):
    person = make_resident()
    with pytest.raises(DomainError, match="「その他」"):
        stops.stop_mailing(person, "other", user("staff"), note="  ")
    with pytest.raises(DomainError, match="理由を選んでください"):
        stops.stop_mailing(person, "moved", user("staff"))
    with pytest.raises(DomainError, match="未来"):
        stops.stop_mailing(person, "declined", user("staff"), since=date(2026, 4, 1))
    assert db.session.query(MailStop).count() == 0
    assert db.session.query(ChangeLog).count() == 0
    stop = stops.stop_mailing(person, "other", user("staff"), note="家族から連絡")
    assert stop.note == "家族から連絡"


def test_a_second_stop_and_a_resume_of_nobody_stopped_are_refused(march, db, user):
    person = make_resident(name="二重\u3000花子")
    with pytest.raises(Conflict, match="送付停止になっていません"):
        stops.resume_mailing(person, user("staff"))
    stops.stop_mailing(person, "declined", user("staff"))
    with pytest.raises(Conflict, match="すでに送付停止"):
        stops.stop_mailing(person, "facility", user("staff"))
    assert db.session.query(MailStop).count() == 1


def test_the_database_keeps_one_active_stop_per_person(march, db, user):
    person = make_resident()
    stops.stop_mailing(person, "declined", user("staff"))
    _db.session.add(MailStop(resident_id=person.id, reason="facility", since=date(2026, 3, 1)))
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        _db.session.flush()
    _db.session.rollback()


def test_unknown_resident_number(db):
    with pytest.raises(NotFound, match="住民番号 0000000000 の事業対象者はいません"):
        stops.find_resident("0000000000")


def test_hand_back_marks_the_pass_and_stops_mailing(march, db, user, make_pass):
    person = make_resident(name="返還\u3000次郎")
    issued = make_pass(person, fiscal_year=2025, method="counter")
    stop = stops.hand_back(person, issued, user("staff"), stop=True, on=date(2026, 3, 10))
    db.session.refresh(issued)
    assert issued.status == STATUS_HANDED_BACK
    assert stop.reason == "returned_pass"
    assert stop.issuance_id == issued.id
    assert stop.since == date(2026, 3, 10)
    actions = {r.action for r in db.session.query(ChangeLog).filter_by(resident_id=person.id)}
    assert {"hand_back", "mail_stop"} <= actions
    # no longer the valid pass of its year: a new one may be issued
    again = make_pass(person, fiscal_year=2025, method="counter", issued_on=date(2026, 3, 20))
    valid = db.session.scalars(
        select(Issuance).where(Issuance.resident_id == person.id, Issuance.status == "valid")
    ).all()
    assert [p.id for p in valid] == [again.id]
    with pytest.raises(Conflict, match="有効な入浴証ではない"):
        stops.hand_back(person, issued, user("staff"), stop=False)


def test_hand_back_without_stopping(march, db, user, make_pass):
    person = make_resident()
    issued = make_pass(person, fiscal_year=2025, method="mail")
    assert stops.hand_back(person, issued, user("staff"), stop=False) is None
    assert not stops.is_stopped(person.id)
    assert db.session.get(Issuance, issued.id).status == STATUS_HANDED_BACK


def test_hand_back_and_stop_is_one_transaction(march, db, user, make_pass):
    person = make_resident()
    stops.stop_mailing(person, "declined", user("staff"))
    issued = make_pass(person, fiscal_year=2025, method="counter")
    with pytest.raises(Conflict):
        stops.hand_back(person, issued, user("staff"), stop=True)
    db.session.expire_all()
    assert db.session.get(Issuance, issued.id).status == "valid"  # nothing half-saved
    with pytest.raises(DomainError, match="返還日"):
        stops.hand_back(person, issued, user("staff"), stop=False, on=date(2025, 1, 1))


def test_a_handed_back_pass_cannot_be_recorded_as_returned(march, db, user, make_pass):
    from app.passes import returns

    person = make_resident()
    issued = make_pass(person, fiscal_year=2025, method="mail")
    stops.hand_back(person, issued, user("staff"), stop=False)
    with pytest.raises(DomainError, match="窓口で返還されています"):
        returns.record_return(issued, user("staff"))
