"""Role × URL matrix: every registered endpoint, every role.

The table :data:`EXPECTED` below is an independent statement of who may see
what, written from the issues (not derived from ``app/security/roles.py``):

* anonymous — the sign-in page, static files and language switch only;
* BranchStaff — search and view people and passes, record counter issues at
  their own office, their own office's checklist; no master-data editing, no
  bulk jobs, no user management, no access log;
* Auditor — read-only: people, passes, import runs, checklists, access log; no
  printing, no jobs, no edits;
* Staff — all records work and printing; no mass mailing, no approvals, no
  user management, no access log;
* Supervisor — all records work, approvals, bulk jobs, accounts of non-admin
  staff, access log;
* Admin — everything.

Every endpoint must be in the table (a new route fails the test until it is
classified), every GET is made as every role and compared, every POST is made
as every role that may not use it and must be refused without changing the
database.  Row-level rules (a branch's own office) have tests of their own below.
"""

import importlib
from pathlib import Path

import pytest

from tests.browser.japanese import english_words, visible_text
from tests.matrix.access import (
    ADMIN_ONLY,
    ANON,
    AU,
    BR,
    NOBODY,
    PUBLIC,
    SIGNED_IN,
    ST,
    SV,
    A,
    Access,
    Sample,
    roles,
)
from tests.matrix.conftest import ROLES, api_token, classify, fingerprint, sign_in
from tests.matrix.menus import menu_names_by_href as _menu_names_by_href
from tests.matrix.menus import menu_problems


def _fab_model_view(prefix, who=ADMIN_ONLY, pages=("list", "show", "add", "edit")):
    """The endpoints of one of FAB's own CRUD views (security screens): ``who``
    may use the ``pages`` the view keeps; its other routes refuse everyone."""

    def access(page, **kwargs):
        return Access(who if page in pages else NOBODY, **kwargs)

    return {
        f"{prefix}.list": access("list"),
        f"{prefix}.show": access("show"),
        f"{prefix}.add": access("add"),
        f"{prefix}.edit": access("edit"),
        # no view of the ward deletes (accounts are disabled, roles are in code)
        f"{prefix}.delete": Access(NOBODY, try_allowed=False),
        f"{prefix}.action": access("action", try_allowed=False),
        f"{prefix}.action_post": access("action"),
        # FAB's file download: no view of the ward keeps it (no uploads)
        f"{prefix}.download": Access(NOBODY),
    }


# Who does what, from the issues.
READERS = SIGNED_IN  # people, passes, the pass list, the REST API
RECORDS_WORK = roles(A, SV, ST)  # master data, corrections, returns, printing
COUNTER_ISSUE = roles(A, SV, ST, BR)  # record an application / counter issue
CHECKLIST = SIGNED_IN  # BranchStaff: own office only (tests below)
BULK_JOBS = roles(A, SV)  # mass mailing, host-link approval and upload
ACCOUNTS = roles(A, SV)  # accounts of non-admin staff
LOGS = roles(A, SV, AU)  # the access log
IMPORT_RUNS = roles(A, SV, ST, AU)  # host-link runs, read-only
LEDGER = roles(A, SV)  # the Excel ledger's migration and its erasure records

