"""Deterministic dummy people living in Shinjuku ward (新宿区).

:func:`generate_people` is the one source of dummy people: ``flask demo-data``
loads them, the host-link tests write them into dummy extracts.  Same
``count``, ``seed`` and reference day → the same people, in the same order.

Names come from Faker's ``ja_JP`` name pairs (kanji with their katakana
reading) plus a small table of names common among older residents, so the kana
always matches the name.  About 1 % of names use CP932 extension characters
(髙, 﨑, 德) and a handful use a private-use 外字 (U+E000), so the screens,
printing and the host link meet them.

Faker itself is only asked for its seeded random generator and name tables:
calling a provider per person is far too slow for 89,000 people.
"""

import datetime

from faker import Faker
from faker.providers.person.ja_JP import Provider as JaPersonProvider

from app.text.wareki import fiscal_year_of, fiscal_year_start

__all__ = ["GAIJI_CHAR", "SHINJUKU_TOWNS", "generate_people"]

GAIJI_CHAR = "\ue000"

# (town, postal code, number of 丁目 or 0 when the town has none) — real town
# names of 新宿区 with their real postal codes.
SHINJUKU_TOWNS = (
    ("四谷", "1600004", 4),
    ("四谷坂町", "1600002", 0),
    ("左門町", "1600017", 0),
    ("信濃町", "1600016", 0),
    ("大京町", "1600015", 0),
    ("荒木町", "1600007", 0),
    ("舟町", "1600006", 0),
    ("若葉", "1600011", 3),
    ("南元町", "1600012", 0),
    ("新宿", "1600022", 7),
    ("西新宿", "1600023", 8),
    ("北新宿", "1690074", 4),
    ("歌舞伎町", "1600021", 2),
    ("百人町", "1690073", 4),
    ("大久保", "1690072", 3),
    ("高田馬場", "1690075", 4),
    ("西早稲田", "1690051", 3),
    ("戸山", "1620052", 3),
    ("早稲田鶴巻町", "1620041", 0),
    ("神楽坂", "1620825", 6),
    ("矢来町", "1620805", 0),
    ("箪笥町", "1620833", 0),
    ("市谷柳町", "1620061", 0),
    ("若松町", "1620056", 0),
    ("河田町", "1620054", 0),
    ("余丁町", "1620055", 0),
    ("富久町", "1620067", 0),
    ("弁天町", "1620851", 0),
    ("下落合", "1610033", 4),
    ("中落合", "1610032", 4),
    ("西落合", "1610031", 4),
    ("上落合", "1610034", 3),
    ("中井", "1610035", 2),
)

