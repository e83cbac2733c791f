"""Corrections of a person's record: master data, 送付先 and note, exclusion,
reinstatement and review.

Every change checks its rules first and raises
:class:`~app.errors.DomainError` with a translated message, writing nothing;
then it records the history (ChangeLog) and the access log in one
:func:`~app.db.transaction.transaction`.
"""

import datetime
import logging
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

from flask_babel import gettext as _
from jaconv import hira2kata
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app import clock
from app.applications import destinations
from app.audit import writer as audit
from app.db.transaction import transaction
from app.errors import Conflict, DomainError
from app.extensions import db
from app.history import services as history
from app.residents.models import (
    CATEGORY_COLUMNS,
    EXCLUSION_REASONS,
    HOST_FIELDS,
    MAIL_REASONS,
    STATUS_ACTIVE,
    STATUS_EXCLUDED,
    Resident,
)
from app.text.controls import has_control_characters
from app.text.kana import halfwidth_to_fullwidth_katakana, has_gaiji, is_kana_query

log = logging.getLogger(__name__)

# Fields of the master-data form, their history action, and their limits.
MASTER_FIELDS = ("resident_no", *HOST_FIELDS, "note")
MAIL_FIELDS = (
    "mail_kind",
    "mail_name",
    "mail_contact",
    "mail_postal_code",
    "mail_address",
    "mail_reason",
)
EXCLUSION_FIELDS = ("status", "excluded_on", "exclusion_reason", "needs_review")
NOTE_MAX_LENGTH = 2000
MAX_LENGTHS = {
    "name": 100,
    "kana": 100,
    "address": 200,
    "address2": 120,
    "phone": 20,
    "mail_name": 100,
    "mail_contact": 100,
    "mail_address": 200,
}
_PHONE = re.compile(r"[0-9()+\- ]*")
_DIGITS = re.compile("[0-9]+")
# The earliest date of birth the ward's records can hold (明治元年).
_FIRST_BIRTH_DATE = datetime.date(1868, 1, 1)


# --- cleaning the values ------------------------------------------------------------


def _clean_text(name, value, multiline=False):
    if value is None:
        return ""
    value = str(value).strip()
    if has_control_characters(value, multiline=multiline):
        raise DomainError(_("This field cannot contain control characters."), field=name)
    limit = MAX_LENGTHS.get(name)
    if limit and len(value) > limit:
        raise DomainError(
            _("Too long: %(n)d characters at most (%(got)d entered).")
            % {"n": limit, "got": len(value)},
            field=name,
        )
    return value


def normalize_postal_code(value, name="postal_code"):
    """``"160-0004"``, ``"１６０００４"`` → ``"1600004"``; blank → ``""``.

    :raises DomainError: anything but 7 digits.
    """
    text = unicodedata.normalize("NFKC", value or "").strip().replace("-", "").replace("〒", "")
    if not text:
        return ""
    if len(text) != 7 or not (text.isascii() and text.isdigit()):
        raise DomainError(_("A postal code has 7 digits, for example 160-0004."), field=name)
    return text


def normalize_kana(value):
    """Store a kana name as full-width katakana, one ASCII space between the parts.

    :raises DomainError: empty, or anything other than kana and spaces.
    """
    text = (value or "").strip()
    if not text:
        raise DomainError(_("Enter the name in kana."), field="kana")
    if not is_kana_query(text):
        raise DomainError(_("The kana name may contain only kana and spaces."), field="kana")
    parts = halfwidth_to_fullwidth_katakana(text).split()
    return " ".join(hira2kata(part) for part in parts)


# One cleaner per field: ``cleaner(resident, name, value) -> clean value``.


def _resident_no(resident, name, value):
    value = unicodedata.normalize("NFKC", value or "").strip()
    if len(value) != 10 or not _DIGITS.fullmatch(value):
        raise DomainError(_("A resident number has 10 digits."), field=name)
    taken = db.session.execute(
        select(Resident.id).where(Resident.resident_no == value, Resident.id != resident.id)
    ).first()
    if taken:
        raise DomainError(_("Another person has this resident number."), field=name)
    return value


def _name(_resident, name, value):
    value = _clean_text(name, value)
    if not value:
        raise DomainError(_("Enter the name."), field=name)
    return value


def _kana(_resident, name, value):
    return normalize_kana(_clean_text(name, value))