EXPECTED = {
    # --- public: sign-in, static files, language ------------------------------
    "static": Access(PUBLIC),
    "appbuilder.static": Access(PUBLIC),
    "HomeView.index": Access(PUBLIC),
    "WardAuthDBView.login": Access(PUBLIC, ok_signed_in=302),
    # GET asks "sign out?" (a link must not sign anyone out); POST signs out
    "WardAuthDBView.logout": Access(SIGNED_IN, post=PUBLIC),
    "LocaleView.index": Access(PUBLIC, ok=302),
    "UtilView.back": Access(PUBLIC, ok=302),
    "WardSecurityApi.login": Access(PUBLIC, jwt=True),
    "WardSecurityApi.refresh": Access(PUBLIC, jwt=True),
    # --- people -----------------------------------------------------------------
    "ResidentSearchView.search": Access(READERS),
    "ResidentSearchView.show": Access(READERS),
    "ResidentSearchView.lookup": Access(READERS, json=True),
    "ResidentMasterView.edit": Access(RECORDS_WORK),
    "ResidentMasterView.exclude": Access(RECORDS_WORK),
    "ResidentMasterView.reinstate": Access(RECORDS_WORK),
    "ResidentMasterView.review": Access(RECORDS_WORK),
    "ResidentApi.get_list": Access(READERS, jwt=True),
    "ResidentApi.get": Access(READERS, jwt=True),
    "ResidentApi.info": Access(READERS, jwt=True),
    # --- passes -----------------------------------------------------------------
    "IssuanceView.list": Access(READERS),
    "IssuanceView.show": Access(READERS),
    "IssuanceView.new": Access(COUNTER_ISSUE),
    "IssuanceAdminView.edit": Access(RECORDS_WORK),
    "IssuanceApi.get_list": Access(READERS, jwt=True),
    "IssuanceApi.get": Access(READERS, jwt=True),
    "IssuanceApi.info": Access(READERS, jwt=True),
    "ReturnsView.index": Access(RECORDS_WORK),
    "ReturnsView.record": Access(RECORDS_WORK),
    "ReturnsView.resend": Access(RECORDS_WORK),
    # --- letters and checklists ----------------------------------------------
    "LettersView.cover": Access(RECORDS_WORK),
    "LettersView.covers": Access(RECORDS_WORK),
    "ChecklistView.index": Access(CHECKLIST),
    "ChecklistView.pdf": Access(CHECKLIST),
    # the sample day has no stored file: 404 once the permission check passed
    "ChecklistView.stored": Access(CHECKLIST, ok=404),
    "MassMailingView.index": Access(BULK_JOBS),
    "MassMailingView.preview": Access(BULK_JOBS),
    "MassMailingView.run": Access(BULK_JOBS),
    "MassMailingView.show": Access(BULK_JOBS),
    "MassMailingView.status": Access(BULK_JOBS),
    "MassMailingView.resume": Access(BULK_JOBS),
    # the sample run has written no file yet: 404 once the check passed
    "MassMailingView.download": Access(BULK_JOBS, ok=404),
    # --- host link ----------------------------------------------------------------
    "ImportRunView.runs": Access(IMPORT_RUNS),
    "ImportRunView.run": Access(IMPORT_RUNS),
    "ImportRunView.approve": Access(BULK_JOBS),
    "ImportRunView.discard": Access(BULK_JOBS),
    "ImportRunView.upload": Access(BULK_JOBS),
    # --- Excel ledger migration ---------------------------------------------------
    "LedgerMigrationView.index": Access(LEDGER),
    "LedgerMigrationView.run": Access(LEDGER),
    "LedgerMigrationView.progress": Access(LEDGER, json=True),
    "LedgerMigrationView.report_pdf": Access(LEDGER),
    "LedgerMigrationView.report_xlsx": Access(LEDGER),
    "LedgerMigrationView.certificate": Access(LEDGER),
    "LedgerMigrationView.upload": Access(LEDGER),
    "LedgerMigrationView.confirm": Access(LEDGER),
    "LedgerMigrationView.discard": Access(LEDGER),
    "LedgerMigrationView.record_erasure": Access(LEDGER),
    # --- management ---------------------------------------------------------------
    "AccessLogView.search": Access(LOGS),
    "AccessLogView.export": Access(LOGS),
    "StaffAccountsView.list": Access(ACCOUNTS),
    "StaffAccountsView.add": Access(ACCOUNTS),
    "StaffAccountsView.edit": Access(ACCOUNTS),
    "StaffAccountsView.disable": Access(ACCOUNTS),
    "StaffAccountsView.enable": Access(ACCOUNTS),
    "StaffAccountsView.unlock": Access(ACCOUNTS),
    "StaffAccountsView.reset": Access(ACCOUNTS),
    "MyAccountView.show": Access(SIGNED_IN),
    "MyAccountView.password": Access(SIGNED_IN),
    # --- FAB's own security screens: Admin only ------------------------------
    # administrators' accounts (with FAB's "reset password" action)
    **_fab_model_view("WardUserDBModelView", pages=("list", "show", "add", "edit", "action")),
    # FAB's profile page sends Admin to MyAccountView
    "WardUserDBModelView.userinfo": Access(ADMIN_ONLY, ok=302),
    # the roles, read only (declared in code)
    **_fab_model_view("WardRoleModelView", pages=("list", "show")),
    # FAB's "reset my password" only redirects to MyAccountView.password
    "WardResetMyPasswordView.this_form_get": Access(PUBLIC, ok=302),
    "WardResetMyPasswordView.this_form_post": Access(PUBLIC),
    "WardResetPasswordView.this_form_get": Access(ADMIN_ONLY),
    "WardResetPasswordView.this_form_post": Access(ADMIN_ONLY),
    "MenuApi.get_menu_data": Access(ADMIN_ONLY, jwt=True),
}