# Names common among people born 1930–1965, to widen Faker's short lists.
_EXTRA_SURNAMES = (
    ("小松", "コマツ"),
    ("大野", "オオノ"),
    ("菅原", "スガワラ"),
    ("久保", "クボ"),
    ("野口", "ノグチ"),
    ("松井", "マツイ"),
    ("千葉", "チバ"),
    ("岩崎", "イワサキ"),
    ("桜井", "サクライ"),
    ("木下", "キノシタ"),
    ("野村", "ノムラ"),
    ("上田", "ウエダ"),
    ("杉山", "スギヤマ"),
    ("増田", "マスダ"),
    ("平野", "ヒラノ"),
    ("大塚", "オオツカ"),
    ("小山", "コヤマ"),
    ("竹内", "タケウチ"),
    ("酒井", "サカイ"),
    ("宮崎", "ミヤザキ"),
    ("宮本", "ミヤモト"),
    ("内田", "ウチダ"),
    ("高木", "タカギ"),
    ("安藤", "アンドウ"),
    ("谷口", "タニグチ"),
    ("大西", "オオニシ"),
    ("丸山", "マルヤマ"),
    ("今井", "イマイ"),
    ("河野", "コウノ"),
    ("藤本", "フジモト"),
    ("武田", "タケダ"),
    ("村田", "ムラタ"),
    ("上野", "ウエノ"),
    ("原田", "ハラダ"),
    ("和田", "ワダ"),
    ("石田", "イシダ"),
    ("森田", "モリタ"),
    ("柴田", "シバタ"),
    ("工藤", "クドウ"),
    ("横山", "ヨコヤマ"),
)
_EXTRA_FEMALE = (
    ("和子", "カズコ"),
    ("幸子", "サチコ"),
    ("節子", "セツコ"),
    ("洋子", "ヨウコ"),
    ("恵子", "ケイコ"),
    ("京子", "キョウコ"),
    ("久美子", "クミコ"),
    ("美智子", "ミチコ"),
    ("悦子", "エツコ"),
    ("順子", "ジュンコ"),
    ("典子", "ノリコ"),
    ("トシ", "トシ"),
    ("ハル", "ハル"),
    ("キヨ", "キヨ"),
    ("文子", "フミコ"),
    ("静江", "シズエ"),
    ("房子", "フサコ"),
    ("弘子", "ヒロコ"),
    ("信子", "ノブコ"),
    ("由美子", "ユミコ"),
)
_EXTRA_MALE = (
    ("清", "キヨシ"),
    ("茂", "シゲル"),
    ("博", "ヒロシ"),
    ("勇", "イサム"),
    ("実", "ミノル"),
    ("進", "ススム"),
    ("正", "タダシ"),
    ("勝", "マサル"),
    ("隆", "タカシ"),
    ("誠", "マコト"),
    ("一郎", "イチロウ"),
    ("正夫", "マサオ"),
    ("義雄", "ヨシオ"),
    ("和夫", "カズオ"),
    ("幸雄", "ユキオ"),
    ("武", "タケシ"),
    ("昭", "アキラ"),
    ("三郎", "サブロウ"),
    ("哲也", "テツヤ"),
    ("敏夫", "トシオ"),
)
# CP932 extension characters (IBM/NEC selected): real people's names, kept
# exactly and never folded into 高・崎・徳.
_EXTENSION_SURNAMES = (
    ("髙橋", "タカハシ"),
    ("髙木", "タカギ"),
    ("山﨑", "ヤマザキ"),
    ("宮﨑", "ミヤザキ"),
    ("德永", "トクナガ"),
    ("德田", "トクダ"),
)
# A variant of 辺 the ward's host system keeps as a 外字.
_GAIJI_SURNAMES = ((f"渡{GAIJI_CHAR}", "ワタナベ"), (f"{GAIJI_CHAR}田", "ヨシダ"))

_BUILDINGS = (
    "ハイツ",
    "コーポ",
    "マンション",
    "レジデンス",
    "荘",
    "ハウス",
    "パレス",
    "ヴィラ",
)
_BUILDING_PREFIXES = ("さくら", "第二", "グリーン", "新宿", "富士", "中央", "みどり", "ひかり")

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_DASH = "－"  # U+FF0D, as addresses are written in the ward's records


def _zen(number):
    return str(number).translate(_FULLWIDTH)


def _pairs(weighted_or_plain):
    items = weighted_or_plain.keys() if hasattr(weighted_or_plain, "keys") else weighted_or_plain
    return [(kanji, kana) for kanji, kana, *_rest in items]


def _name_tables():
    surnames = _pairs(JaPersonProvider.last_name_pairs) + list(_EXTRA_SURNAMES)
    female = _pairs(JaPersonProvider.first_name_female_pairs) + list(_EXTRA_FEMALE)
    male = _pairs(JaPersonProvider.first_name_male_pairs) + list(_EXTRA_MALE)
    return surnames, female, male


def _birth_date(rng, reference, youngest, oldest):
    """A birth date for someone aged ``youngest``..``oldest`` on ``reference``."""
    earliest = reference.replace(year=reference.year - oldest - 1) + datetime.timedelta(days=1)
    latest = reference.replace(year=reference.year - youngest)
    return earliest + datetime.timedelta(days=rng.randrange((latest - earliest).days + 1))


