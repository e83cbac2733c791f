"""送付先 with a kind: the edit form, what a pass freezes, the letters and the
mailing list addressed by kind (read back from the PDFs)."""

import csv
import io
import json
from datetime import datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.passes.models import Issuance
from app.residents.models import Resident
from tests.applications.conftest import FACILITY, FACILITY_ADDRESS, at_facility, page_text
from tests.factories import make_resident
from tests.letters.conftest import pdf_text, save_png


def _flat(text):
    return text.replace("\u3000", " ")


def _pdf_lines(pdf_bytes):
    """Every line of the first page by pypdf, ideographic spaces as plain ones."""
    text = PdfReader(io.BytesIO(pdf_bytes)).pages[0].extract_text()
    return [_flat(line).strip() for line in text.splitlines() if line.strip()]


def _edit_form(person, **mail):
    data = {
        "name": person.name, "kana": person.kana, "sex": "2", "birth_date": "1955-04-01",
        "postal_code": person.postal_code, "address": person.address, "address2": "",
        "phone": "", "is_elderly": "y", "note": "", "version": str(person.version),
        "mail_kind": "", "mail_name": "", "mail_contact": "", "mail_postal_code": "",
        "mail_address": "", "mail_reason": "",
    }  # fmt: skip
    data.update(mail)
    return data


def test_a_facility_without_its_name_is_refused_and_nothing_is_saved(login, db, person):
    client = login("staff")
    resp = client.post(f"/residents/{person.id}/edit", data=_edit_form(
        person, mail_kind="facility", mail_postal_code="162-0825",
        mail_address=FACILITY_ADDRESS, mail_contact="鈴木"))  # fmt: skip
    assert resp.status_code == 200
    assert "施設名（宛名）を入力してください。" in page_text(resp)
    db.session.expire_all()
    again = db.session.get(Resident, person.id)
    assert (again.mail_address, again.mail_kind, again.mail_contact) == (None, None, None)


def test_an_unknown_kind_is_refused_in_japanese(login, db, person):
    resp = login("staff").post(f"/residents/{person.id}/edit", data=_edit_form(
        person, mail_kind="hotel", mail_name="x", mail_postal_code="1620825",
        mail_address=FACILITY_ADDRESS))  # fmt: skip
    assert resp.status_code == 200
    assert "送付先の種別を選んでください。" in page_text(resp)


def test_a_facility_with_its_contact_is_saved_and_shown(login, db, person):
    client = login("staff")
    resp = client.post(f"/residents/{person.id}/edit", data=_edit_form(
        person, mail_kind="facility", mail_name=FACILITY, mail_contact="鈴木",
        mail_postal_code="162-0825", mail_address=FACILITY_ADDRESS))  # fmt: skip
    assert resp.status_code == 302
    db.session.expire_all()
    again = db.session.get(Resident, person.id)
    # the reason follows the kind when none is chosen
    assert (again.mail_kind, again.mail_name, again.mail_contact, again.mail_reason) == (
        "facility",
        FACILITY,
        "鈴木",
        "facility",
    )
    page = page_text(client.get(f"/residents/{person.id}"))
    assert "施設" in page
    assert "（鈴木）" in page
    # the change history names the new fields in Japanese
    assert "送付先の種別" in page
    assert "mail_kind" not in page
    edit = page_text(client.get(f"/residents/{person.id}/edit"))
    assert '<option selected value="facility">' in edit


def test_a_pass_freezes_the_kind_and_the_contact(db, mailed_pass, today):
    issuance = mailed_pass(at_facility(contact="鈴木"))
    assert (issuance.mail_to_kind, issuance.mail_to_care_of, issuance.mail_to_contact) == (
        "facility",
        f"{FACILITY}\u3000気付",
        "鈴木",
    )
    assert issuance.mail_to_name == "山田\u3000太郎"
    counter = mailed_pass(make_resident(), method="counter")
    assert (counter.mail_to_kind, counter.mail_to_contact) == (None, None)


def test_the_facility_letter_names_the_facility_the_contact_and_the_resident(
    login, db, mailed_pass, today
):
    issuance = mailed_pass(at_facility(contact="鈴木"))
    pdf = login("staff").get(f"/letters/cover/{issuance.id}").data
    png = save_png(pdf, "applications-facility-letter", dpi=60)
    assert png.exists()
    lines = _pdf_lines(pdf)
    at = lines.index(f"{FACILITY} 気付")
    assert lines[at + 1] == "担当 鈴木 様"
    assert lines[at + 2] == "山田 太郎 様"
    assert "御中" not in " ".join(lines)


def test_a_letter_to_a_guardian_names_the_guardian_then_the_resident(login, db, mailed_pass, today):
    person = make_resident(name="山田\u3000太郎", mail_kind="representative",
                           mail_name="山田\u3000花子", mail_contact="成年後見人",
                           mail_postal_code="1600022", mail_address="東京都新宿区新宿１－１")  # fmt: skip
    issuance = mailed_pass(person)
    lines = _pdf_lines(login("staff").get(f"/letters/cover/{issuance.id}").data)
    at = lines.index("成年後見人 山田 花子 様")
    assert lines[at + 1] == "山田 太郎 様"
    family = make_resident(name="山田\u3000次郎", mail_kind="family", mail_name="山田\u3000花子",
                           mail_postal_code="1600022", mail_address="東京都新宿区新宿１－２")  # fmt: skip
    lines = _pdf_lines(login("staff").get(f"/letters/cover/{mailed_pass(family).id}").data)
    assert lines[lines.index("山田 花子 様方") + 1] == "山田 次郎 様"


def test_the_pass_page_shows_the_kind_and_the_contact(login, db, mailed_pass, today):
    issuance = mailed_pass(at_facility(contact="鈴木"))
    page = _flat(page_text(login("staff").get(f"/issuances/{issuance.id}")))
    assert f"{FACILITY} 気付 担当 鈴木 様 山田 太郎" in page


@pytest.fixture
def march(frozen_clock):
    return frozen_clock(datetime(2026, 3, 23, 10, 0))


def test_the_mailing_list_addresses_the_facility_with_its_contact(
    app, db, march, mailed_pass, tmp_path
):
    app.config["MASS_MAILING_WORKERS"] = 1
    person = at_facility(contact="鈴木")
    mailed_pass(person, day=march.date(), method="counter", fiscal_year=2025)
    out = tmp_path / "run"
    result = app.test_cli_runner().invoke(args=[
        "letters", "mass-mailing", "--fiscal-year", "2026", "--out", str(out), "--workers", "1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["letters"] == 1
    letters = (out / "letters-001.pdf").read_bytes()
    lines = _pdf_lines(letters)
    assert lines[lines.index(f"{FACILITY} 気付") + 1] == "担当 鈴木 様"
    listed = _flat(pdf_text((out / "list-001.pdf").read_bytes()))
    # one line of the 気付・様方 column: the facility's name cut (…) so that its
    # 気付 and the 担当 line both show; the CSV has it whole
    assert "グループホ… 気付 担当 鈴木 様" in listed
    with (out / "mailing-list.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][4] == f"{FACILITY}\u3000気付\u3000担当\u3000鈴木\u3000様"
    frozen = db.session.execute(select(Issuance).where(Issuance.fiscal_year == 2026)).scalar_one()
    assert (frozen.mail_to_kind, frozen.mail_to_contact, frozen.applicant) == (
        "facility",
        "鈴木",
        None,
    )
    assert db.session.execute(select(func.count()).select_from(Issuance)).scalar() == 2