# Sample values of converter arguments (or query strings) that differ per endpoint.
ARG_OVERRIDES = {
    "LocaleView.index": {"locale": "ja"},
    "MassMailingView.download": {"name": "missing.pdf"},
    # cover letters are printed for passes sent by mail
    "LettersView.cover": {"issuance_id": Sample("mail_issuance_id")},
    "ImportRunView.run": {"run_id": Sample("import_run_id")},
    "ImportRunView.approve": {"run_id": Sample("import_run_id")},
    "ImportRunView.discard": {"run_id": Sample("import_run_id")},
    **{
        f"LedgerMigrationView.{name}": {"run_id": Sample("ledger_run_id")}
        for name in (
            "run",
            "progress",
            "report_pdf",
            "report_xlsx",
            "certificate",
            "confirm",
            "discard",
            "record_erasure",
        )
    },  # fmt: skip
    # an office every reader may see, BranchStaff included
    "ChecklistView.stored": {"code": "YOTSUYA"},
    # a run that passes the feature's own checks (cut-off not in the future)
    "MassMailingView.preview": {
        "fiscal_year": Sample("fiscal_year"),
        "cutoff": Sample("day"),
        "mailing_date": Sample("day"),
    },
}


def _feature_tables():
    """The ``tests/matrix/access_<feature>.py`` modules, by name."""
    here = Path(__file__).parent
    return [
        importlib.import_module(f"tests.matrix.{path.stem}")
        for path in sorted(here.glob("access_*.py"))
    ]


for _feature in _feature_tables():
    EXPECTED.update(_feature.EXPECTED)
    ARG_OVERRIDES.update(getattr(_feature, "ARG_OVERRIDES", {}))


# Form data of a POST, by endpoint suffix: enough to reach the permission check.
def _post_data(app, db, rule):
    if rule.endpoint.endswith(".action_post"):
        actions = list(getattr(_view_for(app, rule.endpoint), "actions", {}))
        if actions:
            return {"action": actions[0], "rowid": [str(_sample_pk(app, db, rule.endpoint))]}
    return {}


# Parts of pages (XPath) left out of the "no English" check, with the reason.
# FAB's own security screens are checked whole, data cells included.
ENGLISH_TOLERATED = {
    # the log shows what was recorded, as recorded: codes, user names, the
    # JSON detail (reported: the detail column shows raw JSON keys)
    "AccessLogView.search": "//table//td",
}


# --- URL building ----------------------------------------------------------


def _view_for(app, endpoint):
    from app.extensions import appbuilder

    name = endpoint.split(".")[0]
    for view in appbuilder.baseviews:
        if view.endpoint == name or view.__class__.__name__ == name:
            return view
    return None


# ``<pk>`` of our own views (not FAB model views): which sample it is.
PK_SAMPLES = {
    "ResidentSearchView": "resident_id",
    "ResidentMasterView": "resident_id",
    "IssuanceView": "issuance_id",
    "IssuanceAdminView": "issuance_id",
}