def _sex(_resident, name, value):
    if value not in (1, 2):
        raise DomainError(_("Choose the sex."), field=name)
    return value


def _birth_date(_resident, name, value):
    if not isinstance(value, datetime.date):
        raise DomainError(_("Enter the date of birth."), field=name)
    if value > clock.today() or value < _FIRST_BIRTH_DATE:
        raise DomainError(_("The date of birth is not possible."), field=name)
    return value


def _postal_code(_resident, name, value):
    return normalize_postal_code(value, name)


def _phone(_resident, name, value):
    value = unicodedata.normalize("NFKC", _clean_text(name, value))
    if not _PHONE.fullmatch(value):
        raise DomainError(_("A phone number may contain only digits and hyphens."), field=name)
    return value


def _flag(_resident, _name, value):
    return bool(value)


def _note(_resident, name, value):
    value = _clean_text(name, value, multiline=True)
    if len(value) > NOTE_MAX_LENGTH:
        raise DomainError(_("The note is too long (2,000 characters at most)."), field=name)
    return value


def _mail_reason(_resident, name, value):
    value = value or ""
    if value and value not in MAIL_REASONS:
        raise DomainError(_("Choose the reason for the mailing address."), field=name)
    return value


def _plain_text(_resident, name, value):
    return _clean_text(name, value)


_CLEANERS = {
    "resident_no": _resident_no,
    "name": _name,
    "kana": _kana,
    "sex": _sex,
    "birth_date": _birth_date,
    "postal_code": _postal_code,
    "mail_postal_code": _postal_code,
    "phone": _phone,
    **dict.fromkeys(CATEGORY_COLUMNS.values(), _flag),
    "note": _note,
    "mail_reason": _mail_reason,
    "mail_kind": _plain_text,  # its code is checked with the whole 送付先
    # The other limited texts: address, address2, mail_name, mail_contact, mail_address.
    **{name: _plain_text for name in MAX_LENGTHS if name not in ("name", "kana", "phone")},
}


def _validate_master(resident, changes):
    """Clean every given field; return ``{field: value}`` ready to set.

    :raises DomainError: a value is refused, or the field cannot be changed.
    """
    clean = {}
    for name, value in changes.items():
        cleaner = _CLEANERS.get(name)
        if cleaner is None:
            raise DomainError(_("This field cannot be changed."), field=name)
        clean[name] = cleaner(resident, name, value)
    return clean


def _check_mailing(values):
    """The 送付先 is all or nothing: an address needs a postal code, a kind
    (and the name its kind prints: app.applications.destinations) and a
    reason (by default the kind's).  A kind alone is no 送付先 (its select
    keeps its value when the rest is emptied)."""
    if not any(values.get(f) for f in MAIL_FIELDS if f != "mail_kind"):
        return dict.fromkeys(MAIL_FIELDS)
    if not values.get("mail_address"):
        raise DomainError(_("Enter the mailing address."), field="mail_address")
    if not values.get("mail_postal_code"):
        raise DomainError(_("Enter the postal code of the mailing address."), "mail_postal_code")
    values = {**values, **destinations.check_kind(values)}
    return {f: values.get(f) or None for f in MAIL_FIELDS}


def _check_version(resident, expected_version):
    if expected_version is not None and resident.version != expected_version:
        raise Conflict(_("This person's record was changed in the meantime. Reload the page."))


@contextmanager
def _saving(resident) -> Iterator[None]:
    """One transaction for a change of ``resident``; a concurrent save of the
    same record (its version moved on) is a :class:`~app.errors.Conflict`."""
    try:
        with transaction():
            resident.updated_at = clock.now()
            yield
    except StaleDataError as exc:
        raise Conflict(
            _("This person's record was changed in the meantime. Reload the page.")
        ) from exc


# --- master data and 送付先 ------------------------------------------------------------


def _cleaned_changes(resident, changes, expected_version):
    """The checked values of ``changes``, the whole 送付先 when any part is given."""
    _check_version(resident, expected_version)
    clean = _validate_master(resident, changes)
    if any(f in changes for f in MAIL_FIELDS):
        current = {f: getattr(resident, f) for f in MAIL_FIELDS}
        current.update({f: clean[f] for f in MAIL_FIELDS if f in clean})
        clean.update(_check_mailing(current))
    return clean


