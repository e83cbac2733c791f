"""The pure gram helpers of the name index (app.text.grams)."""

import pytest

from app.text.grams import fold, fts_document, fts_query, grams_of_document, name_grams, query_grams


def test_name_grams_are_bigrams_in_order_then_the_characters():
    assert name_grams("渡辺太郎") == ("渡辺", "辺太", "太郎", "渡", "辺", "太", "郎")
    assert name_grams("林") == ("林",)
    assert name_grams("") == ()


def test_query_grams_of_one_character_is_that_character():
    assert query_grams("辺") == ("辺",)
    assert query_grams("渡辺") == ("渡辺",)
    assert query_grams("渡辺太") == ("渡辺", "辺太")
    assert query_grams("") == ()


def test_every_query_gram_of_a_part_of_a_name_is_a_gram_of_the_name():
    name = "髙橋\ue000德子"
    for start in range(len(name)):
        for end in range(start + 1, len(name) + 1):
            assert set(query_grams(name[start:end])) <= set(name_grams(name))


def test_ascii_letters_fold_and_nothing_else_does():
    assert fold("SmiTH") == "smith"
    # full-width letters, kana and variant kanji stay as they are
    assert fold("ＳＭＩ髙ガ") == "ＳＭＩ髙ガ"
    assert query_grams("SM") == name_grams("sm")[:1]


@pytest.mark.parametrize("key", ["渡辺太郎", "〓木・々", "100%_\\", "渡\ue000子", "𠮷野家"])
def test_fts_document_round_trips_and_has_only_hex_tokens(key):
    document = fts_document(name_grams(key))
    assert grams_of_document(document) == name_grams(key)
    tokens = document.split()
    assert all(set(t) <= set("0123456789abcdef") for t in tokens)
    # bigram tokens and character tokens have different lengths: never equal
    assert {len(t) for t in tokens} <= {6, 12}


def test_fts_query_is_one_phrase_of_the_query_tokens():
    assert fts_query("渡辺太") == '"' + fts_document(("渡辺", "辺太")) + '"'
    assert fts_query("辺") == '"' + fts_document(("辺",)) + '"'
    assert fts_query("") is None
