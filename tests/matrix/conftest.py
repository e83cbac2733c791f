"""Helpers of the role × URL matrix: signed-in clients, sample ids for the URL
converters, a fingerprint of the database and the classification of a response.

Nothing here says who may see what: that is the table in ``test_role_matrix.py``.
"""

import hashlib
from datetime import date
from urllib.parse import urlsplit

import pytest
from sqlalchemy import MetaData, select

from tests.conftest import ACCOUNTS, PASSWORD

ROLES = ("anonymous", "admin", "supervisor", "staff", "branch", "auditor")

# Written by every request or sign-in, not by the refused request itself: the
# access log records the refusal, the account row its sign-in.
VOLATILE_TABLES = {"access_log"}
VOLATILE_COLUMNS = {
    "ab_user": {"last_login", "login_count", "fail_login_count", "changed_on", "last_seen_at"},
}


def sign_in(app, role):
    """A test client signed in as ``role`` (the account of that name), or an
    anonymous one."""
    client = app.test_client()
    if role == "anonymous":
        return client
    assert role in ACCOUNTS, role
    resp = client.post("/login/", data={"username": role, "password": PASSWORD})
    assert resp.status_code == 302, resp.data[:300]
    assert urlsplit(resp.headers["Location"]).path != "/login/", f"{role} could not sign in"
    return client


def api_token(app, role):
    """A JWT access token for ``role`` from the REST API's sign-in."""
    resp = app.test_client().post(
        "/api/v1/security/login",
        json={"username": role, "password": PASSWORD, "provider": "db"},
    )
    assert resp.status_code == 200, (role, resp.status_code, resp.data[:300])
    return resp.get_json()["access_token"]


_schemas = {}


def _tables(engine):
    """The tables of the database itself (reflected once per database URL), so
    tables of every migration count, whether a model maps them or not."""
    key = str(engine.url)
    if key not in _schemas:
        meta = MetaData()
        meta.reflect(bind=engine)
        _schemas[key] = meta.sorted_tables
    return _schemas[key]


def fingerprint(db):
    """A digest of every row of every table, less the columns a refused request
    may legitimately touch (see :data:`VOLATILE_COLUMNS`)."""
    db.session.expire_all()
    digest = hashlib.sha256()
    with db.engine.connect() as conn:
        for table in _tables(db.engine):
            if table.name in VOLATILE_TABLES:
                continue
            skip = VOLATILE_COLUMNS.get(table.name, set())
            cols = [c for c in table.columns if c.name not in skip]
            order = list(table.primary_key.columns) or cols
            for row in conn.execute(select(*cols).order_by(*order)):
                digest.update(repr((table.name, tuple(row))).encode())
    return digest.hexdigest()


def flashes(client):
    """Pop the flashed messages of ``client``'s session."""
    with client.session_transaction() as session:
        return session.pop("_flashes", [])


_denials = {}


def _denial_texts(app):
    """FAB's "access is denied" flash, in English and as translated."""
    from flask_appbuilder.const import FLAMSG_ERR_SEC_ACCESS_DENIED

    if app not in _denials:
        with app.test_request_context():
            translated = str(FLAMSG_ERR_SEC_ACCESS_DENIED)
        _denials[app] = {translated, FLAMSG_ERR_SEC_ACCESS_DENIED._args[0]}
    return _denials[app]


def classify(resp, client, ok_status=200):
    """Name what a response means for the matrix.

    ``ok`` — the expected status of a permitted request; ``login`` — a redirect
    to the sign-in page (anonymous); ``denied`` — 403, or a redirect carrying
    FAB's "access is denied" flash; ``unauthorized`` — 401 (JSON or REST API
    without a token); ``flash: …`` — a redirect with another error message (a
    rule of the feature refused); anything else is reported with its status.
    """
    status = resp.status_code
    flashed = flashes(client) if status == 302 else []
    if status == 302:
        errors = [str(m) for category, m in flashed if category in ("danger", "error")]
        if set(errors) & _denial_texts(client.application):
            return "denied"
        location = urlsplit(resp.headers.get("Location", "")).path
        if location == "/login/" and ok_status != 302:
            return "login"
        if errors:
            return f"flash: {errors[0]}"
    if status == ok_status:
        return "ok"
    if status == 403:
        return "denied"
    if status == 401:
        return "unauthorized"
    return f"status {status}"


