"""The customer barcode against every worked example of Japan Post's
「郵便番号・バーコードマニュアル」 (its page of examples, p25, and the examples
of the extraction rules, pp. 17–20), and this ward's ways of writing addresses."""

import pytest

from app.postal import NoBarcode, address_number, encode, encode_data
from app.postal.address import kanji_number

# (postal code, address, the 21 symbols between start and stop) — the manual's p25.
MANUAL_EXAMPLES = [
    (
        "263-0023",
        "千葉市稲毛区緑町3丁目30-8　郵便ビル403号",
        "2 6 3 0 0 2 3 3 - 3 0 - 8 - 4 0 3 CC4 CC4 CC4 5",
    ),
    (
        "014-0113",
        "秋田県大仙市堀見内　南田茂木　添60-1",
        "0 1 4 0 1 1 3 6 0 - 1 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC8",
    ),
    (
        "110-0016",
        "東京都台東区台東5-6-3　ABCビル10F",
        "1 1 0 0 0 1 6 5 - 6 - 3 - 1 0 CC4 CC4 CC4 CC4 CC4 9",
    ),
    (
        "060-0906",
        "北海道札幌市東区北六条東4丁目　郵便センター6号館",
        "0 6 0 0 9 0 6 4 - 6 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 9",
    ),
    (
        "065-0006",
        "北海道札幌市東区北六条東8丁目　郵便センター10号館",
        "0 6 5 0 0 0 6 8 - 1 0 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 9",
    ),
    (
        "407-0033",
        "山梨県韮崎市龍岡町下條南割　韮崎400",
        "4 0 7 0 0 3 3 4 0 0 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 -",
    ),
    (
        "273-0102",
        "千葉県鎌ケ谷市右京塚　東3丁目-20-5　郵便・A&bコーポB604号",
        "2 7 3 0 1 0 2 3 - 2 0 - 5 CC1 1 6 0 4 CC4 CC4 0",
    ),
    (
        "198-0036",
        "東京都青梅市河辺町十一丁目六番地一号　郵便タワー601",
        "1 9 8 0 0 3 6 1 1 - 6 - 1 - 6 0 1 CC4 CC4 CC4 CC8",
    ),
    (
        "027-0203",
        "岩手県宮古市大字津軽石第二十一地割大淵川480",
        "0 2 7 0 2 0 3 2 1 - 4 8 0 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC5",
    ),
    (
        "590-0016",
        "大阪府堺市堺区中田出井町四丁六番十九号",
        "5 9 0 0 0 1 6 4 - 6 - 1 9 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC2",
    ),
    (
        "080-0831",
        "北海道帯広市稲田町南七線　西28",
        "0 8 0 0 8 3 1 7 - 2 8 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC4 CC7",
    ),
    (
        "317-0055",
        "茨城県日立市宮田町6丁目7-14　ABCビル2F",
        "3 1 7 0 0 5 5 6 - 7 - 1 4 - 2 CC4 CC4 CC4 CC4 CC4 CC1",
    ),
    (
        "650-0046",
        "神戸市中央区港島中町9丁目7-6　郵便シティA棟1F1号",
        "6 5 0 0 0 4 6 9 - 7 - 6 CC1 0 1 - 1 CC4 CC4 CC4 5",
    ),
    (
        "623-0011",
        "京都府綾部市青野町綾部6-7　LプラザB106",
        "6 2 3 0 0 1 1 6 - 7 CC2 1 CC1 1 1 0 6 CC4 CC4 CC4 4",
    ),
    (
        "064-0804",
        "札幌市中央区南四条西29丁目1524-23　第2郵便ハウス501",
        "0 6 4 0 8 0 4 2 9 - 1 5 2 4 - 2 3 - 2 - 3",
    ),
    (
        "910-0067",
        "福井県福井市新田塚3丁目80-25　J1ビル2-B",
        "9 1 0 0 0 6 7 3 - 8 0 - 2 5 CC1 9 1 - 2 CC1 9",
    ),
]


@pytest.mark.parametrize(("postal", "address", "symbols"), MANUAL_EXAMPLES)
def test_every_example_of_the_manual(postal, address, symbols):
    barcode = encode(postal, address)
    assert " ".join(barcode.symbols) == symbols
    assert len(barcode.bars) == 67
    assert set(barcode.bars) <= set("FADT")


