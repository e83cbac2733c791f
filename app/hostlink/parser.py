"""Parser for the host extract file (``FUREAI_YYYYMMDD.DAT``).

Bytes in, typed results out; no database, no Flask.  The format is the host
extract specification v1 (host-extract.md): fixed 256-byte records in
Windows-31J (CP932), each followed by CR LF; one header ``H``, data ``D``, one
trailer ``T``.

The layout and the result types are in :mod:`app.hostlink.records`, the
checks of the data records' fields in :mod:`app.hostlink.fields`; this module
checks the framing, the header and the trailer and puts it together.  The
names of both are importable from here.

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
from collections.abc import Iterator

from app.hostlink.fields import STRIDE, DataRecords, field_span, gregorian
from app.hostlink.records import (
    DATA_FIELDS,
    FILE_ID,
    LINE_END,
    RECORD_LENGTH,
    FileError,
    Header,
    ParseResult,
    Record,
    RecordError,
)

__all__ = [
    "CHUNK_RECORDS",
    "DATA_FIELDS",
    "RECORD_LENGTH",
    "Extract",
    "FileError",
    "Header",
    "ParseResult",
    "Record",
    "RecordError",
    "open_extract",
    "parse_extract",
]

log = logging.getLogger(__name__)

# Anything below 0x20 except CR LF, DEL, or a CR that does not end a line.
# No CP932 byte sequence contains these, so they mean the file is not text.
# It also guarantees the newline used to join a column never occurs inside a
# field.
_CONTROL_BYTES = re.compile(rb"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)")
_LF_WITHOUT_CR = re.compile(rb"(?<!\r)\n")
_NON_CONTROL_BYTES = bytes(range(0x20, 0x7F)) + bytes(range(0x80, 0x100))
_UTF8_BOM = b"\xef\xbb\xbf"


def _line_no_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _well_framed(data: bytes) -> int | None:
    """The number of lines when the framing is right, checked all in C.

    CR and LF sit at the end of every 258-byte stride and there is no other
    control byte anywhere.
    """
    line_count, remainder = divmod(len(data), STRIDE)
    if (
        remainder == 0
        and data[RECORD_LENGTH::STRIDE] == b"\r" * line_count
        and data[RECORD_LENGTH + 1 :: STRIDE] == b"\n" * line_count
        and len(data.translate(None, _NON_CONTROL_BYTES)) == 2 * line_count
    ):
        return line_count
    return None


def _framing_error(data: bytes) -> FileError:
    """What is wrong with badly framed data, in the order most useful to the reader."""
    bad = _CONTROL_BYTES.search(data)
    if bad:
        return FileError(
            "binary_content",
            f"control byte 0x{data[bad.start()]:02X} at offset {bad.start()}: not a text extract",
            line_no=_line_no_at(data, bad.start()),
        )
    lf = _LF_WITHOUT_CR.search(data)
    if lf:
        return FileError(
            "line_ending_lf",
            "records end with LF instead of CR LF (converted by a file transfer?)",
            line_no=_line_no_at(data, lf.start()),
        )
    if not data.endswith(LINE_END):
        return FileError(
            "line_ending_missing",
            "the last record is not ended by CR LF (truncated file?)",
            line_no=data.count(b"\n") + 1,
        )
    for index, line in enumerate(data[: -len(LINE_END)].split(LINE_END)):
        if len(line) != RECORD_LENGTH:
            return FileError(
                "record_length",
                f"record is {len(line)} bytes, expected {RECORD_LENGTH}",
                line_no=index + 1,
            )
    raise AssertionError("unreachable: the framing checks disagree")


def _check_framing(data: bytes) -> int:
    """Refuse anything that is not CR LF-ended 256-byte records; return their count."""
    if not data:
        raise FileError("empty_file", "the file is empty (0 bytes)")
    if data.startswith(_UTF8_BOM):
        raise FileError("unexpected_bom", "the file starts with a UTF-8 byte order mark", 1)
    line_count = _well_framed(data)
    if line_count is None:
        raise _framing_error(data)
    return line_count


def _header_date(line: bytes, name: str, start: int) -> datetime.date:
    raw = line[start : start + 8]
    day = gregorian(raw)
    if day is None:
        raise FileError(
            "header_date",
            f"header {name} {raw!r} is not a valid YYYYMMDD date",
            line_no=1,
            field=name,
        )
    return day


def _parse_header(line: bytes) -> Header:
    if line[:1] != b"H":
        raise FileError("first_not_header", "the first record is not a header (H)", 1)
    created_on = _header_date(line, "created_on", 1)
    as_of = _header_date(line, "as_of", 9)
    file_id = line[17:27].decode("ascii", "replace").rstrip(" ")
    if file_id != FILE_ID:
        raise FileError("file_id", f"file id is {file_id!r}, expected {FILE_ID!r}", 1, "file_id")
    return Header(created_on=created_on, as_of=as_of, file_id=file_id)


def _parse_trailer_count(line: bytes, line_no: int) -> int:
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


def _column_of(data: bytes, name: str, count: int) -> list[bytes]:
    """A field's raw bytes of every data record, read from the whole file."""
    offset, width = field_span(name)
    first = STRIDE + offset
    return [data[i : i + width] for i in range(first, first + count * STRIDE, STRIDE)]


