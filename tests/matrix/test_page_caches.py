"""What the per-process caches of the page layout may and may not reuse.

The navigation menu is rendered once per role set (``app/web/fragments.py``),
builtin roles' permission answers are remembered (``app/security/manager.py``),
templates' translations are looked up once per request (``app/web/jinja.py``) and
static-file URLs are built once.  None of that may show one role's menu to
another, keep a database-defined role's old permissions, or ignore a locale
switch or the application's mount point.
"""

import gc
import importlib.util
import re
from pathlib import Path

from flask import render_template_string
from flask_babel import force_locale

from tests.conftest import PASSWORD
from tests.matrix.menus import menu_names_by_href as _menu_names_by_href
from tests.matrix.menus import navbar as _navbar
from tests.matrix.test_role_matrix import MENU_EXPECTED

ROOT = Path(__file__).resolve().parents[2]


def _menu_of(app, client):
    hrefs, _labels, _empty = _navbar(client.get("/").get_data(as_text=True))
    by_href = _menu_names_by_href(app)
    return {by_href.get(h, h) for h in hrefs}


def test_each_role_gets_its_own_menu_whatever_was_rendered_before(app, login):
    # Widest first, so a menu kept for the wrong key would show up in the narrower ones.
    order = ["admin", "supervisor", "staff", "auditor", "branch", "supervisor", "branch"]
    clients = {who: login(who) for who in set(order)}
    for who in order:
        assert _menu_of(app, clients[who]) == MENU_EXPECTED[who], who


def test_a_database_role_is_never_served_from_the_cache(app, db):
    """A role defined in the screens (not in code) may change at any time: its
    menu follows the database on the very next page."""
    from app.extensions import appbuilder
    from app.security import accounts

    sm = appbuilder.sm
    role = sm.add_role("Counter helper")
    for permission, view in (
        ("can_read", "Residents"),
        ("menu_access", "PeopleMenu"),
        ("menu_access", "ResidentSearch"),
    ):
        sm.add_permission_role(role, sm.add_permission_view_menu(permission, view))
    user = accounts.create_user(
        username="helper",
        role_name="Staff",
        office_code="HQ",
        full_name="試験 補助",
        password=PASSWORD,
        must_change_password=False,
    )
    user.roles = [role]
    db.session.commit()

    client = app.test_client()
    assert (
        client.post("/login/", data={"username": "helper", "password": PASSWORD}).status_code == 302
    )
    assert _menu_of(app, client) == {"ResidentSearch"}

    pvm = sm.find_permission_view_menu("menu_access", "ResidentSearch")
    sm.del_permission_role(role, pvm)
    db.session.commit()
    assert _menu_of(app, client) == set()


def test_templates_follow_a_forced_locale(app, db):
    with app.test_request_context("/"):
        assert render_template_string("{{ _('Search people') }}") == "対象者検索"
        with force_locale("en"):
            assert render_template_string("{{ _('Search people') }}") == "Search people"
        assert render_template_string("{{ _('Search people') }}") == "対象者検索"


def test_static_urls_keep_the_mount_point(app, db):
    template = "{{ url_for('appbuilder.static', filename='css/ab.css') }}"
    fingerprinted = r"static/appbuilder/css/ab\.[0-9a-f]{12}\.css"  # app.web.static_files
    with app.test_request_context("/"):
        assert re.fullmatch("/" + fingerprinted, render_template_string(template))
    with app.test_request_context("/", base_url="http://intranet.local/fureai/"):
        assert re.fullmatch("/fureai/" + fingerprinted, render_template_string(template))
    with app.test_request_context("/"):
        assert render_template_string(
            "{{ url_for('ResidentSearchView.search', q='やま') }}"
        ).startswith("/residents/?q=")


def test_gunicorn_workers_freeze_the_loaded_application():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    try:
        conf.post_worker_init(worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
