"""How a read's access-log row commits on PostgreSQL (issue 16): without waiting
for the disk when the row is its transaction's only write, with the full wait
when the transaction changed anything else, and always with the wait when
``ACCESS_LOG_ASYNC_COMMIT`` is off.  The setting is read at the moment of
the commit, on the connection that commits."""

import pytest
from sqlalchemy import event, select, update

from app.audit import writer as audit
from app.audit.models import AccessLog
from app.residents.models import Resident
from tests.factories import make_resident


@pytest.fixture
def commit_setting(on_postgresql):
    """The value of ``synchronous_commit`` each commit saw, in order."""
    seen = []

    def before_commit(conn):
        cursor = conn.connection.dbapi_connection.cursor()
        cursor.execute("SHOW synchronous_commit")
        seen.append(cursor.fetchone()[0])
        cursor.close()

    event.listen(on_postgresql.engine, "commit", before_commit)
    yield seen
    event.remove(on_postgresql.engine, "commit", before_commit)


def test_a_reads_log_row_commits_without_waiting_for_the_disk(app, db, commit_setting):
    with app.test_request_context("/residents/1"):
        audit.record("resident.view", resident_no="1000000001", commit=True)
    assert commit_setting == ["off"]
    assert db.session.scalar(select(AccessLog.action).order_by(AccessLog.id.desc())) == (
        "resident.view"
    )


def test_a_change_logged_in_the_same_transaction_waits_for_the_disk(app, db, commit_setting):
    person = make_resident(name="待機　一郎", kana="タイキ イチロウ")
    db.session.commit()
    commit_setting.clear()
    with app.test_request_context("/residents/1/edit", method="POST"):
        db.session.execute(
            update(Resident).where(Resident.id == person.id).values(note="電話で確認")
        )
        audit.record("resident.update", resident_no=person.resident_no, commit=True)
    assert commit_setting == ["on"]
    assert db.session.get(Resident, person.id).note == "電話で確認"


def test_the_setting_off_keeps_the_wait_for_reads(app, db, commit_setting, monkeypatch):
    monkeypatch.setitem(app.config, "ACCESS_LOG_ASYNC_COMMIT", False)
    with app.test_request_context("/residents/1"):
        audit.record("resident.view", resident_no="1000000001", commit=True)
    assert commit_setting == ["on"]


def test_the_next_transaction_waits_again(app, db, commit_setting):
    with app.test_request_context("/residents/1"):
        audit.record("resident.view", resident_no="1000000001", commit=True)
    person = make_resident(name="次回　花子", kana="ジカイ ハナコ")
    db.session.commit()
    assert commit_setting[0] == "off"
    assert commit_setting[-1] == "on"
    assert person.id is not None
