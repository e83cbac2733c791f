"""Checking and converting the data records of a framed extract, field by field.

Going field by field over all records lets the common case — every value
valid — be checked by one C-level operation per column (a regex over the
joined column, ``bytes.translate``, one ``decode``) instead of a Python loop
per record.  Only a column that fails the bulk check is examined record by
record to say which records are wrong.  The record-level error codes are
listed in :mod:`app.hostlink.parser`; the layout is
:data:`app.hostlink.records.DATA_FIELDS`.
"""

import datetime
import re
from collections.abc import Iterable, Sequence
from itertools import compress
from typing import Any

from app.hostlink.records import (
    DATA_FIELDS,
    ENCODING,
    FLAG_FIELDS,
    LINE_END,
    RECORD_LENGTH,
    Record,
    RecordError,
)
from app.text.kana import halfwidth_to_fullwidth_katakana, has_gaiji, name_key
from app.text.wareki import WarekiError, parse_era_coded

__all__ = ["STRIDE", "DataRecords", "field_span", "gregorian"]

STRIDE = RECORD_LENGTH + len(LINE_END)
_LAYOUT = {name: (offset, width) for name, offset, width in DATA_FIELDS}
_RANK = {name: rank for rank, (name, _, _) in enumerate(DATA_FIELDS)}

_BLANK_LINE = re.compile(r"^[^\S\n]*$", re.MULTILINE)
_KANA_FIELD = re.compile("[\uff65-\uff9f ]*")
_KANA_COLUMN = re.compile("[\uff65-\uff9f \n]*")
_PHONE_FIELD = re.compile(rb"[0-9-]*")
_PHONE_COLUMN = re.compile(rb"[0-9\n-]*")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
# What Python's cp932 makes of the lone bytes 0x80, 0xA0, 0xFD, 0xFE, 0xFF,
# which it decodes without complaint although they are no text.
_STRAY_SINGLE_BYTES = ("\x80", "\uf8f0", "\uf8f1", "\uf8f2", "\uf8f3")
_NOT_BLANK = re.compile(rb"[^ ]")
_NOT_RESIDENT = re.compile(rb"[^1]")
# b"0".."9" → 0..9, so iterating a translated code column yields ints.
_DIGIT_VALUES = bytes.maketrans(b"0123456789", bytes(range(10)))
_BLANK_DATE = b" " * 8


Problem = tuple[int, str, str, str]  # (index, field, code, message)


def field_span(name: str) -> tuple[int, int]:
    """``(offset, width)`` of a data record's field."""
    return _LAYOUT[name]


TextColumn = tuple[str, list[str | None]]


def gregorian(raw: bytes) -> datetime.date | None:
    """YYYYMMDD bytes to a date, or ``None``."""
    if len(raw) != 8 or not raw.isdigit():
        return None
    try:
        return datetime.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        return None


def _has_stray_single_byte(text: str) -> bool:
    # Five substring searches beat one regex character class on large text.
    return any(stray in text for stray in _STRAY_SINGLE_BYTES)


def _latin1_split(raws: list[bytes]) -> list[str]:
    """ASCII fields as text, all at once."""
    return b"\n".join(raws).decode("latin-1").split("\n")


def _decode_one(raw: bytes) -> tuple[str | None, str]:
    """One field's text, or ``None`` and why it is not CP932 text."""
    try:
        value = raw.decode(ENCODING)
    except UnicodeDecodeError as exc:
        return None, f"bytes are not valid CP932 at byte {exc.start}"
    if _has_stray_single_byte(value):
        return None, "bytes are not valid CP932 text"
    return value, ""


def _era_outcome(raw: bytes) -> datetime.date | WarekiError:
    try:
        return parse_era_coded(raw.decode("ascii"))
    except UnicodeDecodeError:
        return WarekiError("era_coded_format", f"expected 7 digits, got {raw!r}")
    except WarekiError as exc:
        return exc


