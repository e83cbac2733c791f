"""The access log in words: the Japanese of a row's office, role, action,
outcome, target and details, for the screen and the CSV (issue 11, item 13).

The database keeps codes (``HQ``, ``BranchStaff``, ``resident.view``, the
detail's English keys); the CSV keeps them too, in its last columns, for
machines.  What people read is made here: the detail dict as 「項目：値」
text, with every key the application writes (grep ``audit.record(``) given a
label and the coded values (kinds, methods, reasons, steps…) their names.  A
key or value nobody labelled yet is shown as it is rather than hidden.
"""

import logging
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.offices.models import Office
from app.text.wareki import format_fiscal_year, format_wareki
from app.web import labels

log = logging.getLogger(__name__)

ITEM_SEP = "、"
LIST_SEP = "・"

# Detail key → label.  Keys of nested dicts have their own tables below.
DETAIL_LABELS = {
    # searches and lists
    "q": _l("Search text"),
    "kind": _l("Kind"),
    "mode": _l("Search mode"),
    "returned": _l("Rows shown"),
    "shown": _l("People shown"),
    "excluded_shown": _l("Excluded people shown"),
    "after": _l("Page after record"),
    "category": _l("Category"),
    "status": _l("Status"),
    "office": _l("Office"),
    "fiscal_year": _l("Fiscal year"),
    "method": _l("Method"),
    "issued_from": _l("Issued from"),
    "issued_to": _l("Issued to"),
    "returned_not_resent": _l("Returned, not resent"),
    "view": _l("Screen"),
    "form": _l("Screen"),
    "import_run": _l("Import run"),
    "resource": _l("Data"),
    "count": _l("Number"),
    "rows": _l("Number"),
    "total": _l("Total"),
    "page": _l("Page"),
    "filter": _l("Search conditions"),
    # changes of people, passes and accounts
    "fields": _l("Fields changed"),
    "action": _l("Change"),
    "changes": _l("Changes"),
    "user_id": _l("Account No."),
    "role": _l("Role"),
    "via": _l("Used from"),
    "sessions_ended": _l("Sessions ended"),
    "other_sessions_ended": _l("Other sessions ended"),
    "one_time": _l("One-time password"),
    "locked_until": _l("Locked until"),
    "session_id": _l("Session No."),
    # signing in and refusals
    "channel": _l("Used from"),
    "reason": _l("Reason"),
    "failures": _l("Failures in a row"),
    # letters, checklists, the mass mailing
    "letters": _l("Letters"),
    "date": _l("Date"),
    "stored": _l("Stored copy"),
    "step": _l("Step"),
    "cutoff": _l("Cut-off date"),
    "passes": _l("Passes"),
    "skipped": _l("Not sent"),
    "file": _l("File"),
    # host link and the ledger migration
    "as_of": _l("As-of date"),
    "added": _l("Added"),
    "updated": _l("Updated"),
    "excluded": _l("Excluded"),
    "reinstated": _l("Reinstated"),
    "unchanged": _l("Unchanged"),
    "unknown_not_eligible": _l("Unknown and not eligible"),
    "rejected": _l("Rejected"),
    "sha256": "SHA-256",
    "people": _l("People"),
    "size": _l("Size"),
    "format": _l("Format"),
    "erasure_id": _l("Erasure record No."),
    "location": _l("Where it was"),
    "erased_on": _l("Erased on"),
    "erased_by": _l("Erased by"),
    "witness": _l("Witness"),
    "corrects": _l("Corrects record No."),
    # the access log itself
    "retention_years": _l("Retention period (years)"),
    "deleted": _l("Rows deleted"),
    "oldest": _l("Oldest"),
    "newest": _l("Newest"),
    "dry_run": _l("Count only"),
    "login_attempts_deleted": _l("Sign-in attempts deleted"),
    "sessions_deleted": _l("Sessions deleted"),
    "people_deleted": _l("List entries deleted"),
    # rows written before access_log_person (migration 0010) listed them here
    "resident_nos": _l("Resident numbers shown"),
    "people_shown": _l("Resident numbers shown"),
}
# A refused request's detail: its HTTP method and status are not a pass's.
REFUSAL_LABELS = {"method": _l("Request"), "status": _l("Answer code")}
# Internal names, already in the target (the path): left out of the text.
HIDDEN = {"endpoint"}
DATE_KEYS = {
    "date", "as_of", "cutoff", "erased_on", "issued_from", "issued_to", "date_from",
    "date_to", "locked_until", "oldest", "newest",
}  # fmt: skip

