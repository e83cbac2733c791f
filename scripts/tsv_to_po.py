"""Append translations from a TSV file (English<TAB>Japanese per line) to a .po part.

A helper for translators: ``python scripts/tsv_to_po.py pairs.tsv translations/ja/LC_MESSAGES/core.po``.
Entries already in the part file are left as they are.
"""

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po


def main(tsv, po):
    po = Path(po)
    if po.exists():
        with po.open("rb") as fh:
            catalog = read_po(fh, locale="ja")
    else:
        catalog = Catalog(locale="ja", project="fureai", domain="messages")
    added = 0
    for line in Path(tsv).read_text(encoding="utf-8").splitlines():
        if not line.strip() or "\t" not in line:
            continue
        msgid, msgstr = line.split("\t", 1)
        if msgid not in catalog or not catalog[msgid].string:
            catalog.add(msgid, msgstr)
            added += 1
    with po.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=True)
    print(f"{added} entries added to {po}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
