"""Writer for the host extract file, for dummy extracts and tests.

It produces exactly the format :mod:`app.hostlink.parser` reads (host extract
specification v1; field widths from :data:`app.hostlink.records.DATA_FIELDS`)
and refuses, with :class:`ValueError`, any person it could not write validly:
a text too long for its field in CP932 bytes, a character CP932 cannot
encode, a code outside its values.  Broken files for tests are
made by editing the bytes it returns.

A person is a mapping or an object with the :class:`app.hostlink.records.Record`
field names: ``resident_no``, ``name``, ``kana``, ``sex``, ``birth_date``,
``postal_code``, ``address`` and optionally ``address2``, ``phone``,
``is_elderly``, ``is_disabled``, ``is_child_allowance``, ``status`` (default
1) and ``status_changed_on``.  ``kana`` is given the way the application stores
it (full-width katakana, hiragana also accepted) and written half-width.
"""

import datetime
import io
import re
from collections.abc import Iterable, Mapping
from typing import Any, BinaryIO

import jaconv

from app.hostlink.records import ENCODING, FILE_ID, FLAG_FIELDS, LINE_END, RECORD_LENGTH, WIDTHS
from app.text.wareki import to_wareki

__all__ = [
    "build_extract",
    "encode_header",
    "encode_record",
    "encode_trailer",
    "write_extract",
]

_MISSING = object()
_HALFWIDTH_KANA = re.compile("[\uff65-\uff9f ]*")
_PHONE = re.compile("[0-9-]*")
# Records encoded before one write to the file.
_WRITE_BATCH = 10_000


def _value(person: object, name: str, default: Any = _MISSING) -> Any:
    if isinstance(person, Mapping):
        value = person.get(name, default)
    else:
        value = getattr(person, name, default)
    if value is _MISSING:
        raise ValueError(f"person has no {name!r}")
    return value


def _text(value: str | None, name: str) -> bytes:
    """Encode as CP932 and pad with ASCII spaces to the field's width."""
    width = WIDTHS[name]
    try:
        raw = (value or "").encode(ENCODING)
    except UnicodeEncodeError as exc:
        raise ValueError(f"{name}: {exc.object[exc.start]!r} cannot be written in CP932") from None
    if len(raw) > width:
        raise ValueError(f"{name}: {len(raw)} bytes, the field holds {width}")
    return raw + b" " * (width - len(raw))


def _digits(value: object, name: str, pad_zero: bool = False) -> bytes:
    width = WIDTHS[name]
    text = str(value).replace("-", "") if name == "postal_code" else str(value)
    if pad_zero:
        text = text.zfill(width)
    if len(text) != width or not (text.isascii() and text.isdigit()):
        raise ValueError(f"{name}: {value!r} is not {width} digits")
    return text.encode("ascii")


def _code(value: Any, allowed: tuple[str, ...], name: str) -> bytes:
    text = str(int(value))
    if text not in allowed:
        raise ValueError(f"{name}: {value!r} is not one of {', '.join(allowed)}")
    return text.encode("ascii")


def _era_coded(day: datetime.date) -> bytes:
    era, year = to_wareki(day)
    if year > 99:
        raise ValueError(f"birth_date: {day} is beyond two-digit era years")
    return f"{era.code}{year:02d}{day.month:02d}{day.day:02d}".encode("ascii")


def _gregorian(day: datetime.date) -> bytes:
    return day.strftime("%Y%m%d").encode("ascii")


def _halfwidth_kana(kana: str | None) -> str:
    text: str = jaconv.z2h(jaconv.hira2kata(kana or ""), kana=True, ascii=False, digit=False)
    text = text.replace("\u3000", " ")
    if not _HALFWIDTH_KANA.fullmatch(text):
        raise ValueError(f"kana: {kana!r} has characters other than kana and spaces")
    return text


