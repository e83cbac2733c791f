"""FAB's own security screens as an administrator meets them (issue 11, item 18):
in Japanese, with what the ward uses only, and one account screen in the menu."""

import re

import pytest

from app.security import roles
from app.security.fab_views import PERMISSION_GROUPS, PERMISSIONS
from tests.browser.japanese import english_words, visible_text
from tests.conftest import PASSWORD
from tests.matrix.menus import navbar


def _role_id(db, name):
    from app.extensions import appbuilder

    return appbuilder.sm.find_role(name).id


def _pages(db, user):
    admin_id = user("admin").id
    return [
        "/users/list/",
        f"/users/show/{admin_id}",
        "/users/add",
        f"/users/edit/{admin_id}",
        "/roles/list/",
        *(f"/roles/show/{_role_id(db, name)}" for name in roles.ROLE_NAMES),
    ]


def test_security_screens_are_japanese_with_no_codes(login, db, user):
    admin = login("admin")
    for url in _pages(db, user):
        resp = admin.get(url)
        assert resp.status_code == 200, url
        page = resp.get_data(as_text=True)
        shown = visible_text(page)
        assert english_words(shown) == [], (url, english_words(shown))
        # FAB's empty choice, its patterns of builtin roles, its LDAP/OpenID help
        for left in ("__None", "^can_", "can_read", ".*", "LDAP", "OID"):
            assert left not in shown, (url, left)
        assert "__None" not in page, url


def test_roles_screen_says_what_each_role_may_do(login, db):
    admin = login("admin")
    branch = admin.get(f"/roles/show/{_role_id(db, 'BranchStaff')}").get_data(as_text=True)
    text = visible_text(branch)
    assert "出張所担当" in text
    assert "交付記録と窓口での申請・交付：閲覧・登録・変更" in text
    assert "送付状" not in text  # BranchStaff prints no letters
    everything = admin.get(f"/roles/show/{_role_id(db, 'Admin')}").get_data(as_text=True)
    assert "すべての画面：すべての操作" in visible_text(everything)


def test_every_permission_has_words_on_the_roles_screen():
    """A new permission group or permission fails here until the roles screen
    can say it in Japanese (app/security/fab_views.py)."""
    for group, grants in roles.GROUPS.items():
        assert group in PERMISSION_GROUPS, group
        for permissions in grants.values():
            for permission in permissions:
                assert permission in PERMISSIONS, (group, permission)


@pytest.mark.parametrize("url", ["/roles/add", "/roles/edit/{id}", "/roles/delete/{id}"])
def test_roles_cannot_be_changed_in_the_screen(login, db, url):
    role_id = _role_id(db, "Staff")
    resp = login("admin").get(url.format(id=role_id))
    assert resp.status_code in (302, 403)
    list_page = login("admin").get("/roles/list/").get_data(as_text=True)
    assert "/roles/edit/" not in list_page
    assert "/roles/add" not in list_page
    assert "copyrole" not in list_page


@pytest.mark.parametrize(
    "url",
    [
        "/groups/list/",
        "/permissions/list/",
        "/viewmenus/list/",
        "/permissionviews/list/",
        "/warduserstatschartview/chart/",
        "/userinfoeditview/form",
    ],
)
def test_unused_fab_screens_are_not_served(login, url):
    assert login("admin").get(url).status_code == 404


def test_one_account_screen_in_the_menu(login):
    """The navbar has one account entry (職員アカウント); the administrators'
    accounts are a link on it, for Admin only."""
    admin = login("admin")
    hrefs, labels, _empty = navbar(admin.get("/").get_data(as_text=True))
    assert "/staffaccounts/list/" in hrefs
    assert "/roles/list/" in hrefs
    assert not [h for h in hrefs if h.startswith("/users/")]
    assert "セキュリティ" not in labels
    assert "/users/list/" in admin.get("/staffaccounts/list/").get_data(as_text=True)
    boss = login("supervisor").get("/staffaccounts/list/").get_data(as_text=True)
    assert "/users/list/" not in boss


def test_fab_user_screen_holds_administrators_only(login, user):
    admin = login("admin")
    listed = visible_text(admin.get("/users/list/").get_data(as_text=True))
    assert "admin" in listed
    assert not {"staff", "supervisor", "branch", "auditor"} & set(re.findall(r"[a-z]+", listed))
    staff_id = user("staff").id
    assert admin.get(f"/users/show/{staff_id}").status_code == 404
    assert admin.get(f"/users/edit/{staff_id}").status_code == 404


def test_administrator_made_in_fab_screen(login, user, log_rows, db):
    from app.offices.services import by_code

    resp = login("admin").post(
        "/users/add",
        data={
            "last_name": "管理",
            "first_name": "二郎",
            "username": "kanri2",
            "active": "y",
            "email": "kanri2@example.invalid",
            "office": str(by_code("HQ").id),
            "password": "hinoki-no-furo-2026!",
            "conf_password": "hinoki-no-furo-2026!",
        },
    )
    assert resp.status_code == 302, visible_text(resp.get_data(as_text=True))[-1500:]
    made = user("kanri2")
    assert [r.name for r in made.roles] == ["Admin"]
    assert made.office.code == "HQ"
    assert made.must_change_password is True
    assert len(log_rows("account.create", target="kanri2")) == 1


def test_fab_user_form_needs_an_office(login, user):
    resp = login("admin").post(
        "/users/add",
        data={
            "last_name": "管理",
            "first_name": "三郎",
            "username": "kanri3",
            "email": "kanri3@example.invalid",
            "office": "__None",
            "password": PASSWORD,
            "conf_password": PASSWORD,
        },
    )
    assert resp.status_code == 200
    assert user("kanri3") is None


def test_fab_profile_page_is_my_account(login):
    resp = login("admin").get("/users/userinfo/")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/myaccount/")


def test_an_administrator_cannot_be_placed_at_a_branch_office(login, user):
    from app.offices.services import by_code

    resp = login("admin").post(
        "/users/add",
        data={
            "last_name": "管理",
            "first_name": "四郎",
            "username": "kanri4",
            "active": "y",
            "email": "kanri4@example.invalid",
            "office": str(by_code("YOTSUYA").id),
            "password": "hinoki-no-furo-2026!",
            "conf_password": "hinoki-no-furo-2026!",
        },
    )
    assert resp.status_code == 200
    assert user("kanri4") is None