def _sample_pk(app, db, endpoint, samples=None):
    key = PK_SAMPLES.get(endpoint.split(".")[0])
    if key and samples:
        return samples[key]
    view = _view_for(app, endpoint)
    datamodel = getattr(view, "datamodel", None)
    if datamodel is None:
        return None
    # a row the view itself lists, under its base filters (FAB's user screen
    # holds the administrators' accounts only), the same on every database
    model = datamodel.obj
    key = model.__mapper__.primary_key[0].key
    _count, rows = datamodel.query(view._base_filters, order_column=key, page_size=1)
    return getattr(rows[0], key) if rows else None


def build_url(app, db, rule, samples):
    """The URL of ``rule`` with sample values for its arguments (None when the
    rule cannot be reached at all); raise KeyError naming an argument without a
    sample."""
    if rule.endpoint.endswith((".action", ".action_post")) and not getattr(
        _view_for(app, rule.endpoint), "actions", None
    ):
        # FAB answers any action of a view without actions with a 400 or a
        # 500 before any check; nothing can be reached there
        return None
    values = {}
    overrides = ARG_OVERRIDES.get(rule.endpoint, {})
    for arg in rule.arguments:
        if arg in overrides:
            values[arg] = overrides[arg]
        elif arg == "pk":
            values[arg] = _sample_pk(app, db, rule.endpoint, samples)
        elif arg == "filename" and rule.endpoint in ("static", "appbuilder.static"):
            values[arg] = "css/ward.css" if rule.endpoint == "static" else "css/bootstrap.min.css"
        elif arg == "name" and rule.endpoint.endswith(".action"):
            values[arg] = next(iter(_view_for(app, rule.endpoint).actions))
        elif arg in samples:
            values[arg] = samples[arg]
        if values.get(arg) is None:
            raise KeyError(f"{rule.endpoint}: no sample value for <{arg}> in {rule.rule}")
    # overrides that are not arguments of the rule go in the query string
    for key, value in overrides.items():
        values.setdefault(key, value)
    values = {k: samples[v.key] if isinstance(v, Sample) else v for k, v in values.items()}
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _rules(app, method):
    return sorted(
        (r for r in app.url_map.iter_rules() if method in r.methods),
        # sign-out last, should it ever end the client's session on a GET
        key=lambda r: (r.endpoint.endswith(".logout"), r.rule),
    )


def _expected_outcomes(access, role, allowed):
    """The outcomes that match the table (anonymous requests are refused either
    by the sign-in redirect or, for FAB's action links, by an error flash)."""
    if allowed:
        return {"ok"}
    if role == ANON:
        return {"unauthorized"} if access.jwt or access.json else {"login", "denied"}
    return {"denied"}