def _check_record_types(data: bytes, count: int) -> None:
    offset, _width = field_span("record_type")
    types = data[STRIDE + offset : STRIDE + count * STRIDE : STRIDE]
    if types.translate(None, b"D"):
        index = next(i for i, value in enumerate(types) if value != ord("D"))
        raise FileError(
            "record_type",
            f"record type {bytes([types[index]])!r} where a data record (D) was expected",
            index + 2,
        )


def _check_duplicates(raw_residents: list[bytes]) -> None:
    if len(set(raw_residents)) == len(raw_residents):
        return
    seen: dict[bytes, int] = {}
    for index, raw in enumerate(raw_residents):
        first = seen.setdefault(raw, index)
        if first != index:
            raise FileError(
                "duplicate_resident_no",
                f"resident number also on line {first + 2}",
                index + 2,
                "resident_no",
            )


# Data records parsed at a time by :meth:`Extract.chunks`: memory for the
# records of one chunk, whatever the file's size (1.2 million records: 310 MB).
CHUNK_RECORDS = 50_000


class Extract:
    """A file that passed the file-level checks, its data records still to
    be parsed, a chunk at a time (:meth:`chunks`), so that a file of any size
    is parsed in bounded memory.  Use :func:`open_extract`.

    :ivar errors: the record-level errors of the chunks parsed so far, in
        file order; complete once :meth:`chunks` has run to its end (or
        after :meth:`all_errors`).
    """

    def __init__(self, data: bytes, header: Header, data_count: int, raw: list[bytes]) -> None:
        self.header = header
        self.data_count = data_count
        self.errors: list[RecordError] = []
        self._data = data
        self._raw_residents: list[bytes] | None = raw
        self._done = False

    def chunks(self, size: int | None = None) -> Iterator[list[Record]]:
        """The valid records, ``size`` (default :data:`CHUNK_RECORDS`) data
        records' worth at a time, in file order; the errors of each chunk go
        to :attr:`errors`.  Once only."""
        size = size or CHUNK_RECORDS
        if self._done or self._raw_residents is None:
            raise RuntimeError("the records of an extract are read once")
        raw_residents, self._raw_residents = self._raw_residents, None
        started = time.perf_counter()
        data, count = self._data, self.data_count
        for first in range(0, count, size):
            n = min(size, count - first)
            region = data[STRIDE + first * STRIDE : STRIDE + (first + n) * STRIDE]
            part = DataRecords(region, n, first_line=first + 2)
            records, errors = part.parse(raw_residents[first : first + n])
            self.errors.extend(errors)
            yield records
        self._done = True
        self._data = b""  # the file's bytes are no longer needed
        # Counts only: the extract is personal data and must not reach the logs.
        log.info(
            "host extract as of %s: %d data records, %d rejected, parsed in %.2f s",
            self.header.as_of.isoformat(),
            count,
            self.rejected_count,
            time.perf_counter() - started,
        )

    def all_errors(self) -> list[RecordError]:
        """Every record-level error (the records are parsed and dropped)."""
        if not self._done:
            for _records in self.chunks():
                pass
        return self.errors

    @property
    def rejected_count(self) -> int:
        """Data records rejected so far (a record with two errors counts once)."""
        return len({error.line_no for error in self.errors})


def open_extract(data: bytes) -> Extract:
    """Check a whole extract file as a file: its framing, header and
    trailer, the record types, duplicate resident numbers and the count.

    :param data: the file's bytes.
    :returns: :class:`Extract`, whose records are parsed on reading.
    :raises FileError: when the file must be refused as a whole.
    """
    line_count = _check_framing(data)
    header = _parse_header(data[:RECORD_LENGTH])
    expected_count = _parse_trailer_count(data[-STRIDE : -len(LINE_END)], line_count)
    data_count = line_count - 2  # a lone header was refused as last_not_trailer
    _check_record_types(data, data_count)
    raw_residents = _column_of(data, "resident_no", data_count)
    _check_duplicates(raw_residents)
    if expected_count != data_count:
        raise FileError(
            "trailer_count_mismatch",
            f"trailer says {expected_count} data records, the file has {data_count}",
            line_count,
            "data_count",
        )
    return Extract(data, header, data_count, raw_residents)


def parse_extract(data: bytes) -> ParseResult:
    """Parse a whole extract file at once (:func:`open_extract`, every
    record in one list: for files that fit in memory many times over).

    :param data: the file's bytes.
    :returns: :class:`ParseResult` with the valid records and the record-level
        errors.
    :raises FileError: when the file must be refused as a whole.
    """
    extract = open_extract(data)
    records = [record for chunk in extract.chunks() for record in chunk]
    return ParseResult(
        header=extract.header,
        records=records,
        errors=extract.errors,
        data_count=extract.data_count,
    )