def _sample_passes(staff, branch, hq, yotsuya, today):
    """Three people with a pass each: at HQ, at a branch, and sent by mail."""
    from app.passes import issuance
    from tests.factories import make_resident

    person = make_resident(name="見本\u3000太郎", kana="ミホン タロウ", birth_date=date(1950, 5, 5))
    other = make_resident(name="見本\u3000花子", kana="ミホン ハナコ")
    pass_hq = issuance.issue_pass(
        person, kind="new", applied_on=today, issued_on=today, office=hq,
        method="counter", user=staff,
    )  # fmt: skip
    pass_branch = issuance.issue_pass(
        other, kind="new", applied_on=today, issued_on=today, office=yotsuya,
        method="counter", user=branch,
    )  # fmt: skip
    # A pass sent by mail (its cover letter can be printed).
    posted = make_resident(name="見本\u3000次郎", kana="ミホン ジロウ")
    pass_mail = issuance.issue_pass(
        posted, kind="new", applied_on=today, issued_on=today, office=hq,
        method="mail", user=staff,
    )  # fmt: skip
    return person, other, pass_hq, pass_branch, pass_mail


def _sample_import_run(db):
    """A host-link run (a malformed extract: refused, nothing applied)."""
    from app.hostlink import imports
    from app.hostlink.models import ImportRun

    imports.import_file(
        data=b"not an extract", file_name="FUREAI_20260401.DAT", trigger="command",
        require_trigger=False,
    )  # fmt: skip
    return db.session.scalars(select(ImportRun).order_by(ImportRun.id.desc())).first()


def _sample_ledger_run(person, supervisor):
    """An imported ledger run (one person, one pass of FY2018): its report and
    certificate exist."""
    from app.migration import runs
    from tests.ledger.conftest import build_workbook, pass_row, pass_sheet, people_sheet
    from tests.ledger.conftest import person as person_row

    data = build_workbook(
        people_sheet(person_row({"住民番号": person.resident_no})),
        pass_sheet("H30年度", pass_row({"住民番号": person.resident_no, "整理番号": 9001})),
    )
    run_id = runs.start_run("台帳.xlsx", data, trigger="command", user=supervisor)
    return runs.import_ledger(run_id, data, user=supervisor)


@pytest.fixture
def samples(db):
    """Objects for every URL converter, created through the services; returns
    the values by converter argument name, with the objects under ``_objects``."""
    from flask_appbuilder.security.sqla.models import Group

    from app import clock
    from app.extensions import appbuilder
    from app.letters import mass_mailing
    from app.offices import services as offices

    staff = appbuilder.sm.find_user(username="staff")
    branch = appbuilder.sm.find_user(username="branch")
    hq = offices.by_code("HQ")
    yotsuya = offices.by_code("YOTSUYA")
    today = clock.today()

    person, other, pass_hq, pass_branch, pass_mail = _sample_passes(
        staff, branch, hq, yotsuya, today
    )
    import_run = _sample_import_run(db)

    # FAB's own screens list groups; the application uses none, so make one.
    db.session.add(Group(name="matrix-sample", label="見本"))
    db.session.commit()

    # A queued mass-mailing run (nothing printed: the scheduler is not running).
    fiscal_year = pass_hq.fiscal_year
    cutoff = min(today, mass_mailing.default_cutoff(fiscal_year))
    supervisor = appbuilder.sm.find_user(username="supervisor")
    run = mass_mailing.queue_run(fiscal_year, cutoff, today, supervisor)
    ledger_run = _sample_ledger_run(person, supervisor)
    assert ledger_run.status == "applied", ledger_run.reason

    objects = {
        "resident": person,
        "other_resident": other,
        "issuance": pass_hq,
        "branch_issuance": pass_branch,
        "staff": staff,
        "branch": branch,
        "hq": hq,
        "yotsuya": yotsuya,
        "run": run,
    }
    values = {
        "resident_id": person.id,
        "resident_pk": person.id,
        "resident_no": person.resident_no,
        "issuance_id": pass_hq.id,
        "mail_issuance_id": pass_mail.id,
        "user_id": staff.id,
        "office_code": hq.code,
        "code": hq.code,
        "day": today.isoformat(),
        "run_id": run.id,
        "import_run_id": import_run.id,
        "ledger_run_id": ledger_run.id,
        "locale": "ja",
        "filename": "missing.txt",
        "fiscal_year": pass_hq.fiscal_year,
        "_objects": objects,
    }
    return values
