"""The read-only REST API with JWT sign-in."""

import pytest
from sqlalchemy import select

from app.audit.models import AccessLog
from app.passes.issuance import issue_pass
from tests.conftest import PASSWORD


def _token(app, username):
    resp = app.test_client().post(
        "/api/v1/security/login",
        json={"username": username, "password": PASSWORD, "provider": "db"},
    )
    assert resp.status_code == 200, resp.data[:300]
    return {"Authorization": f"Bearer {resp.get_json()['access_token']}"}


@pytest.fixture
def people(resident, user, office, today):
    first = resident(name="山田\u3000花子", kana="ヤマダ ハナコ", resident_no="1000000001")
    resident(name="\ue000田\u3000一郎", kana="ヨシダ イチロウ", resident_no="1000000002",
             has_gaiji=True, is_elderly=False, is_disabled=True)  # fmt: skip
    issue_pass(first, kind="new", applied_on=today, issued_on=today, office=office("YOTSUYA"),
               method="counter", user=user("staff"))  # fmt: skip
    return first


def test_without_a_token_nothing_is_read(app, client, people):
    assert client.get("/api/v1/residents/").status_code == 401
    assert client.get(f"/api/v1/residents/{people.id}").status_code == 401
    assert client.get("/api/v1/issuances/").status_code == 401


def test_list_and_filter_by_resident_number(db, app, client, people):
    headers = _token(app, "staff")
    data = client.get("/api/v1/residents/", headers=headers).get_json()
    assert data["count"] == 2
    q = "(filters:!((col:resident_no,opr:eq,value:'1000000001')))"
    data = client.get(f"/api/v1/residents/?q={q}", headers=headers).get_json()
    (row,) = data["result"]
    assert row["resident_no"] == "1000000001"
    assert row["name"] == "山田\u3000花子"
    assert row["categories"] == ["elderly"]
    assert row["gaiji"] is False
    assert row["birth_date"] == "1955-04-01"
    assert row["status"] == "active"
    assert "note" not in row
    assert "phone" not in row
    log = (
        db.session.execute(
            select(AccessLog).where(AccessLog.action == "api.read").order_by(AccessLog.id.desc())
        )
        .scalars()
        .first()
    )
    assert log.resident_no == "1000000001"
    assert log.username == "staff"


def test_one_person_and_their_passes(db, app, client, people):
    headers = _token(app, "auditor")
    row = client.get(f"/api/v1/residents/{people.id}", headers=headers).get_json()["result"]
    assert row["resident_no"] == "1000000001"
    q = f"(filters:!((col:resident,opr:rel_o_m,value:{people.id})))"
    (p,) = client.get(f"/api/v1/issuances/?q={q}", headers=headers).get_json()["result"]
    assert p["resident_no"] == "1000000001"
    assert p["office"] == "YOTSUYA"
    assert p["kind"] == "new"
    assert p["fiscal_year"] == 2026
    assert p["method"] == "counter"
    assert p["returned_on"] is None
    logs = db.session.execute(select(AccessLog).where(AccessLog.action == "api.read")).scalars()
    assert {log.resident_no for log in logs} == {"1000000001"}


def test_gaiji_flag(app, client, people):
    q = "(filters:!((col:resident_no,opr:eq,value:'1000000002')))"
    (row,) = client.get(f"/api/v1/residents/?q={q}", headers=_token(app, "branch")).get_json()[
        "result"
    ]
    assert row["gaiji"] is True
    assert row["categories"] == ["disabled"]


@pytest.mark.parametrize("username", ["branch", "auditor", "admin"])
def test_nothing_can_be_written(db, app, client, people, username):
    headers = _token(app, username)
    assert client.post("/api/v1/residents/", json={"name": "x"}, headers=headers).status_code == 405
    assert client.put(f"/api/v1/residents/{people.id}", json={}, headers=headers).status_code == 405
    assert client.delete(f"/api/v1/residents/{people.id}", headers=headers).status_code == 405
    assert client.delete("/api/v1/issuances/1", headers=headers).status_code == 405


def test_page_size_is_capped(app, client, resident, today):
    app.config["FAB_API_MAX_PAGE_SIZE"], saved = 3, app.config["FAB_API_MAX_PAGE_SIZE"]
    try:
        for _ in range(5):
            resident()
        data = client.get(
            "/api/v1/residents/?q=(page_size:1000)", headers=_token(app, "staff")
        ).get_json()
    finally:
        app.config["FAB_API_MAX_PAGE_SIZE"] = saved
    assert len(data["result"]) == 3
    assert data["count"] == 5


def test_info_lists_no_related_records(app, client, people):
    info = client.get("/api/v1/issuances/_info", headers=_token(app, "staff")).get_json()
    assert info["add_columns"] == []
    assert info["edit_columns"] == []
    assert set(info["permissions"]) == {"can_read"}
