"""Parser for the host extract file (``FUREAI_YYYYMMDD.DAT``).

Bytes in, typed results out; no database, no Flask.  The format is the host
extract specification v1 (host-extract.md): fixed 256-byte records in
Windows-31J (CP932), each followed by CR LF; one header ``H``, data ``D``, one
trailer ``T``.

Two kinds of failure, as the specification requires:

* :class:`FileError` — the file as a whole is refused; nothing of it may be
  applied.  Raised by :func:`parse_extract`.
* :class:`RecordError` — one data record is rejected (and skipped) for one
  field; a record can have several, one per faulty field.  Returned in
  :attr:`ParseResult.errors`; the other records are still usable.

File-level codes (:attr:`FileError.code`):

``empty_file`` (zero bytes), ``binary_content`` (control bytes such as NUL,
or a CR not followed by LF), ``unexpected_bom`` (a UTF-8 byte order mark: the
file was re-saved by an editor), ``line_ending_lf`` (records ended by LF
without CR), ``line_ending_missing`` (the last record is not ended by CR LF,
usually a truncated transfer), ``record_length`` (a record is not 256 bytes),
``first_not_header``, ``last_not_trailer``, ``record_type`` (a record other
than ``D`` between header and trailer), ``file_id`` (not ``FUREAI``),
``header_date`` (作成日 or 基準日 not a valid YYYYMMDD; :attr:`FileError.field`
says which), ``trailer_count_format`` (not 9 digits), ``trailer_count_mismatch``
and ``duplicate_resident_no``.

Record-level codes (:attr:`RecordError.code`, with :attr:`RecordError.field`
naming the :class:`Record` attribute):

``resident_no_format``, ``name_empty``, ``kana_chars``, ``sex_code``,
``era_code`` / ``invalid_date`` / ``date_out_of_era`` / ``era_coded_format``
(birth date, the codes of :mod:`app.text.wareki`), ``postal_code_format``,
``phone_format``, ``flag_code``, ``status_code``, ``invalid_date`` (異動日),
``change_date_missing`` (status 2/3/4 without 異動日), ``change_date_unexpected``
(status 1 with a 異動日; the specification says spaces) and ``field_encoding``.

Decisions where the specification is silent:

* Fields are sliced by bytes, then decoded as CP932, then right-stripped of
  ASCII spaces.  A field whose bytes are not clean CP932 — typically a
  double-byte character cut by a field boundary, which the specification rules
  out — gives ``field_encoding`` on that field (the neighbouring field usually
  fails too, and is reported as well).  The lone bytes 0x80, 0xA0 and
  0xFD–0xFF, which Python's codec maps to U+0080 and U+F8F0–U+F8F3 rather than
  failing, count as ``field_encoding`` too, not as 外字.  In the header and
  trailer every field is ASCII, so bad bytes there are file-level errors.
* 外字: CP932's user-defined area 0xF040–0xF9FC decodes to U+E000–U+E757 with
  Python's ``cp932`` codec (checked by the tests); such characters are kept and
  :attr:`Record.has_gaiji` is set.
* The phone number must be ASCII digits and ``-`` (or blank); anything else is
  ``phone_format``.  A blank kana name and a blank address are accepted: the
  specification does not list them as errors.
* Reserved areas are not checked.
* A duplicate resident number is detected on the raw field, so it refuses the
  file even when one of the two records is itself rejected.
* Line numbers count physical lines from 1 (the header).

Performance: the records are checked and converted column by column (one
field of every record at a time), so a column of valid values costs a handful
of C-level calls (one CP932 decode of the joined column, a regex, a
``bytes.translate``); only a column that fails is examined record by record.
Measured on the development machine (2 shared cores) with an 89,086-record
file (23 MB) made by the writer from the demo people: 0.7-0.9 s of CPU time per
parse (wall time 0.9-1.4 s while other jobs loaded the machine).  A first,
record-by-record version took 2.7 s.
"""

import datetime
import logging
import re
import time
from dataclasses import dataclass, field
from itertools import compress

from app.text.kana import halfwidth_to_fullwidth_katakana, has_gaiji, name_key
from app.text.wareki import WarekiError, parse_era_coded

__all__ = [
    "DATA_FIELDS",
    "RECORD_LENGTH",
    "FileError",
    "Header",
    "ParseResult",
    "Record",
    "RecordError",
    "parse_extract",
]

