"""What importing one ledger would do, computed without writing anything.

:func:`make_plan` takes what the reader read (:class:`app.ledger.Ledger`) and
what the database holds (:class:`Snapshot`) and decides, row by row, the cases
of the specification's table: people matched with the host's 事業対象者 (their
送付先 and 備考 taken in, differences listed), unknown people created as
excluded, passes created, already present, or rejected.  The check run stops
here; the import writes the plan (:mod:`app.migration.apply`).
"""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.ledger import Ledger, PassRow, PersonRow
from app.text.wareki import format_wareki

log = logging.getLogger(__name__)

NOT_EXTRACTED = "not_extracted"
REISSUE = "reissue"


@dataclass(frozen=True, slots=True)
class KnownResident:
    """A resident already in the application (the columns the plan reads)."""

    id: int
    resident_no: str
    name: str
    birth_date: date
    mail_name: str | None
    mail_postal_code: str | None
    mail_address: str | None
    mail_reason: str | None
    note: str | None
    status: str = "active"


@dataclass(frozen=True, slots=True)
class KnownPass:
    """A pass already in the application, in one of the ledger's years."""

    id: int
    fiscal_year: int
    control_no: int
    resident_id: int
    status: str
    kind: str
    issued_on: date
    from_ledger: bool


@dataclass
class Snapshot:
    """What the database holds that the plan compares with."""

    residents: dict[str, KnownResident]
    passes: list[KnownPass]
    offices: dict[str, int]

    def __post_init__(self) -> None:
        self.by_number = {(p.fiscal_year, p.control_no): p for p in self.passes}
        self.by_person: dict[tuple[int, int], list[KnownPass]] = defaultdict(list)
        for known in self.passes:
            self.by_person[known.resident_id, known.fiscal_year].append(known)


@dataclass(frozen=True, slots=True)
class Item:
    """One line of the report's lists (``kind`` rejected, mismatch or notice)."""

    kind: str
    sheet: str
    row: int | None
    column: str
    reason: str
    code: str = ""
    resident_no: str | None = None
    value: str | None = None
    app_value: str | None = None


@dataclass
class NewPass:
    """A pass the import creates; ``superseded_by`` indexes another new pass."""

    row: PassRow
    valid: bool = True
    superseded_by: int | None = None
    # an application pass issued after this one (a reissue at the counter)
    superseded_by_existing: int | None = None


@dataclass
class Plan:
    """Everything an import would write, and the report's figures."""

    new_people: list[PersonRow] = field(default_factory=list)
    updates: list[tuple[KnownResident, dict[str, Any]]] = field(default_factory=list)
    new_passes: list[NewPass] = field(default_factory=list)
    # existing pass id -> index of the new pass (a later reissue) replacing it
    superseded_existing: dict[int, int] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)
    people: Counter[str] = field(default_factory=Counter)
    passes: Counter[str] = field(default_factory=Counter)
    already_present: list[PassRow] = field(default_factory=list)
    rejected_rows: Counter[str] = field(default_factory=Counter)
    rejected_reasons: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    mismatched_people: set[str] = field(default_factory=set)

    def reject(
        self, sheet: str, row: int, column: str, reason: str, code: str, **extra: Any
    ) -> None:
        self.items.append(Item("rejected", sheet, row, column, reason, code, **extra))
        self.rejected_reasons[sheet][reason] += 1


def _squeezed(text: str | None) -> str:
    return "".join((text or "").split())


def _compare(plan: Plan, person: PersonRow, known: KnownResident) -> None:
    """List a different 氏名 (spaces ignored) or 生年月日; nothing changes."""
    pairs = (
        (
            "氏名",
            "name_differs",
            person.name,
            known.name,
            _squeezed(person.name) != _squeezed(known.name),
        ),
        (
            "生年月日",
            "birth_date_differs",
            format_wareki(person.birth_date),
            format_wareki(known.birth_date),
            person.birth_date != known.birth_date,
        ),
    )
    for column, code, ledger_value, app_value, differs in pairs:
        if differs:
            plan.items.append(
                Item(
                    "mismatch",
                    person.sheet,
                    person.row,
                    column,
                    f"{column}が事業対象者（ホスト）と異なります。ホストの値のままです。",
                    code,
                    person.resident_no,
                    ledger_value,
                    app_value,
                )
            )
            plan.mismatched_people.add(person.resident_no)


