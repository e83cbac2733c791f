"""Host extract parser (app.hostlink): the fields of a data record.

Valid files come from the writer; broken ones are made by editing its bytes at
the positions of the specification (see tests/unit/extracts.py)."""

from datetime import date

import pytest

from app.hostlink.parser import Record, open_extract, parse_extract
from tests.unit.extracts import (
    AS_OF,
    CREATED_ON,
    build,
    errors_of,
    join,
    people,
    person,
    put,
    split,
)


def _two_people():
    """An extract of two people whose every field differs."""
    return build(
        person(
            1,
            address2="ハイツ新宿２０１号",
            is_disabled=True,
        ),
        person(
            2,
            name="佐藤\u3000花子",
            kana="サトウ ハナコ",
            sex=2,
            birth_date=date(1989, 1, 8),
            phone="",
            is_elderly=False,
            is_child_allowance=True,
            status=2,
            status_changed_on=date(2026, 3, 20),
        ),
    )


def test_parse_round_trip_of_every_field():
    data = _two_people()
    result = parse_extract(data)
    assert result.header.created_on == CREATED_ON
    assert result.header.as_of == AS_OF
    assert result.header.file_id == "FUREAI"
    assert result.data_count == 2
    assert result.errors == []
    assert result.rejected_count == 0
    first, second = result.records
    assert first == Record(
        line_no=2,
        resident_no="0000000001",
        name="山田\u3000太郎",
        kana="ヤマダ タロウ",
        sex=1,
        birth_date=date(1955, 4, 1),
        postal_code="1600022",
        address="東京都新宿区新宿１丁目２－３",
        address2="ハイツ新宿２０１号",
        phone="03-1234-5678",
        is_elderly=True,
        is_disabled=True,
        is_child_allowance=False,
        status=1,
        status_changed_on=None,
        has_gaiji=False,
    )
    assert first.is_eligible is True
    assert (second.line_no, second.resident_no, second.name, second.kana) == (
        3,
        "0000000002",
        "佐藤\u3000花子",
        "サトウ ハナコ",
    )
    assert (second.sex, second.birth_date, second.phone, second.address2) == (
        2,
        date(1989, 1, 8),
        "",
        "",
    )
    assert (second.is_elderly, second.is_disabled, second.is_child_allowance) == (
        False,
        False,
        True,
    )
    assert (second.status, second.status_changed_on) == (2, date(2026, 3, 20))
    assert second.is_eligible is False


def test_parse_types_of_fields():
    record = parse_extract(build(person(1))).records[0]
    assert type(record.sex) is int
    assert type(record.status) is int
    assert type(record.is_elderly) is bool
    assert type(record.is_disabled) is bool
    assert type(record.has_gaiji) is bool


def test_file_without_data_records():
    result = parse_extract(build())
    assert (result.data_count, result.records, result.errors) == (0, [], [])
    assert result.header.as_of == AS_OF


@pytest.mark.parametrize(
    ("status", "changed_on"),
    [(2, date(2026, 3, 1)), (3, date(2026, 2, 28)), (4, date(2025, 12, 31))],
)
def test_statuses_with_change_date(status, changed_on):
    data = build(person(1, status=status, status_changed_on=changed_on))
    record = parse_extract(data).records[0]
    assert (record.status, record.status_changed_on) == (status, changed_on)


def test_resident_with_all_flags_zero_is_valid_but_not_eligible():
    data = build(person(1, is_elderly=False))
    record = parse_extract(data).records[0]
    assert (record.is_elderly, record.is_disabled, record.is_child_allowance) == (False,) * 3
    assert record.is_eligible is False


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"3300401", date(1955, 4, 1)),
        (b"3640107", date(1989, 1, 7)),
        (b"4010108", date(1989, 1, 8)),
        (b"4310430", date(2019, 4, 30)),
        (b"5010501", date(2019, 5, 1)),
        (b"2150101", date(1926, 1, 1)),
        (b"1450101", date(1912, 1, 1)),
    ],
)
def test_birth_dates_in_era_form(raw, expected):
    data = put(build(person(1)), 2, "birth_date", raw)
    assert parse_extract(data).records[0].birth_date == expected