# The extraction examples of pp. 17–20: 住所B → 住所表示番号.
@pytest.mark.parametrize(
    ("address", "number"),
    [
        ("1丁目3番2号　郵便プラザ503室", "1-3-2-503"),  # p17
        ("東3丁目-20-5　郵便・A&bコーポB604号", "3-20-5B604"),  # p19, every step
        ("6丁目7-14　ABCビル2F", "6-7-14-2"),  # p20
        ("29丁目1524-23　第2郵便ハウス501", "29-1524-23-2-501"),  # p20, cut to 20 below
        ("3丁目80-25　J1ビル2-B", "3-80-25J1-2B"),  # p20
    ],
)
def test_the_extraction_examples(address, number):
    assert address_number(address) == number


def test_p17_check_digit_and_cut_to_twenty():
    # p17: 100-0013 and 1-3-2-503 → check digit 9.
    assert encode("100-0013", "東京都千代田区霞が関1丁目3番2号 郵便プラザ503室").symbols[-1] == "9"
    # p20: the 20th character a hyphen: cut after it.
    assert "".join(encode("0640804", "29丁目1524-23　第2郵便ハウス501").symbols[:20]) == (
        "064080429-1524-23-2-"
    )
    # p20: a letter across the 20th and 21st: its CC1 stays alone.
    assert encode("9100067", "3丁目80-25　J1ビル2-B").symbols[18:20] == ("2", "CC1")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十一", 11),
        ("十九", 19),
        ("二十一", 21),
        ("百五", 105),
        ("三百二十", 320),
        ("千二百", 1200),
        ("二〇五", 205),
    ],
)
def test_kanji_numerals(text, value):
    assert kanji_number(text) == value


# The ward's own forms: full-width digits and 「－」, kanji 丁目・番・号, other dashes.
@pytest.mark.parametrize(
    "address",
    [
        "東京都新宿区西新宿2-8-1　都庁ハイツ305号室",
        "東京都新宿区西新宿２－８－１　都庁ハイツ３０５号室",
        "東京都新宿区西新宿二丁目八番一号　都庁ハイツ305号室",
        "東京都新宿区西新宿2丁目8番1号 都庁ハイツ305号室",
        "東京都新宿区西新宿２丁目８番１号　都庁ハイツ３０５号室",
        "東京都新宿区西新宿2‐8‐1 都庁ハイツ305",
        "東京都新宿区西新宿2−8−1 都庁ハイツ305",
        "東京都新宿区西新宿２ー８ー１　都庁ハイツ３０５",
        "東京都新宿区西新宿2の8の1 都庁ハイツ305号",
        "東京都新宿区西新宿二の八の一号 都庁ハイツ三〇五号",
    ],
)
def test_the_wards_forms_give_the_half_width_result(address):
    assert encode("1600023", address).code == "16000232-8-1-305"


@pytest.mark.parametrize(
    ("address", "number"),
    [
        ("東京都新宿区余丁町１２－３", "12-3"),  # 余丁町: 丁 after a kanji that is no numeral
        ("東京都新宿区百人町３－４－５", "3-4-5"),  # 百 before 人: not a number
        ("東京都新宿区四谷三丁目４番５号", "3-4-5"),
        ("東京都新宿区神楽坂５－１２－３　さくらハイツ２Ｆ", "5-12-3-2"),
        ("東京都新宿区西新宿１－２－３　ｂ棟１０１", "1-2-3B101"),
        ("東京都新宿区大久保３－１－２　第二コーポ１０１号室", "3-1-2-101"),
        # a kanji numeral not before 丁目・番・号・の… stays a kanji (and is dropped)
        ("東京都新宿区西新宿二の八の一　都庁ハイツ", "2-8"),
        ("東京都新宿区市谷本村町５－１　二十騎ハイツ", "5-1"),
    ],
)
def test_ward_addresses(address, number):
    assert address_number(address) == number


@pytest.mark.parametrize(
    ("postal", "address", "reason"),
    [
        (None, "東京都新宿区西新宿2-8-1", "郵便番号（7けた）がありません。"),
        ("16000", "東京都新宿区西新宿2-8-1", "郵便番号（7けた）がありません。"),
        ("1600000", "東京都新宿区西新宿2-8-1", "郵便番号が市区町村の代表番号（下2けた00）です。"),
        ("1600023", "", "住所がありません。"),
        ("1600023", "東京都新宿区西新宿", "住所に番地・号の数字がありません。"),
    ],
)
def test_no_barcode_says_why(postal, address, reason):
    with pytest.raises(NoBarcode) as caught:
        encode(postal, address)
    assert caught.value.reason == reason


def test_postal_code_forms():
    for postal in ("1600023", "160-0023", "〒160-0023", "１６０－００２３"):
        assert encode(postal, "西新宿2-8-1").code == "16000232-8-1"


def test_encode_data_refuses_what_is_not_barcode_data():
    with pytest.raises(NoBarcode):
        encode_data("16000a")
    with pytest.raises(NoBarcode):
        encode_data("1600023あ")
