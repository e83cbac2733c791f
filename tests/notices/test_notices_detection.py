"""Newly eligible people recorded after each applied host extract, with the
reason, through the host link's own import; the hook never loses an import."""

from datetime import date

from sqlalchemy import func, select

from app.hostlink.models import ImportRun
from app.notices import detection, jobs, services
from app.notices.models import NewlyEligible, NoticeDetection, NoticeRun
from tests.notices.conftest import AS_OF, PREVIOUS, person, reasons_of


def _edge_people():
    """People whose 60th birthday falls on the edges of 1–16 April 2026."""
    return {
        # 60 at the end of the day before the birthday
        "before": person(birth_date=date(1966, 4, 2)),  # 60 by the end of 1 April
        "first_day": person(birth_date=date(1966, 4, 3)),  # 60 on 2 April
        "as_of": person(birth_date=date(1966, 4, 16)),
        "day_after": person(birth_date=date(1966, 4, 17)),  # 60 by the end of 16 April
    }


def test_first_extract_is_the_roster_not_newly_eligible(db, apply_extract):
    outcome = apply_extract(PREVIOUS, [person(), person()])
    found = db.session.get(NoticeDetection, outcome.run_id)
    assert found is not None
    assert found.previous_as_of is None
    assert found.count == 0
    assert db.session.scalar(select(func.count(NewlyEligible.id))) == 0


def test_reasons_after_an_applied_extract(db, two_extracts):
    edges = _edge_people()
    staying = person()
    mover = person(birth_date=date(1950, 6, 1))
    lost = person(is_elderly=False, is_disabled=True, birth_date=date(1985, 1, 1))
    base = [staying, mover, lost]
    later = [
        staying,
        # moved out on 1 April (excluded) … then back (below, a third extract)
        {**mover, "status": 2, "status_changed_on": date(2026, 4, 10)},
        # lost the handbook (excluded 資格喪失)
        {**lost, "is_disabled": False},
        *edges.values(),
        person(birth_date=date(1948, 3, 3)),  # new, long over 60: moved in
        person(is_elderly=False, is_child_allowance=True, birth_date=date(1988, 8, 8)),
    ]
    outcome = two_extracts(base, later)
    reasons = reasons_of(db, outcome.run_id)
    assert reasons[edges["before"]["resident_no"]] == "moved_in"
    assert reasons[edges["first_day"]["resident_no"]] == "turned_60"
    assert reasons[edges["as_of"]["resident_no"]] == "turned_60"
    assert reasons[edges["day_after"]["resident_no"]] == "turned_60"
    assert reasons[later[-2]["resident_no"]] == "moved_in"
    assert reasons[later[-1]["resident_no"]] == "other"
    assert staying["resident_no"] not in reasons
    assert mover["resident_no"] not in reasons
    assert len(reasons) == 6


def test_reinstated_people(db, apply_extract, frozen_clock):
    mover = person(birth_date=date(1950, 6, 1))
    lost = person(is_elderly=False, is_disabled=True, birth_date=date(1985, 1, 1))
    apply_extract(PREVIOUS, [mover, lost])
    apply_extract(
        AS_OF,
        [{**mover, "status": 2, "status_changed_on": date(2026, 4, 10)},
         {**lost, "is_disabled": False}],
    )  # fmt: skip
    back = date(2026, 5, 1)
    outcome = apply_extract(back, [mover, {**lost, "is_child_allowance": True}])
    assert outcome.counts["reinstated"] == 2
    assert reasons_of(db, outcome.run_id) == {
        mover["resident_no"]: "moved_in",
        lost["resident_no"]: "category_gained",
    }
    entry = db.session.scalars(select(NewlyEligible)).first()
    assert entry.detected_on == back
    assert entry.notice_state == "pending"


def test_counts_by_reason_for_the_statistics(db, two_extracts):
    later = [person(birth_date=date(1966, 4, 10)), person(birth_date=date(1966, 4, 11)),
             person(birth_date=date(1940, 1, 1))]  # fmt: skip
    two_extracts([person()], later)
    assert services.counts_by_reason(AS_OF, AS_OF) == {
        "turned_60": 2, "moved_in": 1, "category_gained": 0, "other": 0,
    }  # fmt: skip
    assert list(services.counts_by_reason()) == ["turned_60", "moved_in", "category_gained",
                                                 "other"]  # fmt: skip
    assert sum(services.counts_by_reason(date(2026, 4, 17), None).values()) == 0


