"""返戻 (returned mail) and 再送 (sending the pass again).

A pass sent by mail that comes back is recorded by its 整理番号 in one step
(:func:`record_return`); it then waits in :func:`awaiting_action` until it is
sent again with a new cover letter (:func:`resend`), which records the 再送日
and takes the current 送付先 of the person (the reason it came back is
usually an address that has since been corrected).
"""

import logging

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app import clock
from app.audit import writer as audit
from app.db.transaction import transaction
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.history import services as history
from app.passes.models import STATUS_HANDED_BACK, STATUS_VALID, Issuance
from app.passes.parsing import ControlInputError, parse_control_input
from app.passes.rows import MAIL_COLUMNS, mail_columns, mailing_destination
from app.text.wareki import format_fiscal_year

log = logging.getLogger(__name__)


def find_pass(text, default_fiscal_year):
    """The pass whose 整理番号 was typed or scanned.

    :raises DomainError: when the text is not a number.
    :raises NotFound: when no pass has that number in that fiscal year.
    """
    try:
        fiscal_year, number = parse_control_input(text, default_fiscal_year)
    except ControlInputError:
        raise DomainError(
            _("Enter the control number in digits, e.g. 123 or 2026-123."), field="control_no"
        ) from None
    issuance = _by_number(fiscal_year, number)
    if issuance is None and _next_year_series(text, number, default_fiscal_year):
        # a bare number of the March series (順次発送) belongs to next year's passes
        fiscal_year += 1
        issuance = _by_number(fiscal_year, number)
    if issuance is None:
        raise NotFound(
            _("There is no pass No. %(no)s in fiscal year %(year)s.")
            % {"no": number, "year": format_fiscal_year(fiscal_year)},
            field="control_no",
        )
    return issuance


def _by_number(fiscal_year, number):
    return db.session.execute(
        select(Issuance).where(Issuance.fiscal_year == fiscal_year, Issuance.control_no == number)
    ).scalar_one_or_none()


def _next_year_series(text, number, default_fiscal_year):
    """Whether a number typed without its year is in the March applications'
    series (``MARCH_CONTROL_NO_START`` on), which are next year's passes."""
    typed_year, _number = parse_control_input(text, None)
    start = current_app.config.get("MARCH_CONTROL_NO_START")
    return typed_year is None and bool(default_fiscal_year and start) and number >= int(start)


def _target(issuance):
    return f"{issuance.fiscal_year}-{issuance.control_no}"


def _record_event(issuance, action, changes, user, detail=None):
    """The history row and the access-log row of a return or a resend."""
    history.record("issuance", issuance.id, issuance.resident_id, action, changes, user=user)
    audit.record(
        f"issuance.{action}",
        resident_no=issuance.resident.resident_no,
        target=_target(issuance),
        detail=detail,
        user=user,
    )


def record_return(issuance, user, on=None):
    """Record that the mailed pass came back (返戻日 = ``on``, default today).

    :raises DomainError: for a return dated in the future, a pass that was
        not mailed, was replaced, or is dated after the day of the return.
    :raises Conflict: when it is already recorded as returned and not yet sent again.
    """
    on = on or clock.today()
    if on > clock.today():
        raise DomainError(_("The return date cannot be in the future."), field="returned_on")
    if issuance.method != "mail":
        raise DomainError(
            _("Pass No. %(no)s was handed over at the counter, not mailed.")
            % {"no": issuance.control_no}
        )
    if issuance.status == STATUS_HANDED_BACK:
        raise DomainError(
            _("Pass No. %(no)s was handed back at a window.") % {"no": issuance.control_no}
        )
    if issuance.status != STATUS_VALID:
        raise DomainError(
            _("Pass No. %(no)s has been replaced by a reissue.") % {"no": issuance.control_no}
        )
    if issuance.returned_on and not issuance.resent_on:
        raise Conflict(
            _("Pass No. %(no)s is already recorded as returned.") % {"no": issuance.control_no}
        )
    if on < issuance.issued_on:
        raise DomainError(
            _("Pass No. %(no)s is dated after today; it cannot have come back yet.")
            % {"no": issuance.control_no}
        )
    changes = {"returned_on": [issuance.returned_on, on]}
    if issuance.resent_on:
        # Returned again after being sent again: a new round begins.
        changes["resent_on"] = [issuance.resent_on, None]
    with transaction():
        issuance.returned_on = on
        issuance.resent_on = None
        issuance.updated_at = clock.now()
        _record_event(issuance, "return", changes, user)
    log.info("pass %s recorded as returned", _target(issuance))
    return issuance


def resend(issuance, user, expected_version=None, on=None):
    """Record that the pass is sent again today, to the current 送付先.

    :raises Conflict: when it is not waiting to be sent again, or was changed
        since the user loaded the page.
    """
    on = on or clock.today()
    if expected_version is not None and issuance.version != expected_version:
        raise Conflict(_("The pass was changed in the meantime. Reload the page."))
    if not issuance.returned_on or issuance.resent_on:
        raise Conflict(
            _("Pass No. %(no)s is not waiting to be sent again.") % {"no": issuance.control_no}
        )
    if issuance.status != STATUS_VALID:
        raise DomainError(
            _("Pass No. %(no)s has been replaced by a reissue.") % {"no": issuance.control_no}
        )
    if not issuance.resident.is_active:
        raise DomainError(_("This person is excluded; the pass cannot be sent again."))
    destination = mailing_destination(issuance.resident)
    if not (destination["address"] or "").strip():
        raise DomainError(_("This person has no address to send the pass to."))
    address_changes = _address_changes(issuance, mail_columns(destination))
    changes = {"resent_on": [None, on], **address_changes}
    with transaction():
        for field, (_before, after) in address_changes.items():
            setattr(issuance, field, after)
        issuance.resent_on = on
        issuance.updated_at = clock.now()
        _record_event(
            issuance, "resend", changes, user, detail={"address_changed": bool(address_changes)}
        )
    log.info("pass %s sent again", _target(issuance))
    return issuance


def _address_changes(issuance, columns):
    """``{column: [before, after]}`` of the 送付先 columns the resend changes
    (blank and None are the same)."""
    changes = {}
    for field in MAIL_COLUMNS:
        before, after = getattr(issuance, field), columns[field] or None
        if (before or None) != after:
            changes[field] = [before, after]
    return changes


def awaiting_action(limit=500):
    """Returned passes not yet sent again, oldest return first."""
    return (
        db.session.execute(
            select(Issuance)
            .where(
                Issuance.returned_on.is_not(None),
                Issuance.resent_on.is_(None),
                Issuance.status == STATUS_VALID,
            )
            .order_by(Issuance.returned_on, Issuance.fiscal_year, Issuance.control_no)
            .limit(limit)
        )
        .scalars()
        .all()
    )


def get_pass(issuance_id):
    issuance = db.session.get(Issuance, issuance_id)
    if issuance is None:
        raise NotFound(_("The pass was not found."))
    return issuance
