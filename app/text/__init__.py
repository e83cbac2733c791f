"""Japanese text helpers: eras (和暦) and kana, free of any web or database code."""