class DataRecords:
    """The data records of a framed file, checked and converted column by column.

    :param region: data records, whole (all between header and trailer, or
        a run of them).
    :param count: the number of data records in it.
    :param first_line: the physical line of its first record (2: the one
        after the header).
    """

    def __init__(self, region: bytes, count: int, first_line: int = 2) -> None:
        self.region = region
        self.count = count
        self.first_line = first_line
        self.problems: list[Problem] = []
        self.rejected: set[int] = set()

    def column(self, name: str) -> list[bytes]:
        """The field's raw bytes of every record, as a list."""
        offset, width = _LAYOUT[name]
        end = offset + width
        region = self.region
        return [region[i + offset : i + end] for i in range(0, len(region), STRIDE)]

    def stripped_column(self, name: str) -> list[bytes]:
        """Like :meth:`column`, without the trailing space padding.

        Stripping bytes is safe: 0x20 is never the second byte of a CP932
        character.  It is also far cheaper than stripping decoded text.
        """
        offset, width = _LAYOUT[name]
        end = offset + width
        region = self.region
        return [region[i + offset : i + end].rstrip(b" ") for i in range(0, len(region), STRIDE)]

    def code_column(self, name: str) -> bytes:
        """A one-byte field of every record, as one ``bytes``."""
        return self.region[_LAYOUT[name][0] :: STRIDE]

    def reject(self, index: int, name: str, code: str, message: str) -> None:
        """Note one faulty field; its record will not be used."""
        self.problems.append((index, name, code, message))
        self.rejected.add(index)

    # -- columns ---------------------------------------------------------------

    def digits(self, name: str, raws: list[bytes], code: str, what: str) -> None:
        """Reject the records whose field is not all ASCII digits."""
        if b"".join(raws).isdigit() or not raws:
            return
        for index, raw in enumerate(raws):
            if not raw.isdigit():
                self.reject(index, name, code, f"{raw!r} is not {what}")

    def text(self, name: str) -> TextColumn:
        """Decode a CP932 text field; return ``(joined, values)``.

        ``values`` are right-stripped of ASCII spaces; a value that failed to
        decode is ``None`` and its record rejected.
        """
        raws = self.stripped_column(name)
        try:
            joined = b"\n".join(raws).decode(ENCODING)
        except UnicodeDecodeError:
            joined = None
        if joined is not None and not _has_stray_single_byte(joined):
            return joined, list(joined.split("\n"))
        values: list[str | None] = []
        for index, raw in enumerate(raws):
            value, reason = _decode_one(raw)
            if value is None:
                self.reject(index, name, "field_encoding", reason)
            values.append(value)
        return "\n".join(value or "" for value in values), values

    def codes(self, name: str, allowed: bytes, code: str, what: str) -> list[int]:
        """Check a one-byte code field; return its values as ints."""
        raw = self.code_column(name)
        if raw.translate(None, allowed):
            for index, value in enumerate(raw):
                if value not in allowed:
                    self.reject(index, name, code, f"{bytes([value])!r} is not {what}")
        return list(raw.translate(_DIGIT_VALUES))

    def flags(self) -> list[list[bool]]:
        """The three category flag columns."""
        return [
            list(map(bool, self.codes(name, b"01", "flag_code", "0 or 1"))) for name in FLAG_FIELDS
        ]

    def birth_dates(self) -> list[datetime.date | WarekiError]:
        """生年月日 (era-coded) of every record; a failure where it is invalid."""
        raws = self.column("birth_date")
        # A file holds a few tens of thousands of distinct birth dates at most.
        outcomes = {raw: _era_outcome(raw) for raw in set(raws)}
        if any(isinstance(value, WarekiError) for value in outcomes.values()):
            for index, raw in enumerate(raws):
                outcome = outcomes[raw]
                if isinstance(outcome, WarekiError):
                    self.reject(index, "birth_date", outcome.code, outcome.message)
        return list(map(outcomes.__getitem__, raws))

    def phones(self) -> list[str]:
        """Phone numbers: ASCII digits and ``-`` only."""
        raws = self.stripped_column("phone")
        joined = b"\n".join(raws)
        if not _PHONE_COLUMN.fullmatch(joined):
            for index, raw in enumerate(raws):
                if not _PHONE_FIELD.fullmatch(raw):
                    self.reject(
                        index, "phone", "phone_format", "only ASCII digits and '-' are allowed"
                    )
        return joined.decode("latin-1").split("\n")

    def names(self) -> TextColumn:
        """Names, which must not be blank."""
        joined, names = self.text("name")
        if _BLANK_LINE.search(joined):
            for index, name in enumerate(names):
                if name is not None and not name_key(name):
                    self.reject(index, "name", "name_empty", "the name is blank")
        return joined, names

    def kana(self) -> list[str]:
        """Kana names (half-width in the file), as full-width katakana."""
        joined, values = self.text("kana")
        if not _KANA_COLUMN.fullmatch(joined):
            for index, kana in enumerate(values):
                if kana is not None and not _KANA_FIELD.fullmatch(kana):
                    self.reject(
                        index,
                        "kana",
                        "kana_chars",
                        "only half-width katakana and spaces are allowed",
                    )
        return list(halfwidth_to_fullwidth_katakana(joined).split("\n"))

    def change_dates(self, statuses: list[int]) -> list[datetime.date | None]:
        """Check 異動日 against the status; return dates (``None`` when blank)."""
        raws = self.column("status_changed_on")
        values: list[datetime.date | None] = [None] * self.count
        to_check = {m.start() for m in _NOT_RESIDENT.finditer(self.code_column("status"))}
        to_check.update(m.start() // 8 for m in _NOT_BLANK.finditer(b"".join(raws)))
        for index in sorted(to_check):
            values[index] = self._change_date(index, raws[index], statuses[index])
        return values

    def _change_date(self, index: int, raw: bytes, status: int) -> datetime.date | None:
        field = "status_changed_on"
        if raw == _BLANK_DATE:
            if status in (2, 3, 4):
                message = f"status {status} needs the date of the change"
                self.reject(index, field, "change_date_missing", message)
            return None
        value = gregorian(raw)
        if value is None:
            self.reject(index, field, "invalid_date", f"{raw!r} is not a valid YYYYMMDD date")
        elif status == 1:
            message = "status 1 (resident) must not carry a change date"
            self.reject(index, field, "change_date_unexpected", message)
        return value

    def gaiji(self, *texts: TextColumn) -> list[bool]:
        """Per record, whether any of the text columns holds a 外字."""
        flags = [False] * self.count
        for joined, values in texts:
            if _PRIVATE_USE.search(joined):
                flags = [
                    before or (value is not None and has_gaiji(value))
                    for before, value in zip(flags, values, strict=True)
                ]
        return flags

    # -- the whole record ------------------------------------------------------

    def parse(self, raw_residents: list[bytes]) -> tuple[list[Record], list[RecordError]]:
        """Check and convert every field; return ``(records, errors)``.

        :param raw_residents: the resident number column (already read for
            the duplicate check).
        """
        if self.count == 0:  # "".split("\n") would invent one empty record
            return [], []
        self.digits("resident_no", raw_residents, "resident_no_format", "10 digits")
        raw_postals = self.column("postal_code")
        names = self.names()
        kana = self.kana()
        sexes = self.codes("sex", b"12", "sex_code", "1 or 2")
        births = self.birth_dates()
        self.digits("postal_code", raw_postals, "postal_code_format", "7 digits")
        addresses = self.text("address")
        addresses2 = self.text("address2")
        phones = self.phones()
        flags = self.flags()
        statuses = self.codes("status", b"1234", "status_code", "1 to 4")
        changes = self.change_dates(statuses)
        columns = (
            range(self.first_line, self.first_line + self.count),
            _latin1_split(raw_residents),
            names[1],
            kana,
            sexes,
            births,
            _latin1_split(raw_postals),
            addresses[1],
            addresses2[1],
            phones,
            *flags,
            statuses,
            changes,
            self.gaiji(names, addresses, addresses2),
        )
        return self._records(columns), self._errors(raw_residents)

    def _records(self, columns: Sequence[Iterable[Any]]) -> list[Record]:
        """The records nobody rejected, built from the converted columns."""
        keep = [True] * self.count
        for index in self.rejected:
            keep[index] = False
        return list(map(Record, *(compress(column, keep) for column in columns)))

    def _errors(self, raw_residents: list[bytes]) -> list[RecordError]:
        """The problems in file order, one record's in field order."""
        self.problems.sort(key=lambda p: (p[0], _RANK[p[1]]))
        return [
            RecordError(
                line_no=index + self.first_line,
                resident_no=raw_residents[index].decode(ENCODING, "replace").strip(),
                field=name,
                code=code,
                message=message,
            )
            for index, name, code, message in self.problems
        ]
