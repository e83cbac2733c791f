"""The workbook as a file: is it an .xlsx/.xlsm, is it safe to hand to calamine.

Everything here runs before python-calamine sees the bytes:

1. :func:`sniff` names what the bytes are when they are not a zip (empty, an
   old .xls or an encrypted workbook — both OLE compound files —, a PDF, an
   executable, text such as CSV).
2. :func:`open_package` checks the zip's directory: number of parts, declared
   uncompressed sizes (total) and compression ratios (per part), encryption
   and compression methods; then reads ``xl/workbook.xml`` and its relations
   for the sheets' names and parts and the 1904 date system.
3. :func:`scan_parts` inflates, in 1 MiB pieces and without keeping them, the
   parts calamine will read.  Python's zip reader stops at the declared size
   and checks the CRC, so a part lying about its size is refused instead of
   inflating without end.  On worksheets the same pass finds the last row and
   column used, so that the reader can refuse a sheet before calamine
   allocates its whole rectangle of cells, and lists the cells
   whose formula has no saved result or whose value is an error (``#N/A``):
   calamine reads both as empty, and the report must say why.
"""

import io
import logging
import posixpath
import re
import xml.etree.ElementTree as ElementTree
import zipfile
from dataclasses import dataclass, field

from app.ledger.errors import LedgerFileError

__all__ = ["Package", "PartScan", "SheetPart", "open_package", "scan_parts", "sniff"]

log = logging.getLogger(__name__)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_MAX_PARTS = 10_000
_RATIO_FLOOR = 1 << 20  # small parts compress as they like
_MAX_META_BYTES = 16 << 20
_CHUNK = 1 << 20
_CARRY_LIMIT = 64 << 10
_WORKBOOK = "xl/workbook.xml"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"

# Excel and every library seen write the reference as the first attribute; a
# literal start is what keeps these scans cheap (a tenth of a general pattern).
_ROW_NUMBER = re.compile(rb'<row r="(\d+)"')
_WIDE_CELL = re.compile(rb'<c r="([A-Z]{2,3})\d')
_FORMULA_WITHOUT_VALUE = re.compile(
    rb'<c\b[^>]*?\sr="([A-Z]{1,3})(\d+)"[^>]*>\s*<f\b[^>]*?(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v></v>)?\s*</c>'
)
_ERROR_VALUE = re.compile(
    rb'<c\b(?=[^>]*\st="e")[^>]*?\sr="([A-Z]{1,3})(\d+)"[^>]*>(?:(?!</c>).)*?<v>([^<]{1,16})</v>',
    re.DOTALL,
)

FORMULA_WITHOUT_VALUE = "formula"


@dataclass(frozen=True, slots=True)
class SheetPart:
    """A sheet as ``xl/workbook.xml`` lists it."""

    name: str
    part: str | None
    part_kind: str = "worksheet"
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class Package:
    """What the zip directory and ``xl/workbook.xml`` say."""

    archive: zipfile.ZipFile
    sheets: tuple[SheetPart, ...]
    shared_parts: tuple[str, ...]
    date1904: bool


@dataclass(slots=True)
class PartScan:
    """What one worksheet part holds beyond its values.

    :param special_cells: ``(row, column)`` from 0 → ``"formula"`` for a formula
        without a saved result, or the error value (``"#N/A"``).
    """

    max_row: int = 0
    max_column: int = 0
    special_cells: dict[tuple[int, int], str] = field(default_factory=dict)


