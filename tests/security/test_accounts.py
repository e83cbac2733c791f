"""Staff accounts managed by supervisors: who may do what, and the log of it."""

import re

import pytest

from app.errors import DomainError, PermissionDenied
from app.security import accounts
from tests.conftest import PASSWORD
from tests.security.conftest import sign_in

NEW = {
    "username": "suzuki",
    "full_name": "鈴木 一郎",
    "role": "Staff",
    "office": "HQ",
    "email": "",
}


def _add(client, **fields):
    return client.post("/staffaccounts/add/", data={**NEW, **fields})


def test_supervisor_creates_an_account_with_a_one_time_password(app, login, user, log_rows):
    boss = login("supervisor")
    resp = _add(boss)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    otp = re.search(r"<code>([A-Za-z0-9-]{23})</code>", html).group(1)
    created = user("suzuki")
    assert created.must_change_password is True
    assert created.office.code == "HQ"
    assert [r.name for r in created.roles] == ["Staff"]
    assert otp not in (created.password or "")
    assert sign_in(app.test_client(), "suzuki", otp).headers["Location"] == "/myaccount/password"
    rows = log_rows("account.create", target="suzuki")
    assert len(rows) == 1
    assert rows[0].username == "supervisor"
    assert rows[0].detail == {"user_id": created.id, "role": "Staff", "office": "HQ"}


@pytest.mark.parametrize("role", ["Admin", "Supervisor"])
def test_supervisor_cannot_create_admin_or_supervisor(login, user, role):
    boss = login("supervisor")
    resp = _add(boss, role=role)
    assert resp.status_code == 200  # the form again, with an error
    assert user("suzuki") is None


def test_the_role_list_offers_only_lower_roles(login):
    html = login("supervisor").get("/staffaccounts/add/").get_data(as_text=True)
    options = re.findall(r'<option[^>]*value="([A-Za-z]+)"', html)
    assert {"Staff", "BranchStaff", "Auditor"} <= set(options)
    assert "Admin" not in options
    assert "Supervisor" not in options


def test_service_refuses_roles_above_the_actor(db, user):
    boss = user("supervisor")
    with pytest.raises(PermissionDenied):
        accounts.create_with_one_time_password(
            boss, username="x1", role_name="Admin", office_code="HQ", full_name="試験 一"
        )
    with pytest.raises(PermissionDenied):
        accounts.update_user(boss, user("staff"), role_name="Supervisor")
    with pytest.raises(PermissionDenied):
        accounts.update_user(boss, boss, role_name="Admin")
    assert [r.name for r in user("supervisor").roles] == ["Supervisor"]
    assert [r.name for r in user("staff").roles] == ["Staff"]


@pytest.mark.parametrize("target", ["supervisor", "admin"])
def test_supervisor_cannot_edit_self_or_admin(login, user, log_rows, target):
    boss = login("supervisor")
    target_id = user(target).id
    resp = boss.post(
        f"/staffaccounts/edit/{target_id}",
        data={"full_name": "乗っ取り 太郎", "role": "Staff", "office": "HQ", "email": ""},
    )
    assert resp.status_code == 403
    assert "権限がありません" in resp.get_data(as_text=True)
    assert user(target).last_name == "試験"
    assert boss.post(f"/staffaccounts/disable/{target_id}").status_code == 403
    assert user(target).active is True
    denied = log_rows("access.denied")
    assert len(denied) == 2
    assert all(r.username == "supervisor" for r in denied)
    assert denied[0].target == f"/staffaccounts/edit/{target_id}"


def test_account_list_shows_only_manageable_accounts_and_no_hashes(login):
    html = login("supervisor").get("/staffaccounts/list/").get_data(as_text=True)
    for name in ("staff", "branch", "auditor"):
        assert f"<td>{name}</td>" in html
    assert "<td>admin</td>" not in html
    assert "<td>supervisor</td>" not in html
    assert "scrypt" not in html
    assert "pbkdf2" not in html
    edit = login("supervisor").get("/staffaccounts/edit/3").get_data(as_text=True)
    assert "scrypt" not in edit


def test_edit_changes_office_and_role_and_logs_the_fields(login, user, log_rows):
    boss = login("supervisor")
    staff_id = user("staff").id
    resp = boss.post(
        f"/staffaccounts/edit/{staff_id}",
        data={"full_name": "試験 staff", "role": "BranchStaff", "office": "OKUBO", "email": ""},
    )
    assert resp.status_code == 302
    assert user("staff").office.code == "OKUBO"
    rows = log_rows("account.update")
    assert len(rows) == 1
    assert rows[0].detail["changes"] == {
        "role": ["Staff", "BranchStaff"],
        "office": ["HQ", "OKUBO"],
    }