def _deltas(resident, clean):
    """``(master, mail)`` changes ``{field: [before, after]}`` that setting
    ``clean`` would make, without setting anything."""
    fields = (*MASTER_FIELDS, *MAIL_FIELDS)
    after = SimpleNamespace(**{f: getattr(resident, f) for f in fields})
    vars(after).update(clean)
    return tuple(
        history.diff(history.snapshot(resident, group), history.snapshot(after, group))
        for group in (MASTER_FIELDS, MAIL_FIELDS)
    )


def update_resident(resident, changes, user, expected_version=None):
    """Correct a person's master data, 送付先 and note.

    :param changes: ``{field: new value}`` of :data:`MASTER_FIELDS` and
        :data:`MAIL_FIELDS`; fields left out keep their value.  Giving any 送付先
        field sets the whole 送付先 (blank values remove it).
    :param expected_version: the ``version`` the user edited.
    :returns: the changed field names (empty when nothing changed).
    :raises DomainError: a value is refused (nothing is saved).
    :raises Conflict: someone else saved the record in the meantime.
    """
    clean = _cleaned_changes(resident, changes, expected_version)
    master_delta, mail_delta = _deltas(resident, clean)
    if not master_delta and not mail_delta:
        return []
    fields = sorted(master_delta) + sorted(mail_delta)
    with _saving(resident):
        for name, value in clean.items():
            setattr(resident, name, value)
        if "name" in master_delta or "kana" in master_delta:
            resident.set_search_keys()
            resident.has_gaiji = has_gaiji(resident.name)
        if master_delta:
            history.record("resident", resident.id, resident.id, "update", master_delta, user=user)
        if mail_delta:
            history.record(
                "resident", resident.id, resident.id, "mail_address", mail_delta, user=user
            )
        audit.record(
            "resident.update",
            resident_no=resident.resident_no,
            detail={"fields": fields},
            user=user,
        )
    log.info("resident %s updated: %s", resident.id, ", ".join(fields))
    return fields


# --- exclusion, reinstatement, review ---------------------------------------------------


def _status_change(resident, action, values, user):
    with _saving(resident):
        before = history.snapshot(resident, EXCLUSION_FIELDS)
        for name, value in values.items():
            setattr(resident, name, value)
        delta = history.diff(before, history.snapshot(resident, EXCLUSION_FIELDS))
        history.record("resident", resident.id, resident.id, action, delta, user=user)
        audit.record(
            "resident.update",
            resident_no=resident.resident_no,
            detail={"action": action, "fields": sorted(delta)},
            user=user,
        )
    log.info("resident %s: %s", resident.id, action)


def exclude_resident(resident, reason, excluded_on, user, expected_version=None):
    """Exclude a person by hand (転出, 死亡, その他 ...).  Their passes stay on record.

    :raises DomainError: already excluded, unknown reason, no or future date.
    """
    _check_version(resident, expected_version)
    if resident.status == STATUS_EXCLUDED:
        raise DomainError(_("This person is already excluded."))
    if reason not in EXCLUSION_REASONS:
        raise DomainError(_("Choose the reason for the exclusion."), field="reason")
    if not isinstance(excluded_on, datetime.date):
        raise DomainError(_("Enter the date of the exclusion."), field="excluded_on")
    if excluded_on > clock.today():
        raise DomainError(_("The exclusion date cannot be in the future."), field="excluded_on")
    values = {"status": STATUS_EXCLUDED, "excluded_on": excluded_on, "exclusion_reason": reason}
    _status_change(resident, "exclude", values, user)


def reinstate_resident(resident, user, expected_version=None):
    """Make an excluded person active again (an exclusion made in error).

    :raises DomainError: the person is not excluded.
    """
    _check_version(resident, expected_version)
    if resident.status != STATUS_EXCLUDED:
        raise DomainError(_("This person is not excluded."))
    values = {
        "status": STATUS_ACTIVE,
        "excluded_on": None,
        "exclusion_reason": None,
        "needs_review": False,
    }
    _status_change(resident, "reinstate", values, user)


def clear_review(resident, user, expected_version=None):
    """Mark a person flagged by the host import (抽出対象外) as reviewed.

    :raises DomainError: nothing to review.
    """
    _check_version(resident, expected_version)
    if not resident.needs_review:
        raise DomainError(_("There is nothing to review for this person."))
    _status_change(resident, "review", {"needs_review": False}, user)
