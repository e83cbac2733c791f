"""Reading scanned or typed 整理番号 (pure)."""

import pytest

from app.mailing.scan import EMPTY, NOT_A_NUMBER, ZERO, ScanError, parse_lines, parse_scanned


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("123", (2025, 123, False)),
        ("１２３", (2025, 123, True)),  # full-width digits
        ("  123\t", (2025, 123, True)),
        ("123A", (2025, 123, True)),  # a trailing check character
        ("*123*", (2025, 123, True)),  # Code 39 start/stop
        ("A00123B", (2025, 123, True)),  # NW-7 (Codabar) start/stop
        ("2024-77", (2024, 77, False)),
        ("２０２４－７７ｘ", (2024, 77, True)),
    ],
)
def test_what_is_meant_is_taken(text, expected):
    found = parse_scanned(text, 2025)
    assert (found.fiscal_year, found.control_no, found.cleaned) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [("", EMPTY), ("   ", EMPTY), ("abc", NOT_A_NUMBER), ("12AB", NOT_A_NUMBER),
     ("0", ZERO), ("<script>", NOT_A_NUMBER), ("1 2", NOT_A_NUMBER), ("1234567890", NOT_A_NUMBER)],
)  # fmt: skip
def test_what_cannot_be_read_says_why(text, code):
    with pytest.raises(ScanError) as caught:
        parse_scanned(text, 2025)
    assert caught.value.code == code


def test_lines_of_a_file_are_numbered_and_blank_lines_skipped():
    found = parse_lines("101\r\n\r\n１０２\nxyz\n103C\n", 2025)
    assert [n for n, _ in found] == [1, 3, 4, 5]
    assert [getattr(item, "control_no", None) for _, item in found] == [101, 102, None, 103]
    assert isinstance(found[2][1], ScanError)
