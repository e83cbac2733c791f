"""Returned mail (返戻) in bulk, and the 返戻未解決 rule of the mass mailing.

* :func:`record_returns` — many 整理番号 at once (typed or scanned one after
  another, or a file of scanned numbers), each recorded by
  :func:`app.passes.returns.record_return` or refused with the reason; the
  ones recorded are written in one transaction.
* :func:`unresolved_returns` — the people whose last letter came back and was
  not sent again: they are not mailed in the next mass mailing until the
  address changes (a host extract or a 送付先 edit after the return: the
  address now differs from where the letter went), the letter is resent, a
  later pass is issued, or a clerk clears it (:func:`clear_return`).
"""

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, exists, or_, select
from sqlalchemy.orm import aliased

from app import clock
from app.audit import writer as audit
from app.db.transaction import transaction
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.history import services as history
from app.mailing.models import ReturnClearance
from app.mailing.scan import EMPTY, ZERO, ScanError, ScannedNumber, parse_lines, parse_scanned
from app.passes import returns
from app.passes.models import Issuance
from app.passes.rows import mailing_destination

log = logging.getLogger(__name__)

# What the current address is compared on with where the letter went.
ADDRESS_FIELDS = (
    ("postal_code", "mail_to_postal_code"),
    ("address", "mail_to_address"),
    ("address2", "mail_to_address2"),
)
MAX_LINES = 2000
REASON_MAX = 500


@dataclass
class Answer:
    """What became of one typed, scanned or listed number."""

    text: str
    ok: bool
    message: str
    reason: str | None = None
    fiscal_year: int | None = None
    control_no: int | None = None
    resident_no: str | None = None
    name: str | None = None
    line: int | None = None

    def as_json(self) -> dict[str, Any]:
        found = {"input": self.text.strip(), "fiscal_year": self.fiscal_year,
                 "control_no": self.control_no}  # fmt: skip
        if self.line is not None:
            found["line"] = self.line
        if self.ok:
            return {**found, "resident_no": self.resident_no}
        return {**found, "reason": self.reason, "message": self.message}


@dataclass
class Outcome:
    """The answers of a batch, in input order."""

    answers: list[Answer] = field(default_factory=list)

    @property
    def recorded(self) -> list[Answer]:
        return [a for a in self.answers if a.ok]

    @property
    def refused(self) -> list[Answer]:
        return [a for a in self.answers if not a.ok]

    def as_json(self) -> dict[str, Any]:
        return {
            "recorded": [a.as_json() for a in self.recorded],
            "refused": [a.as_json() for a in self.refused],
        }


def scan_message(error: ScanError) -> str:
    """Why a scanned line is not a 整理番号, in words."""
    if error.code == EMPTY:
        return _("The line is empty.")
    if error.code == ZERO:
        return _("%(text)s is not a control number: numbers start at 1.") % {
            "text": error.text.strip()
        }
    return _(
        "%(text)s is not a control number: enter digits (e.g. 123 or 2026-123); "
        "a check character or barcode start and stop characters at the ends are taken off."
    ) % {"text": error.text.strip()[:40]}


def _refusal(exc: DomainError) -> str:
    if isinstance(exc, NotFound):
        return "unknown"
    if isinstance(exc, Conflict):
        return "already_returned"
    return "refused"


def _counter_refusal(issuance: Issuance) -> str:
    return "counter" if issuance.method != "mail" else "refused"


def _answer_one(scanned: ScannedNumber, on: date, user: Any) -> Answer:
    """Record one return inside the caller's transaction, or say why not."""
    answer = Answer(
        text=scanned.text, ok=False, message="",
        fiscal_year=scanned.fiscal_year, control_no=scanned.control_no,
    )  # fmt: skip
    try:
        issuance = returns.find_pass(f"{scanned.fiscal_year}-{scanned.control_no}", 0)
    except DomainError as exc:
        answer.reason, answer.message = _refusal(exc), str(exc.message)
        return answer
    answer.resident_no, answer.name = issuance.resident.resident_no, issuance.resident.name
    try:
        returns.record_return(issuance, user, on=on)
    except DomainError as exc:
        reason = _refusal(exc)
        answer.reason = _counter_refusal(issuance) if reason == "refused" else reason
        answer.message = str(exc.message)
        return answer
    answer.ok = True
    answer.message = _("No. %(no)s (%(name)s): recorded as returned.") % {
        "no": issuance.control_no,
        "name": issuance.resident.name,
    }
    return answer


def check_day(on: date | None) -> date:
    """The 返戻日 (default today).

    :raises DomainError: a day in the future.
    """
    on = on or clock.today()
    if on > clock.today():
        raise DomainError(_("The return date cannot be in the future."), field="returned_on")
    return on


def record_returns(
    lines: list[tuple[int | None, ScannedNumber | ScanError]], on: date | None, user: Any
) -> Outcome:
    """Record the returns of ``lines`` (from :func:`read_lines` or
    :func:`read_one`) on the day ``on``; those recorded in one transaction.

    :raises DomainError: a return date in the future, or too many lines.
    """
    day = check_day(on)
    if len(lines) > MAX_LINES:
        raise DomainError(
            _("Enter at most %(n)s numbers at a time.") % {"n": MAX_LINES}, field="file"
        )
    outcome = Outcome()
    with transaction():
        for line_no, item in lines:
            if isinstance(item, ScanError):
                answer = Answer(text=item.text, ok=False, reason="not_a_number",
                                message=scan_message(item))  # fmt: skip
            else:
                answer = _answer_one(item, day, user)
            answer.line = line_no
            outcome.answers.append(answer)
    log.info("returns: %d recorded, %d refused", len(outcome.recorded), len(outcome.refused))
    return outcome


