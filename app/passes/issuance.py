"""Applications and issue of passes (交付), and corrections of a pass record.

Every service here checks the rules of :mod:`app.passes.rules` first (a
:class:`~app.errors.DomainError` with a translated message, nothing written),
then writes the rows, history and access log inside one
:func:`~app.db.transaction.transaction`.

The 整理番号 counter is :mod:`app.passes.numbers`; the look-ups the rules need
are :mod:`app.passes.queries`.
"""

import logging
from datetime import date
from types import SimpleNamespace
from typing import Any

from flask_babel import gettext as _

from app import clock
from app.audit import writer as audit
from app.db.transaction import transaction
from app.extensions import db
from app.history import services as history
from app.passes.models import STATUS_SUPERSEDED, STATUS_VALID, Issuance
from app.passes.numbers import allocate_control_numbers
from app.passes.queries import valid_pass
from app.passes.rows import HISTORY_FIELDS, creation_changes, mailing_destination, pass_values
from app.passes.rules import (
    check_branch_rules,
    check_correction,
    check_not_already_valid,
    check_reissue,
    check_request,
)
from app.text.wareki import fiscal_year_of

__all__ = ["issue_pass", "update_issuance"]

log = logging.getLogger(__name__)


def issue_pass(
    resident: Any,
    *,
    kind: str,
    applied_on: date,
    issued_on: date,
    office: Any,
    method: str,
    user: Any,
    fiscal_year: int | None = None,
    reissue_reason: str | None = None,
    note: str | None = None,
    override_reason: str | None = None,
    supersedes_id: int | None = None,
    submission_token: str | None = None,
    control_no: int | None = None,
    application: dict[str, Any] | None = None,
) -> Any:
    """Record an application and the issue of a pass (inside a caller's
    :func:`~app.db.transaction.transaction`, many issues make one transaction).

    :param kind: ``new``, ``renewal`` or ``reissue``.
    :param fiscal_year: the pass's fiscal year; by default that of ``issued_on``.
    :param supersedes_id: for a reissue, the id of the pass the user saw as
        current; a mismatch means a double submission or a concurrent change.
    :param override_reason: a supervisor's reason for a second lost-pass reissue.
    :param submission_token: the id of the form that sent it (unique: one form, one pass).
    :param control_no: a 整理番号 the caller allocated in its transaction (the
        March applications' series, :mod:`app.march.numbers`); by default the
        next of the year's counter.
    :param application: who applied (checked by ``app.applications``); none: not recorded.
    :returns: the new :class:`~app.passes.models.Issuance`.
    :raises DomainError: when a rule refuses; nothing is saved.
    """
    check_request(resident, kind, method, office, note, applied_on, issued_on, override_reason)
    check_branch_rules(user, office, method)
    fiscal_year = fiscal_year or fiscal_year_of(issued_on)
    current = valid_pass(resident.id, fiscal_year)
    if kind == "reissue":
        check_reissue(
            resident.id, fiscal_year, current, reissue_reason, supersedes_id, override_reason, user
        )
    else:
        reissue_reason = None
        check_not_already_valid(current)
    fields = {
        "fiscal_year": fiscal_year,
        "kind": kind,
        "applied_on": applied_on,
        "issued_on": issued_on,
        "method": method,
        "reissue_reason": reissue_reason,
        "note": note or None,
        "override_reason": override_reason or None,
        "submission_token": submission_token or None,
        "control_no": control_no,
        **(application or {}),
    }
    return _record(resident, office, user, current, fields)


def _record(resident: Any, office: Any, user: Any, current: Any, fields: dict[str, Any]) -> Any:
    """Write the pass (:func:`_write_pass`) and its access log in one transaction."""
    with transaction(
        conflict=_("This person already has a valid pass for this fiscal year. Reload the page.")
    ):
        issuance = _write_pass(resident, office, user, current, fields)
        _log_issue(resident, issuance, office, user)
    log.info(
        "issued pass %s-%s (%s) to resident %s",
        fields["fiscal_year"],
        issuance.control_no,
        fields["kind"],
        resident.id,
    )
    return issuance


def _write_pass(resident: Any, office: Any, user: Any, current: Any, fields: dict[str, Any]) -> Any:
    """Add the pass with its 整理番号, replacing ``current`` (a reissue), and
    their history.

    :param fields: the request's arguments of :func:`~app.passes.rows.pass_values`.
    """
    fields = dict(fields)
    values = pass_values(
        resident_id=resident.id,
        control_no=fields.pop("control_no", None)
        or allocate_control_numbers(fields["fiscal_year"])[0],
        office_id=office.id,
        created_by_id=getattr(user, "id", None),
        now=clock.now(),
        destination=mailing_destination(resident) if fields["method"] == "mail" else None,
        **fields,
    )
    # Declarative Column attributes are untyped here: the row is read as Any.
    issuance: Any = Issuance(**values)
    if current is not None:
        # Free the "one valid pass" slot before the new row takes it.
        current.status = STATUS_SUPERSEDED
        current.updated_at = clock.now()
        db.session.flush()
    db.session.add(issuance)
    db.session.flush()
    if current is not None:
        current.superseded_by_id = issuance.id
        history.record(
            "issuance",
            current.id,
            resident.id,
            "supersede",
            {"status": [STATUS_VALID, STATUS_SUPERSEDED]},
            user=user,
        )
    history.record(
        "issuance", issuance.id, resident.id, "create", creation_changes(values), user=user
    )
    return issuance


def _log_issue(resident: Any, issuance: Any, office: Any, user: Any) -> None:
    # app.audit.writer is not annotated yet (its record() returns the row).
    audit.record(  # type: ignore[no-untyped-call]
        "issuance.create",
        resident_no=resident.resident_no,
        target=f"{issuance.fiscal_year}-{issuance.control_no}",
        detail={"kind": issuance.kind, "method": issuance.method, "office": office.code},
        user=user,
    )


def _correction_action(delta: dict[str, list[Any]]) -> str:
    """What a correction amounts to: entering only a 返戻日 (or only a 再送日)
    where there was none is a return (or a resend), as if recorded on the
    returns screen; anything else is a correction."""
    for field, action in (("returned_on", "return"), ("resent_on", "resend")):
        if set(delta) == {field} and delta[field][0] is None:
            return action
    return "update"


def update_issuance(
    issuance: Any,
    changes: dict[str, Any],
    user: Any,
    expected_version: int | None = None,
) -> Any:
    """Correct a pass record, keeping the previous values in its history.

    :param changes: ``{field: new_value}`` of fields in :data:`HISTORY_FIELDS`.
    :param expected_version: the version the user edited; a mismatch is a conflict.
    :returns: ``issuance``; unchanged (nothing written) when nothing differs.
    """
    check_correction(issuance, changes, expected_version)
    before = history.snapshot(issuance, HISTORY_FIELDS)
    after = {**before, **history.snapshot(SimpleNamespace(**changes), changes)}
    delta = history.diff(before, after)
    if not delta:
        return issuance
    action = _correction_action(delta)
    with transaction():
        for field, value in changes.items():
            setattr(issuance, field, value)
        issuance.updated_at = clock.now()
        history.record("issuance", issuance.id, issuance.resident_id, action, delta, user=user)
        audit.record(  # type: ignore[no-untyped-call]  # see _log_issue
            f"issuance.{action}",
            resident_no=issuance.resident.resident_no,
            target=f"{issuance.fiscal_year}-{issuance.control_no}",
            detail={"fields": sorted(delta)},
            user=user,
        )
    return issuance
