"""What the hands-on security review found (issue 11, items 1, 2, 4, 5, 7): the
access log overwritten or made deletable through the database, production
started with debug or the development key, redirects naming a forged host, and
500 answers to an oversized body or an unknown office."""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.audit.models import AccessLog, AccessLogPolicy
from tests.conftest import PASSWORD


def _real_now():
    from app.clock import TIMEZONE

    return datetime.now(TIMEZONE).replace(tzinfo=None)


def _add_log(db, at, username="staff"):
    row = AccessLog(at=at, action="resident.view", resident_no="1234567890", username=username)
    db.session.add(row)
    db.session.commit()
    return row.id


def _raw(db, sql, **params):
    """One statement in its own transaction on a connection of its own (the
    session's locks released first, as SQLite has one writer)."""
    db.session.rollback()
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


def _retention(db):
    db.session.expire_all()
    return db.session.get(AccessLogPolicy, 1).retention_years


# --- 1. the access log cannot be replaced or made deletable --------------------


@pytest.mark.parametrize("verb", ["INSERT OR REPLACE", "REPLACE"])
def test_sqlite_refuses_to_replace_a_log_row(db, verb):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("REPLACE exists only on SQLite")
    row_id = _add_log(db, _real_now())
    with pytest.raises(DBAPIError, match="cannot be replaced"):
        _raw(
            db,
            f"{verb} INTO access_log (id, at, action, username, outcome) "
            "VALUES (:id, :at, 'resident.view', 'forger', 'ok')",
            id=row_id,
            at=_real_now(),
        )
    db.session.expire_all()
    assert db.session.get(AccessLog, row_id).username == "staff"


def test_sqlite_refuses_to_replace_the_retention_policy(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("REPLACE exists only on SQLite")
    with pytest.raises(DBAPIError, match="cannot be replaced"):
        _raw(db, "INSERT OR REPLACE INTO access_log_policy (id, retention_years) VALUES (1, 1)")
    assert _retention(db) == 5


def test_an_upsert_cannot_rewrite_a_log_row(db):
    row_id = _add_log(db, _real_now())
    with pytest.raises(DBAPIError):
        _raw(
            db,
            "INSERT INTO access_log (id, at, action, username, outcome) "
            "VALUES (:id, :at, 'resident.view', 'forger', 'ok') "
            "ON CONFLICT (id) DO UPDATE SET username = 'forger'",
            id=row_id,
            at=_real_now(),
        )
    db.session.expire_all()
    assert db.session.get(AccessLog, row_id).username == "staff"


def test_new_rows_are_still_written(db):
    first = _add_log(db, _real_now())
    second = _add_log(db, _real_now())
    assert second > first


def test_the_retention_period_cannot_be_shortened(db):
    young = _add_log(db, _real_now() - timedelta(days=2 * 366))
    with pytest.raises(DBAPIError, match="cannot be shortened"):
        _raw(db, "UPDATE access_log_policy SET retention_years = 1")
    assert _retention(db) == 5
    with pytest.raises(DBAPIError):
        _raw(db, "DELETE FROM access_log WHERE id = :id", id=young)
    db.session.expire_all()
    assert db.session.get(AccessLog, young) is not None


def test_the_retention_period_can_be_raised_and_kept(db):
    _raw(db, "UPDATE access_log_policy SET retention_years = 7")
    _raw(db, "UPDATE access_log_policy SET retention_years = 7")
    assert _retention(db) == 7
    with pytest.raises(DBAPIError, match="cannot be shortened"):
        _raw(db, "UPDATE access_log_policy SET retention_years = 6")
    assert _retention(db) == 7


def test_purge_refuses_a_shorter_period_in_japanese(app, db, log_rows):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit", "purge", "--years", "7"]).exit_code == 0
    old = _add_log(db, _real_now() - timedelta(days=6 * 366))
    for args in (["--years", "5"], ["--years", "6", "--dry-run"], []):
        result = runner.invoke(args=["audit", "purge", *args])
        assert result.exit_code == 2, result.output
        assert "7年" in result.output
        assert "短く" in result.output
    assert _retention(db) == 7
    assert db.session.get(AccessLog, old) is not None
    assert len(log_rows("access_log.purge")) == 1


# --- 4. every Location is a path on this site -----------------------------------

EVIL = {"Host": "evil.example"}


def _assert_local_redirect(resp):
    assert resp.status_code in (301, 302, 303, 307, 308), resp.status_code
    location = resp.headers["Location"]
    parts = urlsplit(location)
    assert not parts.scheme, location
    assert not parts.netloc, location
    assert location.startswith("/"), location
    assert not location.startswith(("//", "/\\")), location
    return location


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("http://evil.example/users/list/?page=2#top", "/users/list/?page=2#top"),
        ("https://evil.example", "/"),
        ("//evil.example/x", "/x"),
        ("/\\evil.example/x", "/evil.example/x"),
        (" \t//evil.example/x", "/x"),
        ("/\t/evil.example/x", "/x"),
        ("javascript:alert(1)", "/alert(1)"),
        ("/residents/?q=%E5%B1%B1", "/residents/?q=%E5%B1%B1"),
    ],
)
def test_an_absolute_location_keeps_only_its_path(location, expected):
    from app.security.http import relative_location

    assert relative_location(location) == expected


