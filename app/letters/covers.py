"""送付状 (cover letters) for passes sent by mail.

:func:`build_letter` turns the values of one pass into the plain dict the
template ``pdf/cover_letter.html`` prints — every string already printable
(外字 → 〓) and the address cut to fit the envelope window.
:func:`print_cover_letters` is what the screens and the command line call.
"""

import functools
import logging

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app import clock
from app.applications.addressing import contact_text, split_care_of
from app.audit import writer as audit
from app.db.transaction import transaction
from app.errors import DomainError, NotFound
from app.extensions import db
from app.letters import barcodes
from app.letters.pdf import render_pdf, settings_from_config
from app.letters.printing import fit_line, fit_lines, text_width
from app.passes.models import STATUS_VALID, Issuance
from app.passes.rows import mailing_destination
from app.text.wareki import fiscal_year_end, fiscal_year_start, format_fiscal_year, format_wareki

log = logging.getLogger(__name__)

TEMPLATE = "pdf/cover_letter.html"
LETTER_KINDS = ("new", "renewal", "reissue", "resend")
# Most letters one request may print (a page of the pass list, or a day's mail).
MAX_LETTERS_PER_REQUEST = 1000

# The window's usable width and the type sizes of the template (keep in step
# with the CSS of pdf/cover_letter.html).
WINDOW_WIDTH_MM = 82
ADDRESS_PT = 10.5
NAME_PT = 13
ADDRESS_MAX_LINES = 4
# The sender's lines under the date (keep in step with the meta frame of
# pdf/cover_letter.html).
SENDER_PT = 9
SENDER_WIDTH_MM = 64


def _titles():
    return {
        "new": _("Your bath pass"),
        "renewal": _("Your bath pass for the new fiscal year"),
        "renewal_in_year": _("Your bath pass"),
        "reissue": _("Your reissued bath pass"),
        "resend": _("Your bath pass, sent again"),
    }


def _bodies():
    return {
        "new": _(
            "Thank you for your application. We send you your bath pass. "
            "Please check the details below and keep the pass in a safe place."
        ),
        "renewal": _(
            "Thank you for using the bath pass. We send you the pass for the new "
            "fiscal year; the pass of the previous year can no longer be used after "
            "it expires."
        ),
        "renewal_in_year": _(
            "Thank you for using the bath pass. We send you your pass for %(year)s. "
            "Please check the details below and keep the pass in a safe place."
        ),
        "reissue": _(
            "We send you the pass reissued at your request. The previous pass can no "
            "longer be used; if you find it, please return it to the ward office."
        ),
        "resend": _(
            "The pass we sent you earlier came back to us undelivered, so we send it to you again."
        ),
    }


def format_postal_code(code):
    code = (code or "").strip()
    if len(code) == 7 and code.isdigit():
        return f"{code[:3]}-{code[3:]}"
    return code


def letter_kind(issuance):
    """The letter a pass goes out with: its kind, or ``resend`` once re-sent."""
    return "resend" if issuance.resent_on else issuance.kind


def _texts(kind, fiscal_year, letter_date):
    """``(title, body)`` of a letter.

    A renewal mailed before its fiscal year begins is the March mailing of the
    new year's pass; one mailed during its year says which year it is for.
    """
    if kind == "renewal" and letter_date >= fiscal_year_start(fiscal_year):
        kind = "renewal_in_year"
    body = _bodies()[kind]
    if kind == "renewal_in_year":
        body = body % {"year": format_fiscal_year(fiscal_year)}
    return _titles()[kind], body


def window_lines(settings, address, address2, care_of, contact=None):
    """The address lines of the window: 住所 then 方書, within the line budget
    (less the care-of line and a facility's 担当 line)."""
    gothic = settings.gothic
    budget = ADDRESS_MAX_LINES - (1 if care_of else 0) - (1 if care_of and contact else 0)
    address = settings.printable(address)
    address2 = settings.printable(address2)
    wanted2 = fit_lines(address2, gothic, ADDRESS_PT, WINDOW_WIDTH_MM, budget)
    lines = fit_lines(
        address, gothic, ADDRESS_PT, WINDOW_WIDTH_MM, max(1, budget - min(len(wanted2), 1))
    )
    lines += fit_lines(address2, gothic, ADDRESS_PT, WINDOW_WIDTH_MM, budget - len(lines))
    return lines


def fit_with_tail(settings, name, tail, size_pt, width_mm):
    """``name`` and ``tail`` on one line of Gothic, the name cut with an
    ellipsis so that the tail (様, 気付, 様方) always shows."""
    name = settings.printable(name)
    room = width_mm - text_width(tail, settings.gothic, size_pt) * 25.4 / 72
    return fit_line(name, settings.gothic, size_pt, room) + tail


def addressee_line(settings, name, suffix="様"):
    """``name　様``, the name cut with an ellipsis so the 様 always shows."""
    return fit_with_tail(settings, name, f"\u3000{suffix}", NAME_PT, WINDOW_WIDTH_MM)


