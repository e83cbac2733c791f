"""The one way to make a pass (交付記録) row: its columns, its 送付先 and its
``create`` history, whoever creates it.

The counter (:func:`app.passes.issuance.issue_pass`) builds an ORM row from
:func:`pass_values`; the mass mailing, the ledger migration and the demo data
write many at once with :func:`insert_passes` or :mod:`app.db.bulk`.  The
control number is allocated by the caller
(:func:`app.passes.numbers.allocate_control_numbers`), inside its transaction.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import insert

from app.applications import addressing
from app.extensions import db
from app.history.models import ChangeLog
from app.passes.models import STATUS_VALID, Issuance

# The fields whose before → after make a pass's change history.
HISTORY_FIELDS = (
    "fiscal_year",
    "control_no",
    "kind",
    "reissue_reason",
    "applied_on",
    "issued_on",
    "office_id",
    "method",
    "status",
    "returned_on",
    "resent_on",
    "note",
)

MAIL_COLUMNS = (
    "mail_to_name",
    "mail_to_postal_code",
    "mail_to_address",
    "mail_to_address2",
    "mail_to_care_of",
    "mail_to_kind",
    "mail_to_contact",
)


class Addressee(Protocol):
    """What :func:`mailing_destination` reads of a resident (a row or an object)."""

    name: str
    postal_code: str | None
    address: str | None
    address2: str | None
    mail_name: str | None
    mail_postal_code: str | None
    mail_address: str | None
    mail_reason: str | None
    mail_kind: str | None
    mail_contact: str | None


# The line above the addressee when the pass goes to someone else's address
# (「〇〇ホーム　気付」, 「山田　花子　様方」, 「成年後見人　山田　花子　様」): see
# app.applications.addressing.  The resident is always the addressee (様).
FAMILY_SUFFIX = addressing.FAMILY_SUFFIX
CARE_OF_SUFFIX = addressing.CARE_OF_SUFFIX
CARE_OF_SUFFIXES = addressing.CARE_OF_SUFFIXES


def _kind(resident: Addressee) -> str | None:
    """The 送付先's kind; ``None`` for a row that carries none (a 送付先 from
    the ledger migration or the demo data: printed by its reason, as before)."""
    return getattr(resident, "mail_kind", None)


def _care_of_line(resident: Addressee) -> str | None:
    """The 気付 / 様方 / representative's line of a 送付先, or ``None`` when
    its 宛名 is the resident (or empty): the line is frozen on the pass as it
    is printed, within the pass's column."""
    return addressing.care_of_line(
        _kind(resident),
        resident.mail_name,
        resident_name=resident.name,
        mail_reason=resident.mail_reason,
        mail_contact=getattr(resident, "mail_contact", None),
        room=Issuance.__table__.c.mail_to_care_of.type.length,
    )


def mailing_destination(resident: Addressee) -> dict[str, str | None]:
    """Where a pass for ``resident`` is mailed: the 送付先 when set, else home.

    The addressee (``name``) is always the resident; a 送付先 whose 宛名 is
    someone else gives the ``care_of`` line printed above it, with its 気付,
    様方 or (a representative) 様, and its ``kind``; a facility's 担当 is its
    ``contact``.

    :returns: dict with ``name, postal_code, address, address2, care_of,
        kind, contact``.
    """
    if resident.mail_address:
        return {
            "name": resident.name,
            "postal_code": resident.mail_postal_code or "",
            "address": resident.mail_address,
            "address2": "",
            "care_of": _care_of_line(resident),
            "kind": _kind(resident),
            "contact": addressing.contact_of(
                _kind(resident), getattr(resident, "mail_contact", None)
            ),
        }
    return {
        "name": resident.name,
        "postal_code": resident.postal_code,
        "address": resident.address,
        "address2": resident.address2,
        "care_of": None,
        "kind": None,
        "contact": None,
    }


def mail_columns(destination: Mapping[str, str | None] | None) -> dict[str, str | None]:
    """The pass's frozen 送付先 columns from a :func:`mailing_destination`."""
    if destination is None:
        return dict.fromkeys(MAIL_COLUMNS)
    return {
        "mail_to_name": destination["name"],
        "mail_to_postal_code": destination["postal_code"],
        "mail_to_address": destination["address"],
        "mail_to_address2": destination["address2"],
        "mail_to_care_of": destination["care_of"],
        "mail_to_kind": destination.get("kind"),
        "mail_to_contact": destination.get("contact"),
    }


def pass_values(
    *,
    resident_id: int,
    fiscal_year: int,
    control_no: int,
    kind: str,
    applied_on: date,
    issued_on: date,
    office_id: int,
    method: str,
    created_by_id: int | None,
    now: datetime,
    destination: Mapping[str, str | None] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The columns of a new pass.

    :param destination: the :func:`mailing_destination` of a mailed pass
        (frozen on the pass); ignored for a counter issue.
    :param extra: further columns (``reissue_reason``, ``note``,
        ``override_reason``, ``status``, ``returned_on``, ``resent_on``, ``id``,
        ``created_at`` …); unknown names are refused.
    """
    unknown = set(extra) - set(Issuance.__table__.c.keys())
    if unknown:
        raise TypeError(f"not columns of a pass: {sorted(unknown)}")
    values: dict[str, Any] = {
        "resident_id": resident_id,
        "fiscal_year": fiscal_year,
        "control_no": control_no,
        "kind": kind,
        "reissue_reason": None,
        "applied_on": applied_on,
        "issued_on": issued_on,
        "office_id": office_id,
        "method": method,
        "status": STATUS_VALID,
        "note": None,
        "override_reason": None,
        "created_by_id": created_by_id,
        "created_at": now,
        "updated_at": now,
        "version": 1,
        **mail_columns(destination if method == "mail" else None),
    }
    values.update(extra)
    return values


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def creation_changes(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The ``create`` history's ``{field: [None, value]}`` of a new pass."""
    return {f: [None, _plain(values[f])] for f in HISTORY_FIELDS if values.get(f)}


def creation_history(
    issuance_id: int,
    values: Mapping[str, Any],
    *,
    user_id: int | None,
    source: str | None,
    now: datetime,
) -> dict[str, Any]:
    """The ``create`` history row of a new pass (a dict for a bulk insert)."""
    return {
        "entity": "issuance",
        "entity_id": issuance_id,
        "resident_id": values["resident_id"],
        "action": "create",
        "changes": creation_changes(values),
        "user_id": user_id,
        "source": source,
        "changed_at": now,
    }


def insert_passes(
    values: Sequence[Mapping[str, Any]],
    *,
    user_id: int | None,
    source: str,
    now: datetime,
) -> list[int]:
    """Insert many new passes with their ``create`` history, in the caller's
    transaction.

    :returns: the new passes' ids, in the order of ``values``.
    """
    if not values:
        return []
    table = Issuance.__table__
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids: list[int] = list(db.session.execute(statement, list(values)).scalars().all())
    history: Iterable[dict[str, Any]] = [
        creation_history(issuance_id, row, user_id=user_id, source=source, now=now)
        for issuance_id, row in zip(ids, values, strict=True)
    ]
    db.session.execute(insert(ChangeLog.__table__), list(history))
    return ids
