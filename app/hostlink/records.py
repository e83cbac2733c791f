"""The host extract's layout and what parsing it yields.

The one place that says where each field of a data record sits
(:data:`DATA_FIELDS`), shared by :mod:`app.hostlink.parser` and
:mod:`app.hostlink.writer`; the typed results (:class:`Header`,
:class:`Record`, :class:`RecordError`, :class:`ParseResult`, :class:`FileError`);
and the program's eligibility rule (:func:`is_eligible`), used by the parser's
records and by the comparison in :mod:`app.hostlink.apply`.
"""

import datetime
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "DATA_FIELDS",
    "ENCODING",
    "FILE_ID",
    "FLAG_FIELDS",
    "LINE_END",
    "RECORD_LENGTH",
    "RESIDENT_STATUS",
    "FileError",
    "Header",
    "ParseResult",
    "Record",
    "RecordError",
    "in_a_category",
    "is_eligible",
]

RECORD_LENGTH = 256
ENCODING = "cp932"
FILE_ID = "FUREAI"
LINE_END = b"\r\n"

# Data record layout: (field, 0-based byte offset, width in bytes).  The order
# is also the order in which one record's errors are reported.
DATA_FIELDS: tuple[tuple[str, int, int], ...] = (
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
WIDTHS: dict[str, int] = {name: width for name, _, width in DATA_FIELDS}

# The category flags (高齢者 60+, 障害者, 児童扶養手当), in layout order; the
# residents' columns of the same names (app.residents.models.CATEGORY_COLUMNS).
FLAG_FIELDS = ("is_elderly", "is_disabled", "is_child_allowance")
# 住民状態 1: resident (2 転出, 3 死亡, 4 職権消除 have left).
RESIDENT_STATUS = 1


class HasCategories(Protocol):
    """Anything with the three category flags (a record, a resident)."""

    @property
    def is_elderly(self) -> bool: ...

    @property
    def is_disabled(self) -> bool: ...

    @property
    def is_child_allowance(self) -> bool: ...


def in_a_category(person: HasCategories) -> bool:
    """Whether at least one category flag is set."""
    return person.is_elderly or person.is_disabled or person.is_child_allowance


def is_eligible(record: "Record") -> bool:
    """The program's rule: a resident (status 1) in at least one category."""
    return record.status == RESIDENT_STATUS and in_a_category(record)


class FileError(Exception):
    """The file is refused as a whole; nothing of it may be applied.

    :param code: stable error code (see :mod:`app.hostlink.parser`).
    :param message: English explanation.
    :param line_no: the physical line (1 = header) where it was found, if any.
    :param field: the header/trailer field concerned, if any.
    """

    def __init__(
        self, code: str, message: str, line_no: int | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line_no = line_no
        self.field = field

    def __repr__(self) -> str:
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
    def is_eligible(self) -> bool:
        """Resident (status 1) and in at least one category."""
        return is_eligible(self)


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
    """Outcome of :func:`~app.hostlink.parser.parse_extract` for a file that was
    not refused.

    :param records: valid data records, in file order.
    :param errors: every record-level error, in file order.
    :param data_count: number of ``D`` records in the file (equals the trailer
        count), rejected ones included.
    """

    header: Header
    records: list[Record] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    data_count: int = 0

    @property
    def rejected_count(self) -> int:
        """Number of data records rejected (a record with two errors counts once)."""
        return len({error.line_no for error in self.errors})
