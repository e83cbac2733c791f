"""HTTP hardening: CSRF, headers, safe redirects, trusted hosts, error pages."""

import re

import pytest

from tests.conftest import PASSWORD
from tests.security.conftest import csrf_token, is_signed_in, sign_in


def test_post_without_csrf_token_is_refused_and_logged(login, config_value, user, log_rows):
    c = login("supervisor")
    config_value("WTF_CSRF_ENABLED", True)
    resp = c.post(f"/staffaccounts/disable/{user('staff').id}")
    assert resp.status_code == 400
    assert "再読み込み" in resp.get_data(as_text=True)
    assert user("staff").active is True
    resp = c.post("/logout/")
    assert resp.status_code == 400
    assert is_signed_in(c)
    denied = log_rows("access.denied")
    assert [r.detail["reason"] for r in denied] == ["csrf", "csrf"]
    assert denied[0].username == "supervisor"


def test_post_with_csrf_token_works(app, csrf_on, user):
    c = app.test_client()
    token = csrf_token(c)
    resp = c.post(
        "/login/", data={"username": "supervisor", "password": PASSWORD, "csrf_token": token}
    )
    assert resp.headers["Location"] == "/"
    token = csrf_token(c, "/staffaccounts/list/")
    resp = c.post(
        f"/staffaccounts/disable/{user('staff').id}", data={"csrf_token": token, "confirm": "yes"}
    )
    assert resp.status_code == 302
    assert user("staff").active is False
    resp = c.post("/logout/", data={"csrf_token": csrf_token(c, "/myaccount/")})
    assert resp.status_code == 302
    assert not is_signed_in(c)


def test_sign_in_form_needs_csrf_token(client, csrf_on):
    resp = sign_in(client, "staff")
    assert resp.status_code == 400
    assert not is_signed_in(client)


def test_cookie_authenticated_api_write_needs_csrf_token(login, config_value, log_rows):
    c = login("staff")
    config_value("WTF_CSRF_ENABLED", True)
    resp = c.post("/api/v1/security/refresh")
    assert resp.status_code == 400
    assert log_rows("access.denied")[-1].detail["reason"] == "csrf"


def test_security_headers_and_nonce(login):
    c = login("staff")
    resp = c.get("/")
    csp = resp.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "unsafe-inline" not in script_src
    assert "unsafe-eval" not in script_src
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    html = resp.get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts
    assert all(f'nonce="{nonce}"' in s for s in scripts)
    assert "http://" not in " ".join(re.findall(r'(?:src|href)="([^"]+)"', html))
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Cache-Control"] == "no-store"
    assert c.get("/").headers["Content-Security-Policy"] != csp  # a new nonce each time


def test_static_files_may_be_cached(client):
    resp = client.get("/static/css/ward.css")
    assert resp.status_code == 200
    assert "no-store" not in resp.headers.get("Cache-Control", "")


def test_pages_with_personal_data_are_not_stored(login):
    c = login("supervisor")
    for url in ("/accesslog/", "/staffaccounts/list/", "/myaccount/", "/api/v1/menu/"):
        assert c.get(url).headers["Cache-Control"] == "no-store", url


@pytest.mark.parametrize(
    "next_url",
    ["//evil.example/x", "/\\evil.example", "http://evil.example/", "https:evil.example",
     "javascript:alert(1)", "/%0d%0aSet-Cookie:x=1", "\t//evil.example"],
)  # fmt: skip
def test_next_parameter_stays_on_the_site(client, next_url):
    resp = client.post(
        "/login/", query_string={"next": next_url}, data={"username": "staff", "password": PASSWORD}
    )
    location = resp.headers["Location"]
    assert location.startswith("/")
    assert not location.startswith("//")
    assert "evil" not in location.split("?")[0]
    assert "\\" not in location


def test_next_parameter_to_a_local_page_is_kept(client):
    resp = client.post(
        "/login/",
        query_string={"next": "/accesslog/?user=x"},
        data={"username": "staff", "password": PASSWORD},
    )
    assert resp.headers["Location"] == "/accesslog/?user=x"


def test_forged_host_header_does_not_redirect_off_site(client):
    resp = client.post(
        "/login/?next=/myaccount/",
        data={"username": "staff", "password": PASSWORD},
        headers={"Host": "evil.example"},
    )
    assert resp.headers["Location"] == "/myaccount/"
    resp = client.get("/staffaccounts/list/", headers={"Host": "evil.example"})
    assert "evil.example" not in resp.headers.get("Location", "").split("?")[0]


def test_trusted_hosts_refuse_other_host_names(client, config_value):
    config_value("TRUSTED_HOSTS", ["fureai.ward.local"])
    assert client.get("/login/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/login/", headers={"Host": "fureai.ward.local"}).status_code == 200


def test_upload_limit_gives_a_japanese_413(client, config_value):
    config_value("MAX_CONTENT_LENGTH", 1024 * 1024)
    resp = client.post("/login/", data={"username": "x", "password": "y" * (2 * 1024 * 1024)})
    assert resp.status_code == 413
    assert "1 MB を超えています" in resp.get_data(as_text=True)


def test_not_found_page_is_japanese(client):
    resp = client.get("/no-such-page")
    assert resp.status_code == 404
    assert "ページが見つかりません" in resp.get_data(as_text=True)
    assert client.get("/api/v1/no-such").get_json()["message"]


def test_server_error_shows_no_traceback(app, login, monkeypatch, config_value):
    config_value("PROPAGATE_EXCEPTIONS", False)

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals: /etc/passwd")

    monkeypatch.setitem(app.view_functions, "MyAccountView.show", broken)
    resp = login("staff").get("/myaccount/")
    assert resp.status_code == 500
    body = resp.get_data(as_text=True)
    assert "システムエラー" in body
    assert "secret internals" not in body
    assert "Traceback" not in body


def test_forbidden_page_is_japanese(login):
    resp = login("staff").get("/accesslog/")
    assert resp.status_code == 403
    assert "権限がありません" in resp.get_data(as_text=True)


def test_no_route_of_ours_changes_state_on_get(app):
    """Every route of the security area that changes something accepts only POST."""
    state_changing = {"disable", "enable", "unlock", "reset"}
    for rule in app.url_map.iter_rules():
        name = rule.endpoint.split(".")[-1]
        if rule.endpoint.startswith("StaffAccountsView.") and name in state_changing:
            assert rule.methods - {"HEAD", "OPTIONS"} == {"POST"}, rule
    assert "POST" in next(r for r in app.url_map.iter_rules() if r.rule == "/logout/").methods


def test_production_refuses_debug_and_default_secret():
    from app import ConfigurationError, create_app
    from config import DEV_SECRET_KEY, ProductionConfig

    class DefaultSecret(ProductionConfig):
        SECRET_KEY = DEV_SECRET_KEY

    class Debugging(ProductionConfig):
        SECRET_KEY = "x" * 40
        DEBUG = True

    for unsafe in (DefaultSecret, Debugging):
        with pytest.raises(ConfigurationError):
            create_app(unsafe)
