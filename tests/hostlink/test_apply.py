"""Applying an extract: every case of the specification's table, history,
search keys, idempotency and the 基準日 order."""

from datetime import date

import pytest
from sqlalchemy import select

from app.history.models import ChangeLog
from app.hostlink import imports
from app.hostlink.models import ImportRun, ImportRunRejection
from app.residents.models import Resident
from tests.factories import make_resident
from tests.hostlink.conftest import (
    AS_OF,
    NEXT_AS_OF,
    drop,
    extract,
    fingerprint,
    people,
    person,
    resident,
)


@pytest.fixture(autouse=True)
def _no_sanity_hold(app):
    """The cases here use a handful of people; the hold is tested on its own."""
    saved = app.config["HOSTLINK_MAX_EXCLUDE_RATIO"]
    app.config["HOSTLINK_MAX_EXCLUDE_RATIO"] = 1.0
    yield
    app.config["HOSTLINK_MAX_EXCLUDE_RATIO"] = saved


@pytest.fixture(autouse=True, params=["whole", "small chunks"])
def _chunks(request, monkeypatch):
    """Every case twice: as a file of this size is read (one chunk, one
    batch), and as a large city's is, many chunks of records and batches of
    people (here 2 and 3), which must give the very same result."""
    if request.param == "small chunks":
        monkeypatch.setattr("app.hostlink.parser.CHUNK_RECORDS", 2)
        monkeypatch.setattr("app.hostlink.staging.BATCH", 3)


def _history(db, resident_id):
    return (
        db.session.execute(
            select(ChangeLog).where(ChangeLog.resident_id == resident_id).order_by(ChangeLog.id)
        )
        .scalars()
        .all()
    )


def test_new_eligible_people_are_added_with_history_and_search_keys(db, import_path):
    gaiji = person(name="渡\ue000\u3000花子", kana="ワタナベ ハナコ", sex=2)
    outcome = import_path(AS_OF, [person(kana="ヤマダ タロウ"), gaiji])
    assert outcome.status == "applied"
    assert outcome.counts["added"] == 2
    for record in (gaiji,):
        stored = resident(db, record["resident_no"])
        assert stored.name == "渡\ue000\u3000花子"
        assert stored.kana == "ワタナベ ハナコ"
        assert stored.has_gaiji is True
        assert stored.status == "active"
        keys = (stored.name_key, stored.kana_key)
        stored.set_search_keys()
        assert keys == (stored.name_key, stored.kana_key) == ("渡\ue000花子", "ワタナベハナコ")
        (created,) = _history(db, stored.id)
        assert (created.action, created.source, created.user_id) == (
            "create",
            f"hostlink:{outcome.run_id}",
            None,
        )
    run = db.session.get(ImportRun, outcome.run_id)
    assert (run.status, run.as_of, run.added, run.data_count) == ("applied", AS_OF, 2, 2)
    assert len(run.sha256) == 64


def test_changed_fields_are_updated_and_kept_in_history(db, import_path):
    someone = person(kana="ヤマダ タロウ")
    import_path(AS_OF, [someone])
    before = resident(db, someone["resident_no"])
    version = before.version
    moved = dict(someone, address="東京都新宿区大久保２－３－４", postal_code="1690072",
                 kana="ヤマモト タロウ", is_disabled=True)  # fmt: skip
    outcome = import_path(NEXT_AS_OF, [moved])
    assert outcome.counts["updated"] == 1
    assert outcome.counts["unchanged"] == 0
    after = resident(db, someone["resident_no"])
    assert after.address == "東京都新宿区大久保２－３－４"
    assert after.kana_key == "ヤマモトタロウ"
    assert after.is_disabled is True
    assert after.version == version + 1
    update = _history(db, after.id)[-1]
    assert update.action == "update"
    assert update.source == f"hostlink:{outcome.run_id}"
    assert update.changes["address"] == [
        "東京都新宿区新宿１－１－１",
        "東京都新宿区大久保２－３－４",
    ]
    assert update.changes["postal_code"] == ["1600022", "1690072"]
    assert update.changes["is_disabled"] == [False, True]
    assert set(update.changes) == {"address", "postal_code", "kana", "is_disabled"}


def test_people_who_left_are_excluded_on_the_change_date(db, import_path):
    moved, died, struck = people(3)
    import_path(AS_OF, [moved, died, struck])
    left = [
        dict(moved, status=2, status_changed_on=date(2026, 4, 5)),
        dict(died, status=3, status_changed_on=date(2026, 4, 9)),
        dict(struck, status=4, status_changed_on=date(2026, 4, 12)),
    ]
    outcome = import_path(NEXT_AS_OF, left)
    assert outcome.counts["excluded"] == 3
    expected = [
        (moved, date(2026, 4, 5), "moved_out"),
        (died, date(2026, 4, 9), "deceased"),
        (struck, date(2026, 4, 12), "struck_off"),
    ]
    for record, day, reason in expected:
        stored = resident(db, record["resident_no"])
        assert (stored.status, stored.excluded_on, stored.exclusion_reason) == (
            "excluded",
            day,
            reason,
        )
        assert stored.needs_review is False
        assert _history(db, stored.id)[-1].action == "exclude"