NESTED_LABELS = {
    "filter": {
        "username": _l("User name"),
        "resident_no": _l("Resident No."),
        "action": _l("Action"),
        "date_from": _l("From"),
        "date_to": _l("To"),
    },
    "people": {
        "read": _l("Read"),
        "matched": _l("Matched with the host"),
        "created": _l("Created as excluded"),
        "mismatched": _l("With differences"),
        "rejected": _l("Rejected"),
    },
    "passes": {
        "read": _l("Read"),
        "imported": _l("Imported"),
        "already_present": _l("Already present"),
        "rejected": _l("Rejected"),
    },
}
# The field names of ``fields`` and ``changes`` that app.web.display does not
# label (accounts).
ACCOUNT_FIELDS = {
    "first_name": _l("Given name"),
    "last_name": _l("Family name"),
    "username": _l("User name"),
    "email": _l("E-mail"),
    "active": _l("Enabled"),
    "role": _l("Role"),
    "roles": _l("Role"),
    "office": _l("Office"),
}

_STEPS = {
    "preview": _l("Preview"),
    "queued": _l("Queued"),
    "resumed": _l("Resumed"),
    "issued": _l("Passes issued"),
}
_REASONS = {
    # sign-in and password
    "unknown_user": _l("Unknown user name"),
    "disabled": _l("Account disabled"),
    "locked": _l("Account locked"),
    "password": _l("Wrong password"),
    "wrong_current_password": _l("Wrong current password"),
    "rate_limited": _l("Too many attempts"),
    # refused requests
    "permission": _l("No permission"),
    "csrf": _l("Form expired or not sent from this system"),
    "not_permitted": _l("Not permitted for this user"),
    "invalid_token": _l("Invalid API token"),
    "session_idle": _l("Session expired (no activity)"),
    "session_absolute": _l("Session reached its maximum length"),
    "session_ended": _l("Session ended"),
    "session_missing": _l("Session ended"),
}
_HOSTLINK_REASONS = {
    "applied": _l("Applied"),
    "applied_absences_skipped": _l("Applied; nobody excluded for absence"),
    "approved": _l("Applied with approval"),
    "already_applied": _l("Already applied"),
    "already_held": _l("Already waiting for approval"),
    "not_newer": _l("Not newer than the last extract"),
    "locked": _l("Another import was running"),
    "no_trigger": _l("Trigger file missing"),
    "unreadable": _l("File unreadable"),
    "name_mismatch": _l("File name and as-of date differ"),
    "file_error": _l("File refused as a whole"),
    "held_rejects": _l("Held: too many rejected records"),
    "held_exclusions": _l("Held: too many exclusions"),
    "failed": _l("Failed"),
    "interrupted": _l("Interrupted"),
    "discarded": _l("Discarded"),
}
_RUN_STATUS = {
    "running": _l("Running"),
    "applied": _l("Applied"),
    "held": _l("Held for approval"),
    "refused": _l("Refused"),
    "failed": _l("Failed"),
    "discarded": _l("Discarded"),
}
_LEDGER_STATUS = {
    **_RUN_STATUS,
    "checked": _l("Checked (not imported)"),
    "applied": _l("Imported"),
}
_SKIP_REASONS = {
    "already_issued": _l("Already has a pass for the year"),
    "excluded": _l("Excluded on or before the cut-off date"),
    "excluded_after_cutoff": _l("Excluded after the cut-off date"),
    "no_address": _l("No mailing address"),
}
_KINDS = {
    **labels.ISSUANCE_KINDS,
    "resend": _l("Resent"),
    # the search box's kinds of query (app.text.search)
    "resident_no": _l("Resident No."),
    "resident_no_prefix": _l("Start of a resident No."),
    "birth_date": _l("Date of birth"),
    "kana": _l("Kana"),
    "name": _l("Name"),
    "empty": _l("Filters only"),
}
# Coded values: detail key → code → label.  ``(feature, key)`` first: a run's
# status reads differently for the host link and the ledger.
VALUE_LABELS = {
    "kind": _KINDS,
    "method": {**labels.METHODS, "GET": _l("Display"), "POST": _l("Sending a form")},
    "category": labels.CATEGORIES,
    "status": {
        "active": _l("Active"),
        "excluded": _l("Excluded"),
        "review": _l("Needs review"),
    },
    "mode": {"suggest": _l("Suggestions while typing")},
    "view": {"returns": _l("Returned mail"), "home": _l("Home page")},
    "form": {
        "issue": _l("Application form"),
        "correction": _l("Pass correction form"),
    },
    "resource": {"residents": _l("People"), "issuances": _l("Pass records")},
    "action": {
        "exclude": _l("Excluded"),
        "reinstate": _l("Reinstated"),
        "review": _l("Review done"),
    },
    "via": {"cli": _l("Command line"), "admin": _l("Administrator screens")},
    "channel": {"web": _l("Screens"), "api": "API"},
    "reason": _REASONS,
    "step": _STEPS,
    "format": {"pdf": "PDF", "xlsx": "Excel", "certificate": _l("Certificate of erasure")},
    "skipped": _SKIP_REASONS,
    ("hostlink", "reason"): _HOSTLINK_REASONS,
    ("hostlink", "status"): _RUN_STATUS,
    ("ledger", "status"): _LEDGER_STATUS,
}
_TARGETS = {
    "import_run": _l("Import run %(id)s"),
    "ledger_run": _l("Ledger migration run %(id)s"),
    "mass_mailing": _l("Mass mailing run %(id)s"),
}


