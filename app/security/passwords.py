"""The password policy (written down in docs/security.md) and one-time passwords.

Rules, in the order they are reported:

1. at least ``PASSWORD_MIN_LENGTH`` (12) and at most ``PASSWORD_MAX_LENGTH`` (128)
   characters; any characters, Japanese included, and spaces are allowed;
2. not one of the ~10,000 most common passwords (``data/common-passwords.txt``),
   ignoring case and digits or symbols added at either end, not a keyboard walk
   or sequence, and at least 5 different characters;
3. not derived from the account: it must not contain the user name, the family
   or given name, the e-mail name or the office code (parts of 3 characters or
   more; 2 or more for Japanese names);
4. if the ward sets ``PASSWORD_REQUIRE_CLASSES`` (0-4), that many of: lower-case
   letters, capitals, digits, other characters.

No database access here, only the configuration lookup, so the rules
can be checked anywhere (forms, services, the command line).
"""

import functools
import re
import secrets
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import gettext as _

COMMON_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt"

DEFAULTS = {"PASSWORD_MIN_LENGTH": 12, "PASSWORD_MAX_LENGTH": 128, "PASSWORD_REQUIRE_CLASSES": 0}

# Rows of the keyboard and counting sequences: a password that is a piece of
# one of these (forwards or backwards) is a walk, however long.
_SEQUENCES = (
    "1234567890" * 3,
    "abcdefghijklmnopqrstuvwxyz" * 2,
    "qwertyuiop[]asdfghjkl;'zxcvbnm,./" * 2,
    "qwertyuiopasdfghjklzxcvbnm" * 2,
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/" * 2,
    "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0" * 2,
    "!@#$%^&*()_+" * 3,
)
_EDGE = re.compile(r"^[\W\d_]+|[\W\d_]+$")
# Japanese names are short: 2 characters is already a meaningful part.
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_OTP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


@functools.cache
def common_passwords():
    """The common-password list as a frozenset of lower-case strings."""
    words = set()
    for line in COMMON_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(line)
    return frozenset(words)


def _setting(name):
    if has_app_context():
        return int(current_app.config.get(name, DEFAULTS[name]))
    return DEFAULTS[name]


def _is_walk(lowered):
    return any(lowered in seq or lowered[::-1] in seq for seq in _SEQUENCES)


def _is_common(password):
    lowered = password.lower()
    common = common_passwords()
    if lowered in common:
        return True
    core = _EDGE.sub("", lowered)
    if core and (core in common or _is_walk(core)) and len(core) >= 4:
        return True
    if _is_walk(lowered):
        return True
    # The same short piece repeated ("abcabcabcabc", "hello!hello!").
    for size in range(1, len(lowered) // 2 + 1):
        if len(lowered) % size == 0 and lowered[:size] * (len(lowered) // size) == lowered:
            return True
    return len(set(lowered)) < 5


def _personal_parts(username=None, names=(), email=None, office_code=None):
    parts = []
    for value in (username, office_code, *(names or ())):
        if value:
            parts.extend(p for p in re.split(r"[\s\u3000._@-]+", str(value)) if p)
            parts.append(str(value).replace(" ", "").replace("\u3000", ""))
    if email:
        parts.append(email.split("@", 1)[0])
    out = set()
    for part in parts:
        minimum = 2 if _NON_ASCII.search(part) else 3
        if len(part) >= minimum:
            out.add(part.lower())
    return out


def character_classes(password):
    """How many of lower-case, capitals, digits and other characters appear."""
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


def password_problems(password, *, username=None, names=(), email=None, office_code=None):
    """What is wrong with ``password`` under the policy.

    :returns: a list of translated messages; empty when the password is acceptable.
    """
    password = password or ""
    problems = []
    minimum = _setting("PASSWORD_MIN_LENGTH")
    maximum = _setting("PASSWORD_MAX_LENGTH")
    if len(password) < minimum:
        problems.append(_("The password must be at least %(n)d characters long.") % {"n": minimum})
    if len(password) > maximum:
        problems.append(_("The password must be at most %(n)d characters long.") % {"n": maximum})
    if password and _is_common(password):
        problems.append(
            _("This password is too common or too easy to guess (a well-known password, "
              "a keyboard pattern or a repetition).")
        )  # fmt: skip
    lowered = password.lower()
    if any(part in lowered for part in _personal_parts(username, names, email, office_code)):
        problems.append(
            _("The password must not contain your user name, your name or your office code.")
        )
    required = _setting("PASSWORD_REQUIRE_CLASSES")
    if required and character_classes(password) < required:
        problems.append(
            _("The password must use at least %(n)d of: lower-case letters, capital letters, "
              "digits and symbols.") % {"n": required}
        )  # fmt: skip
    return problems


def problems_for_user(password, user, *, office_code=None):
    """:func:`password_problems` with the personal details of ``user``."""
    office = getattr(user, "office", None)
    return password_problems(
        password,
        username=getattr(user, "username", None),
        names=(getattr(user, "last_name", None), getattr(user, "first_name", None)),
        email=getattr(user, "email", None),
        office_code=office_code or getattr(office, "code", None),
    )


def fab_complexity_validator(password):
    """``FAB_PASSWORD_COMPLEXITY_VALIDATOR`` for FAB's own (Admin-only) screens,
    which know only the password, not the account."""
    from flask_appbuilder.exceptions import PasswordComplexityValidationError

    problems = password_problems(password)
    if problems:
        raise PasswordComplexityValidationError(" ".join(problems))


def generate_one_time_password():
    """A random password for a first sign-in, easy to read out and type:
    four groups of five characters without look-alikes (about 115 bits)."""
    while True:
        groups = ["".join(secrets.choice(_OTP_ALPHABET) for _ in range(5)) for _ in range(4)]
        candidate = "-".join(groups)
        if character_classes(candidate) == 4 and not password_problems(candidate):
            return candidate
