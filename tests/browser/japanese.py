"""Finding English left in Japanese screens (shared by the browser tests and
the role matrix, which reads every page of every role)."""

import re

from lxml import html as lxml_html

# Latin words that may stand in Japanese screens: the test accounts' user
# names (data, shown beside their names); the names of the line-end codes the
# host-link messages quote (「CR LF で終わっていません」) and of the checksum
# of an extract file (SHA-256); words Japanese office screens use as they are
# (PDF, CSV, API, Excel and its file types, and the Enter key's label).
ALLOWED_LATIN = {
    "admin", "supervisor", "staff", "branch", "auditor",
    "CR", "LF", "SHA", "PDF", "CSV", "API", "Enter", "Excel", "xlsx", "xlsm",
}  # fmt: skip


def english_words(text):
    """Latin-alphabet words in ``text`` (visible English left untranslated).

    "No." before a number (整理番号 No.12) is usual on Japanese forms and passes.
    """
    text = re.sub(r"\bNo\.\s?(?=\d)", "", text)
    # hexadecimal digests, and the host's extract file names (FUREAI_20260401.DAT)
    text = re.sub(r"\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b", "", text)
    text = re.sub(r"\b\w+\.(?:DAT|END)\b", "", text)
    return sorted({w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED_LATIN})


def visible_text(page_html, drop=None):
    """The text a person can read on an HTML page: element text, placeholders,
    button captions and tooltips; not scripts, styles or the page's title, nor
    what the XPath ``drop`` selects."""
    tree = lxml_html.fromstring(page_html)
    unread = "//script | //style | //noscript | //template | //head"
    for node in tree.xpath(unread + (f" | {drop}" if drop else "")):
        node.drop_tree()
    parts = [tree.text_content()]
    # data-placeholder: the prompt select2 shows in an empty drop-down
    parts += tree.xpath("//@placeholder | //@data-placeholder | //@title | //@alt | //@aria-label")
    parts += tree.xpath("//input[@type='submit' or @type='button']/@value")
    return "\n".join(parts)
