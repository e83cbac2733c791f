"""Kana and name helpers (app.text.kana)."""

import pytest

from app.text.kana import (
    GAIJI_PLACEHOLDER,
    gaiji_for_print,
    halfwidth_to_fullwidth_katakana,
    has_gaiji,
    is_kana_query,
    name_key,
    normalize_kana_query,
)


@pytest.mark.parametrize(
    ("halfwidth", "fullwidth"),
    [
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ"),
        ("ｻﾄｳ ﾊﾅｺ", "サトウ ハナコ"),
        ("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "パピプペポ"),
        ("ｶﾞｷﾞｸﾞｹﾞｺﾞ ｻﾞｼﾞｽﾞｾﾞｿﾞ ﾀﾞﾁﾞﾂﾞﾃﾞﾄﾞ ﾊﾞﾋﾞﾌﾞﾍﾞﾎﾞ", "ガギグゲゴ ザジズゼゾ ダヂヅデド バビブベボ"),
        ("ｳﾞｧｲｵﾘﾝ", "ヴァイオリン"),
        ("ｷｬｯﾂｰ", "キャッツー"),
        ("ｼﾞｮﾝ･ｽﾐｽ", "ジョン・スミス"),
        ("ｦ", "ヲ"),
        ("ﾜﾞ", "ヷ"),
        ("", ""),
    ],
)
def test_halfwidth_to_fullwidth_katakana(halfwidth, fullwidth):
    assert halfwidth_to_fullwidth_katakana(halfwidth) == fullwidth


def test_halfwidth_keeps_one_ascii_space_between_names():
    converted = halfwidth_to_fullwidth_katakana("ﾔﾏﾀﾞ ﾀﾛｳ")
    assert converted == "ヤマダ タロウ"
    assert converted[3] == " "  # ASCII, not U+3000


def test_stray_voiced_marks_become_fullwidth_spacing_marks():
    assert halfwidth_to_fullwidth_katakana("ｱﾞ") == "ア゛"
    assert halfwidth_to_fullwidth_katakana("ﾞｶ") == "゛カ"
    assert halfwidth_to_fullwidth_katakana("ﾏﾟ") == "マ゜"


def test_halfwidth_leaves_other_characters_alone():
    assert halfwidth_to_fullwidth_katakana("ABC１２ 山田 ﾀﾞ") == "ABC１２ 山田 ダ"


def test_every_halfwidth_katakana_becomes_fullwidth():
    every = "".join(chr(c) for c in range(0xFF65, 0xFFA0))
    converted = halfwidth_to_fullwidth_katakana(every)
    assert not any("\uff65" <= ch <= "\uff9f" for ch in converted)


@pytest.mark.parametrize(
    "text",
    [
        "やまだ たろう",
        "やまだたろう",
        "ヤマダ　タロウ",
        "ヤマダ タロウ",
        "ﾔﾏﾀﾞ ﾀﾛｳ",
        "ﾔﾏﾀﾞﾀﾛｳ",
        " ﾔﾏﾀﾞ\u3000たろう ",
        "ヤマダタロウ",
    ],
)
def test_normalize_kana_query_equates_all_forms(text):
    assert normalize_kana_query(text) == "ヤマダタロウ"


def test_normalize_kana_query_more_cases():
    assert normalize_kana_query("ゔぁいおりん") == "ヴァイオリン"
    assert normalize_kana_query("ｷｬｯﾂｰ") == "キャッツー"
    assert normalize_kana_query("ぱぴぷ") == "パピプ"
    assert normalize_kana_query("") == ""
    # idempotent: the same function builds kana_key from the stored kana
    assert normalize_kana_query(normalize_kana_query("ﾔﾏﾀﾞ ﾀﾛｳ")) == "ヤマダタロウ"


def test_normalize_kana_query_prefix_search_matches_stored_key():
    stored_key = normalize_kana_query("ヤマダ タロウ")
    assert stored_key.startswith(normalize_kana_query("やまだ た"))
    assert stored_key.startswith(normalize_kana_query("ﾔﾏ"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("やまだ", True),
        ("ヤマダ タロウ", True),
        ("ヤマダ　タロウ", True),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", True),
        ("スーパー", True),
        ("ジョン・スミス", True),
        ("ゔ", True),
        ("山田", False),
        ("やまだ太郎", False),
        ("yamada", False),
        ("ヤマダ1", False),
        ("S30.4.1", False),
        ("", False),
        ("   ", False),
        ("\u3000", False),
    ],
)
def test_is_kana_query(text, expected):
    assert is_kana_query(text) is expected


def test_name_key_removes_every_space_and_nothing_else():
    assert name_key("山田\u3000太郎") == "山田太郎"
    assert name_key(" 山田 太郎 ") == "山田太郎"
    assert name_key("髙橋\u3000德子") == "髙橋德子"
    assert name_key("山﨑　一郎") == "山﨑一郎"
    assert name_key("\u3000 ") == ""


def test_name_key_does_not_normalise_variant_kanji():
    key = name_key("髙　﨑")
    assert key == "\u9ad9\ufa11"  # 髙 﨑, not 高 (U+9AD8) 崎 (U+5D0E)


def test_has_gaiji():
    assert has_gaiji("山\ue000") is True
    assert has_gaiji("\uf8ff") is True
    assert has_gaiji("\ue757太郎") is True
    assert has_gaiji("髙橋﨑德①㈱") is False
    assert has_gaiji("") is False


def test_gaiji_for_print_default_placeholder():
    assert GAIJI_PLACEHOLDER == "〓"
    assert gaiji_for_print("山\ue000太郎") == "山〓太郎"
    assert gaiji_for_print("\ue000\ue001") == "〓〓"
    assert gaiji_for_print("髙橋") == "髙橋"


def test_gaiji_for_print_with_mapping():
    mapping = {"\ue000": "𠮷"}
    assert gaiji_for_print("\ue000野\ue001", mapping) == "𠮷野〓"
    assert gaiji_for_print("\ue000野", mapping={}) == "〓野"
