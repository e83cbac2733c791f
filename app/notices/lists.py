"""The list of a notice run, as Excel (through :mod:`app.files.tables`): who
was sent a postcard, in the PDF's order, and who was not and why."""

from flask_babel import gettext as _

from app.files import tables
from app.letters import covers
from app.notices import messages
from app.residents.models import categories_of
from app.text.wareki import format_wareki
from app.web import labels

_WIDTHS = (6, 12, 18, 18, 14, 10, 40, 20, 16, 14, 24)


def _header():
    return [
        _("No."),
        _("Resident No."),
        _("Name"),
        _("Kana"),
        _("Birth date"),
        _("Postal code"),
        _("Address"),
        _("Care of"),
        _("Reason"),
        _("As-of date"),
        _("Categories"),
    ]


def _row(number, item):
    resident, destination, entry = item["resident"], item["destination"], item["entry"]
    address = " ".join(x for x in (destination.get("address"), destination.get("address2")) if x)
    return [
        number,
        resident.resident_no,
        resident.name,
        resident.kana,
        format_wareki(resident.birth_date),
        covers.format_postal_code(destination.get("postal_code")),
        address,
        covers.care_of_text(destination.get("care_of")),
        messages.label(messages.REASON_LABELS, entry.reason),
        format_wareki(entry.detected_on),
        "・".join(str(labels.label(labels.CATEGORIES, c)) for c in categories_of(resident)),
    ]


def _title(run):
    return _("Notice postcards, run %(id)s", id=run.id)


def list_xlsx(run, sent, skipped):
    """The workbook: the postcards sent (sheet 1), the people not sent one (sheet 2)."""
    sent_sheet = tables.Sheet(
        title=_("Postcards"),
        title_rows=[_title(run)],
        header=_header(),
        rows=[_row(n, item) for n, item in enumerate(sent, 1)],
        column_widths=_WIDTHS,
    )
    skipped_sheet = tables.Sheet(
        title=_("Not sent"),
        title_rows=[_title(run)],
        header=[*_header(), _("Why not sent")],
        rows=[
            [*_row(n, item), messages.label(messages.SKIP_LABELS, item["skip"])]
            for n, item in enumerate(skipped, 1)
        ],
        column_widths=(*_WIDTHS, 28),
    )
    return tables.xlsx_bytes([sent_sheet, skipped_sheet])
