"""A web request's statements have a time limit on PostgreSQL
(``STATEMENT_TIMEOUT_MS``, app/db/timeouts.py, issue 17): a statement that
runs too long is cancelled, the clerk reads why in Japanese (503, not a 500),
nothing is changed, and the worker's connection serves the next request.  The
command line and the scheduler keep the database's default (no limit)."""

import pytest
from sqlalchemy import func, select, text

from app.audit.models import AccessLog
from app.extensions import db as sqla
from app.residents import search as people


@pytest.fixture
def slow_search(monkeypatch, app, on_postgresql):
    """The name search takes a second; the limit is 100 ms."""
    monkeypatch.setitem(app.config, "STATEMENT_TIMEOUT_MS", 100)
    real = people.search

    def search(*args, **kwargs):
        sqla.session.execute(text("SELECT pg_sleep(1)"))
        return real(*args, **kwargs)

    monkeypatch.setattr(people, "search", search)
    return real


def test_a_runaway_statement_is_stopped_with_a_japanese_page(login, slow_search):
    client = login("staff")
    logged_before = sqla.session.scalar(select(func.count(AccessLog.id)))
    resp = client.get("/residents/?q=ヤマダ")
    assert resp.status_code == 503
    page = resp.get_data(as_text=True)
    assert "処理に時間がかかりすぎたため中止しました" in page
    assert "データは変更されていません" in page
    # no search was shown, so none is logged as shown
    assert sqla.session.scalar(select(func.count(AccessLog.id))) == logged_before


def test_the_connection_serves_the_next_request(login, monkeypatch, slow_search):
    client = login("staff")
    assert client.get("/residents/?q=ヤマダ").status_code == 503
    monkeypatch.setattr(people, "search", slow_search)
    resp = client.get("/residents/?q=ヤマダ")
    assert resp.status_code == 200
    assert "処理に時間" not in resp.get_data(as_text=True)


def test_the_limit_is_the_settings_inside_a_request_only(app, on_postgresql, monkeypatch):
    monkeypatch.setitem(app.config, "STATEMENT_TIMEOUT_MS", 2500)
    with app.test_request_context("/residents/"):
        inside = sqla.session.scalar(text("SHOW statement_timeout"))
        sqla.session.rollback()
    # the same pooled connection, used by a command or a job afterwards
    outside = sqla.session.scalar(text("SHOW statement_timeout"))
    sqla.session.rollback()
    assert inside == "2500ms"
    assert outside == "0"


def test_a_command_may_run_longer_than_the_web_limit(app, on_postgresql, monkeypatch):
    monkeypatch.setitem(app.config, "STATEMENT_TIMEOUT_MS", 100)
    with app.test_request_context("/residents/"):
        sqla.session.scalar(text("SELECT 1"))
        sqla.session.rollback()
    sqla.session.execute(text("SELECT pg_sleep(0.3)"))  # no limit outside a request
    sqla.session.rollback()


def test_zero_means_no_limit(login, app, slow_search, monkeypatch):
    monkeypatch.setitem(app.config, "STATEMENT_TIMEOUT_MS", 0)
    resp = login("staff").get("/residents/?q=ヤマダ")
    assert resp.status_code == 200


def test_search_as_you_type_answers_in_json(login, monkeypatch, app, on_postgresql):
    monkeypatch.setitem(app.config, "STATEMENT_TIMEOUT_MS", 100)

    def lookup(*_args, **_kwargs):
        sqla.session.execute(text("SELECT pg_sleep(1)"))
        return []

    monkeypatch.setattr(people, "lookup", lookup)
    resp = login("staff").get("/residents/lookup?q=ヤマ", headers={"Accept": "application/json"})
    assert resp.status_code == 503
    assert "処理に時間がかかりすぎた" in resp.get_json()["message"]


def test_the_rest_api_answers_a_timeout_with_503_in_japanese(
    client, app, on_postgresql, monkeypatch
):
    from app.web.api import ReadOnlyApi
    from tests.matrix.conftest import api_token

    monkeypatch.setitem(app.config, "STATEMENT_TIMEOUT_MS", 100)

    def slow(self, data):
        sqla.session.execute(text("SELECT pg_sleep(1)"))

    monkeypatch.setattr(ReadOnlyApi, "pre_get_list", slow)
    token = api_token(app, "staff")
    resp = client.get("/api/v1/residents/", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 503
    assert "処理に時間がかかりすぎた" in resp.get_json()["message"]
