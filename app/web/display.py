"""Presentation helpers shared by the people and pass screens: the office list
(read once per request) and the change history in words."""

import datetime
from typing import NamedTuple

from flask import g
from flask_babel import lazy_gettext as _l

from app.applications import labels as application_labels
from app.offices import services as office_service
from app.residents.models import CATEGORY_COLUMNS, categories_of
from app.text.wareki import age_on, format_fiscal_year, format_wareki
from app.web import labels

FIELD_LABELS = {
    "resident_no": _l("Resident number"),
    "name": _l("Name"),
    "kana": _l("Kana"),
    "sex": _l("Sex"),
    "birth_date": _l("Date of birth"),
    "postal_code": _l("Postal code"),
    "address": _l("Home address"),
    "address2": _l("Building and room"),
    "phone": _l("Phone"),
    **{column: labels.CATEGORIES[code] for code, column in CATEGORY_COLUMNS.items()},
    "note": _l("Note"),
    "mail_name": _l("Mailing addressee"),
    "mail_postal_code": _l("Mailing postal code"),
    "mail_address": _l("Mailing address"),
    "mail_reason": _l("Reason for the mailing address"),
    # 送付先 kinds (app.applications), on the person and as frozen on a pass
    "mail_kind": _l("Kind of mailing address"),
    "mail_contact": _l("Contact at the facility, or the representative's title"),
    "mail_to_kind": _l("Kind of mailing address"),
    "mail_to_contact": _l("Contact at the facility, or the representative's title"),
    "status": _l("Status"),
    "excluded_on": _l("Excluded on"),
    "exclusion_reason": _l("Reason for exclusion"),
    "needs_review": _l("Needs review"),
    "fiscal_year": _l("Fiscal year"),
    "control_no": _l("Control No."),
    "kind": _l("Kind"),
    "reissue_reason": _l("Reason for reissue"),
    "applied_on": _l("Application date"),
    "issued_on": _l("Issue date"),
    "office_id": _l("Issuing office"),
    "method": _l("Method"),
    "returned_on": _l("Returned on"),
    "resent_on": _l("Resent on"),
    # 送付停止, 返還 and cleared returns (app.mailing)
    "mail_stop_reason": _l("Reason for stopping"),
    "mail_stop_since": _l("Stopped from"),
    "mail_stop_note": _l("Details"),
    "lifted_on": _l("Resumed on"),
    "lift_reason": _l("Reason for resuming"),
    "handed_back_on": _l("Handed back on"),
    "return_cleared": _l("Why the returned mail is cleared"),
}
ACTION_LABELS = {
    "create": _l("Created"),
    "update": _l("Corrected"),
    "mail_address": _l("Mailing address"),
    "exclude": _l("Excluded"),
    "reinstate": _l("Reinstated"),
    "review": _l("Review done"),
    "supersede": _l("Replaced by a reissue"),
    "return": _l("Returned by post"),
    "resend": _l("Resent"),
    "mail_stop": _l("Mailing stopped"),
    "mail_resume": _l("Mailing resumed"),
    "hand_back": _l("Handed back at a window"),
    "return_cleared": _l("Returned mail cleared"),
    "migrate": _l("Migrated from the Excel ledger"),
    "migrate_update": _l("Taken in from the Excel ledger"),
}
_CODED = {
    "sex": labels.SEX,
    "kind": labels.ISSUANCE_KINDS,
    "method": labels.METHODS,
    "reissue_reason": labels.REISSUE_REASONS,
    "exclusion_reason": labels.EXCLUSION_REASONS,
    "mail_reason": labels.MAIL_REASONS,
    "mail_kind": application_labels.DESTINATION_KINDS,
    "mail_to_kind": application_labels.DESTINATION_KINDS,
    "mail_stop_reason": labels.MAIL_STOP_REASONS,
}
_DATES = {"birth_date", "excluded_on", "applied_on", "issued_on", "returned_on", "resent_on",
          "mail_stop_since", "lifted_on", "handed_back_on"}  # fmt: skip
EMPTY = labels.EMPTY


def offices_by_id():
    """``{id: office row}`` of the eleven offices (``id, code, name,
    is_headquarters``), read once per request."""
    cached = g.get("_offices_by_id")
    if cached is None:
        cached = {o.id: o for o in office_service.all_offices()}
        g._offices_by_id = cached
    return cached


