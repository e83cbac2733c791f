"""The お知らせ postcard (郵便はがき, 100 × 148 mm): its plain-dict context.

Two pages per person in ``pdf/notice_postcard.html``: the address side
(宛名面: the addressee, room for the customer barcode under the name, the
sender) and the message side (通信面: what the pass is, who may apply, where
and with what).  The address lines are cut to fit exactly as the cover
letters' window (:mod:`app.letters.covers`: the same 82 mm, the same type), so
each postcard stays two pages.
"""

from flask import current_app
from flask_babel import gettext as _

from app import clock
from app.extensions import db
from app.letters import barcodes, covers
from app.letters.pdf import render_pdf, settings_from_config
from app.offices.models import Office
from app.passes.rows import mailing_destination
from app.text.wareki import format_wareki

TEMPLATE = "pdf/notice_postcard.html"
_BRANCH_SUFFIX = "特別出張所"


def has_address(destination):
    """A postcard can be addressed: an address and a postal code."""
    return bool((destination.get("address") or "").strip() and destination.get("postal_code"))


def destination_of(resident):
    """Where the postcard goes: the 送付先 when set, else home."""
    return mailing_destination(resident)


def card_for(settings, destination):
    """The variable part of one postcard (the address side)."""
    care_of = destination.get("care_of")
    return {
        "postal_code": settings.printable(
            covers.format_postal_code(destination.get("postal_code"))
        ),
        "address_lines": covers.window_lines(
            settings, destination.get("address"), destination.get("address2"), care_of
        ),
        "care_of": covers.care_of_fitted(settings, care_of),
        "name": covers.addressee_line(settings, destination.get("name")),
        # the customer barcode, drawn under the name (app.letters.barcodes)
        **barcodes.barcode_context(
            destination.get("postal_code"), destination.get("address"), destination.get("address2")
        ),
    }


def _offices():
    rows = db.session.query(Office).order_by(Office.sort_order).all()
    headquarters = next((o for o in rows if o.is_headquarters), None)
    branches = [o.name.removesuffix(_BRANCH_SUFFIX) for o in rows if not o.is_headquarters]
    return headquarters, branches


def common_context(settings, letter_date=None):
    """What every postcard of a run shares: sender, offices, date, contact."""
    headquarters, branches = _offices()
    office = covers.office_of(headquarters) if headquarters else {"name": "", "phone": ""}
    config = current_app.config
    section = config.get("WARD_SECTION_NAME") or office["name"]
    phone = config.get("WARD_PHONE") or office.get("phone") or ""
    return {
        "date": format_wareki(letter_date or clock.today()),
        "sender_lines": covers.sender_lines(settings, office),
        "postage_mark": settings.printable(config.get("NOTICES_POSTAGE_MARK") or ""),
        "headquarters": settings.printable(
            _("%(section)s (the ward office)", section=office["name"] or section)
        ),
        "branches": settings.printable("・".join(branches)),
        "contact": settings.printable(
            " ".join(x for x in (config.get("WARD_NAME") or "", section) if x)
        ),
        "phone": settings.printable(phone),
    }


def render_postcards(destinations, letter_date=None):
    """One PDF of the postcards of ``destinations`` (two pages each)."""
    settings = settings_from_config(current_app.config)
    cards = [card_for(settings, d) for d in destinations]
    context = {"cards": cards, "common": common_context(settings, letter_date)}
    return render_pdf(TEMPLATE, context, overlays=barcodes.postcard_overlays(cards))
