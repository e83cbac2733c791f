"""Japanese wording of the host link's outcomes.

The parser and the importer speak in stable codes (:class:`~app.hostlink.parser.FileError`
and :class:`~app.hostlink.parser.RecordError` codes, :attr:`ImportRun.reason_code`);
this module turns them into sentences for the screens and the command line.
Everything is written in English here and translated in ``hostlink.po``.
"""

import contextlib
import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.text.wareki import WarekiError, format_wareki

# A date among a reason's arguments, stored as ISO text (2026-12-16).
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

FIELD_LABELS = {
    "record_type": _l("Record type"),
    "resident_no": _l("Resident number"),
    "name": _l("Name"),
    "kana": _l("Name in kana"),
    "sex": _l("Sex"),
    "birth_date": _l("Date of birth"),
    "postal_code": _l("Postal code"),
    "address": _l("Address"),
    "address2": _l("Building / room"),
    "phone": _l("Phone"),
    "is_elderly": _l("Aged 60+ flag"),
    "is_disabled": _l("Disability flag"),
    "is_child_allowance": _l("Child-rearing allowance flag"),
    "status": _l("Resident status"),
    "status_changed_on": _l("Date of status change"),
    "created_on": _l("Created on"),
    "as_of": _l("As-of date"),
    "file_id": _l("File id"),
    "data_count": _l("Record count"),
    "excluded_on": _l("Excluded on"),
    "exclusion_reason": _l("Reason for exclusion"),
    "needs_review": _l("Needs review"),
    "has_gaiji": _l("Has gaiji"),
}

# Record-level codes of the parser (and of app.text.wareki for dates).
RECORD_ERRORS = {
    "resident_no_format": _l("The resident number is not 10 digits."),
    "name_empty": _l("The name is blank."),
    "kana_chars": _l("The kana name may contain only half-width katakana and spaces."),
    "sex_code": _l("Sex must be 1 or 2."),
    "era_code": _l("Unknown era code."),
    "invalid_date": _l("No such date."),
    "date_out_of_era": _l("The date is outside its era."),
    "era_coded_format": _l("The date is not 7 digits (era code, year, month, day)."),
    "before_meiji": _l("The date is before the Meiji era."),
    "postal_code_format": _l("The postal code is not 7 digits."),
    "phone_format": _l("The phone number may contain only digits and hyphens."),
    "flag_code": _l("A category flag must be 0 or 1."),
    "status_code": _l("The resident status must be 1 to 4."),
    "change_date_missing": _l("Status 2 to 4 needs the date of the change."),
    "change_date_unexpected": _l("Status 1 must not carry a date of change."),
    "field_encoding": _l(
        "The field contains bytes that are not valid Windows-31J text "
        "(a double-byte character cut at the field boundary?)."
    ),
}

# File-level codes of the parser.
FILE_ERRORS = {
    "empty_file": _l("The file is empty (0 bytes)."),
    "binary_content": _l("The file contains control characters: it is not a text extract."),
    "unexpected_bom": _l("The file starts with a UTF-8 byte order mark (re-saved by an editor?)."),
    "line_ending_lf": _l("Records end with LF instead of CR LF (converted during transfer?)."),
    "line_ending_missing": _l("The last record does not end with CR LF (truncated file?)."),
    "record_length": _l("A record is not 256 bytes long."),
    "first_not_header": _l("The first record is not a header record (H)."),
    "last_not_trailer": _l("The last record is not a trailer record (T)."),
    "record_type": _l("A record between header and trailer is not a data record (D)."),
    "file_id": _l("The file id in the header is not FUREAI."),
    "header_date": _l("A date in the header is not a valid YYYYMMDD date."),
    "trailer_count_format": _l("The record count in the trailer is not 9 digits."),
    "trailer_count_mismatch": _l(
        "The record count in the trailer differs from the number of data records."
    ),
    "duplicate_resident_no": _l("The same resident number appears twice."),
}

