"""Letters sent care of a facility or a family name the resident (issue 11, item 12).

Japanese mail is addressed 「〇〇ホーム 気付」 / 「山田 花子 様方」 on one line with
the resident 「山田 太郎 様」 below it; the facility itself is never the addressee.
"""

import csv
import json
import re
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest

from app.passes.models import Issuance
from app.passes.rows import mailing_destination
from tests.factories import make_resident
from tests.letters.conftest import pdf_text, save_png

FACILITY = "グループホームかぐらざか"
FACILITY_ADDRESS = "東京都新宿区神楽坂六丁目１－１"


def _flat(text):
    """pdftotext output with the ideographic spaces as plain ones."""
    return text.replace("\u3000", " ")


def _at_facility(name, **extra):
    return make_resident(
        name=name,
        mail_reason="facility",
        mail_name=FACILITY,
        mail_postal_code="1620825",
        mail_address=FACILITY_ADDRESS,
        **extra,
    )


MM = 72 / 25.4
_WORD = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'


def window_lines(pdf_bytes):
    """The lines of the address window of every page (by pdftotext -bbox): the
    words left of the sender's box and above the letter, joined by line."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf_bytes)
        out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True,
                             capture_output=True).stdout.decode()  # fmt: skip
    pages = []
    for page in out.split("<page ")[1:]:
        lines: dict[int, list[tuple[float, str]]] = {}
        for x0, y0, _x1, _y1, word in re.findall(_WORD, page):
            if float(x0) / MM < 115 and float(y0) / MM < 62:
                lines.setdefault(round(float(y0) / MM), []).append((float(x0), word))
        pages.append([" ".join(w for _x, w in sorted(ws)) for _y, ws in sorted(lines.items())])
    return pages


def test_the_destination_names_the_resident_below_the_care_of_line(db):
    facility = _at_facility("山田\u3000太郎")
    family = make_resident(name="山田\u3000太郎", mail_reason="family", mail_name="山田\u3000花子",
                           mail_postal_code="1600004", mail_address="東京都新宿区四谷１－１")  # fmt: skip
    own = make_resident(name="山田\u3000太郎", mail_reason="other", mail_name="山田 太郎",
                        mail_postal_code="1600004", mail_address="東京都新宿区四谷２－２")  # fmt: skip
    typed = _at_facility("山田\u3000太郎")
    typed.mail_name = f"{FACILITY}御中"
    guardian = make_resident(name="山田\u3000太郎", mail_reason="other",
                             mail_name="鈴木法律事務所", mail_postal_code="1600022",
                             mail_address="東京都新宿区新宿１－１")  # fmt: skip
    home = make_resident(name="山田\u3000太郎")
    assert mailing_destination(facility)["name"] == "山田\u3000太郎"
    assert mailing_destination(facility)["care_of"] == f"{FACILITY}\u3000気付"
    assert mailing_destination(family)["name"] == "山田\u3000太郎"
    assert mailing_destination(family)["care_of"] == "山田\u3000花子\u3000様方"
    # the resident's own name as the 宛名 of an address elsewhere: no care-of line
    assert mailing_destination(own)["care_of"] is None
    # any other 宛名 (a guardian's office …) is 気付 too; the resident stays the addressee
    assert mailing_destination(guardian)["care_of"] == "鈴木法律事務所\u3000気付"
    assert mailing_destination(guardian)["name"] == "山田\u3000太郎"
    # a 御中 or 様 the clerk typed into the 宛名 is not printed twice
    assert mailing_destination(typed)["care_of"] == f"{FACILITY}\u3000気付"
    assert mailing_destination(home) == {
        "name": "山田\u3000太郎", "postal_code": home.postal_code, "address": home.address,
        "address2": home.address2, "care_of": None, "kind": None, "contact": None,
    }  # fmt: skip


def test_the_care_of_line_fits_the_pass_column(march, mailed_pass, db):
    resident = _at_facility("山田\u3000太郎")
    resident.mail_name = "長" * 100
    db.session.commit()
    care_of = mailing_destination(resident)["care_of"]
    assert care_of.endswith("\u3000気付")
    assert len(care_of) <= Issuance.__table__.c.mail_to_care_of.type.length
    # PostgreSQL refuses a longer value: the pass is saved
    issuance = mailed_pass(resident, fiscal_year=2026, issued_on=march.date())
    assert issuance.mail_to_care_of == care_of


@pytest.mark.parametrize(
    ("reason", "mail_name", "care_of_line"),
    [("facility", FACILITY, f"{FACILITY} 気付"), ("family", "山田\u3000花子", "山田 花子 様方")],
)
def test_a_letter_care_of_someone_names_the_resident(
    login, march, mailed_pass, db, reason, mail_name, care_of_line
):
    resident = make_resident(name="山田\u3000太郎", mail_reason=reason, mail_name=mail_name,
                             mail_postal_code="1620825", mail_address=FACILITY_ADDRESS)  # fmt: skip
    issuance = mailed_pass(resident, fiscal_year=2026, issued_on=march.date())
    assert issuance.mail_to_name == "山田\u3000太郎"
    pdf = login("staff").get(f"/letters/cover/{issuance.id}").data
    save_png(pdf, f"letters-cover-care-of-{reason}")
    [lines] = window_lines(pdf)
    assert care_of_line in lines
    assert lines[lines.index(care_of_line) + 1] == "山田 太郎 様"
    text = _flat(pdf_text(pdf))
    assert f"{mail_name.replace(chr(0x3000), ' ')} 様\n" not in text
    assert "御中" not in text


def test_the_mass_mailing_names_every_resident_of_one_facility(app, march, mailed_pass, db,
                                                               tmp_path):  # fmt: skip
    people = [_at_facility(f"入所\u3000{n}") for n in ("一", "二", "三")]
    for person in people:
        mailed_pass(person, fiscal_year=2025, method="counter")
    out = tmp_path / "run"
    result = app.test_cli_runner().invoke(
        args=["letters", "mass-mailing", "--fiscal-year", "2026", "--out", str(out),
              "--workers", "1"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["letters"] == 3
    letters = (out / "letters-001.pdf").read_bytes()
    save_png(letters, "letters-mass-mailing-facility")
    pages = window_lines(letters)
    assert len(pages) == 3
    names = []
    for lines in pages:
        at = lines.index(f"{FACILITY} 気付")
        names.append(lines[at + 1])
    assert sorted(names) == ["入所 一 様", "入所 三 様", "入所 二 様"]
    listing = (out / "list-001.pdf").read_bytes()
    save_png(listing, "letters-mailing-list-facility")
    listed = _flat(pdf_text(listing))
    assert "気付・様方" in listed
    for n in ("一", "二", "三"):
        assert f"入所 {n}" in listed
    assert listed.count(f"{FACILITY} 気付") == 3
    with (out / "mailing-list.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    assert header[3:5] == ["氏名", "気付・様方"]
    assert sorted(r[3] for r in rows[1:]) == [p.name for p in sorted(people, key=lambda p: p.name)]
    assert {r[4] for r in rows[1:]} == {f"{FACILITY}\u3000気付"}


def test_the_pass_page_and_the_returns_list_show_the_care_of_line(login, march, mailed_pass, db):
    issuance = mailed_pass(_at_facility("山田\u3000太郎"), fiscal_year=2026,
                           issued_on=march.date())  # fmt: skip
    client = login("staff")
    page = _flat(client.get(f"/issuances/{issuance.id}").get_data(as_text=True))
    assert f"{FACILITY} 気付 山田 太郎" in page
    assert "気付 様方" not in page
    client.post("/returns/record", data={"fiscal_year": "2026",
                                         "control_no": str(issuance.control_no)})  # fmt: skip
    returns = _flat(client.get("/returns/?fy=2026").get_data(as_text=True))
    assert f"{FACILITY} 気付" in returns
    assert "気付 様方" not in returns
    assert date(2026, 3, 23) == issuance.issued_on
