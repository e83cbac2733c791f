"""A list's access-log row names the people it showed (issue 11, item 9): the
rows of ``access_log_person``, the search by 住民番号 that finds them, the
database's guard on them, the purge, and the copy of older rows' lists made
by migration 0010."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app.audit import logs
from app.audit import writer as audit
from app.audit.models import AccessLog, AccessLogPerson
from tests.factories import make_resident


def _named(db, log_id):
    return sorted(
        db.session.scalars(
            select(AccessLogPerson.resident_no).where(AccessLogPerson.log_id == log_id)
        )
    )


def _last(db, action):
    db.session.expire_all()
    return db.session.scalars(
        select(AccessLog).where(AccessLog.action == action).order_by(AccessLog.id.desc())
    ).first()


def _real_now():
    from app.clock import TIMEZONE

    return datetime.now(TIMEZONE).replace(tzinfo=None)


# --- the writer ---------------------------------------------------------------


def test_a_list_row_names_each_person_once(app, db):
    with app.test_request_context("/residents/"):
        audit.record(
            "resident.search",
            detail={"q": "シケン"},
            people=["1000000002", "1000000001", "1000000002", None, "", "12345678901", "ABC"],
            commit=True,
        )
    row = _last(db, "resident.search")
    assert _named(db, row.id) == ["1000000001", "1000000002"]
    assert row.resident_no is None
    assert row.detail == {"q": "シケン", "shown": 2}


def test_a_row_without_people_names_nobody_and_says_nothing_of_them(app, db):
    with app.test_request_context("/residents/"):
        audit.record("resident.view", resident_no="1000000001", commit=True)
        audit.record("resident.search", detail={"q": "x"}, people=[], commit=True)
    assert db.session.scalar(select(func.count()).select_from(AccessLogPerson)) == 0
    assert _last(db, "resident.search").detail == {"q": "x", "shown": 0}
    assert _last(db, "resident.view").detail is None


def test_the_people_are_written_with_their_row_or_not_at_all(app, db):
    from app.db.transaction import transaction

    def failing_page():
        with app.test_request_context("/"), transaction():
            audit.record("resident.search", people=["1000000001"])
            raise RuntimeError("the page failed")

    with pytest.raises(RuntimeError):
        failing_page()
    assert db.session.scalar(select(func.count()).select_from(AccessLog)) > 0
    assert _last(db, "resident.search") is None
    assert db.session.scalar(select(func.count()).select_from(AccessLogPerson)) == 0


# --- who saw this person --------------------------------------------------------


def test_the_search_by_resident_finds_the_lists_that_showed_them(app, db, login):
    seen, other = make_resident(kana="ミタ ヒト"), make_resident(kana="ベツノ ヒト")
    staff = login("staff")
    staff.get("/residents/", query_string={"q": "ミタ"})  # a list showing only ``seen``
    staff.get("/issuances/")  # no passes: names nobody
    staff.get(f"/residents/{seen.id}")  # a single read
    flt = logs.parse_filter(resident_no=seen.resident_no)
    rows, total = logs.search(flt)
    assert [(r.action, r.resident_no) for r in rows] == [
        ("resident.view", seen.resident_no),
        ("resident.search", None),
    ]
    assert total == 2
    assert logs.search(logs.parse_filter(resident_no=other.resident_no)) == ([], 0)
    # the CSV export finds the same rows
    assert len(list(logs.iter_rows(flt))) == 2


def test_the_log_screen_and_its_csv_find_a_person_in_a_list(db, login):
    seen = make_resident(kana="ミタ ヒト")
    login("staff").get("/residents/", query_string={"q": "ミタ"})
    boss = login("supervisor")
    page = boss.get("/accesslog/", query_string={"resident_no": seen.resident_no})
    html = page.get_data(as_text=True)
    assert "1件。" in html
    assert "一覧（1人）" in html
    csv_text = boss.get(
        "/accesslog/export.csv", query_string={"resident_no": seen.resident_no}
    ).get_data(as_text=True)
    assert len(csv_text.strip().splitlines()) == 2
    assert "resident.search" in csv_text


def test_the_log_screen_reads_its_rows_in_one_statement_whatever_their_number(
    db, login, statements
):
    """The screen commits its own log row before it renders: the rows shown
    must not be reloaded one statement each (106 statements for a page of 100
    at 89,086 people before this was mended)."""
    seen = make_resident(kana="ミタ ヒト")
    staff, boss = login("staff"), login("supervisor")
    url = f"/accesslog/?resident_no={seen.resident_no}"
    counts = []
    for searches in (2, 6):
        while len(logs.search(logs.parse_filter(resident_no=seen.resident_no))[0]) < searches:
            staff.get("/residents/", query_string={"q": "ミタ"})
        boss.get(url)  # the first request of a kind warms the caches
        with statements() as ran:
            assert boss.get(url).status_code == 200
        counts.append(len(ran))
    assert counts[0] == counts[1]


def test_the_search_by_resident_is_two_index_lookups(db):
    """No scan of the log: the ids come from the two indexes of 住民番号."""
    flt = logs.parse_filter(resident_no="1000000001")
    statement = logs._statement(flt).order_by(AccessLog.at.desc()).limit(100)
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "sqlite":
        plan = " ".join(
            str(row[-1]) for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
        )
        assert "ix_access_log_resident" in plan
        assert "ix_access_log_person_resident" in plan
    else:
        db.session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: ask for indexes
        plan = " ".join(row[0] for row in db.session.execute(text(f"EXPLAIN {compiled}")))
        assert "ix_access_log_resident" in plan
        assert "ix_access_log_person_resident" in plan or "pk_access_log_person" in plan


# --- the database keeps the people of a kept row ------------------------------


def _list_row(db, at, numbers=("1000000001", "1000000002")):
    row = AccessLog(at=at, action="resident.search", outcome="ok")
    db.session.add(row)
    db.session.flush()
    db.session.add_all(AccessLogPerson(log_id=row.id, resident_no=n) for n in numbers)
    db.session.commit()
    return row.id


def _execute_and_commit(db, statement, params=None):
    db.session.execute(statement, params)
    db.session.commit()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE access_log_person SET resident_no = '9999999999' WHERE log_id = :id",
        "DELETE FROM access_log_person WHERE log_id = :id",
    ],
)
def test_database_refuses_to_change_or_remove_a_person_of_a_kept_row(db, statement):
    log_id = _list_row(db, _real_now())
    with pytest.raises(DBAPIError):
        _execute_and_commit(db, text(statement), {"id": log_id})
    db.session.rollback()
    assert _named(db, log_id) == ["1000000001", "1000000002"]


def test_database_refuses_to_truncate_the_people(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    log_id = _list_row(db, _real_now())
    with pytest.raises(DBAPIError):
        _execute_and_commit(db, text("TRUNCATE access_log_person"))
    db.session.rollback()
    assert _named(db, log_id)


def test_sqlite_replace_cannot_change_a_person(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("REPLACE is SQLite's")
    log_id = _list_row(db, _real_now())
    _execute_and_commit(
        db,
        text("INSERT OR REPLACE INTO access_log_person (log_id, resident_no) VALUES (:id, :n)"),
        {"id": log_id, "n": "1000000001"},
    )
    assert _named(db, log_id) == ["1000000001", "1000000002"]


def test_purge_removes_the_people_of_the_rows_it_deletes_only(app, db):
    old = _list_row(db, _real_now() - timedelta(days=6 * 366))
    kept = _list_row(db, _real_now() - timedelta(days=4 * 365), numbers=("1000000003",))
    result = app.test_cli_runner().invoke(args=["audit", "purge"])
    assert result.exit_code == 0, result.output
    assert '"people_deleted": 2' in result.output
    assert _named(db, old) == []
    assert _named(db, kept) == ["1000000003"]


# --- rows written before the table ------------------------------------------------


@pytest.mark.slow
def test_migration_copies_the_people_older_rows_named_in_their_detail(app, db):
    from flask_migrate import downgrade, upgrade

    directory = app.extensions["migrate"].directory
    db.session.remove()
    downgrade(directory=directory, revision="0009")
    with db.engine.begin() as conn:
        for action, detail in (
            ("api.read", '{"resource": "residents", "resident_nos": ["1000000001", "1000000002"]}'),
            ("ledger.view", '{"file": "x.xlsx", "people_shown": ["1000000003"], "count": 1}'),
            ("resident.search", '{"q": "1000000004"}'),
        ):
            conn.execute(
                text(
                    "INSERT INTO access_log (at, action, detail, outcome) "
                    "VALUES (:at, :action, :detail, 'ok')"
                ),
                {"at": datetime(2026, 5, 1, 10), "action": action, "detail": detail},
            )
    upgrade(directory=directory, revision="head")
    named = {
        action: _named(db, log_id)
        for log_id, action in db.session.execute(select(AccessLog.id, AccessLog.action))
        if action in ("api.read", "ledger.view", "resident.search")
    }
    assert named == {
        "api.read": ["1000000001", "1000000002"],
        "ledger.view": ["1000000003"],
        "resident.search": [],
    }


def test_purge_deletes_in_batches_each_its_own_transaction(app, db):
    from sqlalchemy import event

    old = [_list_row(db, _real_now() - timedelta(days=6 * 366, hours=i)) for i in range(5)]
    kept = _list_row(db, _real_now() - timedelta(days=4 * 365), numbers=("1000000003",))
    commits = []

    def count_commit(conn):
        commits.append(conn)

    event.listen(db.engine, "commit", count_commit)
    try:
        result = app.test_cli_runner().invoke(args=["audit", "purge", "--batch", "2"])
    finally:
        event.remove(db.engine, "commit", count_commit)
    assert result.exit_code == 0, result.output
    assert '"deleted": 5' in result.output
    assert '"people_deleted": 10' in result.output
    # the policy, three batches (2 + 2 + 1) and the closing record
    assert len(commits) >= 5
    assert all(_named(db, log_id) == [] for log_id in old)
    assert _named(db, kept) == ["1000000003"]
    assert db.session.scalar(select(func.count()).where(AccessLog.id.in_(old))) == 0


def test_purge_refuses_a_batch_of_nothing(app, db):
    result = app.test_cli_runner().invoke(args=["audit", "purge", "--batch", "0"])
    assert result.exit_code == 2
