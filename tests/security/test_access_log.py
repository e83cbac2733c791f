"""The access log: append-only in the database, searched and exported by
supervisors and auditors, purged only past the retention period."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app import clock
from app.audit import writer as audit
from app.audit.models import AccessLog
from tests.factories import make_resident


def _add_log(db, at, action="resident.view", resident_no="1234567890", username="staff"):
    row = AccessLog(at=at, action=action, resident_no=resident_no, username=username, outcome="ok")
    db.session.add(row)
    db.session.commit()
    return row.id


def _execute_and_commit(db, statement, params=None):
    """One statement and its commit: the database may refuse at either."""
    db.session.execute(statement, params)
    db.session.commit()


def _real_now():
    from app.clock import TIMEZONE

    return datetime.now(TIMEZONE).replace(tzinfo=None)


# --- the database refuses changes -------------------------------------------


def test_database_refuses_to_update_a_log_row(db):
    row_id = _add_log(db, _real_now())
    with pytest.raises(DBAPIError):
        _execute_and_commit(
            db, text("UPDATE access_log SET username = 'someone' WHERE id = :id"), {"id": row_id}
        )
    db.session.rollback()
    assert db.session.get(AccessLog, row_id).username == "staff"


def test_database_refuses_to_delete_a_row_inside_the_retention_period(db):
    row_id = _add_log(db, _real_now() - timedelta(days=4 * 365))
    with pytest.raises(DBAPIError):
        _execute_and_commit(db, text("DELETE FROM access_log WHERE id = :id"), {"id": row_id})
    db.session.rollback()
    assert db.session.get(AccessLog, row_id) is not None


def test_database_allows_deleting_rows_past_the_retention_period(db):
    row_id = _add_log(db, _real_now() - timedelta(days=6 * 366))
    db.session.execute(text("DELETE FROM access_log WHERE id = :id"), {"id": row_id})
    db.session.commit()
    assert db.session.get(AccessLog, row_id) is None


def test_database_refuses_to_delete_the_retention_policy(db):
    with pytest.raises(DBAPIError):
        _execute_and_commit(db, text("DELETE FROM access_log_policy"))
    db.session.rollback()


def test_postgresql_refuses_truncate(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    _add_log(db, _real_now())
    with pytest.raises(DBAPIError):
        _execute_and_commit(db, text("TRUNCATE access_log"))
    db.session.rollback()
    assert db.session.query(AccessLog).count() > 0


# --- purge ------------------------------------------------------------------


def test_purge_command_deletes_only_old_rows_and_records_it(app, db, log_rows):
    now = _real_now()
    old = [_add_log(db, now - timedelta(days=6 * 366 + n)) for n in range(3)]
    recent = _add_log(db, now - timedelta(days=4 * 365))
    result = app.test_cli_runner().invoke(args=["audit", "purge"])
    assert result.exit_code == 0, result.output
    assert '"deleted": 3' in result.output
    assert all(db.session.get(AccessLog, i) is None for i in old)
    assert db.session.get(AccessLog, recent) is not None
    purges = log_rows("access_log.purge")
    assert len(purges) == 1
    assert purges[0].detail["deleted"] == 3
    assert purges[0].detail["retention_years"] == 5
    assert purges[0].detail["oldest"] < purges[0].detail["newest"] < purges[0].detail["cutoff"]


def test_purge_dry_run_changes_nothing(app, db, log_rows):
    old = _add_log(db, _real_now() - timedelta(days=6 * 366))
    result = app.test_cli_runner().invoke(args=["audit", "purge", "--dry-run"])
    assert result.exit_code == 0
    assert '"deleted": 1' in result.output
    assert db.session.get(AccessLog, old) is not None
    assert log_rows("access_log.purge") == []


def test_longer_retention_is_enforced_by_the_database(app, db):
    row_id = _add_log(db, _real_now() - timedelta(days=6 * 366))
    result = app.test_cli_runner().invoke(args=["audit", "purge", "--years", "7"])
    assert result.exit_code == 0
    assert '"deleted": 0' in result.output
    with pytest.raises(DBAPIError):
        _execute_and_commit(db, text("DELETE FROM access_log WHERE id = :id"), {"id": row_id})
    db.session.rollback()


# --- command-line export ------------------------------------------------------


def _csv(output):
    return list(csv.reader(io.StringIO(output)))


def test_cli_export_writes_csv_with_header_and_filters(app, db, log_rows):
    _add_log(db, datetime(2026, 4, 1, 10), resident_no="1000000001", username="staff")
    _add_log(db, datetime(2026, 5, 1, 10), resident_no="1000000002", username="branch")
    _add_log(db, datetime(2026, 5, 2, 10), resident_no="1000000001", username="branch")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["audit", "export", "--since", "2026-04-15", "--resident", "1000000001"]
    )
    assert result.exit_code == 0, result.output
    rows = _csv(result.stdout)
    assert rows[0][:3] == ["日時", "ユーザー", "役割"]
    assert len(rows) == 2
    assert rows[1][0] == "2026-05-02 10:00:00"
    assert rows[1][1] == "branch"
    result = runner.invoke(args=["audit", "export", "--user", "STAFF"])
    staff_rows = [r for r in _csv(result.stdout)[1:] if r[12] == "resident.view"]  # the action code
    assert len(staff_rows) == 1
    exports = log_rows("access_log.export")
    assert len(exports) == 2
    assert exports[0].detail["via"] == "cli"
    assert exports[0].detail["filter"] == {"date_from": "2026-04-15", "resident_no": "1000000001"}


def test_cli_export_refuses_a_bad_date(app, db):
    result = app.test_cli_runner().invoke(args=["audit", "export", "--since", "2026-02-30"])
    assert result.exit_code == 2


def test_csv_cells_cannot_become_formulas(app, db):
    _add_log(db, datetime(2026, 5, 1), username='=HYPERLINK("http://x")')
    result = app.test_cli_runner().invoke(args=["audit", "export", "--since", "2026-05-01"])
    cells = [r[1] for r in _csv(result.stdout)[1:]]
    assert '\'=HYPERLINK("http://x")' in cells


# --- screens -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["supervisor", "auditor"])
def test_supervisor_and_auditor_search_the_log(login, db, log_rows, who):
    _add_log(db, datetime(2026, 5, 1, 9), resident_no="2000000001", username="staff")
    _add_log(db, datetime(2026, 5, 3, 9), resident_no="2000000002", username="staff")
    c = login(who)
    resp = c.get(
        "/accesslog/",
        query_string={"resident_no": "2000000001", "date_from": "2026-04-30", "date_to": "R8.5.2"},
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "2000000001" in html
    assert "2000000002" not in html
    searches = log_rows("access_log.search")
    assert len(searches) == 1
    assert searches[0].username == who
    assert searches[0].detail["filter"] == {
        "resident_no": "2000000001",
        "date_from": "2026-04-30",
        "date_to": "2026-05-02",
    }


def test_search_by_user_and_action(login, db):
    _add_log(db, datetime(2026, 5, 1, 9), action="resident.view", username="staff")
    _add_log(db, datetime(2026, 5, 1, 9), action="letter.print", username="staff")
    html = (
        login("auditor")
        .get(
            "/accesslog/",
            query_string={"user": "staff", "action": "letter.print", "date_from": "2026-05-01"},
        )
        .get_data(as_text=True)
    )
    assert ">送付文の印刷</td>" in html
    assert ">対象者の閲覧</td>" not in html


def test_hostile_search_input_is_shown_escaped_and_changes_nothing(login, db, log_rows):
    c = login("supervisor")
    before = db.session.query(AccessLog).count()
    hostile = "<script>alert(1)</script>' OR 1=1 --"
    resp = c.get("/accesslog/", query_string={"user": hostile})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    # Only the search itself was added to the log.
    assert db.session.query(AccessLog).count() == before + 1
    assert log_rows("access_log.search")[0].detail["filter"]["username"] == hostile


def test_bad_search_fields_get_japanese_messages(login, db):
    c = login("supervisor")
    html = c.get("/accesslog/", query_string={"date_from": "2026-13-40"}).get_data(as_text=True)
    assert "日付として読めません" in html
    html = c.get("/accesslog/", query_string={"resident_no": "abc"}).get_data(as_text=True)
    assert "10桁以内" in html
    html = c.get(
        "/accesslog/", query_string={"date_from": "2026-05-02", "date_to": "2026-05-01"}
    ).get_data(as_text=True)
    assert "終了日が開始日より前" in html


def test_csv_export_from_the_screen_is_logged(login, db, log_rows):
    _add_log(db, datetime(2026, 5, 1, 9), resident_no="3000000001", username="staff")
    resp = login("auditor").get("/accesslog/export.csv", query_string={"resident_no": "3000000001"})
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    body = resp.get_data(as_text=True)
    assert body.startswith("\ufeff日時,")
    assert len(_csv(body.lstrip("\ufeff"))) == 2
    exports = log_rows("access_log.export")
    assert len(exports) == 1
    assert exports[0].username == "auditor"
    assert exports[0].detail["rows"] == 1


@pytest.mark.parametrize("who", ["staff", "branch"])
def test_staff_cannot_see_the_log(login, log_rows, who):
    c = login(who)
    assert c.get("/accesslog/").status_code == 403
    assert c.get("/accesslog/export.csv").status_code == 403
    assert log_rows("access_log.search") == []
    assert log_rows("access_log.export") == []
    assert len(log_rows("access.denied", username=who)) == 2


def test_no_screen_can_change_or_delete_log_rows(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("AccessLogView."):
            assert rule.methods - {"HEAD", "OPTIONS"} == {"GET"}, rule


# --- one entry per action ----------------------------------------------------


def _new_rows(log_rows, before):
    return [(r.action, r.username, r.resident_no) for r in log_rows()[before:]]


def test_one_entry_per_sign_in_and_account_change(login, log_rows, user):
    before = len(log_rows())
    boss = login("supervisor")
    boss.post(f"/staffaccounts/unlock/{user('staff').id}")
    assert _new_rows(log_rows, before) == [
        ("login.success", "supervisor", None),
        ("account.unlock", "supervisor", None),
    ]


def _needs(app, endpoint):
    if endpoint not in app.view_functions:
        pytest.skip(f"{endpoint} is not registered yet")


def test_one_entry_per_person_view_and_search(app, login, log_rows):
    _needs(app, "ResidentSearchView.show")
    person = make_resident()
    c = login("staff")
    before = len(log_rows())
    c.get(f"/residents/{person.id}")
    c.get("/residents/", query_string={"q": "シケン"})
    assert _new_rows(log_rows, before) == [
        ("resident.view", "staff", person.resident_no),
        ("resident.search", "staff", None),
    ]
    assert log_rows("resident.search")[-1].detail["q"] == "シケン"


def test_one_entry_per_issuance(app, login, log_rows, frozen_clock):
    _needs(app, "IssuanceView.new")
    frozen_clock(date(2026, 5, 11))
    person = make_resident()
    c = login("staff")
    before = len(log_rows())
    resp = c.post(
        f"/issuances/new/{person.id}",
        data={
            "kind": "new",
            "applied_on": "2026-05-11",
            "issued_on": "2026-05-11",
            "office": "1",
            "method": "counter",
            "supersedes_id": "",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    assert _new_rows(log_rows, before) == [("issuance.create", "staff", person.resident_no)]
    assert clock.today() == date(2026, 5, 11)


def test_record_keeps_the_actor_and_address(app, login, log_rows, user):
    c = login("branch")
    with app.test_request_context("/x", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        from flask import g

        g.user = user("branch")
        audit.record("resident.view", resident_no="4000000001", commit=True)
    row = log_rows("resident.view")[-1]
    assert (row.username, row.role, row.office_code, row.ip) == (
        "branch",
        "BranchStaff",
        "YOTSUYA",
        "10.1.2.3",
    )
    assert c is not None


@pytest.mark.parametrize("url", ["/checklist/pdf?office=HQ", "/checklist/stored/2026-05-11/HQ"])
def test_branch_staff_asking_for_another_offices_checklist_is_logged_once(
    app, login, log_rows, url
):
    _needs(app, "ChecklistView.pdf")
    c = login("branch")
    before = len(log_rows())
    resp = c.get(url)
    assert resp.status_code == 403
    rows = log_rows()[before:]
    assert [(r.action, r.username, r.outcome) for r in rows] == [
        ("access.denied", "branch", "denied")
    ]
    assert "HQ" in rows[0].target


@pytest.mark.parametrize(
    "query", ["<script>alert(1)</script>", "' OR 1=1 --", "<img src=file:///etc/passwd>"]
)
def test_hostile_resident_search_is_escaped_changes_nothing_and_is_logged(
    app, db, login, log_rows, query
):
    _needs(app, "ResidentSearchView.search")
    from app.residents.models import Resident

    make_resident()
    c = login("staff")
    before_rows = len(log_rows())
    residents = db.session.query(Resident).count()
    resp = c.get("/residents/", query_string={"q": query})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "<img src=file" not in html
    assert db.session.query(Resident).count() == residents
    rows = log_rows()[before_rows:]
    assert [r.action for r in rows] == ["resident.search"]
    assert rows[0].detail["q"] == query.strip()
