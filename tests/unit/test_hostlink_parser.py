"""Host extract parser and writer (app.hostlink).

Valid files come from the writer; broken ones are made by editing its bytes at
the positions of the specification (1-based byte positions, written out here
independently of the parser's own layout table).
"""

import dataclasses
from datetime import date

import pytest

from app.hostlink.parser import FileError, Record, parse_extract
from app.hostlink.writer import build_extract, encode_header, encode_record, encode_trailer

AS_OF = date(2026, 4, 1)
CREATED_ON = date(2026, 3, 31)

# 1-based positions from the specification's data record table.
POS = {
    "record_type": 1,
    "resident_no": 2,
    "name": 12,
    "kana": 52,
    "sex": 92,
    "birth_date": 93,
    "postal_code": 100,
    "address": 107,
    "address2": 167,
    "phone": 207,
    "is_elderly": 222,
    "is_disabled": 223,
    "is_child_allowance": 224,
    "status": 225,
    "status_changed_on": 226,
    "reserved": 234,
}
WIDTH = {
    "record_type": 1,
    "resident_no": 10,
    "name": 40,
    "kana": 40,
    "sex": 1,
    "birth_date": 7,
    "postal_code": 7,
    "address": 60,
    "address2": 40,
    "phone": 15,
    "is_elderly": 1,
    "is_disabled": 1,
    "is_child_allowance": 1,
    "status": 1,
    "status_changed_on": 8,
    "reserved": 23,
}


def person(number=1, **changes):
    values = {
        "resident_no": f"{number:010d}",
        "name": "山田\u3000太郎",
        "kana": "ヤマダ タロウ",
        "sex": 1,
        "birth_date": date(1955, 4, 1),
        "postal_code": "1600022",
        "address": "東京都新宿区新宿１丁目２－３",
        "address2": "",
        "phone": "03-1234-5678",
        "is_elderly": True,
        "is_disabled": False,
        "is_child_allowance": False,
    }
    values.update(changes)
    return values


def people(count):
    return [person(number) for number in range(1, count + 1)]


def build(*persons):
    return build_extract(AS_OF, list(persons), created_on=CREATED_ON)


def split(data):
    """The file's records (without CR LF) as mutable byte arrays."""
    assert data.endswith(b"\r\n")
    return [bytearray(line) for line in data[:-2].split(b"\r\n")]


def join(lines):
    return b"".join(bytes(line) + b"\r\n" for line in lines)


def put(data, line_no, field, value):
    """Overwrite ``field`` of record ``line_no`` (1 = header) with ``value``, padded."""
    width = WIDTH[field]
    if isinstance(value, str):
        value = value.encode("cp932")
    assert len(value) <= width, "test value too long for the field"
    lines = split(data)
    start = POS[field] - 1
    lines[line_no - 1][start : start + width] = value.ljust(width, b" ")
    return join(lines)


def file_error(data):
    with pytest.raises(FileError) as caught:
        parse_extract(data)
    return caught.value


def errors_of(result):
    return [(e.line_no, e.field, e.code) for e in result.errors]


# -- writer: the bytes it writes sit where the specification says -------------


def test_writer_places_every_field_at_its_specified_position():
    record = encode_record(
        person(
            1234567,
            sex=2,
            address2="コーポ１０１",
            is_disabled=True,
            is_child_allowance=True,
            status=3,
            status_changed_on=date(2026, 3, 15),
        )
    )
    assert len(record) == 256

    def field(name):
        start = POS[name] - 1
        return record[start : start + WIDTH[name]]

    assert field("record_type") == b"D"
    assert field("resident_no") == b"0001234567"
    assert field("name") == "山田\u3000太郎".encode("cp932").ljust(40)
    assert field("kana") == "ﾔﾏﾀﾞ ﾀﾛｳ".encode("cp932").ljust(40)
    assert field("sex") == b"2"
    assert field("birth_date") == b"3300401"
    assert field("postal_code") == b"1600022"
    assert field("address") == "東京都新宿区新宿１丁目２－３".encode("cp932").ljust(60)
    assert field("address2") == "コーポ１０１".encode("cp932").ljust(40)
    assert field("phone") == b"03-1234-5678   "
    assert field("is_elderly") + field("is_disabled") + field("is_child_allowance") == b"111"
    assert field("status") == b"3"
    assert field("status_changed_on") == b"20260315"
    assert field("reserved") == b" " * 23