def care_of_parts(line):
    """``(name, suffix)`` of a pass's frozen care-of line (``…　気付`` /
    ``…　様方`` / a representative's ``成年後見人　…　様``).

    Passes frozen before the line carried its suffix were all sent care of
    family: a bare name is read as 様方.
    """
    return split_care_of(line)


def care_of_text(line):
    """The care-of line as printed, ``""`` when there is none."""
    if not line:
        return ""
    name, suffix = care_of_parts(line)
    return f"{name}\u3000{suffix}"


def care_of_fitted(settings, line, size_pt=ADDRESS_PT, width_mm=WINDOW_WIDTH_MM):
    """The care-of line cut to ``width_mm`` so that its 気付 / 様方 always shows
    (the window's by default)."""
    if not line:
        return ""
    name, suffix = care_of_parts(line)
    return fit_with_tail(settings, name, f"\u3000{suffix}", size_pt, width_mm)


def _sender_address(font, postal, address):
    """〒 and address on one line when they fit, else 〒 on a line of its own."""
    postal = format_postal_code(postal)
    postal = f"〒{postal}" if postal else ""
    both = f"{postal} {address}".strip()
    if text_width(both, font, SENDER_PT) * 25.4 / 72 <= SENDER_WIDTH_MM:
        return [both] if both else []
    lines = [postal] if postal else []
    return lines + fit_lines(address, font, SENDER_PT, SENDER_WIDTH_MM, 2)


# The same for every letter of a run: measured once, not 26,000 times.
@functools.lru_cache(maxsize=16)
def _sender_lines(settings, ward, section, postal, address, phone, tel_label):
    font = settings.mincho
    heading = "\u3000".join(x for x in (ward, section) if x)
    lines = fit_lines(heading, font, SENDER_PT, SENDER_WIDTH_MM, 2)
    lines += _sender_address(font, postal, address)
    if phone:
        lines.append(fit_line(f"{tel_label} {phone}", font, SENDER_PT, SENDER_WIDTH_MM))
    return tuple(lines)


def sender_lines(settings, office):
    """The sender under the date: ward and section, 〒 and address, phone.

    From ``WARD_NAME``, ``WARD_SECTION_NAME`` (else the office's name),
    ``WARD_POSTAL_CODE``, ``WARD_ADDRESS`` and ``WARD_PHONE`` (else the
    office's phone); cut to fit the sender's box, so the letter stays one page.
    """

    def setting(name):
        return settings.printable(current_app.config.get(name) or "").strip()

    return list(
        _sender_lines(
            settings,
            setting("WARD_NAME"),
            setting("WARD_SECTION_NAME") or settings.printable(office.get("name")).strip(),
            setting("WARD_POSTAL_CODE"),
            setting("WARD_ADDRESS"),
            setting("WARD_PHONE") or settings.printable(office.get("phone")).strip(),
            _("Tel."),
        )
    )


def contact_fitted(settings, contact, size_pt=ADDRESS_PT, width_mm=WINDOW_WIDTH_MM):
    """A facility's 担当 line (「担当　鈴木　様」) cut to ``width_mm``, its 様
    always shown; ``""`` without one."""
    line = contact_text(contact)
    if not line:
        return ""
    return fit_with_tail(settings, line[: -len("様")].rstrip(), "\u3000様", size_pt, width_mm)


def care_of_with_contact(line, contact):
    """The care-of line and a facility's 担当 as one text (the mailing list's
    CSV): 「〇〇ホーム　気付　担当　鈴木　様」; ``""`` without a care-of line."""
    text = care_of_text(line)
    return f"{text}\u3000{contact_text(contact)}" if text and contact else text


def care_of_with_contact_fitted(settings, line, contact, size_pt, width_mm):
    """:func:`care_of_with_contact` cut to one line of ``width_mm``: the
    care-of line keeps its 気付 / 様方 and the 担当 its 様."""
    if not (line and contact):
        return care_of_fitted(settings, line, size_pt, width_mm)
    care_of = care_of_fitted(settings, line, size_pt, width_mm * 0.6)
    room = width_mm - text_width(care_of + "\u3000", settings.gothic, size_pt) * 25.4 / 72
    return f"{care_of}\u3000{contact_fitted(settings, contact, size_pt, room)}"


