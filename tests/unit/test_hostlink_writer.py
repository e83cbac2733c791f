"""Host extract writer (app.hostlink.writer): positions, framing, refusals."""

import dataclasses
from datetime import date

import pytest

from app.hostlink.parser import parse_extract
from app.hostlink.writer import encode_header, encode_record, encode_trailer
from tests.unit.extracts import (
    AS_OF,
    POS,
    WIDTH,
    build,
    person,
)


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
    # Any refusal will do: each case fails a different field check with its own message.
    with pytest.raises(ValueError):  # noqa: PT011
        encode_record(person(**changes))


def test_writer_accepts_fields_exactly_full():
    record = encode_record(person(name="山" * 20, address="東" * 30, address2="棟" * 20))
    assert len(record) == 256
    result = parse_extract(build(person(name="山" * 20, address="東" * 30)))
    assert result.records[0].name == "山" * 20


def test_writer_postal_code_hyphen_is_removed():
    assert encode_record(person(postal_code="160-0022"))[99:106] == b"1600022"


# -- valid files ----------------------------------------------------------------