def test_writer_header_trailer_and_framing():
    data = build(person(1), person(2))
    assert data.count(b"\r\n") == 4
    assert len(data) == 4 * 258
    header, trailer = data[:256], data[-258:-2]
    assert header == (b"H" + b"20260331" + b"20260401" + b"FUREAI    ").ljust(256)
    assert trailer == b"T000000002".ljust(256)
    assert encode_header(AS_OF) == (b"H" + b"20260401" * 2 + b"FUREAI    ").ljust(256)
    assert encode_trailer(0) == b"T000000000".ljust(256)


def test_writer_kana_accepts_hiragana_and_fullwidth_space():
    record = encode_record(person(kana="やまだ\u3000たろう"))
    assert record[51:91] == "ﾔﾏﾀﾞ ﾀﾛｳ".encode("cp932").ljust(40)


def test_writer_accepts_objects_as_well_as_mappings():
    @dataclasses.dataclass
    class Person:
        resident_no: str
        name: str
        kana: str
        sex: int
        birth_date: date
        postal_code: str
        address: str

    obj = Person(
        "0000000001", "山田\u3000太郎", "ヤマダ タロウ", 1, date(1955, 4, 1), "1600022", "東京都"
    )
    mapping = person(1, address="東京都", phone="", is_elderly=False)
    assert encode_record(obj) == encode_record(mapping)


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "山" * 21},  # 42 bytes in a 40-byte field
        {"name": "𠮷野\u3000家"},  # not in CP932
        {"name": "\u3000"},
        {"kana": "ヤマダ タロウ" * 6},  # 48 half-width bytes
        {"kana": "山田"},
        {"address": "東" * 31},
        {"address2": "棟" * 21},
        {"phone": "03-1234-5678-9999"},
        {"phone": "03(1234)5678"},
        {"resident_no": "12345678901"},
        {"resident_no": "12AB"},
        {"postal_code": "160002"},
        {"sex": 3},
        {"status": 5, "status_changed_on": date(2026, 1, 1)},
        {"status": 2},
        {"status": 1, "status_changed_on": date(2026, 1, 1)},
        {"birth_date": "1955-04-01"},
        {"birth_date": date(1867, 1, 1)},
    ],
)
def test_writer_refuses_what_it_cannot_write_validly(changes):
    with pytest.raises(ValueError):
        encode_record(person(**changes))


def test_writer_accepts_fields_exactly_full():
    record = encode_record(person(name="山" * 20, address="東" * 30, address2="棟" * 20))
    assert len(record) == 256
    result = parse_extract(build(person(name="山" * 20, address="東" * 30)))
    assert result.records[0].name == "山" * 20


def test_writer_postal_code_hyphen_is_removed():
    assert encode_record(person(postal_code="160-0022"))[99:106] == b"1600022"


# -- valid files ----------------------------------------------------------------