def build_letter(settings, *, kind, fiscal_year, control_no, letter_date, destination, office):
    """The plain dict of one letter.

    :param destination: ``name, postal_code, address, address2, care_of``
        and optionally ``contact`` (a facility's 担当, printed under the
        care-of line).
    :param office: ``name, phone, address`` of the sending office.
    """
    care_of = destination.get("care_of")
    contact = destination.get("contact") if care_of else None
    start, end = fiscal_year_start(fiscal_year), fiscal_year_end(fiscal_year)
    title, body = _texts(kind, fiscal_year, letter_date)
    letter = {
        "kind": kind,
        "title": title,
        "body": body,
        "control_no": str(control_no),
        "date": format_wareki(letter_date),
        "sender_lines": sender_lines(settings, office),
        "postal_code": settings.printable(format_postal_code(destination.get("postal_code"))),
        "address_lines": window_lines(
            settings, destination.get("address"), destination.get("address2"), care_of, contact
        ),
        "care_of": care_of_fitted(settings, care_of),
        "contact": contact_fitted(settings, contact),
        "name": addressee_line(settings, destination.get("name")),
        # No number here: this part is the same in every letter of a mass mailing.
        "pass_label": _("Bath pass for %(year)s") % {"year": format_fiscal_year(fiscal_year)},
        "validity": _("From %(start)s to %(end)s")
        % {"start": format_wareki(start), "end": format_wareki(end)},
        "office_name": settings.printable(office.get("name")),
        "office_phone": settings.printable(office.get("phone")),
        "office_address": settings.printable(office.get("address")),
    }
    # The customer barcode under the name and the 整理番号's Code 128 (issue 13).
    return barcodes.with_barcodes(letter, destination, fiscal_year, control_no, ADDRESS_MAX_LINES)


def destination_of(issuance):
    """Where the pass went: the frozen 送付先 of the pass, else the current one."""
    if issuance.mail_to_address:
        return {
            "name": issuance.mail_to_name or issuance.resident.name,
            "postal_code": issuance.mail_to_postal_code,
            "address": issuance.mail_to_address,
            "address2": issuance.mail_to_address2,
            "care_of": issuance.mail_to_care_of,
            "kind": issuance.mail_to_kind,
            "contact": issuance.mail_to_contact,
        }
    return mailing_destination(issuance.resident)


def office_of(office):
    return {"name": office.name, "phone": office.phone, "address": office.address}


def check_printable(issuance):
    """Refuse a pass that has no cover letter.

    :raises DomainError: for a counter pass or a replaced one.
    """
    if issuance.method != "mail":
        raise DomainError(
            _("Pass No. %(no)s was handed over at the counter; it has no cover letter.")
            % {"no": issuance.control_no}
        )
    if issuance.status != STATUS_VALID:
        raise DomainError(
            _("Pass No. %(no)s has been replaced by a reissue; print the letter of the new pass.")
            % {"no": issuance.control_no}
        )


def letter_for(issuance, settings, letter_date=None):
    check_printable(issuance)
    kind = letter_kind(issuance)
    if kind == "resend":
        letter_date = issuance.resent_on
    return build_letter(
        settings,
        kind=kind,
        fiscal_year=issuance.fiscal_year,
        control_no=issuance.control_no,
        letter_date=letter_date or clock.today(),
        destination=destination_of(issuance),
        office=office_of(issuance.office),
    )


def load_issuances(issuance_ids):
    """The passes of ``issuance_ids``, in postal-code order (the post office's).

    :raises NotFound: when one of them does not exist.
    """
    ids = list(dict.fromkeys(int(i) for i in issuance_ids))
    if not ids:
        raise DomainError(_("Choose at least one pass."))
    if len(ids) > MAX_LETTERS_PER_REQUEST:
        raise DomainError(
            _("At most %(n)s letters can be printed at once.") % {"n": MAX_LETTERS_PER_REQUEST}
        )
    rows = db.session.execute(select(Issuance).where(Issuance.id.in_(ids))).scalars().all()
    if len(rows) != len(ids):
        raise NotFound(_("A pass was not found. Reload the page."))
    return sorted(
        rows, key=lambda i: ((i.mail_to_postal_code or i.resident.postal_code or ""), i.control_no)
    )


def print_cover_letters(issuances, user=None, letter_date=None, username=None):
    """Render the cover letters of ``issuances`` as one PDF and log who was printed.

    :raises DomainError: when one of the passes has no cover letter; nothing
        is printed then.
    """
    settings = settings_from_config(current_app.config)
    letters = [letter_for(i, settings, letter_date) for i in issuances]
    # the barcodes are drawn over each page (app.letters.barcodes)
    overlays = [barcodes.cover_letter_overlay(letter) for letter in letters]
    pdf = render_pdf(TEMPLATE, {"letters": letters, "layer": "all"}, overlays=overlays)
    numbers = [i.resident.resident_no for i in issuances]
    kinds = {letter_kind(i) for i in issuances}
    # One row per print, naming everyone printed (as every list does).
    with transaction():
        audit.record(
            "letter.print",
            resident_no=numbers[0] if len(numbers) == 1 else None,
            target=",".join(f"{i.fiscal_year}-{i.control_no}" for i in issuances),
            detail={
                "letters": len(issuances),
                **({"kind": kinds.pop()} if len(kinds) == 1 else {}),
            },
            user=user,
            username=username,
            people=numbers,
        )
    log.info("printed %d cover letter(s)", len(letters))
    return pdf


def find_by_control_no(fiscal_year, control_no):
    """The valid pass numbered ``control_no`` in ``fiscal_year``, or ``None``."""
    return db.session.execute(
        select(Issuance).where(
            Issuance.fiscal_year == fiscal_year, Issuance.control_no == control_no
        )
    ).scalar_one_or_none()
