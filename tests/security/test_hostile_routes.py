"""No input produces a 500 (issue 11, item 5): every registered route, as an
anonymous visitor, a supervisor and an admin, with hostile values in its path
(huge, negative and non-numeric ids, markup, traversal), in its query string
(unknown codes, impossible dates, out-of-range pages) and, for POST routes, in
its form or JSON body.  Refusals of any kind are fine; an unhandled exception
or a status of 500 or more is not.

Without a CSRF token (tests run with CSRF off) the forms are processed, so the
hostile bodies reach the forms' validation and the services' rules.
"""

import io
import re
from urllib.parse import quote, urlencode

import pytest
from werkzeug.routing import IntegerConverter, PathConverter

from tests.matrix.conftest import (
    api_token,
    samples,  # noqa: F401 (the fixture, by getfixturevalue)
    sign_in,
)
from tests.matrix.test_role_matrix import build_url

pytestmark = pytest.mark.slow

ROLES = ("anonymous", "supervisor", "admin")

HOSTILE_INTS = ["0", "2147483648", "9223372036854775808", "99999999999999999999999999", "-1"]
HOSTILE_STRINGS = [
    "NOPE",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "..%2F..%2Fetc%2Fpasswd",
    "\x00",
    "２０２６−１３−４５",
    "x" * 300,
    "99999999999999999999999999",
]
HOSTILE_PATHS = ["../../etc/passwd", "a/b/../../../c", "%00.pdf"]

QUERY_FIELDS = (
    "office", "page", "q", "day", "date", "fiscal_year", "fy", "cutoff", "mailing_date", "since",
    "until", "resident", "user", "action", "kind", "status", "category", "method", "role",
    "control_no", "after", "ids", "version", "pk", "next", "page_size", "psize", "name", "code",
)  # fmt: skip
QUERIES = [
    urlencode(
        [("office", "NOPE"), ("page", "-1"), ("q", "<script>alert(1)</script>"),
         ("day", "2026-13-45"), ("date", "2026-13-45"), ("fiscal_year", "abc"),
         ("cutoff", "9999-99-99"), ("since", "abc"), ("until", "R99.99.99"),
         ("resident", "\x00"), ("user", "' OR 1=1 --"), ("next", "//evil.example")]
        + [(name, "-1") for name in QUERY_FIELDS]
    ),
    urlencode(
        [("page", "99999999999"), ("q", "ア" * 2000), ("day", "99999-01-01"),
         ("fiscal_year", "99999999999"), ("cutoff", "2026-02-30"), ("since", "0001-01-01"),
         ("until", "9999-12-31"), ("_flt_0_name", "x"), ("_oc_x", "nope"), ("_od_x", "sideways"),
         ("page_x", "-1"), ("psize_x", "99999999999")]
        + [(name, "99999999999999999999999999") for name in QUERY_FIELDS]
    ),
    # FAB's REST API reads its arguments as rison in ``q``
    urlencode({"q": "(page:-1,page_size:99999999999,order_column:nope,order_direction:x)"}),
    urlencode({"q": "(filters:!((col:nope,opr:eq,value:x)),columns:!(password))"}),
    urlencode({"q": "(not rison"}),
]  # fmt: skip

FORM_FIELDS = (
    "address", "applied_on", "birth_date", "confirm", "confirm_fiscal_year", "confirm_password",
    "corrects_id", "current_password", "email", "erased_on", "erased_by", "excluded_on",
    "full_name", "is_child_allowance", "is_disabled", "is_elderly", "issued_on", "kana", "kind",
    "location", "mail_address", "mail_name", "mail_postal_code", "mail_reason", "method", "name",
    "new_password", "note", "office", "override_reason", "password", "phone", "postal_code",
    "reason", "reissue_reason", "resent_on", "returned_on", "role", "roles", "sex", "submission",
    "supersedes_id", "username", "version", "witness", "fiscal_year", "cutoff", "mailing_date",
    "day", "issuance_ids", "ids", "control_no", "action", "rowid", "first_name", "last_name",
    "active", "provider", "refresh",
)  # fmt: skip
FORM_VALUES = [
    "99999999999999999999999999",
    "-1",
    "2026-13-45",
    "<script>alert(1)</script>\x00' OR 1=1 --" + "長" * 5000,
]


