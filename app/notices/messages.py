"""The feature's words: reasons, skip reasons, triggers and refusals (English
in code, Japanese in ``translations/ja/LC_MESSAGES/notices.po``)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

REASON_LABELS = {
    "turned_60": _l("Turned 60"),
    "moved_in": _l("Moved in"),
    "category_gained": _l("Category gained"),
    "other": _l("Other"),
}
SKIP_LABELS = {
    "has_pass": _l("Already has a pass for the fiscal year"),
    "mail_stopped": _l("Mailing stopped"),
    "excluded": _l("No longer eligible (excluded)"),
    "no_address": _l("No mailing address"),
}
TRIGGER_LABELS = {
    "after_import": _l("After a host extract"),
    "monthly": _l("Monthly"),
    "screen": _l("On demand (screen)"),
    "command": _l("On demand (command line)"),
}
STATUS_LABELS = {
    "queued": _l("Waiting for the scheduler"),
    "done": _l("Done"),
    "failed": _l("Failed"),
}
STATE_LABELS = {
    "pending": _l("Not sent yet"),
    "sent": _l("Postcard sent"),
    "skipped": _l("Not sent"),
}


def label(table, code):
    return str(table.get(code, code)) if code else ""


def import_run_not_found(run_id):
    return _("Import run %(id)s does not exist.", id=run_id)


def import_run_not_applied(run_id):
    return _("Import run %(id)s was not applied; it has no newly eligible people.", id=run_id)


def notice_run_not_found(run_id):
    return _("Notice run %(id)s does not exist.", id=run_id)


def bad_period():
    return _("The start of the period must not be after its end.")


def future_period():
    return _("The period cannot end after today.")


def nobody():
    return _("Nobody in this period is waiting for a postcard.")


def bad_date(text):
    return _("%(text)s is not a date; enter one such as 2026-04-01.", text=text)


def cannot_write(folder):
    return _("Cannot write to the folder %(folder)s.", folder=folder)


def run_failed():
    return _("The postcards could not be produced; see the server's log.")


def queued(count):
    return _(
        "%(n)s people: the postcards are made by the scheduler in a few minutes; "
        "this page shows them when they are ready.",
        n=count,
    )