log = logging.getLogger(__name__)

RECORD_LENGTH = 256
ENCODING = "cp932"
FILE_ID = "FUREAI"
_LINE_END = b"\r\n"
_STRIDE = RECORD_LENGTH + len(_LINE_END)

# Data record layout: (field, 0-based byte offset, width in bytes).  The order
# is also the order in which one record's errors are reported.
DATA_FIELDS = (
    ("record_type", 0, 1),
    ("resident_no", 1, 10),
    ("name", 11, 40),
    ("kana", 51, 40),
    ("sex", 91, 1),
    ("birth_date", 92, 7),
    ("postal_code", 99, 7),
    ("address", 106, 60),
    ("address2", 166, 40),
    ("phone", 206, 15),
    ("is_elderly", 221, 1),
    ("is_disabled", 222, 1),
    ("is_child_allowance", 223, 1),
    ("status", 224, 1),
    ("status_changed_on", 225, 8),
    ("reserved", 233, 23),
)
_LAYOUT = {name: (offset, width) for name, offset, width in DATA_FIELDS}
_RANK = {name: rank for rank, (name, _, _) in enumerate(DATA_FIELDS)}

# Anything below 0x20 except CR LF, DEL, or a CR that does not end a line.
# No CP932 byte sequence contains these, so they mean the file is not text.
# It also guarantees the newline used below to join a column never occurs
# inside a field.
_CONTROL_BYTES = re.compile(rb"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)")
_LF_WITHOUT_CR = re.compile(rb"(?<!\r)\n")
_NON_CONTROL_BYTES = bytes(range(0x20, 0x7F)) + bytes(range(0x80, 0x100))
_UTF8_BOM = b"\xef\xbb\xbf"

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