def test_resident_in_no_category_is_excluded_on_the_as_of_date(db, import_path):
    someone = person()
    import_path(AS_OF, [someone])
    outcome = import_path(NEXT_AS_OF, [dict(someone, is_elderly=False)])
    assert outcome.counts["excluded"] == 1
    stored = resident(db, someone["resident_no"])
    assert (stored.status, stored.excluded_on, stored.exclusion_reason) == (
        "excluded",
        NEXT_AS_OF,
        "lost_eligibility",
    )


def test_absence_exclusion_marks_for_review(db, import_path):
    crowd = people(40)
    import_path(AS_OF, crowd)
    outcome = import_path(NEXT_AS_OF, crowd[1:])
    assert outcome.status == "applied"
    assert outcome.counts["excluded"] == 1
    assert outcome.counts["unchanged"] == 39
    stored = resident(db, crowd[0]["resident_no"])
    assert (stored.status, stored.excluded_on, stored.exclusion_reason, stored.needs_review) == (
        "excluded",
        NEXT_AS_OF,
        "not_extracted",
        True,
    )
    change = _history(db, stored.id)[-1]
    assert change.action == "exclude"
    assert change.changes["needs_review"] == [False, True]


def test_excluded_person_eligible_again_is_reinstated_and_history_kept(db, import_path):
    someone = person()
    import_path(AS_OF, [someone])
    import_path(NEXT_AS_OF, [dict(someone, status=2, status_changed_on=date(2026, 4, 3))])
    outcome = import_path(date(2026, 5, 1), [someone])
    assert outcome.counts["reinstated"] == 1
    stored = resident(db, someone["resident_no"])
    assert (stored.status, stored.excluded_on, stored.exclusion_reason) == ("active", None, None)
    actions = [h.action for h in _history(db, stored.id)]
    assert actions == ["create", "exclude", "reinstate"]
    assert _history(db, stored.id)[1].changes["exclusion_reason"] == [None, "moved_out"]


def test_host_status_answers_a_pending_review(db, import_path):
    crowd = people(40)
    import_path(AS_OF, crowd)
    import_path(NEXT_AS_OF, crowd[1:])  # crowd[0] missing: not_extracted, review
    gone = dict(crowd[0], status=3, status_changed_on=date(2026, 4, 20))
    outcome = import_path(date(2026, 5, 1), [gone] + crowd[1:])
    assert outcome.counts["updated"] == 1
    stored = resident(db, crowd[0]["resident_no"])
    assert (stored.exclusion_reason, stored.excluded_on, stored.needs_review) == (
        "deceased",
        date(2026, 4, 20),
        False,
    )


def test_unknown_people_not_eligible_are_only_counted(db, import_path):
    outcome = import_path(
        AS_OF,
        [
            person(status=2, status_changed_on=date(2026, 3, 20)),
            person(is_elderly=False),
            person(),
        ],
    )
    assert outcome.counts["unknown_not_eligible"] == 2
    assert outcome.counts["added"] == 1
    assert db.session.query(Resident).count() == 1


def test_rejected_record_leaves_its_person_exactly_as_they_were(db, import_path, tmp_path):
    crowd = people(150)
    import_path(AS_OF, crowd)
    target = crowd[5]
    before = fingerprint(db)[0]
    data = extract(NEXT_AS_OF, crowd)
    # Break the target's sex code (byte 92 of its record, line 7).
    line_start = (5 + 1) * 258
    broken = data[: line_start + 91] + b"9" + data[line_start + 92 :]
    path = drop(tmp_path, NEXT_AS_OF, broken)
    outcome = imports.import_file(path, trigger="command")
    assert outcome.status == "applied"
    assert outcome.counts["rejected"] == 1
    assert outcome.counts["excluded"] == 0  # a rejected record is not an absence
    assert fingerprint(db)[0] == before
    (rejection,) = db.session.query(ImportRunRejection).all()
    assert (rejection.line_no, rejection.resident_no, rejection.field, rejection.code) == (
        7,
        target["resident_no"],
        "sex",
        "sex_code",
    )
    line = outcome.as_json()["rejected"][0]
    assert line["line"] == 7
    assert line["field"] == "sex"
    assert "性別" in line["reason"]


