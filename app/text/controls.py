"""Control characters in typed text (pure).

A note or a name may hold letters, spaces and (in a note) line breaks and
tabs, nothing else of Unicode's ``Cc`` category: the C0 controls
(U+0000–U+001F), DEL (U+007F) and the C1 controls (U+0080–U+009F).  Pasted
from other systems they break the PDFs, the CSV files and the host extract.
A line break is LF, CR or CR LF (browsers send a textarea's lines with CR LF).
"""

import re

__all__ = ["has_control_characters"]

_ANY = re.compile("[\x00-\x1f\x7f-\x9f]")
_BUT_LINE_BREAKS_AND_TABS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_characters(text: str | None, multiline: bool = False) -> bool:
    """Whether ``text`` holds a control character.

    :param multiline: allow line breaks (LF, CR) and tabs, as in a note.
    """
    if not text:
        return False
    pattern = _BUT_LINE_BREAKS_AND_TABS if multiline else _ANY
    return pattern.search(text) is not None
