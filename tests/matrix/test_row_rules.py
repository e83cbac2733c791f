"""Row-level rules beside the role × URL matrix (``test_role_matrix``):
BranchStaff's own office, a supervisor's accounts, the read-only REST API."""

from lxml import html as lxml_html
from sqlalchemy import select

from tests.matrix.conftest import api_token, classify, fingerprint, sign_in

A, SV, ST, BR, AU = "admin", "supervisor", "staff", "branch", "auditor"


# --- row-level rules: BranchStaff's own office ------------------------------------


def _issue_form(office, method="counter"):
    from app import clock

    today = clock.today().isoformat()
    return {
        "kind": "new",
        "applied_on": today,
        "issued_on": today,
        "office": str(office.id),
        "method": method,
        "supersedes_id": "",
    }


def _passes_of(db, resident):
    from app.passes.models import Issuance

    return db.session.scalars(select(Issuance).where(Issuance.resident_id == resident.id)).all()


def test_branch_records_counter_issues_at_own_office_only(app, db, samples):
    from tests.factories import make_resident

    hq, yotsuya = samples["_objects"]["hq"], samples["_objects"]["yotsuya"]
    person = make_resident(kana="ジツレイ イチロウ")
    client = sign_in(app, BR)
    url = f"/issuances/new/{person.id}"

    form = lxml_html.fromstring(client.get(url).get_data(as_text=True))
    offered = form.xpath('//select[@name="office"]/option/@value')
    assert offered == [str(yotsuya.id)]
    assert form.xpath('//select[@name="method"]/option/@value') == ["counter"]

    before = fingerprint(db)
    for data in (_issue_form(hq), _issue_form(yotsuya, method="mail")):
        resp = client.post(url, data=data)
        assert resp.status_code in (200, 302, 403), resp.status_code
        assert fingerprint(db) == before, f"a refused issue was saved: {data}"
    assert _passes_of(db, person) == []

    resp = client.post(url, data=_issue_form(yotsuya))
    assert resp.status_code == 302
    [issued] = _passes_of(db, person)
    assert (issued.office_id, issued.method) == (yotsuya.id, "counter")


def test_branch_sees_own_office_checklist_only(app, db, samples):
    client = sign_in(app, BR)
    day = samples["day"]
    own = client.get("/checklist/pdf?office=YOTSUYA")
    assert own.status_code == 200
    assert own.data.startswith(b"%PDF")
    # no office named: their own office's, not every office's
    assert client.get("/checklist/pdf?office=").status_code == 200
    from app.audit.models import AccessLog

    printed = db.session.scalars(
        select(AccessLog.target).where(AccessLog.action == "checklist.print")
    ).all()
    assert printed, printed
    assert all(t.endswith(":YOTSUYA") for t in printed), printed
    for url in ("/checklist/pdf?office=HQ", f"/checklist/stored/{day}/HQ"):
        assert classify(client.get(url), client) == "denied", url
    page = client.get("/checklist/").get_data(as_text=True)
    offered = lxml_html.fromstring(page).xpath('//select[@name="office"]/option/@value')
    assert set(offered) <= {"YOTSUYA"}


def test_supervisor_manages_only_non_admin_staff(app, db, samples):
    from app.extensions import appbuilder

    client = sign_in(app, SV)
    admin = appbuilder.sm.find_user(username="admin")
    staff = appbuilder.sm.find_user(username="staff")
    assert client.get(f"/staffaccounts/edit/{staff.id}").status_code == 200
    listed = client.get("/staffaccounts/").get_data(as_text=True)
    assert ">staff<" in listed.replace(" ", "")
    assert ">admin<" not in listed.replace(" ", "")
    before = fingerprint(db)
    assert client.get(f"/staffaccounts/edit/{admin.id}").status_code == 403
    for action in ("disable", "unlock", "reset", "edit"):
        resp = client.post(f"/staffaccounts/{action}/{admin.id}", data={"role": "Staff"})
        assert resp.status_code == 403, (action, resp.status_code)
    assert fingerprint(db) == before


def test_rest_api_reads_with_a_token_and_writes_nothing(app, db, samples):
    person = samples["_objects"]["resident"]
    client = app.test_client()
    for role in (A, SV, ST, BR, AU):
        headers = {"Authorization": f"Bearer {api_token(app, role)}"}
        listed = client.get("/api/v1/residents/", headers=headers).get_json()
        assert person.resident_no in {r["resident_no"] for r in listed["result"]}, role
        one = client.get(f"/api/v1/residents/{person.id}", headers=headers).get_json()
        assert one["result"]["resident_no"] == person.resident_no
        passes = client.get("/api/v1/issuances/", headers=headers).get_json()
        assert passes["count"] >= 1, role
        before = fingerprint(db)
        for method, url in (
            ("POST", "/api/v1/residents/"),
            ("PUT", f"/api/v1/residents/{person.id}"),
            ("DELETE", f"/api/v1/residents/{person.id}"),
            ("POST", "/api/v1/issuances/"),
            ("DELETE", f"/api/v1/issuances/{samples['issuance_id']}"),
        ):
            resp = client.open(url, method=method, json={"note": "x"}, headers=headers)
            assert resp.status_code == 405, (role, method, url, resp.status_code)
        assert fingerprint(db) == before
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        resp = client.get("/api/v1/residents/", headers=headers)
        assert resp.status_code in (401, 422), resp.status_code
        assert b"resident_no" not in resp.data


# --- menus -------------------------------------------------------------------
