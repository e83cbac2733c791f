"""Fixtures of the applications tests: a person, the application form, a
facility 送付先, mailed passes."""

import re
from datetime import date, datetime

import pytest

from tests.factories import make_resident

TODAY = datetime(2026, 11, 20, 10, 0)
FACILITY = "グループホームかぐらざか"
FACILITY_ADDRESS = "東京都新宿区神楽坂六丁目１－１"


@pytest.fixture
def today(frozen_clock):
    return frozen_clock(TODAY).date()


@pytest.fixture
def person(db):
    return make_resident(name="山田\u3000太郎", kana="ヤマダ タロウ")


@pytest.fixture
def offices(db):
    from app.offices.services import by_code

    return {code: by_code(code) for code in ("HQ", "YOTSUYA")}


def page_text(resp):
    return resp.get_data(as_text=True)


def form_token(client, resident):
    page = page_text(client.get(f"/issuances/new/{resident.id}"))
    return re.search(r'name="submission" type="hidden" value="([^"]+)"', page).group(1)


def application_form(day, office_id, token, **extra):
    """The application form as a browser posts it (an applicant in person
    showing a health insurance card unless ``extra`` says otherwise)."""
    data = {
        "kind": "new",
        "applied_on": day.isoformat(),
        "issued_on": day.isoformat(),
        "office": str(office_id),
        "method": "counter",
        "supersedes_id": "",
        "submission": token,
        "applicant_form": "1",
        "applicant": "self",
        "id_checked": "insurance_card",
        "proxy_name": "",
        "proxy_relation": "",
        "proxy_authority": "",
    }
    data.update(extra)
    return data


def at_facility(name="山田\u3000太郎", contact=None):
    return make_resident(
        name=name,
        mail_kind="facility",
        mail_reason="facility",
        mail_name=FACILITY,
        mail_contact=contact,
        mail_postal_code="1620825",
        mail_address=FACILITY_ADDRESS,
    )


@pytest.fixture
def mailed_pass(db, user, offices):
    """``mailed_pass(resident, **issue_pass arguments)``: a pass by mail."""
    from app.passes.issuance import issue_pass

    def _make(resident, day=date(2026, 11, 20), **extra):
        values = {
            "kind": "new",
            "applied_on": day,
            "issued_on": day,
            "office": offices["HQ"],
            "method": "mail",
            "user": user("staff"),
            **extra,
        }
        return issue_pass(resident, **values)

    return _make