# Outcomes of a run (ImportRun.reason_code); the arguments come from reason_args.
RUN_REASONS = {
    "applied": _l("The extract was applied."),
    "applied_absences_skipped": _l(
        "The extract was applied. Because %(count)s record(s) had an unreadable resident "
        "number, nobody was excluded for being absent from the file."
    ),
    "approved": _l("Applied with the approval of a supervisor."),
    "already_applied": _l(
        "A file with the same content was already applied (run %(run_id)s). Nothing was changed."
    ),
    "already_held": _l(
        "A file with the same content is already waiting for approval (run %(run_id)s)."
    ),
    "not_newer": _l(
        "The as-of date %(as_of)s is not later than that of the last applied extract "
        "(%(last_as_of)s). Nothing was changed."
    ),
    "future_as_of": _l(
        "The as-of date %(as_of)s is after today (%(today)s): an extract cannot be applied "
        "before its day. Nothing was changed."
    ),
    "future_created_on": _l(
        "The creation date %(created_on)s is after today (%(today)s): the host's date or the "
        "file is wrong. Nothing was changed."
    ),
    "locked": _l("Another import is running. Nothing was changed; try again later."),
    "no_trigger": _l(
        "The trigger file %(end_name)s is missing: the file may still be being transferred, "
        "so it was not read."
    ),
    "unreadable": _l("The file could not be read."),
    "name_mismatch": _l(
        "The date in the file name (%(name_date)s) differs from the as-of date in the header "
        "(%(as_of)s)."
    ),
    "file_error": _l("The file was refused as a whole: %(detail)s Nothing was changed."),
    "held_rejects": _l(
        "Held for a supervisor: %(rejected)s of %(data_count)s records (%(ratio)s) were "
        "rejected, more than the limit of %(limit)s."
    ),
    "held_exclusions": _l(
        "Held for a supervisor: applying it would exclude %(excluded)s of %(active)s active "
        "people (%(ratio)s), more than the limit of %(limit)s."
    ),
    "failed": _l("The import stopped with an error; nothing was changed."),
    "interrupted": _l("The import was interrupted before it finished; nothing was changed."),
    "discarded": _l("Discarded by a supervisor; nothing was changed."),
    "running": _l("The import is running."),
}


def field_label(field):
    """The Japanese label of a record field (the code itself if unknown)."""
    label = FIELD_LABELS.get(field)
    return str(label) if label is not None else field


def record_error_text(code):
    """The Japanese reason of a record-level error code."""
    text = RECORD_ERRORS.get(code)
    return str(text) if text is not None else code


def file_error_text(code, line_no=None, field=None):
    """The Japanese reason of a file-level error, with its line and field."""
    text = FILE_ERRORS.get(code)
    text = str(text) if text is not None else code
    where = []
    if line_no:
        where.append(_("line %(line)s", line=line_no))
    if field:
        where.append(field_label(field))
    if where:
        return f"{text}（{'、'.join(where)}）"
    return text


def _percent(value):
    return f"{value * 100:.1f}%"


def _shown_dates(values):
    """The reason's dates as the screens show dates (令和8年12月16日)."""
    shown = dict(values)
    for key, value in values.items():
        if isinstance(value, str) and _ISO_DATE.fullmatch(value):
            with contextlib.suppress(ValueError, WarekiError):  # not a real day: as stored
                shown[key] = format_wareki(date.fromisoformat(value))
    return shown


def run_reason(code, args=None):
    """The Japanese sentence for an import run's outcome.

    :param code: :attr:`ImportRun.reason_code`.
    :param args: :attr:`ImportRun.reason_args`; ratios are given as fractions.
    """
    if not code:
        return ""
    args = dict(args or {})
    if code == "file_error":
        args["detail"] = file_error_text(args.get("code"), args.get("line"), args.get("field"))
    for key in ("ratio", "limit"):
        if isinstance(args.get(key), float):
            args[key] = _percent(args[key])
    parts = []
    codes = code.split("+")
    for one in codes:
        template = RUN_REASONS.get(one)
        if template is None:
            parts.append(one)
            continue
        values = dict(args.get(one, args)) if isinstance(args.get(one), dict) else args
        for key in ("ratio", "limit"):
            if isinstance(values.get(key), float):
                values[key] = _percent(values[key])
        try:
            parts.append(str(template) % _shown_dates(values))
        except (KeyError, TypeError, ValueError):
            parts.append(str(template))
    return " ".join(parts)


def run_not_found():
    return _("No such import run.")


def not_held():
    return _("This run is not waiting for approval.")


def held_file_missing():
    return _(
        "The held file is missing or has changed since it was held; it cannot be applied. "
        "Discard the run and import the file again."
    )