def test_cp932_extension_characters_are_kept_exactly():
    data = build(
        person(1, name="髙橋\u3000德子", address="東京都新宿区①番地", address2="㈱山﨑ビル"),
    )
    record = parse_extract(data).records[0]
    assert record.name == "髙橋\u3000德子"
    assert record.name[0] == "\u9ad9"  # 髙, not 高
    assert record.name[3] == "\u5fb7"  # 德
    assert record.address.endswith("①番地")
    assert record.address2 == "㈱山﨑ビル"
    assert "\ufa11" in record.address2  # 﨑, not 崎
    assert record.has_gaiji is False


def test_ibm_extension_byte_codes_decode_too():
    # The host may encode 髙 with the IBM code (FB FC) rather than NEC's (EE E0).
    data = put(build(person(1)), 2, "name", b"\xfb\xfc\x8b\xb4\x81\x40\x91\xbe\x98\x59")
    assert parse_extract(data).records[0].name == "髙橋\u3000太郎"


def test_gaiji_bytes_are_detected_and_kept():
    data = build(person(1), person(2), person(3))
    data = put(data, 2, "name", b"\xf0\x40\x93\x63\x81\x40\x91\xbe\x98\x59")
    data = put(data, 3, "address2", b"\xf9\xfc\x8d\x86")
    result = parse_extract(data)
    first, second, third = result.records
    assert first.name == "\ue000田\u3000太郎"
    assert first.has_gaiji is True
    assert second.address2 == "\ue757号"
    assert second.has_gaiji is True
    assert third.has_gaiji is False
    assert result.errors == []


def test_gaiji_from_the_writer_round_trips():
    data = build(person(1, address="東京都\ue001町"))
    assert b"\xf0\x41" in data
    record = parse_extract(data).records[0]
    assert (record.address, record.has_gaiji) == ("東京都\ue001町", True)


def test_halfwidth_kana_is_converted_to_fullwidth():
    data = build(person(1), person(2), person(3))
    data = put(data, 2, "kana", "ﾊﾟｰｸ ｼﾞｮｰ".encode("cp932"))
    data = put(data, 3, "kana", "ｷｯﾁｮｳ･ｳﾞｧﾝ".encode("cp932"))
    data = put(data, 4, "kana", b"")
    first, second, third = parse_extract(data).records
    assert first.kana == "パーク ジョー"
    assert second.kana == "キッチョウ・ヴァン"
    assert third.kana == ""  # blank kana is not listed as an error


def test_text_fields_are_only_right_stripped_of_ascii_spaces():
    data = put(build(person(1)), 2, "address", " 東京都\u3000")
    assert parse_extract(data).records[0].address == " 東京都\u3000"


# -- file-level errors --------------------------------------------------------


def parse_with(field, raw, line_no=3, count=3):
    """Parse a 3-person file whose record on ``line_no`` has ``field`` set to ``raw``."""
    data = put(build(*people(count)), line_no, field, raw)
    return parse_extract(data)


def assert_only_rejected(result, line_no, field, code):
    assert errors_of(result) == [(line_no, field, code)]
    assert result.rejected_count == 1
    kept = [record.line_no for record in result.records]
    assert line_no not in kept
    assert len(kept) == result.data_count - 1
    assert all(error.message for error in result.errors)


@pytest.mark.parametrize(
    "raw", [b"12345ABCDE", b"123456789 ", b"          ", "１２３４５".encode("cp932")]
)
def test_resident_number_not_ten_digits(raw):
    result = parse_with("resident_no", raw)
    assert_only_rejected(result, 3, "resident_no", "resident_no_format")
    assert result.errors[0].resident_no == raw.decode("cp932").strip()


@pytest.mark.parametrize("raw", [b"", "\u3000".encode("cp932"), "\u3000\u3000".encode("cp932")])
def test_empty_name(raw):
    result = parse_with("name", raw)
    assert_only_rejected(result, 3, "name", "name_empty")
    assert result.errors[0].resident_no == "0000000002"


@pytest.mark.parametrize(
    "kana",
    ["ヤマダ タロウ", "やまだ", "YAMADA", "ﾔﾏﾀﾞ1", "山田", "ﾔﾏﾀﾞ｡", "ﾔﾏﾀﾞ\u3000ﾀﾛｳ", "ﾔﾏﾀﾞ-ﾀﾛｳ"],
)
def test_kana_with_other_characters(kana):
    result = parse_with("kana", kana.encode("cp932"))
    assert_only_rejected(result, 3, "kana", "kana_chars")