def _exclusion_notice(plan: Plan, person: PersonRow, known: KnownResident) -> None:
    """The ledger says excluded, the host says eligible: the host stands; noted."""
    if known.status != "active" or not (person.excluded_on or person.exclusion_reason):
        return
    said = format_wareki(person.excluded_on) if person.excluded_on else ""
    plan.items.append(
        Item(
            "notice",
            person.sheet,
            person.row,
            "除外事由",
            "台帳では除外とされていますが、ホストでは事業対象者です。ホストの状態のままです。",
            "exclusion_differs",
            person.resident_no,
            f"{said} {person.exclusion_reason or ''}".strip(),
            "事業対象者",
        )
    )


def _mail_changes(plan: Plan, person: PersonRow, known: KnownResident) -> dict[str, Any]:
    """The ledger's 送付先 when the application has none; a difference is listed."""
    if not person.mail_address:
        return {}
    if not known.mail_address:
        values = {
            "mail_name": person.mail_name,
            "mail_postal_code": person.mail_postal_code,
            "mail_address": person.mail_address,
            "mail_reason": person.mail_reason or "other",
        }
        return {k: v for k, v in values.items() if v != getattr(known, k)}
    if _squeezed(known.mail_address) != _squeezed(person.mail_address):
        plan.items.append(
            Item(
                "mismatch",
                person.sheet,
                person.row,
                "送付先住所",
                "送付先がアプリケーションの送付先と異なります。アプリケーションの送付先のままです。",
                "mail_address_differs",
                person.resident_no,
                person.mail_address,
                known.mail_address,
            )
        )
        plan.mismatched_people.add(person.resident_no)
    return {}


def _holds(text: str | None, note: str) -> bool:
    """Whether ``note``'s lines stand in ``text`` already, as whole lines in a
    row: 「施設に入所中」 is not held by 「施設に入所中です（確認済）」."""
    if not text:
        return False
    lines, held = note.splitlines(), text.splitlines()
    width = len(lines)
    return any(held[i : i + width] == lines for i in range(len(held) - width + 1))


def _note_change(person: PersonRow, known: KnownResident) -> dict[str, Any]:
    """The ledger's 備考 added below the application's (once)."""
    note = person.combined_note()
    if not note or _holds(known.note, note):
        return {}
    return {"note": f"{known.note}\n{note}" if known.note else note}


def _plan_people(plan: Plan, ledger: Ledger, snapshot: Snapshot) -> None:
    for person in ledger.people:
        known = snapshot.residents.get(person.resident_no)
        if known is None:
            plan.new_people.append(person)
            plan.people["created"] += 1
            continue
        plan.people["matched"] += 1
        _compare(plan, person, known)
        _exclusion_notice(plan, person, known)
        changes = {**_mail_changes(plan, person, known), **_note_change(person, known)}
        if changes:
            plan.updates.append((known, changes))
    plan.people["mismatched"] = len(plan.mismatched_people)