def test_after_import_queues_a_run_and_the_scheduler_job_prints_it(db, two_extracts, app):
    outcome = two_extracts([person()], [person(birth_date=date(1966, 4, 10))])
    run = db.session.scalars(select(NoticeRun)).one()
    assert (run.status, run.trigger, run.import_run_id) == ("queued", "after_import",
                                                            outcome.run_id)  # fmt: skip
    summary = jobs.run_pending()
    assert "1" in summary
    db.session.expire_all()
    run = db.session.get(NoticeRun, run.id)
    assert run.status == "done"
    assert run.total == 1
    assert set(run.files) == {"pdf", "list"}
    entry = db.session.scalars(select(NewlyEligible)).one()
    assert (entry.notice_state, entry.notice_run_id) == ("sent", run.id)
    assert jobs.run_pending() is None  # nothing left to do


def test_schedule_off_records_people_but_queues_nothing(db, two_extracts, app, monkeypatch):
    monkeypatch.setitem(app.config, "NOTICES_SCHEDULE", "off")
    two_extracts([person()], [person(birth_date=date(1966, 4, 10))])
    assert db.session.scalar(select(func.count(NewlyEligible.id))) == 1
    assert db.session.scalar(select(func.count(NoticeRun.id))) == 0


def test_monthly_schedule_queues_last_month_once(db, two_extracts, app, monkeypatch,
                                                 frozen_clock):  # fmt: skip
    monkeypatch.setitem(app.config, "NOTICES_SCHEDULE", "monthly")
    two_extracts([person()], [person(birth_date=date(1966, 4, 10))])
    assert db.session.scalar(select(func.count(NoticeRun.id))) == 0
    frozen_clock(date(2026, 5, 1))
    jobs.run_pending()
    jobs.run_pending()
    db.session.expire_all()
    run = db.session.scalars(select(NoticeRun)).one()
    assert (run.trigger, run.period_start, run.period_end) == (
        "monthly", date(2026, 4, 1), date(2026, 4, 30),
    )  # fmt: skip
    assert run.status == "done"
    assert run.total == 1


def test_a_failing_notice_step_never_loses_the_import(db, two_extracts, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(detection, "classify", broken)
    newcomer = person(birth_date=date(1966, 4, 10))
    outcome = two_extracts([person()], [newcomer])
    assert outcome.status == "applied"
    assert outcome.counts["added"] == 1
    db.session.expire_all()
    assert db.session.get(ImportRun, outcome.run_id).status == "applied"
    assert db.session.get(NoticeDetection, outcome.run_id) is None
    # made good later from the run's history
    monkeypatch.undo()
    detection.detect_missing()
    assert reasons_of(db, outcome.run_id) == {newcomer["resident_no"]: "turned_60"}
    # and never twice
    assert detection.detect(outcome.run_id).count == 1
    assert db.session.scalar(select(func.count(NewlyEligible.id))) == 1


def test_an_approved_held_extract_records_its_people_too(
    db, apply_extract, app, tmp_path, monkeypatch, frozen_clock
):
    from app.hostlink import approval, imports
    from tests.hostlink.conftest import drop, extract

    base = [person() for _ in range(4)]
    apply_extract(PREVIOUS, base)
    monkeypatch.setitem(app.config, "HOSTLINK_MAX_EXCLUDE_RATIO", 0.03)
    frozen_clock(AS_OF)
    newcomer = person(birth_date=date(1966, 4, 10))
    path = drop(tmp_path / "held", AS_OF, extract(AS_OF, [base[0], newcomer]))
    held = imports.import_file(path, trigger="command")
    assert held.status == "held"
    assert db.session.get(NoticeDetection, held.run_id) is None
    outcome = approval.approve_run(held.run_id)
    assert outcome.status == "applied"
    assert reasons_of(db, held.run_id) == {newcomer["resident_no"]: "turned_60"}