def read_one(text: str, fiscal_year: int) -> list[tuple[int | None, ScannedNumber | ScanError]]:
    """One typed or scanned number as the ``lines`` of :func:`record_returns`."""
    try:
        return [(None, parse_scanned(text, fiscal_year))]
    except ScanError as exc:
        return [(None, exc)]


def read_lines(data: bytes | str, fiscal_year: int) -> list[tuple[int | None, Any]]:
    """The numbers of a file of scanned numbers, one per line (UTF-8 or
    Shift_JIS/CP932, as a scanner's PC writes it).

    :raises DomainError: when the file is not text.
    """
    if isinstance(data, bytes):
        text = None
        for encoding in ("utf-8-sig", "cp932"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if text is None or "\x00" in text:
            raise DomainError(_("The file is not a text file of numbers."), field="file")
        data = text
    found = list(parse_lines(data, fiscal_year))
    if not found:
        raise DomainError(_("The file has no numbers."), field="file")
    return list(found)


# --- 返戻未解決 -----------------------------------------------------------------


# Built once per process: the alias and the two EXISTS cost more to build than
# the query costs to run (the person's page: 1.9 ms built each view, 0.3 ms
# run).  Statements are immutable, so sharing them between threads is safe.
@functools.cache
def _open_returns_query() -> Any:
    """Passes whose letter came back, not sent again, the person's latest
    pass, and not cleared since the return."""
    later = aliased(Issuance)
    cleared = exists().where(
        ReturnClearance.issuance_id == Issuance.id,
        ReturnClearance.cleared_on >= Issuance.returned_on,
    )
    newer = exists().where(
        later.resident_id == Issuance.resident_id,
        or_(
            later.issued_on > Issuance.issued_on,
            and_(later.issued_on == Issuance.issued_on, later.id > Issuance.id),
        ),
    )
    return select(
        Issuance.id,
        Issuance.resident_id,
        Issuance.returned_on,
        *(getattr(Issuance, column) for _key, column in ADDRESS_FIELDS),
    ).where(
        Issuance.returned_on.is_not(None),
        Issuance.resent_on.is_(None),
        Issuance.method == "mail",
        ~newer,
        ~cleared,
    )


def _same_place(row: Any, destination: dict[str, str | None]) -> bool:
    return all(
        (destination.get(key) or "").strip() == (getattr(row, column) or "").strip()
        for key, column in ADDRESS_FIELDS
    )


def open_returns(resident_ids: list[int] | None = None) -> dict[int, Any]:
    """``{resident_id: row}`` of the returned letters not resolved by a resend,
    a later pass or a clerk (the address is not compared here).  The rows are
    few (the partial index ``ix_issuance_returned_open``)."""
    if resident_ids is None:
        rows = db.session.execute(_open_returns_query())
    else:
        rows = db.session.execute(_open_returns_of(), {"resident_ids": list(resident_ids)})
    return {row.resident_id: row for row in rows}


@functools.cache
def _open_returns_of() -> Any:
    return _open_returns_query().where(
        Issuance.resident_id.in_(bindparam("resident_ids", expanding=True))
    )


def is_unresolved(row: Any, destination: dict[str, str | None]) -> bool:
    """Whether the open return ``row`` still holds: the person's address is
    where the letter went (an address changed since resolves it)."""
    return row is not None and _same_place(row, destination)


def _may_be_open(passes: Sequence[Any]) -> bool:
    """Whether one of ``passes`` meets the first three conditions of
    :func:`_open_returns_query` (returned, not resent, sent by post)."""
    return any(
        p.returned_on is not None and p.resent_on is None and p.method == "mail" for p in passes
    )


def unresolved_for(resident: Any, passes: Sequence[Any] | None = None) -> Any:
    """The person's unresolved returned pass (a row of id, returned_on …), or None.

    :param passes: every pass of the person, when already loaded: without a
        letter that came back and was not sent again there is nothing to look
        up (most people), and no statement is run.
    """
    if passes is not None and not _may_be_open(passes):
        return None
    row = open_returns([resident.id]).get(resident.id)
    return row if is_unresolved(row, mailing_destination(resident)) else None


def clear_return(resident: Any, user: Any, reason: str) -> ReturnClearance:
    """A clerk clears the person's unresolved return (返戻未解決の解除), with the reason.

    :raises DomainError: no reason given, or nothing to clear.
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Write why the returned mail is cleared."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(
            _("Write the reason in %(n)s characters or fewer.") % {"n": REASON_MAX},
            field="reason",
        )
    row = unresolved_for(resident)
    if row is None:
        raise Conflict(_("This person has no returned mail to clear."))
    with transaction():
        clearance = ReturnClearance(
            issuance_id=row.id, resident_id=resident.id, reason=reason,
            cleared_on=clock.today(), cleared_by_id=getattr(user, "id", None),
            cleared_at=clock.now(),
        )  # fmt: skip
        db.session.add(clearance)
        db.session.flush()
        changes = {"return_cleared": [None, reason]}
        history.record("issuance", row.id, resident.id, "return_cleared", changes, user=user)
        audit.record(
            "issuance.update",
            resident_no=resident.resident_no,
            target=f"return_clearance:{clearance.id}",
            detail={"action": "return_cleared"},
            user=user,
        )
    return clearance