@pytest.mark.parametrize("raw", [b"0", b"3", b" ", b"M"])
def test_sex_not_1_or_2(raw):
    assert_only_rejected(parse_with("sex", raw), 3, "sex", "sex_code")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"6300401", "era_code"),
        (b"0300401", "era_code"),
        (b"3640108", "date_out_of_era"),
        (b"4310501", "date_out_of_era"),
        (b"4010107", "date_out_of_era"),
        (b"3300230", "invalid_date"),
        (b"3301301", "invalid_date"),
        (b"3000401", "invalid_date"),
        (b"33O0401", "era_coded_format"),
        (b"       ", "era_coded_format"),
        (b"S300401", "era_coded_format"),
        ("３３００".encode("cp932")[:7], "era_coded_format"),
    ],
)
def test_invalid_birth_date(raw, code):
    assert_only_rejected(parse_with("birth_date", raw), 3, "birth_date", code)


def test_same_invalid_birth_date_on_two_records_is_reported_twice():
    data = build(*people(3))
    data = put(data, 2, "birth_date", b"3640108")
    data = put(data, 4, "birth_date", b"3640108")
    result = parse_extract(data)
    assert errors_of(result) == [
        (2, "birth_date", "date_out_of_era"),
        (4, "birth_date", "date_out_of_era"),
    ]
    assert [r.line_no for r in result.records] == [3]


@pytest.mark.parametrize("raw", [b"160-002", b"160002 ", b"       ", b"16OOO22"])
def test_postal_code_not_seven_digits(raw):
    assert_only_rejected(parse_with("postal_code", raw), 3, "postal_code", "postal_code_format")


@pytest.mark.parametrize(
    "raw",
    [b"03(1234)5678", b"03 1234 5678", b" 0312345678", "０３".encode("cp932"), b"+81312345678"],
)
def test_phone_with_other_characters(raw):
    assert_only_rejected(parse_with("phone", raw), 3, "phone", "phone_format")


@pytest.mark.parametrize("field", ["is_elderly", "is_disabled", "is_child_allowance"])
@pytest.mark.parametrize("raw", [b"2", b" ", b"Y"])
def test_flag_not_0_or_1(field, raw):
    assert_only_rejected(parse_with(field, raw), 3, field, "flag_code")


@pytest.mark.parametrize("raw", [b"0", b"5", b"9", b" ", b"A"])
def test_status_not_1_to_4(raw):
    assert_only_rejected(parse_with("status", raw), 3, "status", "status_code")


@pytest.mark.parametrize("status", [b"2", b"3", b"4"])
def test_change_date_missing_for_leaving_status(status):
    result = parse_with("status", status)
    assert_only_rejected(result, 3, "status_changed_on", "change_date_missing")


@pytest.mark.parametrize("raw", [b"20261301", b"20260230", b"2026031 ", b"R0080315"])
def test_change_date_invalid(raw):
    data = build(person(1), person(2, status=3, status_changed_on=date(2026, 3, 1)), person(3))
    data = put(data, 3, "status_changed_on", raw)
    assert_only_rejected(parse_extract(data), 3, "status_changed_on", "invalid_date")


def test_change_date_on_a_resident():
    result = parse_with("status_changed_on", b"20260301")
    assert_only_rejected(result, 3, "status_changed_on", "change_date_unexpected")


def test_invalid_change_date_is_reported_even_with_invalid_status():
    data = put(build(*people(3)), 3, "status", b"7")
    data = put(data, 3, "status_changed_on", b"20261399")
    result = parse_extract(data)
    assert errors_of(result) == [
        (3, "status", "status_code"),
        (3, "status_changed_on", "invalid_date"),
    ]


def test_double_byte_character_cut_by_a_field_boundary():
    # The name fills its 40 bytes with 19 full-width characters, one space and
    # the first byte of 郎 (98 59); the second byte lands in the kana field.
    name = "山田太郎山田太郎山田太郎山田太郎山田太".encode("cp932") + b" " + b"\x98"
    assert len(name) == 40
    data = put(build(*people(3)), 3, "name", name)
    lines = split(data)
    lines[2][51:91] = (b"\x59" + "ﾀﾛｳ".encode("cp932")).ljust(40)
    result = parse_extract(join(lines))
    assert errors_of(result) == [
        (3, "name", "field_encoding"),
        (3, "kana", "kana_chars"),
    ]
    assert result.rejected_count == 1
    assert [r.line_no for r in result.records] == [2, 4]


