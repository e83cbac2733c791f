"""List the messages of our code and templates that have no Japanese translation.

Usage: ``python scripts/check_translations.py [--write-missing FILE]``; exits 1
when something is missing.  The test suite runs :func:`missing_messages`.
"""

import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compile_translations import ROOT, merged_catalog  # noqa: E402

METHOD_MAP = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.do"}}
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "__": None,
}


def extracted_messages():
    """``{msgid: "file:line"}`` of every translatable string we wrote."""
    found = {}
    for filename, lineno, message, _comments, _ctx in extract_from_dir(
        str(ROOT), METHOD_MAP, OPTIONS, KEYWORDS
    ):
        ids = message if isinstance(message, tuple) else (message,)
        for msgid in ids:
            if msgid:
                found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def missing_messages():
    catalog = merged_catalog()
    return {m: where for m, where in extracted_messages().items() if m not in catalog}


def main(argv):
    missing = missing_messages()
    for msgid, where in sorted(missing.items(), key=lambda kv: kv[1]):
        print(f"{where}: {msgid!r}")
    if "--write-missing" in argv:
        out = Path(argv[argv.index("--write-missing") + 1])
        with out.open("a", encoding="utf-8") as fh:
            for msgid, where in sorted(missing.items(), key=lambda kv: kv[1]):
                escaped = msgid.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                fh.write(f'\n#: {where}\nmsgid "{escaped}"\nmsgstr ""\n')
    print(f"{len(missing)} message(s) without a Japanese translation")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
