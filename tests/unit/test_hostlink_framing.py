"""Host extract parser (app.hostlink.parser): the file's framing — line ends,
record lengths, header, trailer, counts, duplicates."""

import pytest

from app.hostlink.parser import FileError
from tests.unit.extracts import build, file_error, join, people, person, put, split


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