def encode_header(as_of: datetime.date, created_on: datetime.date | None = None) -> bytes:
    """The header record (256 bytes, without CR LF).

    :param created_on: defaults to ``as_of``.
    """
    created_on = created_on or as_of
    record = b"H" + _gregorian(created_on) + _gregorian(as_of) + FILE_ID.encode("ascii").ljust(10)
    return record.ljust(RECORD_LENGTH)


def encode_trailer(count: int) -> bytes:
    """The trailer record (256 bytes, without CR LF)."""
    if not 0 <= count <= 999_999_999:
        raise ValueError(f"count {count} does not fit 9 digits")
    return (b"T" + b"%09d" % count).ljust(RECORD_LENGTH)


def encode_record(person: object) -> bytes:
    """One data record (256 bytes, without CR LF).

    :raises ValueError: when the person cannot be written validly.
    """
    status = int(_value(person, "status", 1))
    changed_on = _value(person, "status_changed_on", None)
    if status == 1 and changed_on is not None:
        raise ValueError("status_changed_on: must be empty for status 1")
    if status != 1 and changed_on is None:
        raise ValueError(f"status_changed_on: required for status {status}")
    name = _value(person, "name")
    if not "".join((name or "").split()):
        raise ValueError("name: must not be blank")
    birth_date = _value(person, "birth_date")
    if not isinstance(birth_date, datetime.date):
        raise ValueError(f"birth_date: {birth_date!r} is not a date")
    phone = _value(person, "phone", "") or ""
    if not _PHONE.fullmatch(phone):
        raise ValueError(f"phone: {phone!r} may hold only digits and '-'")

    parts = [
        b"D",
        _digits(_value(person, "resident_no"), "resident_no", pad_zero=True),
        _text(name, "name"),
        _text(_halfwidth_kana(_value(person, "kana")), "kana"),
        _code(_value(person, "sex"), ("1", "2"), "sex"),
        _era_coded(birth_date),
        _digits(_value(person, "postal_code"), "postal_code"),
        _text(_value(person, "address"), "address"),
        _text(_value(person, "address2", ""), "address2"),
        _text(phone, "phone"),
        *(b"1" if _value(person, flag, False) else b"0" for flag in FLAG_FIELDS),
        _code(status, ("1", "2", "3", "4"), "status"),
        _gregorian(changed_on) if changed_on else b" " * 8,
    ]
    record = b"".join(parts).ljust(RECORD_LENGTH)
    # The layout above must add up; a slip here would corrupt every file.
    assert len(record) == RECORD_LENGTH, len(record)
    return record


def write_extract(
    out: BinaryIO,
    as_of: datetime.date,
    records: Iterable[object],
    created_on: datetime.date | None = None,
) -> int:
    """Write a whole extract file to ``out`` a batch of records at a time:
    header, one data record per person, trailer, each followed by CR LF.

    A city's 1.2 million people make a file of some 310 MB; streamed, only a
    batch of records is held at once.

    :param records: people (mappings or objects, see the module docstring);
        an iterator is read once.
    :returns: the number of bytes written.
    """
    written = out.write(encode_header(as_of, created_on) + LINE_END)
    count = 0
    batch: list[bytes] = []
    for person in records:
        batch.append(encode_record(person))
        if len(batch) >= _WRITE_BATCH:
            count += len(batch)
            written += out.write(LINE_END.join(batch) + LINE_END)
            batch = []
    if batch:
        count += len(batch)
        written += out.write(LINE_END.join(batch) + LINE_END)
    written += out.write(encode_trailer(count) + LINE_END)
    return written


def build_extract(
    as_of: datetime.date, records: Iterable[object], created_on: datetime.date | None = None
) -> bytes:
    """A whole extract file in memory (:func:`write_extract` into a buffer).

    :param as_of: the 基準日.
    :param records: people (mappings or objects, see the module docstring).
    :param created_on: the 作成日; defaults to ``as_of``.
    :returns: the file's bytes, each record followed by CR LF.
    """
    buffer = io.BytesIO()
    write_extract(buffer, as_of, records, created_on)
    return buffer.getvalue()
