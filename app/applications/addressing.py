"""The lines printed above the resident's name for each kind of 送付先 (pure).

The resident is always the addressee (「山田　太郎　様」, the last line of the
window); the line above it says whose address it is:

* 施設 — 「〇〇ホーム　気付」, then 「担当　鈴木　様」 when a 担当 is given;
* 家族方 — 「山田　花子　様方」;
* 代理人・成年後見人 — 「成年後見人　山田　花子　様」 (the title, default
  代理人, then the representative's name with 様: the wording Japan Post Bank
  prints for an account handled by a guardian, whose mail goes to the
  guardian; it says in what capacity the representative receives it);
* その他 (and 送付先 without a kind) — as before: 「…　気付」, or 「…　様方」
  when the reason is 家族方.

An organisation is never addressed itself, so 御中 is never printed.
"""

FAMILY_SUFFIX = "様方"
CARE_OF_SUFFIX = "気付"
HONORIFIC = "様"
CARE_OF_SUFFIXES = (CARE_OF_SUFFIX, FAMILY_SUFFIX)
CONTACT_PREFIX = "担当"
DEFAULT_TITLE = "代理人"
SPACE = "\u3000"
# Honorifics a clerk may have typed into a name (they would print twice).
_TYPED_HONORIFICS = ("様方", "気付", "御中", "様")


def bare_name(text: str | None) -> str:
    """``text`` without spaces around it and without a typed honorific."""
    text = (text or "").strip()
    for honorific in _TYPED_HONORIFICS:
        if text.endswith(honorific) and len(text) > len(honorific):
            return text[: -len(honorific)].strip()
    return text


def _same_person(name: str, resident_name: str | None) -> bool:
    return "".join(name.split()) == "".join((resident_name or "").split())


def care_of_line(
    kind: str | None,
    mail_name: str | None,
    *,
    resident_name: str | None,
    mail_reason: str | None = None,
    mail_contact: str | None = None,
    room: int = 100,
) -> str | None:
    """The line above the resident's name, as printed, or ``None`` when the
    送付先's 宛名 is empty or the resident.

    :param kind: the 送付先's kind (:data:`app.applications.codes.DESTINATION_KINDS`).
    :param mail_contact: a representative's title (成年後見人 …).
    :param room: the longest line stored (the name is cut to fit).
    """
    name = bare_name(mail_name)
    if not name or _same_person(name, resident_name):
        return None
    if kind == "representative":
        title = bare_name(mail_contact) or DEFAULT_TITLE
        head = f"{title}{SPACE}"
        cut = room - len(head) - len(HONORIFIC) - 1
        return f"{head}{name[:cut].rstrip()}{SPACE}{HONORIFIC}"
    if kind == "family" or (kind in (None, "other") and mail_reason == "family"):
        suffix = FAMILY_SUFFIX
    else:
        suffix = CARE_OF_SUFFIX
    return f"{name[: room - len(suffix) - 1].rstrip()}{SPACE}{suffix}"


def contact_of(kind: str | None, mail_contact: str | None) -> str | None:
    """The 担当 of a facility's 送付先 (frozen on a pass), else ``None``."""
    if kind != "facility":
        return None
    return bare_name(mail_contact) or None


def contact_text(contact: str | None) -> str:
    """The 担当 line as printed (「担当　鈴木　様」), ``""`` without one."""
    name = bare_name(contact)
    return f"{CONTACT_PREFIX}{SPACE}{name}{SPACE}{HONORIFIC}" if name else ""


def split_care_of(line: str | None) -> tuple[str, str]:
    """``(name, suffix)`` of a frozen care-of line: 気付, 様方 or (a
    representative's) 様.  Passes frozen before the line carried its suffix
    were all sent care of family: a bare name is read as 様方."""
    line = (line or "").strip()
    for suffix in (*CARE_OF_SUFFIXES, HONORIFIC):
        if line.endswith(suffix) and len(line) > len(suffix):
            return line[: -len(suffix)].strip(), suffix
    return line, FAMILY_SUFFIX
