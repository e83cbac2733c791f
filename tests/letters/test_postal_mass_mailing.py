"""The customer barcode in the mass mailing: on the letters, in the mailing
list (which letters go without and why) and on the totals page (with and
without, 区内 / 区外)."""

import csv
import io
import json

import pytest
from pypdf import PdfReader

from tests.factories import make_resident
from tests.letters.conftest import pdf_text, save_png

PEOPLE = [
    # (postal code, address, 方書, in the ward?, barcode or the reason without)
    ("1600023", "東京都新宿区西新宿２－８－１", "都庁ハイツ３０５号室", True, "16000232-8-1-305"),
    ("1620825", "東京都新宿区神楽坂五丁目１２番３号", "", True, "16208255-12-3"),
    (
        "1600000",
        "東京都新宿区試験町１－１",
        "",
        True,
        "郵便番号が市区町村の代表番号（下2けた00）です。",
    ),
    ("1640001", "東京都中野区中野２－１４－５", "", False, "16400012-14-5"),
    ("1640001", "東京都中野区中野", "", False, "住所に番地・号の数字がありません。"),
]


@pytest.fixture
def people(march, mailed_pass, db):
    for n, (postal, address, address2, *_rest) in enumerate(PEOPLE):
        person = make_resident(name=f"郵便\u3000{n}", postal_code=postal, address=address,
                               address2=address2)  # fmt: skip
        mailed_pass(person, fiscal_year=2025, method="counter")


def _bars_on(page):
    found = []

    def visit(op, args, _cm, _tm):
        if op == b"re" and abs(float(args[2]) - 0.6 * 72 / 25.4) < 0.05:
            found.append(args)

    page.extract_text(visitor_operand_before=visit)
    return len(found)


def test_mass_mailing_counts_and_explains_the_barcodes(app, people, db, tmp_path):
    out = tmp_path / "run"
    result = app.test_cli_runner().invoke(
        args=["letters", "mass-mailing", "--fiscal-year", "2026", "--out", str(out),
              "--workers", "1"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["letters"] == len(PEOPLE)
    with (out / "mailing-list.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][-2:] == ["カスタマバーコード", "バーコードなしの理由"]
    by_address = {r[6]: r[-2:] for r in rows[1:]}
    pages = {}
    for name in summary["files"]:
        reader = PdfReader(io.BytesIO((out / name).read_bytes()))
        for page in reader.pages:
            pages[page.extract_text()] = _bars_on(page)
    for postal, address, _a2, _in_ward, expected in PEOPLE:
        has, why = by_address[address]
        printed = [bars for text, bars in pages.items() if postal[3:] in text and
                   address[-3:].replace("－", "") in text.replace("－", "")]  # fmt: skip
        if expected.startswith(postal):
            assert (has, why) == ("あり", "")
        else:
            assert (has, why) == ("なし", expected)
        assert printed, address
    # every letter with a barcode has its 67 bars, the others none
    assert sorted(pages.values()) == [0, 0, 67, 67, 67]
    totals = pdf_text((out / "totals.pdf").read_bytes())
    lines = {line.split()[0]: line.split()[1:] for line in totals.splitlines() if line.split()}
    assert lines["区内"] == ["2", "1", "3"]
    assert lines["区外"] == ["1", "1", "2"]
    assert lines["合計"][-3:] == ["3", "2", "5"]
    assert "バーコードあり" in totals
    save_png((out / "totals.pdf").read_bytes(), "postal_mass_mailing_totals", dpi=100)