def office_choices(only_id=None):
    """``[(id, name)]`` for a select; ``only_id`` limits it to one office."""
    return [(o.id, o.name) for o in offices_by_id().values() if only_id in (None, o.id)]


def format_value(entity, field, value):
    """A stored history value as staff read it."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return str(_l("Yes")) if value else str(_l("No"))
    if field in _DATES:
        try:
            return format_wareki(datetime.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if field == "office_id":
        office = offices_by_id().get(value)
        return office.name if office else str(value)
    if field == "fiscal_year":
        return format_fiscal_year(int(value))
    if field == "status":
        mapping = labels.ISSUANCE_STATUS if entity == "issuance" else labels.RESIDENT_STATUS
        return labels.label(mapping, value)
    if field in _CODED:
        return labels.label(_CODED[field], value)
    return str(value)


def _who(row, users):
    user = users.get(row.user_id) if row.user_id else None
    if user is not None:
        return f"{user.last_name} {user.first_name}".strip()
    source = row.source or ""
    if source.startswith("hostlink:"):
        return str(_l("Host link (run %(id)s)") % {"id": source.split(":", 1)[1]})
    if source.startswith("ledger:"):
        return str(_l("Ledger migration (run %(id)s)") % {"id": source.split(":", 1)[1]})
    if source == "demo":
        return str(_l("Demo data"))
    return str(_l("System"))


def describe_history(rows, users, passes_by_id):
    """History rows as dicts ``at, who, action, subject, changes[(label, before, after)]``."""
    described = []
    for row in rows:
        subject = ""
        if row.entity == "issuance":
            issuance = passes_by_id.get(row.entity_id)
            subject = (
                str(_l("Pass %(fy)s No. %(no)s"))
                % {"fy": format_fiscal_year(issuance.fiscal_year), "no": issuance.control_no}
                if issuance
                else str(_l("Pass"))
            )
        changes = [
            (
                str(FIELD_LABELS.get(field, field)),
                format_value(row.entity, field, pair[0]),
                format_value(row.entity, field, pair[1]),
            )
            for field, pair in (row.changes or {}).items()
        ]
        described.append(
            {
                "at": row.changed_at,
                "who": _who(row, users),
                "action": str(ACTION_LABELS.get(row.action, row.action)),
                "subject": subject,
                "changes": changes,
            }
        )
    return described


def _translated(mapping):
    return {code: str(text) for code, text in mapping.items()}


class ResultRow(NamedTuple):
    """One line of the search results, as display strings.

    A named tuple rather than a dict: Jinja reads ``r.name`` as an attribute
    first, and on a dict each of the page's 700 reads would fail once first.
    """

    url: str
    resident_no: str
    name: str
    kana: str
    gaiji: bool
    birth_date: str
    age: int | str
    sex: str
    address: str
    categories: list
    excluded: bool
    status: str
    review: str
    control_no: int | None


def result_rows(residents, current_passes, today, show_url):
    """The search results as :class:`ResultRow` of display strings.

    Built in Python rather than in the template: 50 rows of macro calls, label
    look-ups (one gettext each) and ``url_for`` calls were most of the page's time.

    :param residents: result rows of :func:`app.residents.search.search`.
    :param current_passes: ``{resident id: 整理番号}`` of this year's valid passes.
    :param show_url: the URL of the person's page with ``{id}`` for the id.
    """
    sex = _translated(labels.SEX)
    categories = _translated(labels.CATEGORIES)
    statuses = _translated(labels.RESIDENT_STATUS)
    review = str(_l("Needs review"))
    rows = []
    for r in residents:
        rows.append(
            ResultRow(
                url=show_url.replace("{id}", str(r.id)),
                resident_no=r.resident_no,
                name=r.name,
                kana=r.kana,
                gaiji=r.has_gaiji,
                birth_date=format_wareki(r.birth_date),
                age=age_on(r.birth_date, today) if r.birth_date <= today else "",
                sex=sex.get(r.sex, ""),
                address=f"{r.address} {r.address2}".strip(),
                categories=[categories[c] for c in categories_of(r)],
                excluded=r.status != "active",
                status=statuses.get(r.status, r.status),
                review=review if r.needs_review else "",
                control_no=current_passes.get(r.id),
            )
        )
    return rows
