"""Who is sent a postcard: not those who already have a pass for the fiscal
year, nor those whose mailing is stopped (送付停止), nor the excluded; the run's
PDF and list; a run for a period on demand."""

import io
from datetime import date

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import appbuilder
from app.mailing import stops
from app.notices import runs
from app.notices.models import NewlyEligible
from app.offices import services as offices
from app.passes import issuance
from app.residents.models import Resident
from tests.notices.conftest import AS_OF, person


def _resident(db, record):
    return db.session.execute(
        select(Resident).where(Resident.resident_no == record["resident_no"])
    ).scalar_one()


@pytest.fixture
def newcomers(db, two_extracts, app, monkeypatch):
    """Four people who turned 60 by 16 April (nothing queued automatically)."""
    monkeypatch.setitem(app.config, "NOTICES_SCHEDULE", "off")
    people = [person(birth_date=date(1966, 4, 5 + n), name=f"新規\u3000{n}郎") for n in range(4)]
    outcome = two_extracts([person()], people)
    return outcome, people


def test_pass_holders_and_stopped_mail_are_not_sent_a_postcard(db, newcomers, tmp_path):
    outcome, people = newcomers
    staff = appbuilder.sm.find_user(username="staff")
    holder = _resident(db, people[0])
    issuance.issue_pass(
        holder, kind="new", applied_on=AS_OF, issued_on=AS_OF, office=offices.by_code("HQ"),
        method="counter", user=staff,
    )  # fmt: skip
    stops.stop_mailing(_resident(db, people[1]), "declined", staff)
    run = runs.queue_run("command", import_run_id=outcome.run_id, output_dir=tmp_path)
    run = runs.execute_run(run)
    assert run.status == "done", run.error
    assert run.summary["count"] == 4
    assert run.summary["postcards"] == 2
    assert run.summary["skipped"] == {"has_pass": 1, "mail_stopped": 1}
    assert run.summary["by_reason"]["turned_60"] == 4
    pdf = PdfReader(io.BytesIO((tmp_path / "postcards.pdf").read_bytes()))
    assert len(pdf.pages) == 4
    names = "".join(pdf.pages[0].extract_text().split() + pdf.pages[2].extract_text().split())
    assert "新規2郎" in names
    assert "新規3郎" in names
    assert "新規0郎" not in names
    book = openpyxl.load_workbook(tmp_path / "list.xlsx", read_only=True)
    sent_sheet, skipped_sheet = book.worksheets
    sent_rows = list(sent_sheet.iter_rows(min_row=3, values_only=True))
    skipped_rows = list(skipped_sheet.iter_rows(min_row=3, values_only=True))
    assert {r[1] for r in sent_rows} == {people[2]["resident_no"], people[3]["resident_no"]}
    assert sent_rows[0][8] == "60歳到達"
    assert {r[-1] for r in skipped_rows} == {"今年度の入浴証を交付済み", "送付停止"}
    states = dict(db.session.execute(select(NewlyEligible.resident_id,
                                            NewlyEligible.notice_state)).tuples().all())  # fmt: skip
    assert sorted(states.values()) == ["sent", "sent", "skipped", "skipped"]


def test_a_second_run_of_unsent_people_sends_nobody_twice(db, newcomers, tmp_path):
    first = runs.execute_run(runs.queue_run("screen", start=AS_OF, end=AS_OF,
                                            output_dir=tmp_path / "a"))  # fmt: skip
    assert first.total == 4
    again = runs.execute_run(runs.queue_run("screen", start=AS_OF, end=AS_OF,
                                            output_dir=tmp_path / "b"))  # fmt: skip
    assert again.total == 0
    assert again.files == {"list": "list.xlsx"}
    reprint = runs.execute_run(runs.queue_run("screen", start=AS_OF, end=AS_OF,
                                              only_unsent=False, output_dir=tmp_path / "c"))  # fmt: skip
    assert reprint.total == 4


def test_a_resumed_stop_is_sent_the_next_time(db, newcomers, tmp_path):
    _outcome, people = newcomers
    staff = appbuilder.sm.find_user(username="staff")
    stopped = _resident(db, people[0])
    stops.stop_mailing(stopped, "other", staff, note="本人申出")
    run = runs.execute_run(runs.queue_run("screen", start=AS_OF, output_dir=tmp_path / "a"))
    assert run.total == 3
    stops.resume_mailing(stopped, staff, reason="再開")
    run = runs.execute_run(runs.queue_run("screen", start=AS_OF, output_dir=tmp_path / "b"))
    assert run.total == 1
    assert run.summary["entries"]["sent"]


def test_bad_periods_are_refused(db, frozen_clock):
    frozen_clock(date(2026, 4, 16))
    with pytest.raises(DomainError, match="開始日"):
        runs.queue_run("screen", start=date(2026, 4, 10), end=date(2026, 4, 1))
    with pytest.raises(DomainError, match="今日より後"):
        runs.queue_run("screen", start=date(2026, 4, 1), end=date(2026, 4, 17))
