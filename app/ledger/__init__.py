"""The Excel ledger (エクセル台帳) read for the go-live migration.

Pure: bytes in, typed records out (:func:`read_ledger`); no Flask, no
database.  Applying what was read belongs to the migration's applier.
"""

from app.ledger.codes import Office, OfficeResolver, default_offices, load_offices
from app.ledger.errors import LedgerFileError, RowError, RowNotice
from app.ledger.model import Ledger, PassRow, PersonRow, SheetKind, SheetSummary
from app.ledger.reader import (
    DEFAULT_MAX_COLUMNS,
    DEFAULT_MAX_COMPRESSION_RATIO,
    DEFAULT_MAX_ROWS,
    DEFAULT_MAX_UNCOMPRESSED_BYTES,
    read_ledger,
)

__all__ = [
    "DEFAULT_MAX_COLUMNS",
    "DEFAULT_MAX_COMPRESSION_RATIO",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_MAX_UNCOMPRESSED_BYTES",
    "Ledger",
    "LedgerFileError",
    "Office",
    "OfficeResolver",
    "PassRow",
    "PersonRow",
    "RowError",
    "RowNotice",
    "SheetKind",
    "SheetSummary",
    "default_offices",
    "load_offices",
    "read_ledger",
]
