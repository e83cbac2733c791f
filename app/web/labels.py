"""Display labels of the codes stored in the database (translated in the catalogue)."""

from flask_babel import lazy_gettext as _l

# 0: not recorded (people known only from the Excel ledger, which left it blank).
SEX = {0: _l("Not recorded"), 1: _l("Male"), 2: _l("Female")}
CATEGORIES = {
    "elderly": _l("Aged 60+"),
    "disabled": _l("Disability handbook"),
    "child_allowance": _l("Child-rearing allowance"),
}
RESIDENT_STATUS = {"active": _l("Active"), "excluded": _l("Excluded")}
EXCLUSION_REASONS = {
    "moved_out": _l("Moved out"),
    "deceased": _l("Deceased"),
    "struck_off": _l("Struck off"),
    "lost_eligibility": _l("No longer eligible"),
    "not_extracted": _l("Not in extract"),
    "other": _l("Other"),
}
MAIL_REASONS = {
    "facility": _l("In a care facility"),
    "family": _l("Care of family"),
    "other": _l("Other"),
}
ISSUANCE_KINDS = {"new": _l("New"), "renewal": _l("Renewal"), "reissue": _l("Reissue")}
REISSUE_REASONS = {"lost": _l("Lost"), "damaged": _l("Damaged")}
METHODS = {"counter": _l("At the counter"), "mail": _l("By mail")}
ISSUANCE_STATUS = {
    "valid": _l("Valid"),
    "superseded": _l("Superseded"),
    "handed_back": _l("Handed back"),  # 返還 at a window (app.mailing)
    # Shown, never stored: a valid pass of a fiscal year that has ended.
    "expired": _l("Expired"),
}
# 送付停止 reasons (app.mailing.models.STOP_REASONS)
MAIL_STOP_REASONS = {
    "declined": _l("Declined (at the person's request)"),
    "returned_pass": _l("Pass handed back"),
    "returned_mail": _l("Mail returned"),
    "facility": _l("Moved into a care facility"),
    "other": _l("Other"),
}
ROLES = {
    "Admin": _l("System administrator"),
    "Supervisor": _l("Supervisor"),
    "Staff": _l("Main office staff"),
    "BranchStaff": _l("Branch office staff"),
    "Auditor": _l("Auditor"),
    "Public": _l("Public"),
}


# Shown for a value that is not set (一).
EMPTY = "—"


def pass_status(status, fiscal_year, current_fiscal_year):
    """The status a screen shows for a pass: a valid pass of an earlier fiscal
    year than ``current_fiscal_year`` is ``expired`` (期限切れ); the stored
    status stays ``valid`` (the one valid pass of its year)."""
    if status == "valid" and fiscal_year < current_fiscal_year:
        return "expired"
    return status


def label(mapping, code):
    """The label of ``code`` in ``mapping``, or the code itself if unknown."""
    if code is None:
        return ""
    return str(mapping.get(code, code))
