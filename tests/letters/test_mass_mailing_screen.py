"""The mass-mailing screens say whether the scheduler will run a confirmed
mailing, and offer a cut-off date their own check accepts (issue 11, item 14)."""

import html
import json
import re
from datetime import date, datetime, timedelta

import pytest

from app.db.transaction import transaction
from app.letters import mass_mailing
from app.letters.models import MassMailingRun
from app.scheduler import locks
from tests.factories import make_resident

LEAVE = "この画面を離れても、処理は裏で続きます"
DOWN_INDEX = "スケジューラーが停止しています"
DOWN_RUN = "スケジューラーが停止しているため、この処理は進みません"
FUTURE = "基準日に未来の日付は指定できません"


@pytest.fixture
def scheduler(app, db, march):
    """The scheduler's lock held as ``flask scheduler run`` holds it (since
    the March day the tests run on)."""
    lock = locks.acquire("scheduler", app.config["SCHEDULER_LOCK_STALE_SECONDS"], detail="test")
    yield lock
    lock.release()


@pytest.fixture
def due(march, mailed_pass, db):
    person = make_resident(name="更新\u3000一")
    mailed_pass(person, fiscal_year=2025, method="counter")
    return person


def _queue(client):
    return client.post(
        "/massmailing/run",
        data={"fiscal_year": "2026", "cutoff": "2026-02-28", "mailing_date": "2026-03-23"},
        follow_redirects=True,
    ).get_data(as_text=True)


def test_without_the_scheduler_the_screens_warn_and_promise_nothing(login, due, db):
    client = login("supervisor")
    assert DOWN_INDEX in client.get("/massmailing/").get_data(as_text=True)
    preview = client.get("/massmailing/preview?fiscal_year=2026&cutoff=2026-02-28"
                         "&mailing_date=2026-03-23").get_data(as_text=True)  # fmt: skip
    assert DOWN_INDEX in preview
    shown = _queue(client)
    assert "スケジューラーが停止しているため処理は始まりません" in shown
    assert "この画面を離れても処理は続きます" not in shown
    assert DOWN_RUN in shown
    assert LEAVE not in shown
    assert db.session.query(MassMailingRun).one().status == "queued"


def test_with_the_scheduler_running_the_run_goes_on(login, due, scheduler):
    client = login("supervisor")
    assert DOWN_INDEX not in client.get("/massmailing/").get_data(as_text=True)
    shown = _queue(client)
    assert "一斉発送の処理を受け付けました。この画面を離れても処理は続きます。" in shown
    assert LEAVE in shown
    assert DOWN_RUN not in shown


def test_a_scheduler_that_stopped_reporting_counts_as_down(login, due, scheduler, frozen_clock):
    frozen_clock(datetime(2026, 3, 23, 11, 0))
    assert mass_mailing.scheduler_alive() is False
    assert DOWN_INDEX in login("supervisor").get("/massmailing/").get_data(as_text=True)


def test_a_run_of_the_command_line_goes_on_without_the_scheduler(login, due, user, db, march):
    run = mass_mailing.queue_run(2026, date(2026, 2, 28), date(2026, 3, 23), user("supervisor"))
    with transaction():
        run.status, run.heartbeat_at = "running", march
    page = login("supervisor").get(f"/massmailing/run/{run.id}").get_data(as_text=True)
    assert LEAVE in page
    assert DOWN_RUN not in page
    # … until its process stops reporting: then it waits for the scheduler
    with transaction():
        run.heartbeat_at = march - mass_mailing.STALE_AFTER - timedelta(minutes=1)
    page = login("supervisor").get(f"/massmailing/run/{run.id}").get_data(as_text=True)
    assert DOWN_RUN in page
    with transaction():
        run.status = "done"
    page = login("supervisor").get(f"/massmailing/run/{run.id}").get_data(as_text=True)
    assert DOWN_RUN not in page
    assert LEAVE not in page


@pytest.mark.parametrize(
    ("today", "fiscal_year", "expected"),
    [
        (date(2026, 3, 23), 2026, date(2026, 2, 28)),  # the March mailing
        (date(2028, 3, 2), 2028, date(2028, 2, 29)),  # a leap year
        (date(2025, 6, 10), 2026, date(2025, 6, 10)),  # outside March: today at the latest
        (date(2026, 2, 20), 2026, date(2026, 2, 20)),
        (date(2026, 4, 5), 2026, date(2026, 2, 28)),  # a late run of this year's passes
    ],
)
def test_the_default_cut_off_is_never_in_the_future(today, fiscal_year, expected):
    cutoff = mass_mailing.default_cutoff(fiscal_year, today)
    assert cutoff == expected
    mass_mailing.check_request(fiscal_year, cutoff, today, today=today)


def test_outside_march_the_screen_offers_a_cut_off_its_check_accepts(
    login, mailed_pass, frozen_clock, db
):
    frozen_clock(datetime(2025, 6, 10, 10, 0))
    person = make_resident(name="更新\u3000二")
    mailed_pass(person, fiscal_year=2025, issued_on=date(2025, 4, 10), method="counter")
    client = login("supervisor")
    page = client.get("/massmailing/").get_data(as_text=True)
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input id="(\w+)" name="\w+" class="form-control" '
                                      r'value="([^"]*)"', page)
    }  # fmt: skip
    assert set(fields) == {"cutoff", "mailing_date"}
    preview = client.get("/massmailing/preview", query_string={"fiscal_year": "2026", **fields},
                         follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert FUTURE not in preview
    assert "<strong>1</strong>" in preview
    # and the same without a cut-off (the command line's default too)
    preview = client.get("/massmailing/preview?fiscal_year=2026",
                         follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert FUTURE not in preview
    assert "<strong>1</strong>" in preview


def test_outside_march_the_command_takes_a_cut_off_of_today(app, mailed_pass, frozen_clock,
                                                           db, tmp_path):  # fmt: skip
    frozen_clock(datetime(2025, 6, 10, 10, 0))
    mailed_pass(make_resident(), fiscal_year=2025, issued_on=date(2025, 4, 10), method="counter")
    result = app.test_cli_runner().invoke(
        args=["letters", "mass-mailing", "--fiscal-year", "2026", "--out", str(tmp_path),
              "--workers", "1"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["letters"] == 1
    assert db.session.query(MassMailingRun).one().cutoff_date == date(2025, 6, 10)
