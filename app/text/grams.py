"""Two-character grams (bigrams) of names, for the name index.

The technique of Japanese full-text search (pg_bigm, Groonga): a name is split
into overlapping two-character grams, ``"渡辺太郎"`` → ``渡辺 辺太 太郎``, and a
name contains a text of two or more characters only if it holds every gram of
that text — in a row, in order.  Each name also keeps its single characters
(``渡 辺 太 郎``), so that a one-character text is one lookup as well.

* :func:`name_grams` — what is stored for a name: its bigrams in order, then
  its characters.
* :func:`query_grams` — what a searched text must find: its bigrams, or its one
  character.
* :func:`fts_document` / :func:`fts_query` — the same grams as tokens of an
  SQLite FTS5 table (see :mod:`app.residents.grams`): each character as six
  hex digits, so that no tokenizer rule (punctuation, symbols, 外字, case)
  can split or change a gram.  A bigram token has twelve digits and a
  character token six, so the two kinds never match each other.

ASCII letters are folded to lower case, as SQLite's ``LIKE`` folds them; the
grams only narrow the search down and the caller checks the text itself on
the rows found (``LIKE``), so the index never changes who is found.

Pure: no Flask, no database (typed, ``mypy --strict``).
"""

__all__ = [
    "Grams",
    "fold",
    "fts_document",
    "fts_query",
    "grams_of_document",
    "name_grams",
    "query_grams",
]

Grams = tuple[str, ...]

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_HEX_DIGITS = 6  # enough for every code point (U+10FFFF)


def fold(text: str) -> str:
    """The text with ASCII letters in lower case (and nothing else changed)."""
    return text.translate(_ASCII_LOWER)


def _bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)]


def name_grams(key: str) -> Grams:
    """The grams stored for a search key (``name_key`` or ``kana_key``): its
    bigrams in order, then each of its characters.

    >>> name_grams("渡辺太")
    ('渡辺', '辺太', '渡', '辺', '太')
    """
    folded = fold(key)
    return (*_bigrams(folded), *folded)


def query_grams(text: str) -> Grams:
    """The grams every name containing ``text`` holds: its bigrams in order, or
    the one character of a one-character text; ``()`` for an empty text."""
    folded = fold(text)
    if len(folded) == 1:
        return (folded,)
    return tuple(_bigrams(folded))


def _token(gram: str) -> str:
    return "".join(f"{ord(c):0{_HEX_DIGITS}x}" for c in gram)


def _gram(token: str) -> str:
    step = _HEX_DIGITS
    return "".join(chr(int(token[i : i + step], 16)) for i in range(0, len(token), step))


def fts_document(grams: Grams) -> str:
    """The grams as the text of an FTS5 column: hex tokens separated by spaces."""
    return " ".join(map(_token, grams))


def grams_of_document(document: str) -> Grams:
    """The grams back from :func:`fts_document`'s text."""
    return tuple(map(_gram, document.split()))


def fts_query(text: str) -> str | None:
    """An FTS5 ``MATCH`` expression finding the documents holding every gram of
    ``text`` in a row: one phrase of its gram tokens; ``None`` for no text."""
    grams = query_grams(text)
    if not grams:
        return None
    return '"' + " ".join(map(_token, grams)) + '"'
