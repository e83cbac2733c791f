"""Figures from the newly-eligible records (app.notices) and the 送付停止 (app.mailing)."""

from datetime import date

from tests.stats.conftest import AS_OF, FY


def _report():
    from app.stats import services

    return services.build_report(services.parse_request(AS_OF.isoformat(), FY))


def test_stats_holders_by_how_they_came(dataset, db):
    from app.hostlink.models import ImportRun
    from app.notices.models import NewlyEligible

    run = ImportRun(file_name="FUREAI_20260301.DAT", trigger="manual", status="applied")
    db.session.add(run)
    db.session.flush()
    for key, reason, day in (
        ("p4_60th_day_after", "turned_60", date(2026, 3, 1)),
        ("p5_60th_two_days_after", "moved_in", date(2026, 3, 2)),
        # detected after the as-of date: not counted
        ("p3_60th_on", "category_gained", date(2026, 4, 2)),
        # p1 held a pass last year: continuing, whatever record it has
        ("p1", "other", date(2025, 4, 2)),
    ):
        db.session.add(NewlyEligible(
            resident_id=dataset[key].id, import_run_id=run.id, reason=reason, detected_on=day,
        ))  # fmt: skip
    db.session.commit()
    how = _report()["breakdowns"]["how_came"]
    assert how == {
        "continuing": 1, "turned_60": 1, "moved_in": 1, "category_gained": 0, "other": 0,
        "other_new": 4,
    }  # fmt: skip


def test_stats_mail_stops_in_force_on_the_date(dataset, db):
    from app.mailing.models import MailStop

    p = dataset
    db.session.add_all([
        MailStop(resident_id=p["p2_60th_day_before"].id, reason="declined",
                 since=date(2025, 7, 1)),
        MailStop(resident_id=p["p3_60th_on"].id, reason="facility", since=date(2026, 4, 10)),
        MailStop(resident_id=p["p6_excluded_after"].id, reason="other", since=date(2025, 5, 1),
                 lifted_on=date(2025, 9, 1)),
    ])  # fmt: skip
    db.session.commit()
    stops = _report()["breakdowns"]["mail_stops"]
    assert stops["declined"] == 1
    assert sum(stops.values()) == 1
