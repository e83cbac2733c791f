"""The pass rules, through app.passes.issuance.issue_pass."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.errors import Conflict, DomainError, PermissionDenied
from app.passes.issuance import issue_pass
from app.passes.models import Issuance


def _issue(resident, user, offices, today, **kw):
    values = {
        "kind": "new",
        "applied_on": today,
        "issued_on": today,
        "office": offices("HQ"),
        "method": "counter",
        "user": user,
    }
    values.update(kw)
    return issue_pass(resident, **values)


def _count(db):
    return db.session.execute(select(func.count(Issuance.id))).scalar_one()


def test_one_valid_pass_per_year(db, resident, user, office, today):
    person = resident()
    first = _issue(person, user("staff"), office, today)
    with pytest.raises(DomainError) as err:
        _issue(person, user("staff"), office, today, kind="renewal")
    assert str(first.control_no) in str(err.value.message)
    assert _count(db) == 1


def test_reissue_supersedes_the_valid_pass(db, resident, user, office, today):
    person = resident()
    first = _issue(person, user("staff"), office, today - timedelta(days=30))
    second = _issue(
        person,
        user("staff"),
        office,
        today,
        kind="reissue",
        reissue_reason="damaged",
        supersedes_id=first.id,
    )
    db.session.refresh(first)
    assert first.status == "superseded"
    assert first.superseded_by_id == second.id
    assert second.status == "valid"
    assert second.control_no != first.control_no


def test_reissue_of_a_pass_already_replaced_is_a_conflict(db, resident, user, office, today):
    person = resident()
    first = _issue(person, user("staff"), office, today)
    _issue(person, user("staff"), office, today, kind="reissue", reissue_reason="damaged",
           supersedes_id=first.id)  # fmt: skip
    with pytest.raises(Conflict):
        _issue(person, user("staff"), office, today, kind="reissue", reissue_reason="damaged",
               supersedes_id=first.id)  # fmt: skip
    assert _count(db) == 2


def test_lost_pass_reissued_once_then_only_a_supervisor_with_reason(
    db, resident, user, office, today
):
    person = resident()
    _issue(person, user("staff"), office, today)
    _issue(person, user("staff"), office, today, kind="reissue", reissue_reason="lost")
    with pytest.raises(PermissionDenied):
        _issue(person, user("staff"), office, today, kind="reissue", reissue_reason="lost")
    with pytest.raises(DomainError) as err:
        _issue(person, user("supervisor"), office, today, kind="reissue", reissue_reason="lost")
    assert err.value.field == "override_reason"
    third = _issue(
        person,
        user("supervisor"),
        office,
        today,
        kind="reissue",
        reissue_reason="lost",
        override_reason="警察に遺失届あり、本人来庁",
    )
    assert third.override_reason
    assert _count(db) == 3


def test_excluded_person_gets_no_pass(db, resident, user, office, today):
    person = resident(status="excluded", exclusion_reason="moved_out", excluded_on=today)
    with pytest.raises(DomainError):
        _issue(person, user("staff"), office, today)
    assert _count(db) == 0


@pytest.mark.parametrize(
    ("applied", "issued"),
    [(1, 0), (0, -1)],  # application after issue; issue in the future (days from today)
)
def test_dates(db, resident, user, office, today, applied, issued):
    with pytest.raises(DomainError):
        _issue(
            resident(),
            user("staff"),
            office,
            today,
            applied_on=today + timedelta(days=applied),
            issued_on=today - timedelta(days=issued),
        )
    assert _count(db) == 0


def test_branch_staff_own_office_and_counter_only(db, resident, user, office, today):
    branch = user("branch")
    with pytest.raises(PermissionDenied):
        _issue(resident(), branch, office, today, office=office("OKUBO"))
    with pytest.raises(PermissionDenied):
        _issue(resident(), branch, office, today, office=office("YOTSUYA"), method="mail")
    assert _count(db) == 0
    done = _issue(resident(), branch, office, today, office=office("YOTSUYA"))
    assert done.office.code == "YOTSUYA"


def test_mail_goes_to_the_mailing_address(db, resident, user, office, today):
    person = resident(
        mail_name="特別養護老人ホーム新宿",
        mail_postal_code="1690072",
        mail_address="東京都新宿区大久保３－１－２",
        mail_reason="facility",
    )
    sent = _issue(person, user("staff"), office, today, method="mail")
    assert sent.mail_to_address == "東京都新宿区大久保３－１－２"
    assert sent.mail_to_postal_code == "1690072"
    at_home = _issue(resident(), user("staff"), office, today, method="mail")
    assert at_home.mail_to_address == "東京都新宿区試験町１－１"


@pytest.mark.parametrize(
    ("changes", "action"),
    [
        ({"returned_on": "today"}, "return"),
        ({"returned_on": "today", "note": "宛所不明"}, "update"),
        ({"note": "本人来庁"}, "update"),
    ],
)
def test_a_correction_that_only_enters_a_return_is_logged_as_a_return(
    db, resident, user, office, today, changes, action
):
    from app.audit.models import AccessLog
    from app.history.models import ChangeLog
    from app.passes.issuance import update_issuance

    issued = _issue(resident(), user("staff"), office, today, method="mail")
    changes = {k: today if v == "today" else v for k, v in changes.items()}
    update_issuance(issued, changes, user("staff"))
    last_change = (
        db.session.execute(
            select(ChangeLog.action)
            .where(ChangeLog.entity == "issuance")
            .order_by(ChangeLog.id.desc())
        )
        .scalars()
        .first()
    )
    last_log = (
        db.session.execute(select(AccessLog.action).order_by(AccessLog.id.desc())).scalars().first()
    )
    assert (last_change, last_log) == (action, f"issuance.{action}")