class FileError(Exception):
    """The file is refused as a whole; nothing of it may be applied.

    :param code: stable error code (see the module docstring).
    :param message: English explanation.
    :param line_no: the physical line (1 = header) where it was found, if any.
    :param field: the header/trailer field concerned, if any.
    """

    def __init__(self, code, message, line_no=None, field=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.line_no = line_no
        self.field = field

    def __repr__(self):
        return f"FileError({self.code!r}, {self.message!r}, line_no={self.line_no!r})"


@dataclass(frozen=True)
class Header:
    """The header record."""

    created_on: datetime.date
    as_of: datetime.date
    file_id: str


@dataclass(slots=True)
class Record:
    """One valid data record, decoded.

    ``kana`` is full-width katakana with one ASCII space between surname and
    given name; ``name``, ``address`` and ``address2`` are exactly as sent.
    """

    line_no: int
    resident_no: str
    name: str
    kana: str
    sex: int
    birth_date: datetime.date
    postal_code: str
    address: str
    address2: str
    phone: str
    is_elderly: bool
    is_disabled: bool
    is_child_allowance: bool
    status: int
    status_changed_on: datetime.date | None
    has_gaiji: bool

    @property
    def is_eligible(self):
        """Resident (status 1) and in at least one category."""
        return self.status == 1 and (self.is_elderly or self.is_disabled or self.is_child_allowance)


@dataclass(frozen=True, slots=True)
class RecordError:
    """Why a data record was rejected, one per faulty field.

    :param resident_no: the record's resident number as far as it could be
        read; may be ``""`` or malformed when that field is the problem.
    :param field: the :class:`Record` attribute concerned.
    """

    line_no: int
    resident_no: str
    field: str
    code: str
    message: str


@dataclass
class ParseResult:
    """Outcome of :func:`parse_extract` for a file that was not refused.

    :param records: valid data records, in file order.
    :param errors: every record-level error, in file order.
    :param data_count: number of ``D`` records in the file (equals the trailer
        count), rejected ones included.
    """

    header: Header
    records: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    data_count: int = 0

    @property
    def rejected_count(self):
        """Number of data records rejected (a record with two errors counts once)."""
        return len({error.line_no for error in self.errors})


def _gregorian(raw):
    """YYYYMMDD bytes to a date, or ``None``."""
    if len(raw) != 8 or not raw.isdigit():
        return None
    try:
        return datetime.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        return None


def _has_stray_single_byte(text):
    # Five substring searches beat one regex character class on large text.
    return any(stray in text for stray in _STRAY_SINGLE_BYTES)


def _line_no_at(data, offset):
    return data.count(b"\n", 0, offset) + 1


def _check_framing(data):
    """Refuse anything that is not CR LF-ended 256-byte records; return their count."""
    if not data:
        raise FileError("empty_file", "the file is empty (0 bytes)")
    if data.startswith(_UTF8_BOM):
        raise FileError("unexpected_bom", "the file starts with a UTF-8 byte order mark", 1)
    line_count, remainder = divmod(len(data), _STRIDE)
    # Fast path, all in C: CR and LF sit at the end of every 258-byte stride
    # and there is no other control byte anywhere.
    if (
        remainder == 0
        and data[RECORD_LENGTH::_STRIDE] == b"\r" * line_count
        and data[RECORD_LENGTH + 1 :: _STRIDE] == b"\n" * line_count
        and len(data.translate(None, _NON_CONTROL_BYTES)) == 2 * line_count
    ):
        return line_count
    # Something is wrong; find what, in the order most useful to the reader.
    bad = _CONTROL_BYTES.search(data)
    if bad:
        raise FileError(
            "binary_content",
            f"control byte 0x{data[bad.start()]:02X} at offset {bad.start()}: not a text extract",
            line_no=_line_no_at(data, bad.start()),
        )
    lf = _LF_WITHOUT_CR.search(data)
    if lf:
        raise FileError(
            "line_ending_lf",
            "records end with LF instead of CR LF (converted by a file transfer?)",
            line_no=_line_no_at(data, lf.start()),
        )
    if not data.endswith(_LINE_END):
        raise FileError(
            "line_ending_missing",
            "the last record is not ended by CR LF (truncated file?)",
            line_no=data.count(b"\n") + 1,
        )
    for index, line in enumerate(data[: -len(_LINE_END)].split(_LINE_END)):
        if len(line) != RECORD_LENGTH:
            raise FileError(
                "record_length",
                f"record is {len(line)} bytes, expected {RECORD_LENGTH}",
                line_no=index + 1,
            )
    raise AssertionError("unreachable: the framing checks disagree")


def _parse_header(line):
    if line[:1] != b"H":
        raise FileError("first_not_header", "the first record is not a header (H)", 1)
    dates = {}
    for name, raw in (("created_on", line[1:9]), ("as_of", line[9:17])):
        dates[name] = _gregorian(raw)
        if dates[name] is None:
            raise FileError(
                "header_date",
                f"header {name} {raw!r} is not a valid YYYYMMDD date",
                line_no=1,
                field=name,
            )
    file_id = line[17:27].decode("ascii", "replace").rstrip(" ")
    if file_id != FILE_ID:
        raise FileError("file_id", f"file id is {file_id!r}, expected {FILE_ID!r}", 1, "file_id")
    return Header(created_on=dates["created_on"], as_of=dates["as_of"], file_id=file_id)


def _parse_trailer_count(line, line_no):
    if line[:1] != b"T":
        raise FileError("last_not_trailer", "the last record is not a trailer (T)", line_no)
    raw = line[1:10]
    if not raw.isdigit():
        raise FileError(
            "trailer_count_format",
            f"trailer count {raw!r} is not 9 digits",
            line_no,
            "data_count",
        )
    return int(raw)


class _DataRecords:
    """The data records of a framed file, checked and converted column by column.

    Going field by field over all records lets the common case — every value
    valid — be checked by one C-level operation per column (a regex over the
    joined column, ``bytes.translate``, one ``decode``) instead of a Python
    loop per record.  Only a column that fails the bulk check is examined
    record by record to say which records are wrong.
    """

    def __init__(self, region, count):
        self.region = region
        self.count = count
        self.problems = []  # (index, field, code, message)
        self.rejected = set()

    def column(self, name):
        """The field's raw bytes of every record, as a list."""
        offset, width = _LAYOUT[name]
        end = offset + width
        region = self.region
        return [region[i + offset : i + end] for i in range(0, len(region), _STRIDE)]

    def stripped_column(self, name):
        """Like :meth:`column`, without the trailing space padding.

        Stripping bytes is safe: 0x20 is never the second byte of a CP932
        character.  It is also far cheaper than stripping decoded text.
        """
        offset, width = _LAYOUT[name]
        end = offset + width
        region = self.region
        return [region[i + offset : i + end].rstrip(b" ") for i in range(0, len(region), _STRIDE)]

    def code_column(self, name):
        """A one-byte field of every record, as one ``bytes``."""
        return self.region[_LAYOUT[name][0] :: _STRIDE]

    def reject(self, index, name, code, message):
        self.problems.append((index, name, code, message))
        self.rejected.add(index)

    # -- file-level checks on the data records ---------------------------------

    def check_record_types(self):
        types = self.code_column("record_type")
        if types.translate(None, b"D"):
            index = next(i for i, value in enumerate(types) if value != ord("D"))
            raise FileError(
                "record_type",
                f"record type {bytes([types[index]])!r} where a data record (D) was expected",
                index + 2,
            )

    def check_duplicates(self, raw_residents):
        if len(set(raw_residents)) == len(raw_residents):
            return
        seen = {}
        for index, raw in enumerate(raw_residents):
            first = seen.setdefault(raw, index)
            if first != index:
                raise FileError(
                    "duplicate_resident_no",
                    f"resident number also on line {first + 2}",
                    index + 2,
                    "resident_no",
                )

    # -- columns ---------------------------------------------------------------

    def digits(self, name, raws, code, what):
        if b"".join(raws).isdigit() or not raws:
            return
        for index, raw in enumerate(raws):
            if not raw.isdigit():
                self.reject(index, name, code, f"{raw!r} is not {what}")

    def text(self, name):
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
            return joined, joined.split("\n")
        values = []
        for index, raw in enumerate(raws):
            try:
                value = raw.decode(ENCODING)
            except UnicodeDecodeError as exc:
                value = None
                reason = f"bytes are not valid CP932 at byte {exc.start}"
            else:
                if _has_stray_single_byte(value):
                    value = None
                    reason = "bytes are not valid CP932 text"
            if value is None:
                self.reject(index, name, "field_encoding", reason)
            values.append(value)
        return "\n".join(value or "" for value in values), values

    def codes(self, name, allowed, code, what):
        """Check a one-byte code field; return its values as ints."""
        raw = self.code_column(name)
        if raw.translate(None, allowed):
            for index, value in enumerate(raw):
                if value not in allowed:
                    self.reject(index, name, code, f"{bytes([value])!r} is not {what}")
        return list(raw.translate(_DIGIT_VALUES))

    def birth_dates(self):
        raws = self.column("birth_date")
        outcomes = {}
        # A file holds a few tens of thousands of distinct birth dates at most.
        for raw in set(raws):
            try:
                outcomes[raw] = parse_era_coded(raw.decode("ascii"))
            except UnicodeDecodeError:
                outcomes[raw] = WarekiError("era_coded_format", f"expected 7 digits, got {raw!r}")
            except WarekiError as exc:
                outcomes[raw] = exc
        if any(isinstance(value, WarekiError) for value in outcomes.values()):
            for index, raw in enumerate(raws):
                outcome = outcomes[raw]
                if isinstance(outcome, WarekiError):
                    self.reject(index, "birth_date", outcome.code, outcome.message)
        return list(map(outcomes.__getitem__, raws))

    def phones(self):
        raws = self.stripped_column("phone")
        joined = b"\n".join(raws)
        if not _PHONE_COLUMN.fullmatch(joined):
            for index, raw in enumerate(raws):
                if not _PHONE_FIELD.fullmatch(raw):
                    self.reject(
                        index,
                        "phone",
                        "phone_format",
                        "only ASCII digits and '-' are allowed",
                    )
        return joined.decode("latin-1").split("\n")

    def change_dates(self, statuses):
        """Check 異動日 against the status; return dates (``None`` when blank)."""
        raws = self.column("status_changed_on")
        values = [None] * self.count
        status_codes = self.code_column("status")
        to_check = {m.start() for m in _NOT_RESIDENT.finditer(status_codes)}
        to_check.update(m.start() // 8 for m in _NOT_BLANK.finditer(b"".join(raws)))
        for index in sorted(to_check):
            raw, status = raws[index], statuses[index]
            if raw == _BLANK_DATE:
                if status in (2, 3, 4):
                    self.reject(
                        index,
                        "status_changed_on",
                        "change_date_missing",
                        f"status {status} needs the date of the change",
                    )
                continue
            values[index] = _gregorian(raw)
            if values[index] is None:
                self.reject(
                    index,
                    "status_changed_on",
                    "invalid_date",
                    f"{raw!r} is not a valid YYYYMMDD date",
                )
            elif status == 1:
                self.reject(
                    index,
                    "status_changed_on",
                    "change_date_unexpected",
                    "status 1 (resident) must not carry a change date",
                )
        return values

    # -- the whole record ------------------------------------------------------

    def parse(self, raw_residents):
        """Return ``(records, errors)``."""
        count = self.count
        if count == 0:  # "".split("\n") would invent one empty record
            return [], []
        self.digits("resident_no", raw_residents, "resident_no_format", "10 digits")
        residents = b"\n".join(raw_residents).decode("latin-1").split("\n")

        names_joined, names = self.text("name")
        if _BLANK_LINE.search(names_joined):
            for index, name in enumerate(names):
                if name is not None and not name_key(name):
                    self.reject(index, "name", "name_empty", "the name is blank")

        kana_joined, kana_values = self.text("kana")
        if not _KANA_COLUMN.fullmatch(kana_joined):
            for index, kana in enumerate(kana_values):
                if kana is not None and not _KANA_FIELD.fullmatch(kana):
                    self.reject(
                        index,
                        "kana",
                        "kana_chars",
                        "only half-width katakana and spaces are allowed",
                    )
        kana_values = halfwidth_to_fullwidth_katakana(kana_joined).split("\n")

        sexes = self.codes("sex", b"12", "sex_code", "1 or 2")
        births = self.birth_dates()
        raw_postals = self.column("postal_code")
        self.digits("postal_code", raw_postals, "postal_code_format", "7 digits")
        postals = b"\n".join(raw_postals).decode("latin-1").split("\n")

        addresses_joined, addresses = self.text("address")
        addresses2_joined, addresses2 = self.text("address2")
        phones = self.phones()
        flags = [
            list(map(bool, self.codes(name, b"01", "flag_code", "0 or 1")))
            for name in ("is_elderly", "is_disabled", "is_child_allowance")
        ]
        statuses = self.codes("status", b"1234", "status_code", "1 to 4")
        changes = self.change_dates(statuses)

        gaiji = [False] * count
        for joined, values in (
            (names_joined, names),
            (addresses_joined, addresses),
            (addresses2_joined, addresses2),
        ):
            if _PRIVATE_USE.search(joined):
                gaiji = [
                    before or (value is not None and has_gaiji(value))
                    for before, value in zip(gaiji, values, strict=True)
                ]

        keep = [True] * count
        for index in self.rejected:
            keep[index] = False
        columns = (
            range(2, count + 2),
            residents,
            names,
            kana_values,
            sexes,
            births,
            postals,
            addresses,
            addresses2,
            phones,
            *flags,
            statuses,
            changes,
            gaiji,
        )
        records = list(map(Record, *(compress(column, keep) for column in columns)))
        self.problems.sort(key=lambda p: (p[0], _RANK[p[1]]))
        errors = [
            RecordError(
                line_no=index + 2,
                resident_no=raw_residents[index].decode(ENCODING, "replace").strip(),
                field=name,
                code=code,
                message=message,
            )
            for index, name, code, message in self.problems
        ]
        return records, errors


def parse_extract(data):
    """Parse a whole extract file.

    :param data: the file's bytes.
    :returns: :class:`ParseResult` with the valid records and the record-level
        errors.
    :raises FileError: when the file must be refused as a whole.
    """
    started = time.perf_counter()
    line_count = _check_framing(data)
    header = _parse_header(data[:RECORD_LENGTH])
    expected_count = _parse_trailer_count(data[-_STRIDE : -len(_LINE_END)], line_count)
    data_count = line_count - 2  # a lone header was refused as last_not_trailer
    data_records = _DataRecords(data[_STRIDE:-_STRIDE], data_count)
    data_records.check_record_types()
    raw_residents = data_records.column("resident_no")
    data_records.check_duplicates(raw_residents)
    if expected_count != data_count:
        raise FileError(
            "trailer_count_mismatch",
            f"trailer says {expected_count} data records, the file has {data_count}",
            line_count,
            "data_count",
        )
    records, errors = data_records.parse(raw_residents)
    result = ParseResult(header=header, records=records, errors=errors, data_count=data_count)
    # Counts only: the extract is personal data and must not reach the logs.
    log.info(
        "host extract as of %s: %d data records, %d rejected, parsed in %.2f s",
        header.as_of.isoformat(),
        data_count,
        result.rejected_count,
        time.perf_counter() - started,
    )
    return result