def test_parse_round_trip_of_every_field():
    data = build(
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


def test_empty_file():
    error = file_error(b"")
    assert error.code == "empty_file"
    assert error.message


def test_lf_only_file():
    data = build(person(1)).replace(b"\r\n", b"\n")
    error = file_error(data)
    assert (error.code, error.line_no) == ("line_ending_lf", 1)


def test_one_lf_only_record_in_the_middle():
    data = build(*people(3))
    lines = data.split(b"\r\n")
    lines[2] = lines[2] + b"\n" + lines[3]
    del lines[3]
    error = file_error(b"\r\n".join(lines))
    assert (error.code, error.line_no) == ("line_ending_lf", 3)


def test_last_record_without_line_end():
    error = file_error(build(person(1))[:-2])
    assert (error.code, error.line_no) == ("line_ending_missing", 3)


def test_truncated_transfer():
    data = build(*people(5))
    error = file_error(data[:1000])
    assert error.code == "line_ending_missing"


@pytest.mark.parametrize("delta", [-1, 1])
def test_record_of_wrong_length(delta):
    lines = split(build(*people(3)))
    if delta < 0:
        del lines[2][-1:]
    else:
        lines[2] += b" "
    error = file_error(join(lines))
    assert (error.code, error.line_no) == ("record_length", 3)
    assert "256" in error.message


def test_records_all_of_the_wrong_length():
    data = build(person(1)).replace(b" \r\n", b"\r\n")
    error = file_error(data)
    assert (error.code, error.line_no) == ("record_length", 1)


def test_binary_garbage():
    garbage = bytes((i * 37 + 11) % 256 for i in range(258 * 3))
    error = file_error(garbage)
    assert error.code == "binary_content"


def test_nul_bytes_in_an_otherwise_framed_file():
    data = put(build(*people(3)), 3, "address2", b"\x00\x00")
    error = file_error(data)
    assert (error.code, error.line_no) == ("binary_content", 3)


def test_bare_cr_inside_a_record():
    data = put(build(*people(2)), 3, "address2", b"\r")
    error = file_error(data)
    assert (error.code, error.line_no) == ("binary_content", 3)


def test_utf8_byte_order_mark():
    error = file_error(b"\xef\xbb\xbf" + build(person(1)))
    assert error.code == "unexpected_bom"


def test_first_record_not_header():
    lines = split(build(person(1)))
    error = file_error(join(lines[1:]))
    assert (error.code, error.line_no) == ("first_not_header", 1)


def test_last_record_not_trailer():
    lines = split(build(person(1), person(2)))
    error = file_error(join(lines[:-1]))
    assert (error.code, error.line_no) == ("last_not_trailer", 3)


def test_header_only():
    error = file_error(join(split(build())[:1]))
    assert error.code == "last_not_trailer"


@pytest.mark.parametrize("record_type", [b"H", b"T", b"X", b"d", b" "])
def test_unexpected_record_type_in_the_middle(record_type):
    data = put(build(*people(3)), 3, "record_type", record_type)
    error = file_error(data)
    assert (error.code, error.line_no) == ("record_type", 3)


@pytest.mark.parametrize("file_id", [b"FUREAI2   ", b"fureai    ", b"          ", b"  FUREAI  "])
def test_wrong_file_id(file_id):
    lines = split(build(person(1)))
    lines[0][17:27] = file_id
    error = file_error(join(lines))
    assert (error.code, error.line_no, error.field) == ("file_id", 1, "file_id")


@pytest.mark.parametrize(
    ("start", "raw", "field"),
    [
        (1, b"20260230", "created_on"),
        (1, b"2026033X", "created_on"),
        (1, b"        ", "created_on"),
        (9, b"20261301", "as_of"),
        (9, b"R0080401", "as_of"),
        (9, "２０２６".encode("cp932"), "as_of"),
    ],
)
def test_invalid_header_dates(start, raw, field):
    lines = split(build(person(1)))
    lines[0][start : start + 8] = raw
    error = file_error(join(lines))
    assert (error.code, error.field, error.line_no) == ("header_date", field, 1)


@pytest.mark.parametrize(("count", "found"), [(b"000000003", 2), (b"000000001", 2)])
def test_trailer_count_mismatch(count, found):
    lines = split(build(person(1), person(2)))
    lines[-1][1:10] = count
    error = file_error(join(lines))
    assert (error.code, error.line_no) == ("trailer_count_mismatch", 4)
    assert str(found) in error.message


def test_trailer_count_mismatch_when_a_record_is_missing():
    lines = split(build(*people(3)))
    del lines[2]
    error = file_error(join(lines))
    assert error.code == "trailer_count_mismatch"


@pytest.mark.parametrize("count", [b"00000000A", b"        2", b"-00000002"])
def test_trailer_count_not_digits(count):
    lines = split(build(person(1)))
    lines[-1][1:10] = count
    assert file_error(join(lines)).code == "trailer_count_format"


def test_duplicate_resident_number():
    data = build(person(1), person(2), person(3))
    data = put(data, 4, "resident_no", b"0000000001")
    error = file_error(data)
    assert (error.code, error.line_no, error.field) == ("duplicate_resident_no", 4, "resident_no")
    assert "line 2" in error.message


def test_duplicate_resident_number_even_when_one_record_is_rejected():
    data = build(person(1), person(2))
    data = put(data, 3, "resident_no", b"0000000001")
    data = put(data, 3, "sex", b"9")
    assert file_error(data).code == "duplicate_resident_no"


def test_file_error_is_an_exception_with_code_message_line():
    error = FileError("record_length", "record is 255 bytes", line_no=7)
    assert isinstance(error, Exception)
    assert (error.code, error.message, error.line_no, error.field) == (
        "record_length",
        "record is 255 bytes",
        7,
        None,
    )


# -- record-level errors ------------------------------------------------------


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