def test_sign_in_and_out_redirect_to_this_site_whatever_the_host(app, db):
    client = app.test_client()
    assert _assert_local_redirect(client.get("/login", headers=EVIL)) == "/login/"
    _assert_local_redirect(client.get("/issuances/", headers=EVIL))
    resp = client.post(
        "/login/?next=http://evil.example/phish",
        data={"username": "supervisor", "password": PASSWORD},
        headers=EVIL,
    )
    assert _assert_local_redirect(resp) == "/"
    assert _assert_local_redirect(client.post("/logout/", headers=EVIL)) == "/login/"


def _signed_in_at_evil(app, username):
    """A client signed in through the forged host (its cookie is for that host)."""
    client = app.test_client()
    resp = client.post("/login/", data={"username": username, "password": PASSWORD}, headers=EVIL)
    assert _assert_local_redirect(resp) == "/"
    return client


def test_history_redirects_stay_on_this_site(app, db):
    # FAB's language switch and "back" return to the page visited before,
    # which FAB remembers as the absolute URL of that request.
    admin = _signed_in_at_evil(app, "admin")
    for back in ("/lang/ja", "/back"):
        # "back" skips the page it was asked from
        for visit in ("/roles/list/", "/roles/list/?again=1"):
            assert admin.get(visit, headers=EVIL).status_code == 200
        assert _assert_local_redirect(admin.get(back, headers=EVIL)).startswith("/roles/list/")


def test_a_form_post_redirects_to_this_site(app, db):
    from tests.factories import make_resident

    person = make_resident()
    resp = _signed_in_at_evil(app, "supervisor").post(
        f"/residents/{person.id}/review", data={"version": person.version}, headers=EVIL
    )
    assert _assert_local_redirect(resp) == f"/residents/{person.id}"


# --- 5. no 500 for an oversized body or an unknown code ---------------------------

BIG = 65 * 1024 * 1024


@pytest.mark.parametrize("path", ["/api/v1/security/login", "/api/v1/residents/"])
def test_an_oversized_json_body_is_413_in_japanese(app, db, path):
    body = b'{"username": "' + b"a" * BIG + b'"}'
    resp = app.test_client().post(path, data=body, content_type="application/json")
    assert resp.status_code == 413
    assert "64 MB を超えています" in resp.get_json()["message"]


def test_an_oversized_form_is_413_in_japanese(app, db):
    resp = app.test_client().post(
        "/login/", data=b"username=" + b"a" * BIG, content_type="application/x-www-form-urlencoded"
    )
    assert resp.status_code == 413
    assert "大きすぎ" in resp.get_data(as_text=True)


def test_an_oversized_body_without_a_length_is_413(app, db):
    import io

    resp = app.test_client().post(
        "/api/v1/security/login",
        input_stream=io.BytesIO(b"{" + b" " * BIG + b"}"),
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert resp.status_code == 413


def test_an_unknown_office_in_the_checklist_is_404_in_japanese(login):
    resp = login("supervisor").get("/checklist/pdf?office=NOPE")
    assert resp.status_code == 404
    assert "その事務所はありません。" in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    ("error", "status"),
    [("NotFound", 404), ("DomainError", 400), ("Conflict", 409), ("PermissionDenied", 403)],
)
def test_a_domain_error_a_view_lets_through_is_answered_in_japanese(
    app, login, monkeypatch, log_rows, error, status
):
    from app import errors

    def refusing_view(*args, **kwargs):
        raise getattr(errors, error)("見本の理由です。")

    client = login("supervisor")
    for endpoint, url, read in (
        ("ChecklistView.pdf", "/checklist/pdf", lambda r: r.get_data(as_text=True)),
        ("ResidentApi.get_list", "/api/v1/residents/", lambda r: r.get_json()["message"]),
    ):
        monkeypatch.setitem(app.view_functions, endpoint, refusing_view)
        resp = client.get(url)
        assert resp.status_code == status
        assert "見本の理由です。" in read(resp)
    assert len(log_rows("access.denied")) == (2 if status == 403 else 0)