def _field_label(name):
    # The screens' field names (people, passes): their labels live with the
    # screens.  Imported here, when a row is shown, since app.web imports
    # this package.
    from app.web.display import FIELD_LABELS

    label = FIELD_LABELS.get(name) or ACCOUNT_FIELDS.get(name)
    return str(label) if label is not None else name


def _date_text(value):
    """An ISO date or date-time string in the Japanese calendar."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    text = format_wareki(moment.date())
    if len(str(value)) > 10:
        text += f" {moment:%H:%M}"
    return text


def _role_names(text):
    names = [n for n in (text or "").split(",") if n]
    return LIST_SEP.join(labels.label(labels.ROLES, n) for n in names)


def _detail_label(feature, key):
    label = REFUSAL_LABELS.get(key) if feature == "access" else None
    label = label or DETAIL_LABELS.get(key)
    return str(label) if label is not None else key


class Words:
    """The words of access-log rows; office names are read once.

    :param offices: ``{code: name}``; by default read from the database.
    """

    def __init__(self, offices=None):
        if offices is None:
            offices = dict(db.session.execute(select(Office.code, Office.name)).tuples().all())
        self.offices = offices
        # Each word translated once per Words (one page or one file, one
        # locale): a file of 150,000 rows asked Flask-Babel for 850,000
        # translations of a few dozen words, half the time of the export.
        self._words = {}

    def _word(self, kind, code, make):
        key = (kind, code)
        word = self._words.get(key)
        if word is None:
            word = self._words[key] = make()
        return word

    # --- the columns ------------------------------------------------------

    def office(self, code):
        return self.offices.get(code, code) if code else ""

    def roles(self, text):
        return self._word("roles", text, lambda: _role_names(text))

    def action(self, code):
        from app.audit.logs import ACTION_LABELS

        return self._word(
            "action", code, lambda: str(ACTION_LABELS.get(code, code)) if code else ""
        )

    def outcome(self, code):
        from app.audit.logs import OUTCOME_LABELS

        return self._word(
            "outcome", code, lambda: str(OUTCOME_LABELS.get(code, code)) if code else ""
        )

    def target(self, text):
        """``import_run:3``, ``checklist:2026-05-11:HQ``, ``2026-123`` (a pass)
        and ``cli`` in words; paths and user names as they are."""
        if not text:
            return ""
        kind, _sep, rest = text.partition(":")
        if kind in _TARGETS and rest:
            run_id, _sep, name = rest.partition(":")
            return " ".join(filter(None, [str(_TARGETS[kind]) % {"id": run_id}, name]))
        if kind == "checklist" and rest:
            # checklist:DAY:OFFICE (printed), checklist:OFFICE (refused)
            day, _sep, code = rest.rpartition(":")
            where = str(_("All offices")) if code == "all" else self.office(code)
            return " ".join(filter(None, [str(_("Daily checklist")), _date_text(day), where]))
        year, dash, number = text.partition("-")
        if dash and year.isdigit() and len(year) == 4 and number.isdigit():
            return f"{format_fiscal_year(int(year))} {_('Control No.')}{number}"
        if text == "cli":
            return str(_("Command line"))
        return text

    def detail(self, detail, action=""):
        """The detail dict as 「項目：値、項目：値」 text."""
        if not detail:
            return ""
        if not isinstance(detail, dict):
            return str(detail)
        feature = (action or "").split(".")[0]
        parts = []
        for key, value in detail.items():
            if key in HIDDEN or value is None or value == "" or value == []:
                continue
            parts.append(f"{self._label(feature, key)}：{self._value(feature, key, value)}")
        return ITEM_SEP.join(parts)

    # --- keys and values -------------------------------------------------

    def _label(self, feature, key):
        return self._word("label", (feature == "access", key), lambda: _detail_label(feature, key))

    def _value(self, feature, key, value):
        if isinstance(value, bool):
            return str(_("Yes") if value else _("No"))
        if isinstance(value, dict):
            return self._nested(feature, key, value)
        if isinstance(value, list | tuple):
            return LIST_SEP.join(self._value(feature, key, v) for v in value)
        return self._scalar(feature, key, value)

    def _scalar(self, feature, key, value):
        if key in ("fields", "changes"):
            return _field_label(str(value))
        if key == "office":
            return self.office(str(value))
        if key == "role":
            return self.roles(str(value))
        if key == "fiscal_year" and str(value).isdigit():
            return format_fiscal_year(int(value))
        if key in DATE_KEYS and isinstance(value, str | date):
            return _date_text(value)
        mapping = VALUE_LABELS.get((feature, key)) or VALUE_LABELS.get(key) or {}
        if key == "reason" and "+" in str(value):
            return LIST_SEP.join(self._scalar(feature, key, part) for part in value.split("+"))
        label = mapping.get(value) if isinstance(value, str) else None
        return str(label) if label is not None else str(value)

    def _nested(self, feature, key, value):
        if key == "changes":
            return ITEM_SEP.join(self._change(name, pair) for name, pair in value.items())
        if key == "skipped":
            return ITEM_SEP.join(
                f"{self._scalar(feature, key, reason)}：{n}" for reason, n in value.items()
            )
        names = NESTED_LABELS.get(key, {})
        parts = []
        for sub, v in value.items():
            label = str(names.get(sub, DETAIL_LABELS.get(sub, sub)))
            shown = self.action(v) if sub == "action" else self._value(feature, sub, v)
            parts.append(f"{label}：{shown}")
        return f"（{ITEM_SEP.join(parts)}）"

    def _change(self, name, pair):
        """「役割：本庁担当 → 係長」 of one changed field."""
        label = _field_label(name)
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            return f"{label}：{pair}"
        key = "role" if name in ("role", "roles") else "office" if name == "office" else name
        before, after = (
            labels.EMPTY if v in (None, "") else self._scalar("", key, v) for v in pair
        )
        return f"{label}：{before} → {after}"