@pytest.mark.parametrize("field", ["name", "address", "address2"])
@pytest.mark.parametrize("raw", [b"\x88", b"\x81\x39", b"\x80", b"\xa0", b"\xfd", b"\xff"])
def test_bytes_that_are_not_cp932_text(field, raw):
    result = parse_with(field, "東京".encode("cp932") + raw)
    assert_only_rejected(result, 3, field, "field_encoding")


def test_kana_field_with_invalid_cp932_is_an_encoding_error():
    assert_only_rejected(parse_with("kana", b"\xb1\x81"), 3, "kana", "field_encoding")


def test_one_record_with_several_errors_keeps_them_all_in_field_order():
    data = build(*people(3))
    data = put(data, 3, "status", b"9")
    data = put(data, 3, "sex", b"3")
    data = put(data, 3, "postal_code", b"ABC")
    data = put(data, 3, "kana", "やまだ".encode("cp932"))
    result = parse_extract(data)
    assert errors_of(result) == [
        (3, "kana", "kana_chars"),
        (3, "sex", "sex_code"),
        (3, "postal_code", "postal_code_format"),
        (3, "status", "status_code"),
    ]
    assert {e.resident_no for e in result.errors} == {"0000000002"}
    assert result.rejected_count == 1
    assert [r.resident_no for r in result.records] == ["0000000001", "0000000003"]


def test_errors_on_several_records_in_file_order_and_others_kept():
    data = build(*people(6))
    data = put(data, 6, "sex", b"0")
    data = put(data, 3, "postal_code", b"1")
    data = put(data, 5, "birth_date", b"9999999")
    result = parse_extract(data)
    assert errors_of(result) == [
        (3, "postal_code", "postal_code_format"),
        (5, "birth_date", "era_code"),
        (6, "sex", "sex_code"),
    ]
    assert result.data_count == 6
    assert result.rejected_count == 3
    assert [r.line_no for r in result.records] == [2, 4, 7]
    assert [r.resident_no for r in result.records] == ["0000000001", "0000000003", "0000000006"]


def test_reserved_areas_are_not_checked():
    data = put(build(person(1)), 2, "reserved", b"X" * 23)
    assert len(parse_extract(data).records) == 1


def test_writer_output_parses_back_to_the_same_bytes():
    persons = [
        person(1, name="髙橋\u3000德子", address2="㈱ビル①"),
        person(2, kana="パーク ジョー", status=4, status_changed_on=date(2026, 1, 31)),
        person(3, address="\ue000町", phone=""),
    ]
    data = build(*persons)
    records = parse_extract(data).records
    assert build(*records) == data


@pytest.mark.parametrize("size", [1, 2, 3, 7, 50])
def test_a_file_read_in_chunks_gives_what_it_gives_read_whole(size):
    """A large city's file is parsed a chunk of records at a time (bounded
    memory): the records, the errors and their line numbers are the same
    whatever the chunk's size, a bad record at either edge of a chunk too."""
    data = build(*people(11))
    data = put(data, 2, "sex", "9")  # the first data record
    data = put(data, 4, "birth_date", "5999999")
    data = put(data, 8, "postal_code", "16000AB")
    data = put(data, 8, "phone", "03(1234)")  # a second error of the same record
    data = put(data, 12, "status", "7")  # the last data record
    whole = parse_extract(data)
    extract = open_extract(data)
    chunks = list(extract.chunks(size))
    assert [r for chunk in chunks for r in chunk] == whole.records
    assert errors_of(extract) == errors_of(whole)
    assert [e.line_no for e in whole.errors] == [2, 4, 8, 8, 12]
    assert len(chunks) == -(-11 // size)
    assert extract.rejected_count == 4
    with pytest.raises(RuntimeError):
        list(extract.chunks())


def test_all_errors_reads_the_records_it_was_not_asked_for():
    data = put(build(*people(5)), 6, "sex", "0")
    extract = open_extract(data)
    assert [(e.line_no, e.code) for e in extract.all_errors()] == [(6, "sex_code")]
    assert extract.all_errors() == extract.errors
