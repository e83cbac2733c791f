"""Host extracts for the parser and writer tests: made by the writer, broken
by editing its bytes at the positions of the specification (1-based byte
positions, written out here independently of the parser's own layout table)."""

from datetime import date

import pytest

from app.hostlink.parser import FileError, parse_extract
from app.hostlink.writer import build_extract

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
