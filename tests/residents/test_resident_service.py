"""Corrections of a person's record: validation, history, access log, concurrency."""

from datetime import date

import pytest
from sqlalchemy import select

from app.audit.models import AccessLog
from app.errors import Conflict, DomainError
from app.history.models import ChangeLog
from app.residents import corrections as service
from app.residents.models import Resident


def _history(db, person):
    return (
        db.session.execute(
            select(ChangeLog).where(ChangeLog.resident_id == person.id).order_by(ChangeLog.id)
        )
        .scalars()
        .all()
    )


def _reload(db, person):
    db.session.expire_all()
    return db.session.get(Resident, person.id)


def test_update_records_history_log_and_search_keys(db, resident, user, today):
    person = resident()
    fields = service.update_resident(
        person,
        {"name": "試験\u3000春子", "kana": "しけん はるこ", "phone": "03-1111-2222"},
        user("staff"),
        expected_version=person.version,
    )
    assert fields == ["kana", "name", "phone"]
    person = _reload(db, person)
    assert person.kana == "シケン ハルコ"
    assert person.kana_key == "シケンハルコ"
    assert person.name_key == "試験春子"
    (row,) = _history(db, person)
    assert row.action == "update"
    assert row.user_id == user("staff").id
    assert row.changes["name"] == ["試験\u3000花子", "試験\u3000春子"]
    log = db.session.execute(
        select(AccessLog).where(AccessLog.action == "resident.update")
    ).scalar_one()
    assert log.resident_no == person.resident_no
    assert log.detail["fields"] == ["kana", "name", "phone"]


def test_mailing_address_is_its_own_history_action(db, resident, user, today):
    person = resident()
    service.update_resident(
        person,
        {
            "mail_name": "新宿ケアホーム",
            "mail_postal_code": "１６９－００７２",
            "mail_address": "東京都新宿区大久保３－１－２",
            "mail_reason": "facility",
        },
        user("staff"),
    )
    person = _reload(db, person)
    assert person.mail_postal_code == "1690072"
    assert [r.action for r in _history(db, person)] == ["mail_address"]
    service.update_resident(
        person,
        {"mail_name": "", "mail_postal_code": "", "mail_address": "", "mail_reason": ""},
        user("staff"),
    )
    person = _reload(db, person)
    assert person.mail_address is None
    assert person.mail_reason is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kana": "山田 太郎"}, "kana"),
        ({"kana": ""}, "kana"),
        ({"name": "  "}, "name"),
        ({"postal_code": "16000"}, "postal_code"),
        ({"resident_no": "123456789"}, "resident_no"),
        ({"phone": "03-1234-ABCD"}, "phone"),
        ({"birth_date": date(2030, 1, 1)}, "birth_date"),
        ({"sex": 3}, "sex"),
        ({"note": "あ" * 5000}, "note"),
        ({"address": "あ" * 201}, "address"),
        ({"name": "山田\x00太郎"}, "name"),
        ({"mail_address": "東京都新宿区", "mail_reason": "facility"}, "mail_postal_code"),
        ({"mail_address": "東京都新宿区", "mail_postal_code": "1600004"}, "mail_kind"),
        ({"status": "excluded"}, "status"),
    ],
)
def test_refused_changes_save_nothing(db, resident, user, today, changes, field):
    person = resident()
    before = person.version
    with pytest.raises(DomainError) as err:
        service.update_resident(person, changes, user("staff"))
    assert err.value.field == field
    assert err.value.message
    assert not str(err.value.message).isascii()
    person = _reload(db, person)
    assert person.version == before
    assert person.name == "試験\u3000花子"
    assert _history(db, person) == []


def test_note_up_to_the_limit_is_kept_as_typed(db, resident, user, today):
    person = resident()
    note = "<script>alert(1)</script>\n" + "あ" * (service.NOTE_MAX_LENGTH - 26)
    service.update_resident(person, {"note": note}, user("staff"))
    assert _reload(db, person).note == note


def test_resident_number_must_be_unique(db, resident, user, today):
    resident(resident_no="1234567890")
    person = resident()
    with pytest.raises(DomainError):
        service.update_resident(person, {"resident_no": "1234567890"}, user("staff"))


def test_boxes_can_be_unticked(db, resident, user, today):
    person = resident(is_elderly=True, is_disabled=True)
    service.update_resident(person, {"is_elderly": False, "is_disabled": False}, user("staff"))
    person = _reload(db, person)
    assert person.is_elderly is False
    assert person.is_disabled is False


def test_stale_version_is_a_conflict(db, resident, user, today):
    person = resident()
    seen = person.version
    service.update_resident(person, {"phone": "03-0000-0000"}, user("staff"), seen)
    with pytest.raises(Conflict):
        service.update_resident(person, {"phone": "03-9999-9999"}, user("staff"), seen)
    assert _reload(db, person).phone == "03-0000-0000"


def test_nothing_changed_records_nothing(db, resident, user, today):
    person = resident()
    assert service.update_resident(person, {"name": "試験\u3000花子"}, user("staff")) == []
    assert _history(db, person) == []


def test_exclude_reinstate_and_review(db, resident, user, today):
    person = resident(needs_review=True)
    service.exclude_resident(person, "other", today, user("staff"), person.version)
    person = _reload(db, person)
    assert (person.status, person.exclusion_reason) == ("excluded", "other")
    with pytest.raises(DomainError):
        service.exclude_resident(person, "other", today, user("staff"))
    service.reinstate_resident(person, user("staff"))
    person = _reload(db, person)
    assert person.status == "active"
    assert person.excluded_on is None
    assert not person.needs_review
    with pytest.raises(DomainError):
        service.clear_review(person, user("staff"))
    flagged = resident(needs_review=True)
    service.clear_review(flagged, user("supervisor"))
    assert not _reload(db, flagged).needs_review
    assert [r.action for r in _history(db, person)] == ["exclude", "reinstate"]
    assert [r.action for r in _history(db, flagged)] == ["review"]


def test_exclusion_needs_a_reason_and_a_past_date(db, resident, user, today):
    person = resident()
    with pytest.raises(DomainError):
        service.exclude_resident(person, "", today, user("staff"))
    with pytest.raises(DomainError):
        service.exclude_resident(person, "moved_out", date(2027, 1, 1), user("staff"))
    assert _reload(db, person).status == "active"