def _hostile_path_values(rule):
    """URLs of ``rule`` with every argument replaced by a hostile value (the
    n-th hostile value of each argument's kind together)."""
    kinds = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            kinds[name] = HOSTILE_INTS
        elif isinstance(converter, PathConverter):
            kinds[name] = HOSTILE_PATHS + HOSTILE_STRINGS
        else:
            kinds[name] = HOSTILE_STRINGS
    if not kinds:
        return []
    longest = max(len(values) for values in kinds.values())
    urls = []
    for n in range(longest):

        def value(match, n=n):
            name = match.group(1)
            values = kinds[name]
            safe = "/" if isinstance(rule._converters[name], PathConverter) else ""
            return quote(values[n % len(values)], safe=safe)

        urls.append(re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", value, rule.rule))
    return urls


def _with_query(url, query):
    return f"{url}{'&' if '?' in url else '?'}{query}"


# Routes that, with the samples' valid ids, would undo the walk itself (CSRF is
# off in tests, so FAB deletes even on GET): signing the client out, FAB's
# deletes and bulk actions.  They get hostile ids only.
DESTRUCTIVE = (".logout", ".delete", ".action", ".action_post")


def _valid_url(app, db, rule, values):
    """The URL of ``rule`` with the role matrix's sample values, if it has one
    and it is safe to use."""
    if rule.endpoint.endswith(DESTRUCTIVE):
        return None
    try:
        return build_url(app, db, rule, values)
    except KeyError:
        return None


def _urls(app, db, rule, values):
    """The hostile URLs of ``rule``: hostile path values, and valid ones with
    each hostile query string."""
    urls = _hostile_path_values(rule)
    valid = _valid_url(app, db, rule, values)
    if valid is not None:
        urls += [_with_query(valid, query) for query in QUERIES]
    return urls


def _form(variant):
    value = FORM_VALUES[variant % len(FORM_VALUES)]
    data = {name: value for name in FORM_FIELDS}
    data["ids"] = [value, "abc", "-1"]
    data["file"] = (io.BytesIO(b"\x00\xff junk " + value.encode()), "../../FUREAI_99999999.DAT")
    return data


def _post(client, url, variant, token):
    if url.startswith("/api/"):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = {name: FORM_VALUES[variant % len(FORM_VALUES)] for name in FORM_FIELDS}
        return client.post(url, json=body, headers=headers)
    return client.post(url, data=_form(variant), content_type="multipart/form-data")


def _get(client, url, token):
    headers = {}
    if url.startswith("/api/"):
        headers["Authorization"] = f"Bearer {token}" if token else "Bearer x.y.z"
    return client.get(url, headers=headers)


def _try(db, problems, role, method, url, send):
    try:
        status = send().status_code
    except Exception as exc:  # noqa: BLE001 - every unhandled error is a finding
        db.session.rollback()
        problems.append(f"{role} {method} {url[:160]}: {type(exc).__name__}: {exc}"[:400])
        return
    if status >= 500:
        problems.append(f"{role} {method} {url[:160]}: {status}")


def _walk(app, db, values, role):
    problems = []
    client = sign_in(app, role)
    token = None if role == "anonymous" else api_token(app, role)
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
    for rule in rules:
        if "GET" in rule.methods:
            for url in _urls(app, db, rule, values):
                _try(db, problems, role, "GET", url, lambda u=url: _get(client, u, token))
    for rule in rules:
        if "POST" not in rule.methods or rule.endpoint.endswith(".logout"):
            continue
        urls = _hostile_path_values(rule)
        valid = _valid_url(app, db, rule, values)
        if valid is not None:
            urls.append(valid)
        for n, url in enumerate(urls):
            for variant in (n, n + 1):
                _try(
                    db,
                    problems,
                    role,
                    "POST",
                    url,
                    lambda u=url, v=variant: _post(client, u, v, token),
                )
    if role != "anonymous":
        # the walk reached every route signed in: nothing above ended the session
        assert client.get("/myaccount/").status_code == 200
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_no_hostile_request_gets_a_500(app, db, request, role):
    problems = _walk(app, db, request.getfixturevalue("samples"), role)
    assert not problems, f"{len(problems)} answers of 500 or errors:\n  " + "\n  ".join(problems)