class _PassRules:
    """The database-side rules of the pass rows, one row at a time."""

    def __init__(self, plan: Plan, snapshot: Snapshot) -> None:
        self.plan = plan
        self.snapshot = snapshot
        self.created = {p.resident_no for p in plan.new_people}
        # (resident_no, fiscal year) -> indexes of the new passes
        self.new_by_person: dict[tuple[str, int], list[int]] = defaultdict(list)

    def _resident_id(self, resident_no: str) -> int | None:
        known = self.snapshot.residents.get(resident_no)
        return known.id if known else None

    def _existing(self, row: PassRow) -> list[KnownPass]:
        resident_id = self._resident_id(row.resident_no)
        if resident_id is None:
            return []
        return self.snapshot.by_person.get((resident_id, row.fiscal_year), [])

    def _reject(self, row: PassRow, column: str, reason: str, code: str) -> None:
        self.plan.reject(row.sheet, row.row, column, reason, code, resident_no=row.resident_no)

    def _numbered(self, row: PassRow) -> bool:
        """Whether the 整理番号 is free; an identical earlier migration is present."""
        known = self.snapshot.by_number.get((row.fiscal_year, row.control_no))
        if known is None:
            return True
        if known.from_ledger and known.resident_id == self._resident_id(row.resident_no):
            self.plan.already_present.append(row)
            return False
        self._reject(
            row,
            "整理番号",
            f"整理番号{row.control_no}はこの年度にアプリケーションで別の入浴証に使われています",
            "control_no_conflict",
        )
        return False

    def _second_pass(self, row: PassRow) -> bool:
        if row.kind == REISSUE:
            return False
        key = (row.resident_no, row.fiscal_year)
        earlier = [self.plan.new_passes[i].row for i in self.new_by_person[key]]
        if any(p.kind != REISSUE for p in earlier):
            first = next(p for p in earlier if p.kind != REISSUE)
            where = f"{first.sheet}の{first.row}行目"
        elif any(k.kind != REISSUE for k in self._existing(row)):
            where = "アプリケーションの交付記録"
        else:
            return False
        self._reject(
            row,
            "種別",
            f"同じ年度に再交付でない入浴証が{where}にあります（1年度1枚）",
            "second_pass_in_year",
        )
        return True

    def take(self, row: PassRow) -> None:
        if row.resident_no not in self.created and self._resident_id(row.resident_no) is None:
            reason = "住民番号が対象者シート（取り込めた行）にもアプリケーションにもありません"
            self._reject(row, "住民番号", reason, "person_unknown")
            return
        if not self._numbered(row) or self._second_pass(row):
            return
        self.new_by_person[row.resident_no, row.fiscal_year].append(len(self.plan.new_passes))
        self.plan.new_passes.append(NewPass(row))


def _chain(plan: Plan, rules: _PassRules) -> None:
    """One valid pass per person and year: each is replaced by the next issued."""
    for (resident_no, year), indexes in rules.new_by_person.items():
        resident_id = rules._resident_id(resident_no)
        known = [] if resident_id is None else rules.snapshot.by_person.get((resident_id, year), [])
        existing = [k for k in known if k.status == "valid"]
        order: list[tuple[date, int, int | KnownPass]] = [
            (plan.new_passes[i].row.issued_on, 1, i) for i in indexes
        ]
        order += [(k.issued_on, 0, k) for k in existing]
        order.sort(key=lambda entry: (entry[0], entry[1]))
        for (_day, _new, current), (_next_day, _n, following) in zip(
            order, order[1:], strict=False
        ):
            if not isinstance(following, int):
                # an application pass issued after the ledger's replaces it
                if isinstance(current, int):
                    plan.new_passes[current].valid = False
                    plan.new_passes[current].superseded_by_existing = following.id
                continue
            if isinstance(current, int):
                plan.new_passes[current].valid = False
                plan.new_passes[current].superseded_by = following
            else:
                plan.superseded_existing[current.id] = following


def make_plan(ledger: Ledger, snapshot: Snapshot) -> Plan:
    """Decide every row of ``ledger`` against ``snapshot`` (nothing written)."""
    plan = Plan()
    for error in ledger.errors:
        plan.reject(
            error.sheet, error.row, error.column, error.reason, error.code, value=error.value
        )
    for sheet, _row in {(e.sheet, e.row) for e in ledger.errors}:
        plan.rejected_rows[sheet] += 1
    for notice in ledger.notices:
        plan.items.append(
            Item("notice", notice.sheet, notice.row, notice.column, notice.message, notice.code)
        )
    _plan_people(plan, ledger, snapshot)
    rules = _PassRules(plan, snapshot)
    before = len(plan.items)
    for row in ledger.passes:
        rules.take(row)
    for item in plan.items[before:]:
        plan.rejected_rows[item.sheet] += 1
    _chain(plan, rules)
    plan.passes["imported"] = len(plan.new_passes)
    plan.passes["already_present"] = len(plan.already_present)
    return plan