def _address(rng):
    town, postal, chome = rng.choice(SHINJUKU_TOWNS)
    if chome:
        street = f"{town}{_zen(rng.randint(1, chome))}{_DASH}{_zen(rng.randint(1, 30))}"
    else:
        street = f"{town}{_zen(rng.randint(1, 300))}"
    return postal, f"東京都新宿区{street}{_DASH}{_zen(rng.randint(1, 25))}"


def _address2(rng):
    if rng.random() >= 0.35:
        return ""
    building = rng.choice(_BUILDING_PREFIXES) + rng.choice(_BUILDINGS)
    room = rng.randint(1, 9) * 100 + rng.randint(1, 12)
    return f"{building}{_zen(room)}号室"


def _profile(rng, reference):
    """``(sex, birth date, is_elderly, is_disabled, is_child_allowance)`` of one
    person: mostly people aged 60 and over, then disability and child allowance."""
    roll = rng.random()
    if roll < 0.88:
        sex = 2 if rng.random() < 0.56 else 1
        birth = _birth_date(rng, reference, 60, 95)
        elderly, disabled, child = True, rng.random() < 0.08, False
    elif roll < 0.96:
        sex = rng.choice((1, 2))
        birth = _birth_date(rng, reference, 18, 59)
        elderly, disabled, child = False, True, rng.random() < 0.05
    else:
        sex = 2 if rng.random() < 0.85 else 1
        birth = _birth_date(rng, reference, 22, 55)
        elderly, disabled, child = False, rng.random() < 0.05, True
    return sex, birth, elderly, disabled, child


def _surname(rng, surnames):
    """A ``(kanji, kana)`` surname; a few with a 外字 or a CP932 extension character."""
    special = rng.random()
    if special < 0.0001:
        return rng.choice(_GAIJI_SURNAMES)
    if special < 0.0101:
        return rng.choice(_EXTENSION_SURNAMES)
    return rng.choice(surnames)


def _phone(rng):
    if rng.random() < 0.6:
        return f"03-{rng.randint(3000, 6999)}-{rng.randint(0, 9999):04d}"
    return ""


def _person(rng, number, reference, tables):
    """One dummy person (a dict of Resident columns) with 住民番号 ``number``.

    The random draws are made in a fixed order, so a seed always gives the same people.
    """
    surnames, female, male = tables
    sex, birth, elderly, disabled, child = _profile(rng, reference)
    last = _surname(rng, surnames)
    first = rng.choice(female if sex == 2 else male)
    postal, address = _address(rng)
    phone = _phone(rng)
    return {
        "resident_no": f"{number:010d}",
        "name": f"{last[0]}\u3000{first[0]}",
        "kana": f"{last[1]} {first[1]}",
        "sex": sex,
        "birth_date": birth,
        "postal_code": postal,
        "address": address,
        "address2": _address2(rng),
        "phone": phone,
        "is_elderly": elderly,
        "is_disabled": disabled,
        "is_child_allowance": child,
    }


def generate_people(count, seed=0, reference=None):
    """Generate ``count`` dummy residents of 新宿区.

    :param seed: the same seed gives the same people.
    :param reference: the day ages are counted on; defaults to the start of the
        current fiscal year, so the people stay the same all year long.
    :returns: list of dicts with the keys ``resident_no, name, kana, sex,
        birth_date, postal_code, address, address2, phone, is_elderly,
        is_disabled, is_child_allowance`` (Resident columns).  ``name`` is
        ``"姓　名"`` (U+3000), ``kana`` is ``"セイ メイ"`` (one ASCII space).
    """
    if reference is None:
        from app import clock

        reference = fiscal_year_start(fiscal_year_of(clock.today()))
    fake = Faker("ja_JP")
    fake.seed_instance(seed)
    rng = fake.random
    tables = _name_tables()
    people = []
    # Numbers rise with random gaps: unique, 10 digits, not simply 1, 2, 3.
    number = 1_000_000_000 + rng.randrange(1000) * 100_000
    for _ in range(count):
        number += rng.randint(1, 9)
        people.append(_person(rng, number, reference, tables))
    return people