def _refuse(reason: str, code: str) -> LedgerFileError:
    return LedgerFileError(reason, code=code)


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "cp932"):
        try:
            # The sample may end inside a character.
            head[: len(head) - 3 if len(head) > 3 else len(head)].decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def sniff(data: bytes) -> None:
    """Refuse bytes that are not a zip, saying what they seem to be.

    :raises LedgerFileError: ``empty_file``, ``encrypted``, ``legacy_xls``,
        ``pdf``, ``executable``, ``text_file`` or ``not_xlsx``.
    """
    if not data:
        raise _refuse("ファイルが空です（0バイト）。", "empty_file")
    if data.startswith(_ZIP_MAGIC):
        return
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_STREAM in data:
            raise _refuse(
                "パスワードで保護されたブックは読めません。パスワードを解除して保存し直してください。",
                "encrypted",
            )
        raise _refuse(
            "古い形式（.xls）のブックは読めません。Excel で .xlsx 形式に保存し直してください。",
            "legacy_xls",
        )
    if data.startswith(b"%PDF"):
        raise _refuse("PDF ファイルです。Excel ブック（.xlsx / .xlsm）を選んでください。", "pdf")
    if data.startswith(b"MZ"):
        raise _refuse(
            "実行ファイルです。Excel ブック（.xlsx / .xlsm）を選んでください。", "executable"
        )
    if _looks_like_text(data[:4096]):
        raise _refuse(
            "CSV などのテキストファイルです。Excel ブック（.xlsx / .xlsm）を選んでください。",
            "text_file",
        )
    raise _refuse("Excel ブック（.xlsx / .xlsm）ではありません。", "not_xlsx")


