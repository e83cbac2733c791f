"""The daily batch of 順次発送 letters: what it takes, its PDF and list, the
command line, the scheduler's job, the screen and its downloads."""

import json
from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.audit.models import AccessLog
from app.march import batches, jobs
from app.march.models import MarchBatch, MarchBatchItem
from app.scheduler import runner
from app.scheduler.models import JobRun
from tests.factories import make_resident
from tests.letters.conftest import page_texts, pdf_text, save_png


@pytest.fixture
def applicants(db, frozen_clock, next_year):
    """Three March applications: two by mail (5 and 6 March), one at the counter."""
    frozen_clock(datetime(2026, 3, 6, 9, 0))
    first = make_resident(name="三月\u3000一郎", postal_code="1690075")
    second = make_resident(name="三月\u3000二郎", postal_code="1600004")
    counter = make_resident(name="窓口\u3000三郎")
    passes = [
        next_year(first, date(2026, 3, 5)),
        next_year(second, date(2026, 3, 6)),
        next_year(counter, date(2026, 3, 6), method="counter"),
    ]
    return [first, second, counter], passes


def test_march_batch_sends_each_mailed_pass_once_in_order(db, applicants, frozen_clock):
    people, passes = applicants
    assert [p.control_no for p in batches.pending(date(2026, 3, 5))] == [900001]
    batch = batches.create_batch(date(2026, 3, 6), trigger="scheduler")
    assert (batch.letters, batch.first_no, batch.last_no) == (2, 900001, 900002)
    assert batch.fiscal_year == 2026
    assert [p.id for p in batches.batch_items(batch)] == [passes[0].id, passes[1].id]
    assert batches.people_of(batch) == [people[0].resident_no, people[1].resident_no]
    # nothing is sent twice; the counter pass is never in a batch
    assert batches.pending(date(2026, 3, 7)) == []
    assert batches.create_batch(date(2026, 3, 7), trigger="scheduler") is None
    assert db.session.query(MarchBatchItem).count() == 2


def test_march_batch_letters_and_list_read_back(db, applicants):
    batch = batches.create_batch(date(2026, 3, 6), trigger="scheduler")
    letters = batches.file_path(batch, batches.LETTERS_FILE).read_bytes()
    pages = page_texts(letters)
    assert len(pages) == 2
    assert "三月 一郎" in pages[0].replace("\u3000", " ") or "三月　一郎" in pages[0]
    assert "900001" in pages[0]
    assert "900002" in pages[1]
    assert "令和8年度" in pages[0]
    assert "令和8年3月6日" in pages[0]
    listing = pdf_text(batches.file_path(batch, batches.LIST_FILE).read_bytes())
    assert "順次発送 送付リスト" in listing
    assert "900001" in listing
    assert "900002" in listing
    assert "窓口" not in listing
    save_png(letters, "march_batch_letter")
    save_png(batches.file_path(batch, batches.LIST_FILE).read_bytes(), "march_batch_list")
    # the letters were logged as printed, naming both people, without an actor
    row = db.session.execute(
        select(AccessLog).where(AccessLog.action == "letter.print").order_by(AccessLog.id.desc())
    ).scalars().first()  # fmt: skip
    assert row.username == "scheduler"
    assert row.detail["shown"] == 2


def test_march_batch_skips_people_excluded_since_they_applied(db, applicants):
    people, _passes = applicants
    people[0].status, people[0].excluded_on = "excluded", date(2026, 3, 6)
    db.session.commit()
    batch = batches.create_batch(date(2026, 3, 6), trigger="scheduler")
    assert batch.letters == 1
    assert batches.people_of(batch) == [people[1].resident_no]


def test_march_batch_command_prints_json_last(app, db, applicants, tmp_path):
    out = tmp_path / "batch"
    result = app.test_cli_runner().invoke(
        args=["march", "batch", "--on", "2026-03-06", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary == summary | {"date": "2026-03-06", "fiscal_year": 2026, "letters": 2,
                                 "first_no": 900001, "last_no": 900002}  # fmt: skip
    assert summary["files"] == [str(out / "送付状.pdf"), str(out / "送付リスト.pdf")]
    assert (out / "送付状.pdf").is_file()
    again = app.test_cli_runner().invoke(args=["march", "batch", "--on", "2026-03-06"])
    assert json.loads(again.output.strip().splitlines()[-1]) == {
        "batch_id": None, "letters": 0, "files": []
    }  # fmt: skip
    bad = app.test_cli_runner().invoke(args=["march", "batch", "--on", "6 March"])
    assert bad.exit_code == 2
    assert "日付ではありません" in bad.output


def test_march_daily_job_runs_in_the_scheduler_runner(app, db, applicants, frozen_clock):
    frozen_clock(datetime(2026, 3, 6, 18, 30))
    runner.set_app(app)
    assert runner.run_job("march.batch", "app.march.jobs:daily_batch") == "ok"
    db.session.expire_all()
    run = db.session.execute(select(JobRun).where(JobRun.job_id == "march.batch")).scalar_one()
    assert run.status == "ok"
    assert run.message == "March batch 1: 2 letters (900001-900002)"
    assert jobs.daily_batch() == "no March letters to send"
    assert db.session.query(MarchBatch).count() == 1


def test_march_screen_makes_a_batch_and_downloads_are_logged(db, login, applicants, frozen_clock):
    people, _passes = applicants
    client = login("staff")
    page = client.get("/march/").get_data(as_text=True)
    assert "受付中" in page
    assert "発送待ち" in page
    resp = client.post("/march/batch", follow_redirects=True)
    assert "送付状 2 通" in resp.get_data(as_text=True)
    batch = db.session.execute(select(MarchBatch)).scalar_one()
    assert batch.trigger == "screen"
    download = client.get(f"/march/batch/{batch.id}/送付状.pdf")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    db.session.expire_all()
    row = db.session.execute(
        select(AccessLog).where(AccessLog.action == "letter.print").order_by(AccessLog.id.desc())
    ).scalars().first()  # fmt: skip
    assert row.username == "staff"
    assert row.detail["file"] == "送付状.pdf"
    assert row.detail["shown"] == 2
    assert client.get(f"/march/batch/{batch.id}/other.pdf").status_code == 404
    assert client.get("/march/batch/999/送付状.pdf").status_code == 404
    empty = client.post("/march/batch", follow_redirects=True)
    assert "発送待ちの送付状はありません" in empty.get_data(as_text=True)


def test_march_screen_is_refused_to_branch_staff(db, login):
    assert login("branch").get("/march/").status_code in (302, 403)


def test_march_batch_made_twice_at_once_sends_nothing_twice(db, applicants, monkeypatch):
    from app.errors import Conflict

    first = batches.create_batch(date(2026, 3, 6), trigger="scheduler")
    taken = batches.batch_items(first)
    # a second batch that read the pending letters before the first one committed
    monkeypatch.setattr(batches, "pending", lambda day: taken)
    with pytest.raises(Conflict) as refused:
        batches.create_batch(date(2026, 3, 6), trigger="screen")
    assert "同時に別の発送分が作成されました" in str(refused.value.message)
    db.session.expire_all()
    assert db.session.query(MarchBatch).count() == 1
    assert db.session.query(MarchBatchItem).count() == 2