def test_unreadable_resident_number_suspends_absence_exclusions(db, import_path, tmp_path):
    crowd = people(150)
    import_path(AS_OF, crowd)
    data = extract(NEXT_AS_OF, crowd)
    line_start = (3 + 1) * 258
    broken = data[: line_start + 1] + b"12345X7890" + data[line_start + 11 :]
    path = drop(tmp_path, NEXT_AS_OF, broken)
    outcome = imports.import_file(path, trigger="command")
    assert outcome.status == "applied"
    assert outcome.counts["excluded"] == 0
    assert outcome.reason_code == "applied_absences_skipped"
    assert resident(db, crowd[3]["resident_no"]).status == "active"


def test_same_file_twice_changes_nothing_and_says_why(db, import_path, tmp_path):
    path = drop(tmp_path, AS_OF, extract(AS_OF, people(20)))
    first = imports.import_file(path, trigger="command")
    snapshot = fingerprint(db)
    second = imports.import_file(path, trigger="command")
    assert (first.status, second.status) == ("applied", "refused")
    assert second.reason_code == "already_applied"
    assert f"{first.run_id}" in second.reason
    assert "取り込み済み" in second.reason
    assert fingerprint(db) == snapshot


def test_older_or_equal_as_of_is_refused(db, import_path):
    crowd = people(20)
    import_path(NEXT_AS_OF, crowd)
    snapshot = fingerprint(db)
    equal = import_path(NEXT_AS_OF, crowd[:10])
    older = import_path(AS_OF, crowd)
    assert (equal.status, equal.reason_code) == ("refused", "not_newer")
    assert (older.status, older.reason_code) == ("refused", "not_newer")
    assert "令和8年4月16日" in older.reason  # the screens' one form of dates
    assert fingerprint(db) == snapshot


def test_name_date_must_match_the_header(db, import_path):
    outcome = import_path(AS_OF, people(3), name="FUREAI_20260402.DAT")
    assert (outcome.status, outcome.reason_code) == ("refused", "name_mismatch")
    assert db.session.query(Resident).count() == 0


def test_staff_edit_form_opened_before_an_import_fails_its_version_check(db, import_path):
    someone = person()
    import_path(AS_OF, [someone])
    stored = resident(db, someone["resident_no"])
    seen_version = stored.version
    import_path(NEXT_AS_OF, [dict(someone, phone="03-9999-0000")])
    assert resident(db, someone["resident_no"]).version == seen_version + 1


def test_manual_residents_are_compared_like_imported_ones(db, import_path):
    existing = make_resident(resident_no="3000000001", kana="シケン ハナコ")
    outcome = import_path(
        AS_OF,
        [
            person(
                resident_no="3000000001",
                name=existing.name,
                kana=existing.kana,
                sex=existing.sex,
                birth_date=existing.birth_date,
                postal_code=existing.postal_code,
                address=existing.address,
                phone="",
            )
        ],
    )
    assert outcome.counts == {
        "added": 0,
        "updated": 0,
        "excluded": 0,
        "reinstated": 0,
        "unchanged": 1,
        "unknown_not_eligible": 0,
        "rejected": 0,
    }


def test_a_changed_birth_date_or_gaiji_flag_alone_is_an_update(db, import_path):
    someone, other = people(2)
    import_path(AS_OF, [someone, other])
    corrected = dict(someone, birth_date=date(1950, 6, 2))
    renamed = dict(other, name="渡\ue000\u3000一郎")
    outcome = import_path(NEXT_AS_OF, [corrected, renamed])
    assert (outcome.counts["updated"], outcome.counts["unchanged"]) == (2, 0)
    assert resident(db, someone["resident_no"]).birth_date == date(1950, 6, 2)
    stored = resident(db, other["resident_no"])
    assert stored.has_gaiji is True
    assert _history(db, stored.id)[-1].changes["has_gaiji"] == [False, True]


def _index_names(db):
    from sqlalchemy import inspect

    with db.engine.connect() as conn:
        found = {ix["name"] for ix in inspect(conn).get_indexes("resident")}
        if conn.dialect.name == "postgresql":
            # the expression and INCLUDE indexes of 0018/0019 too
            rows = conn.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'resident'"
            )
            found |= set(rows.scalars())
    return found


def test_a_first_extract_rebuilds_every_index_it_dropped(db, import_path):
    """A first load of more than 1,000 people drops the secondary indexes and
    builds them once afterwards (app.db.bulk.indexes_rebuilt_if_bulk): every
    one is back, those a migration made by hand on PostgreSQL included, and the
    searches they serve find the people."""
    from app.residents import search

    before = _index_names(db)
    crowd = people(1001, kana="イチゼン タロウ")
    outcome = import_path(AS_OF, crowd)
    assert (outcome.status, outcome.counts["added"]) == ("applied", 1001)
    assert _index_names(db) == before
    page = search.search(search.parse_query("いちぜん"))
    assert len(page.rows) == search.PAGE_SIZE
