"""Japanese text helpers, pure: no Flask, no database (typed, ``mypy --strict``).

* ``wareki`` — eras (和暦): parsing every spelling, formatting, fiscal years, ages.
* ``kana`` — kana widths and forms, search keys, 外字 for printing.
* ``search`` — the grammar of the one search box (住民番号, kana, name, birth date).
* ``grams`` — two-character grams of names for the name index, and their FTS5 tokens.
* ``controls`` — control characters in typed text (notes, names).

May import: the standard library and jaconv only.
"""