def _request(client, method, url, token=None, data=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if method == "GET":
        return client.get(url, headers=headers)
    if data is None:
        data = {}
    if token is not None or url.startswith("/api/"):
        return client.post(url, json=data, headers=headers)
    return client.post(url, data=data, headers=headers)


def _role_client(app, role):
    client = sign_in(app, role)
    token = None
    if role != ANON:
        token = api_token(app, role)
    return client, token


# --- the tests ----------------------------------------------------------------


def test_every_endpoint_is_classified(app):
    """A new route fails here until the table says who may use it."""
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    missing = sorted(endpoints - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - endpoints)
    assert not missing, "endpoints missing from the role matrix table:\n  " + "\n  ".join(missing)
    assert not stale, "table entries for endpoints that no longer exist:\n  " + "\n  ".join(stale)


def _get_problems(app, db, samples, role, client, token):
    """GET every endpoint as ``role``: served exactly where the table says."""
    problems = []
    for rule in _rules(app, "GET"):
        access = EXPECTED.get(rule.endpoint)
        if access is None:
            continue  # reported by test_every_endpoint_is_classified
        allowed = role in access.get
        if allowed and not access.try_allowed:
            continue
        try:
            url = build_url(app, db, rule, samples)
        except KeyError as exc:
            problems.append(str(exc))
            continue
        if url is None:
            continue
        before = fingerprint(db) if not access.try_allowed else None
        resp = _request(client, "GET", url, token=token if access.jwt else None)
        got = classify(resp, client, ok_status=access.ok_for(role))
        want = _expected_outcomes(access, role, allowed)
        if got not in want:
            problems.append(f"GET {url} [{rule.endpoint}]: expected {'/'.join(want)}, got {got}")
        if before is not None and fingerprint(db) != before:
            problems.append(f"GET {url} [{rule.endpoint}]: refused request changed the database")
        # every page a role reads, refusals included, is in Japanese (a
        # redirect's body is never shown)
        shown = resp.status_code < 300 or resp.status_code >= 400
        if shown and resp.mimetype == "text/html":
            drop = ENGLISH_TOLERATED.get(rule.endpoint)
            words = english_words(visible_text(resp.get_data(as_text=True), drop=drop))
            if words:
                problems.append(f"GET {url} [{rule.endpoint}]: English on the page: {words}")
    return problems


def _post_problems(app, db, samples, role, client, token, pinpoint=False):
    """POST to every state-changing endpoint ``role`` may not use: refused, and
    the database unchanged.  The database is compared once after all of them
    (a digest of every table is not cheap); when it changed, the requests are
    made again comparing after each, to name the culprit."""
    problems = []
    start = fingerprint(db)
    for rule in _rules(app, "POST"):
        access = EXPECTED.get(rule.endpoint)
        if access is None or role in access.post_roles:
            continue
        try:
            url = build_url(app, db, rule, samples)
        except KeyError as exc:
            problems.append(str(exc))
            continue
        if url is None:
            continue
        before = fingerprint(db) if pinpoint else None
        data = _post_data(app, db, rule)
        resp = _request(client, "POST", url, token=token if access.jwt else None, data=data)
        got = classify(resp, client)
        want = _expected_outcomes(access, role, False)
        if got not in want:
            problems.append(f"POST {url} [{rule.endpoint}]: expected {'/'.join(want)}, got {got}")
        if pinpoint and fingerprint(db) != before:
            problems.append(f"POST {url} [{rule.endpoint}]: refused request changed the database")
    if not pinpoint and fingerprint(db) != start:
        problems.append("the refused POSTs changed the database; once more, one by one:")
        problems += _post_problems(app, db, samples, role, client, token, pinpoint=True)
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(app, db, samples, role):
    """One sign-in per role: every GET compared with the table, every POST the
    role may not make refused without a change, and the role's menu."""
    client, token = _role_client(app, role)
    problems = _get_problems(app, db, samples, role, client, token)
    problems += _post_problems(app, db, samples, role, client, token)
    problems += menu_problems(client, _menu_names_by_href(app), MENU_EXPECTED[role])
    assert not problems, f"{role}:\n  " + "\n  ".join(problems)


# The menu entries (the ``name`` given to add_view) each role's navbar shows.
# Admin's entries beyond a supervisor's: FAB's roles screen (the accounts of
# administrators are reached from StaffAccounts, not from the menu).
FAB_SECURITY_MENU = {"Roles"}
MENU_EXPECTED = {
    ANON: set(),
    BR: {"ResidentSearch", "IssuanceList", "Checklist"},
    AU: {"ResidentSearch", "IssuanceList", "Checklist", "ImportRuns", "AccessLogMenu"},
    ST: {"ResidentSearch", "IssuanceList", "Returns", "Checklist", "ImportRuns"},
    SV: {
        "ResidentSearch",
        "IssuanceList",
        "Returns",
        "Checklist",
        "MassMailing",
        "ImportRuns",
        "LedgerMigration",
        "StaffAccounts",
        "AccessLogMenu",
    },
}
MENU_EXPECTED[A] = MENU_EXPECTED[SV] | FAB_SECURITY_MENU
for _feature in _feature_tables():
    for _role, _names in getattr(_feature, "MENU", {}).items():
        MENU_EXPECTED[_role] |= set(_names)