def test_disable_and_enable(app, login, user, log_rows):
    boss = login("supervisor")
    staff_id = user("staff").id
    boss.post(f"/staffaccounts/disable/{staff_id}", data={"confirm": "yes"})
    assert sign_in(app.test_client(), "staff").headers["Location"].startswith("/login/")
    boss.post(f"/staffaccounts/enable/{staff_id}")
    assert sign_in(app.test_client(), "staff").headers["Location"] == "/"
    assert len(log_rows("account.disable")) == 1
    assert len(log_rows("account.enable")) == 1


def test_reset_password_issues_a_new_one_time_password(app, login, user, log_rows):
    staff = login("staff")
    boss = login("supervisor")
    resp = boss.post(f"/staffaccounts/reset/{user('staff').id}")
    otp = re.search(r"<code>([A-Za-z0-9-]{23})</code>", resp.get_data(as_text=True)).group(1)
    assert staff.get("/myaccount/").status_code == 302  # signed out everywhere
    assert sign_in(app.test_client(), "staff", PASSWORD).headers["Location"].startswith("/login/")
    assert sign_in(app.test_client(), "staff", otp).headers["Location"] == "/myaccount/password"
    assert len(log_rows("account.password_reset")) == 1


def test_state_changing_account_routes_refuse_get(login, user):
    boss = login("supervisor")
    staff_id = user("staff").id
    for action in ("disable", "enable", "unlock", "reset"):
        assert boss.get(f"/staffaccounts/{action}/{staff_id}").status_code == 405
    assert user("staff").active is True


@pytest.mark.parametrize("who", ["staff", "branch", "auditor"])
def test_non_supervisors_cannot_reach_account_screens(login, user, log_rows, who):
    c = login(who)
    assert c.get("/staffaccounts/list/").status_code == 403
    assert c.post(f"/staffaccounts/disable/{user('staff').id}").status_code == 403
    assert user("staff").active is True
    assert len(log_rows("access.denied", username=who)) == 2


@pytest.mark.parametrize("url", ["/users/list/", "/roles/list/", "/users/add"])
def test_fab_security_screens_are_admin_only(login, log_rows, url):
    for who in ("supervisor", "branch"):
        resp = login(who).get(url)
        assert resp.status_code == 403
    assert login("admin").get(url).status_code == 200
    assert len(log_rows("access.denied")) == 2


def test_security_menu_is_admin_only(login):
    supervisor_home = login("supervisor").get("/").get_data(as_text=True)
    admin_home = login("admin").get("/").get_data(as_text=True)
    assert "/roles/list/" in admin_home
    assert "/users/list/" not in supervisor_home
    assert "/roles/list/" not in supervisor_home
    assert "/staffaccounts/list/" in supervisor_home
    assert "/staffaccounts/list/" not in login("staff").get("/").get_data(as_text=True)


def test_admin_user_screen_has_no_delete(login, user):
    admin = login("admin")
    resp = admin.post(f"/users/delete/{user('staff').id}")
    assert resp.status_code in (302, 403, 404)
    assert user("staff") is not None


def test_admin_disabling_in_fab_screen_ends_sessions_and_is_logged(app, login, user, log_rows):
    # FAB's user screen holds the administrators' accounts only
    accounts.create_user(
        username="admin2",
        role_name="Admin",
        office_code="HQ",
        full_name="試験 二",
        password=PASSWORD,
        must_change_password=False,
    )
    other = app.test_client()
    other.post("/login/", data={"username": "admin2", "password": PASSWORD})
    assert other.get("/myaccount/").status_code == 200
    admin = login("admin")
    target = user("admin2")
    resp = admin.post(
        f"/users/edit/{target.id}",
        data={
            "first_name": target.first_name,
            "last_name": target.last_name,
            "username": "admin2",
            "email": target.email,
            "office": str(target.office_id),
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    assert user("admin2").active is False
    assert other.get("/myaccount/").status_code == 302
    assert len(log_rows("account.disable")) == 1


def test_cli_users_add_applies_the_policy(app, db):
    result = app.test_cli_runner().invoke(
        args=["users", "add", "kato", "--role", "Staff", "--office", "HQ",
              "--name", "加藤 一", "--password", "password123"]
    )  # fmt: skip
    assert result.exit_code == 2
    assert "12文字以上" in result.output


def test_create_user_refuses_user_derived_password(db):
    with pytest.raises(DomainError) as err:
        accounts.create_user(
            username="tanaka",
            role_name="BranchStaff",
            office_code="OKUBO",
            full_name="田中 一郎",
            password="tanaka-okubo-2026-x",
        )
    assert err.value.field == "password"


def test_demo_accounts_are_refused_without_allow_demo_data(app, db, config_value):
    from app.security.models import StaffUser

    config_value("ALLOW_DEMO_DATA", False)
    before = db.session.query(StaffUser).count()
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code != 0
    assert db.session.query(StaffUser).count() == before