def _check_directory(
    infos: list[zipfile.ZipInfo], max_uncompressed_bytes: int, max_ratio: float
) -> None:
    if len(infos) > _MAX_PARTS:
        raise _refuse("ブックの構成が異常です（部品が多すぎます）。", "zip_bomb")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _refuse("パスワードで保護されたブックは読めません。", "encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refuse("ブックの圧縮形式が Excel のものではありません。", "corrupt")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > max_ratio:
            log.warning("ledger part %s: compression ratio %.0f refused", info.filename, ratio)
            raise _refuse(
                "ブックの圧縮率が異常です（展開すると極端に大きくなります）。読み込みを中止しました。",
                "zip_bomb",
            )
    if total > max_uncompressed_bytes:
        log.warning("ledger: declared uncompressed size %d refused", total)
        raise _refuse(
            f"ブックが大きすぎます（展開後 {total // (1 << 20)} MiB、上限 "
            f"{max_uncompressed_bytes // (1 << 20)} MiB）。",
            "zip_bomb",
        )


def _read_meta(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    info = archive.getinfo(name)
    if info.file_size > _MAX_META_BYTES:
        raise _refuse("ブックの構成が異常です。", "corrupt")
    data = archive.read(name)
    # No workbook needs a DTD; refusing one rules out entity expansion.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _refuse("ブックの構成が異常です。", "corrupt")
    return ElementTree.fromstring(data)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _relation_targets(archive: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
    if _WORKBOOK_RELS not in archive.NameToInfo:
        return {}
    targets = {}
    for element in _read_meta(archive, _WORKBOOK_RELS).iter():
        if _local(element.tag) == "Relationship":
            target = element.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            kind = element.get("Type", "").rsplit("/", 1)[-1]
            targets[element.get("Id", "")] = (posixpath.normpath(part), kind)
    return targets


def _workbook_sheets(
    archive: zipfile.ZipFile, targets: dict[str, tuple[str, str]]
) -> tuple[tuple[SheetPart, ...], bool]:
    sheets = []
    date1904 = False
    for element in _read_meta(archive, _WORKBOOK).iter():
        local = _local(element.tag)
        if local == "workbookPr":
            date1904 = element.get("date1904", "").lower() in ("1", "true")
        elif local == "sheet":
            relation = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
            part, kind = targets.get(relation, ("", ""))
            hidden = element.get("state", "visible") != "visible"
            sheets.append(SheetPart(element.get("name", ""), part or None, kind, hidden))
    return tuple(sheets), date1904


def open_package(
    data: bytes, *, max_uncompressed_bytes: int, max_compression_ratio: float
) -> Package:
    """Open the zip and read its directory and workbook part (not the sheets).

    :raises LedgerFileError: ``corrupt``, ``not_xlsx``, ``unsupported_format``,
        ``encrypted`` or ``zip_bomb``.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        _check_directory(archive.infolist(), max_uncompressed_bytes, max_compression_ratio)
        names = archive.NameToInfo
        if _WORKBOOK not in names:
            if "xl/workbook.bin" in names:
                raise _refuse(
                    "バイナリ形式（.xlsb）のブックは読めません。.xlsx 形式で保存し直してください。",
                    "unsupported_format",
                )
            raise _refuse("Excel ブック（.xlsx / .xlsm）ではありません。", "not_xlsx")
        targets = _relation_targets(archive)
        sheets, date1904 = _workbook_sheets(archive, targets)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ElementTree.ParseError, KeyError, OSError):
        log.info("ledger: unreadable zip package", exc_info=True)
        raise _refuse("ブックが壊れているため読めません。", "corrupt") from None
    shared = tuple(
        part
        for part, kind in targets.values()
        if kind in ("sharedStrings", "styles") and part in names
    )
    return Package(archive, sheets, shared, date1904)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _scan_region(region: bytes, scan: PartScan, cells: bool) -> None:
    rows = _ROW_NUMBER.findall(region)
    if rows:
        scan.max_row = max(scan.max_row, max(map(int, rows)))
    elif b"<row" in region:
        # Rows without a reference are numbered by their position.
        scan.max_row += region.count(b"<row")
    for letters in set(_WIDE_CELL.findall(region)):
        scan.max_column = max(scan.max_column, _column_number(letters))
    if not cells:
        return
    if b"<f" in region:
        for letters, row in _FORMULA_WITHOUT_VALUE.findall(region):
            key = (int(row) - 1, _column_number(letters) - 1)
            scan.special_cells[key] = FORMULA_WITHOUT_VALUE
    if b't="e"' in region:
        for letters, row, value in _ERROR_VALUE.findall(region):
            key = (int(row) - 1, _column_number(letters) - 1)
            scan.special_cells[key] = value.decode("ascii", "replace")


def _split_point(buffer: bytes) -> int:
    """Where the last, possibly incomplete, cell or row starts."""
    cut = max(buffer.rfind(b"<c "), buffer.rfind(b"<row "), buffer.rfind(b"<c>"))
    if cut < 0 or len(buffer) - cut > _CARRY_LIMIT:
        return max(len(buffer) - 64, 0)
    return cut


def _scan_worksheet(archive: zipfile.ZipFile, part: str) -> PartScan:
    # Columns A to Z are not looked at one by one: 26 is the least assumed.
    scan = PartScan(max_column=26)
    carry = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            buffer = carry + chunk
            cut = _split_point(buffer)
            _scan_region(buffer[:cut], scan, cells=True)
            carry = buffer[cut:]
    _scan_region(carry, scan, cells=True)
    return scan


def _drain(archive: zipfile.ZipFile, part: str) -> None:
    with archive.open(part) as stream:
        while stream.read(_CHUNK):
            pass


def scan_parts(package: Package, sheet_names: set[str]) -> dict[str, PartScan]:
    """Inflate the shared parts and the named sheets, checking sizes and CRCs.

    :returns: a :class:`PartScan` per sheet name (sheets without a part are
        left out).
    :raises LedgerFileError: ``corrupt`` when a part fails its CRC or is not
        the size its header declares.
    """
    scans = {}
    try:
        for part in package.shared_parts:
            _drain(package.archive, part)
        for sheet in package.sheets:
            if sheet.name in sheet_names and sheet.part is not None:
                scans[sheet.name] = _scan_worksheet(package.archive, sheet.part)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError):
        log.warning("ledger: a part failed its size or CRC check", exc_info=True)
        raise _refuse("ブックが壊れているため読めません（検査値の不一致）。", "corrupt") from None
    return scans
