"""The pass rules (交付の規則), checked before anything is written.

Each check raises :class:`~app.errors.DomainError` (or its
:class:`~app.errors.PermissionDenied` / :class:`~app.errors.Conflict`) with a
translated message and writes nothing; :mod:`app.passes.issuance` calls them
in order, then writes.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _

from app import clock
from app.errors import Conflict, DomainError, PermissionDenied
from app.passes.models import KINDS, METHODS, REISSUE_REASONS
from app.passes.queries import lost_reissues
from app.passes.rows import HISTORY_FIELDS
from app.security.roles import is_branch_only, is_supervisor
from app.text.controls import has_control_characters
from app.text.wareki import fiscal_year_of, format_fiscal_year, format_wareki

__all__ = [
    "NOTE_MAX_LENGTH",
    "check_branch_rules",
    "check_correction",
    "check_dates",
    "check_not_already_valid",
    "check_note",
    "check_past_fiscal_year",
    "check_reissue",
    "check_request",
]

NOTE_MAX_LENGTH = 2000
# Fields a correction may not touch: they identify the pass or follow from reissues.
FIXED_FIELDS = ("status", "control_no", "fiscal_year")


def check_dates(applied_on: date | None, issued_on: date | None, today: date | None = None) -> None:
    """Both dates given, the application on or before the issue, no future issue."""
    today = today or clock.today()
    if applied_on is None:
        raise DomainError(_("Enter the application date."), field="applied_on")
    if issued_on is None:
        raise DomainError(_("Enter the issue date."), field="issued_on")
    if applied_on > issued_on:
        raise DomainError(
            _("The issue date cannot be earlier than the application date."), field="issued_on"
        )
    if issued_on > today:
        raise DomainError(_("The issue date cannot be in the future."), field="issued_on")


def check_note(note: str | None, field: str = "note") -> None:
    """A pass's note (or a reason) holds at most :data:`NOTE_MAX_LENGTH`
    characters and no control characters but line breaks and tabs."""
    if note and len(note) > NOTE_MAX_LENGTH:
        raise DomainError(_("The note is too long (2,000 characters at most)."), field=field)
    if has_control_characters(note, multiline=True):
        raise DomainError(_("This field cannot contain control characters."), field=field)


def check_past_fiscal_year(
    issued_on: date, confirmed_year: int | None, today: date | None = None
) -> None:
    """A pass issued on a day of an earlier fiscal year than today's is a pass
    of that year: the screen asks the user to confirm it, naming the year.

    :param confirmed_year: the fiscal year the user confirmed (the form's
        check box), or None.
    """
    fiscal_year = fiscal_year_of(issued_on)
    if fiscal_year >= fiscal_year_of(today or clock.today()) or confirmed_year == fiscal_year:
        return
    raise DomainError(
        _(
            "The issue date %(day)s is in %(year)s, an earlier fiscal year: the pass "
            "would be a pass of %(year)s. To record it so, tick the box below."
        )
        % {"day": format_wareki(issued_on), "year": format_fiscal_year(fiscal_year)},
        field="issued_on",
    )


def check_request(
    resident: Any,
    kind: str,
    method: str,
    office: Any,
    note: str | None,
    applied_on: date | None,
    issued_on: date | None,
    override_reason: str | None = None,
) -> None:
    """The form of an issue: a known kind and method, an office, a short
    clean note (and reason), an active person and possible dates."""
    if kind not in KINDS:
        raise DomainError(_("Choose the kind of issue."), field="kind")
    if method not in METHODS:
        raise DomainError(_("Choose the method of issue."), field="method")
    if office is None:
        raise DomainError(_("Choose the office."), field="office")
    check_note(note)
    check_note(override_reason, "override_reason")
    if not resident.is_active:
        raise DomainError(_("This person is excluded; no pass can be issued."))
    check_dates(applied_on, issued_on)


def check_branch_rules(user: Any, office: Any, method: str) -> None:
    """BranchStaff record counter issues at their own office only."""
    # app.security.roles is not annotated yet; its predicates return bool.
    if not is_branch_only(user):  # type: ignore[no-untyped-call]
        return
    if getattr(user, "office_id", None) != office.id:
        raise PermissionDenied(_("You can record issues only at your own office."))
    if method != "counter":
        raise PermissionDenied(_("Branch offices record counter issues only."))


def check_reissue(
    resident_id: int,
    fiscal_year: int,
    current: Any,
    reissue_reason: str | None,
    supersedes_id: int | None,
    override_reason: str | None,
    user: Any,
) -> None:
    """A reissue (再交付) replaces the valid pass the user saw; a second
    lost-pass reissue in a year needs a supervisor and a reason.

    :param current: the person's valid pass of ``fiscal_year``, or None.
    :param supersedes_id: the id of the pass the user saw as current; a
        mismatch means a double submission or a concurrent change.
    """
    if reissue_reason not in REISSUE_REASONS:
        raise DomainError(_("Choose the reason for the reissue."), field="reissue_reason")
    if current is None:
        raise DomainError(_("There is no valid pass in this fiscal year to reissue."))
    if supersedes_id is not None and current.id != supersedes_id:
        raise Conflict(_("The pass was changed in the meantime. Reload the page."))
    if reissue_reason == "lost" and lost_reissues(resident_id, fiscal_year) >= 1:
        _check_second_lost_reissue(user, override_reason)


def _check_second_lost_reissue(user: Any, override_reason: str | None) -> None:
    if not is_supervisor(user):  # type: ignore[no-untyped-call]  # see check_branch_rules
        raise PermissionDenied(
            _(
                "A lost pass can be reissued only once per fiscal year; "
                "a second reissue needs a supervisor."
            )
        )
    if not (override_reason or "").strip():
        raise DomainError(
            _("Enter the reason for the second reissue of a lost pass."),
            field="override_reason",
        )


def check_not_already_valid(current: Any) -> None:
    """A new or renewed pass needs the person to hold no valid pass that year."""
    if current is not None:
        raise DomainError(
            _("This person already has a valid pass for this fiscal year (No. %(no)s).")
            % {"no": current.control_no}
        )


def check_correction(
    issuance: Any, changes: Mapping[str, Any], expected_version: int | None = None
) -> None:
    """The rules of a correction of a pass record.

    :param changes: ``{field: new value}``; fields left out keep their value.
    :param expected_version: the version the user edited; a mismatch is a conflict.
    """
    if expected_version is not None and issuance.version != expected_version:
        raise Conflict(_("The pass was changed in the meantime. Reload the page."))
    issued = changes.get("issued_on", issuance.issued_on)
    check_dates(changes.get("applied_on", issuance.applied_on), issued)
    _check_return_dates(
        issued,
        changes.get("returned_on", issuance.returned_on),
        changes.get("resent_on", issuance.resent_on),
    )
    check_note(changes.get("note"))
    for field in changes:
        if field not in HISTORY_FIELDS or field in FIXED_FIELDS:
            raise DomainError(_("This field cannot be changed."), field=field)


def _check_return_dates(issued: date, returned: date | None, resent: date | None) -> None:
    if returned and returned < issued:
        raise DomainError(_("The return date cannot be before the issue date."), "returned_on")
    if resent and (not returned or resent < returned):
        raise DomainError(_("The resend date must be on or after the return date."), "resent_on")
    if returned and returned > clock.today():
        raise DomainError(_("The return date cannot be in the future."), "returned_on")
    if resent and resent > clock.today():
        raise DomainError(_("The resend date cannot be in the future."), "resent_on")
