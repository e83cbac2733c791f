"""Compile the Japanese catalogue: our part files + FAB's own screens → messages.mo.

The part files (``translations/ja/LC_MESSAGES/*.po``, one per feature so that
work on separate features does not collide) are merged into one catalogue;
an entry in an earlier file wins over a later one, and ``fab.po`` (FAB's own
strings) comes last.  Usage: ``python scripts/compile_translations.py``.
"""

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LC = ROOT / "translations" / "ja" / "LC_MESSAGES"


def part_files():
    parts = sorted(p for p in LC.glob("*.po") if p.name != "fab.po")
    fab = LC / "fab.po"
    return parts + ([fab] if fab.exists() else [])


def merged_catalog():
    merged = Catalog(locale="ja", domain="messages")
    for path in part_files():
        with path.open("rb") as fh:
            catalog = read_po(fh, locale="ja")
        for message in catalog:
            if not message.id or not message.string:
                continue
            if message.id in merged:
                continue
            merged.add(message.id, message.string, context=message.context)
    return merged


def conflicts():
    """Messages translated differently in two part files (``fab.po`` aside):
    ``{msgid: {translation: [file, ...]}}``.  One English message must read the
    same everywhere; give different meanings different message ids."""
    seen = {}
    for path in part_files():
        if path.name == "fab.po":
            continue
        with path.open("rb") as fh:
            catalog = read_po(fh, locale="ja")
        for message in catalog:
            if not message.id or not message.string:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            text = message.string if isinstance(message.string, str) else message.string[0]
            seen.setdefault(key, {}).setdefault(text, []).append(path.name)
    return {k: v for k, v in seen.items() if len(v) > 1}


def main():
    catalog = merged_catalog()
    out = LC / "messages.mo"
    with out.open("wb") as fh:
        write_mo(fh, catalog)
    print(f"compiled {len(catalog)} messages into {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
