"""一斉発送 (annual mass mailing): selection, passes, letters in postal-code order, resume."""

import csv
import json
import re
from datetime import date

import pytest

from app.audit.models import AccessLog
from app.letters import jobs, mass_mailing
from app.letters.mass_mailing import rendering
from app.letters.models import MassMailingItem, MassMailingRun
from app.passes.models import Issuance
from tests.factories import make_resident
from tests.letters.conftest import fonts_of, page_texts, pdf_text, save_png

POSTAL_CODES = ["1690075", "1600004", "1620052", "1610033", "1600022", "1690072", "1620825"]


@pytest.fixture
def small_batches(app):
    previous = app.config["MASS_MAILING_BATCH_SIZE"]
    app.config["MASS_MAILING_BATCH_SIZE"] = 3
    yield 3
    app.config["MASS_MAILING_BATCH_SIZE"] = previous


@pytest.fixture
def holders(march, mailed_pass, db):
    """Seven people due for a renewal, and four who are not."""
    due = []
    for n, code in enumerate(POSTAL_CODES):
        person = make_resident(name=f"更新\u3000{n}", postal_code=code,
                               is_disabled=(n == 0))  # fmt: skip
        mailed_pass(person, fiscal_year=2025, method="counter" if n % 2 else "mail")
        due.append(person)
    gone = make_resident(name="転出\u3000前")
    late = make_resident(name="死亡\u3000後")
    issued = make_resident(name="交付\u3000済")
    homeless = make_resident(name="住所\u3000無", postal_code="", address="")
    for person in (gone, late, issued, homeless):
        mailed_pass(person, fiscal_year=2025, method="counter")
    gone.status, gone.excluded_on, gone.exclusion_reason = (
        "excluded",
        date(2026, 2, 10),
        "moved_out",
    )
    late.status, late.excluded_on, late.exclusion_reason = "excluded", date(2026, 3, 10), "deceased"
    db.session.commit()
    mailed_pass(issued, fiscal_year=2026, issued_on=date(2026, 3, 20), method="counter")
    return due


def test_preview_counts_by_category_and_reason(holders, db):
    figures = mass_mailing.preview(2026, date(2026, 2, 28))
    assert figures["letters"] == 7
    assert figures["by_category"] == {"elderly": 7, "disabled": 1, "child_allowance": 0}
    # every reason is listed (issue 12: 送付停止 and 返戻未解決 too), with its count
    assert figures["skipped"] == {"already_issued": 1, "excluded": 1,
                                  "excluded_after_cutoff": 1, "mail_stopped": 0,
                                  "returned_unresolved": 0, "no_address": 1}  # fmt: skip
    assert figures["not_mailed"] == 4


def test_mass_mailing_command(app, holders, db, tmp_path, small_batches):
    out = tmp_path / "run"
    result = app.test_cli_runner().invoke(
        args=["letters", "mass-mailing", "--fiscal-year", "2026", "--out", str(out),
              "--workers", "1"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["fiscal_year"] == 2026
    assert summary["letters"] == 7
    assert summary["files"] == ["letters-001.pdf", "letters-002.pdf", "letters-003.pdf"]
    assert summary["skipped"]["already_issued"] == 1
    # the passes: renewal, by mail, HQ, numbered in postal-code order
    passes = (
        db.session.query(Issuance)
        .join(MassMailingItem, MassMailingItem.issuance_id == Issuance.id)
        .order_by(MassMailingItem.seq)
        .all()
    )
    assert [p.mail_to_postal_code for p in passes] == sorted(POSTAL_CODES)
    numbers = [p.control_no for p in passes]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 7
    assert {(p.kind, p.method, p.office.code, p.issued_on) for p in passes} == {
        ("renewal", "mail", "HQ", date(2026, 3, 23))
    }
    # the letters: one page each, in postal-code order across the files
    codes, texts = [], []
    for name in summary["files"]:
        data = (out / name).read_bytes()
        for page in page_texts(data):
            codes.append(re.search(r"〒(\d{3})-(\d{4})", page).expand(r"\1\2"))
            texts.append(page)
    assert codes == sorted(POSTAL_CODES)
    first = texts[0].replace("\u3000", " ")
    assert f"整理番号 {numbers[0]}" in first
    assert "様" in first
    assert "令和8年3月23日" in first
    assert "令和8年4月1日から令和9年3月31日まで" in first
    assert "新年度のふれあい入浴証の送付について" in first
    # the shared part, rendered once, carries no letter's number
    assert not re.search(r"整理番号 0\b", first)
    assert first.count(f"整理番号 {numbers[0]}") == 1
    letters = (out / "letters-001.pdf").read_bytes()
    fonts = {n.split("+")[-1]: e for n, e in fonts_of(letters).items()}
    assert fonts.get("IPAexMincho") is True
    assert fonts.get("IPAexGothic") is True
    save_png(letters, "letters-mass-mailing", page=1)
    # the mailing list and the totals
    with (out / "mailing-list.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][1] == "整理番号"
    assert len(rows) == 8
    assert [r[5] for r in rows[1:]] == sorted(POSTAL_CODES)
    listing = pdf_text((out / "list-001.pdf").read_bytes())
    assert "発送リスト" in listing
    assert str(numbers[0]) in listing
    save_png((out / "list-001.pdf").read_bytes(), "letters-mailing-list")
    totals = pdf_text((out / "totals.pdf").read_bytes())
    assert "一斉発送 集計表" in totals
    assert "次年度の入浴証を交付済み" in totals
    save_png((out / "totals.pdf").read_bytes(), "letters-mass-mailing-totals")


def test_running_twice_issues_nothing_twice(app, holders, db, tmp_path):
    runner = app.test_cli_runner()
    args = ["letters", "mass-mailing", "--fiscal-year", "2026", "--workers", "1", "--out"]
    first = runner.invoke(args=[*args, str(tmp_path / "a")])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=[*args, str(tmp_path / "b")])
    assert second.exit_code == 0, second.output
    summary = json.loads(second.output.strip().splitlines()[-1])
    assert summary["letters"] == 0
    assert summary["files"] == []
    assert summary["skipped"]["already_issued"] == 8
    assert db.session.query(Issuance).filter_by(fiscal_year=2026).count() == 8


def test_a_crash_resumes_at_the_next_unfinished_batch(
    app, holders, db, user, monkeypatch, small_batches
):
    rendered = []
    real = rendering.render_batch

    def flaky(job):
        rendered.append(job["meta"]["batch"])
        if job["meta"]["batch"] == 1 and rendered.count(1) == 1:
            raise RuntimeError("power cut")
        return real(job)

    monkeypatch.setattr(rendering, "render_batch", flaky)
    run = mass_mailing.queue_run(2026, date(2026, 2, 28), date(2026, 3, 23), user("supervisor"))
    assert jobs.run_pending_mass_mailings() == f"mass mailing {run.id}: failed, 3/7 letters"
    db.session.refresh(run)
    assert run.status == "failed"
    assert "power cut" in run.error
    assert run.done == 3
    assert [f["batch"] for f in run.files] == [0]
    assert db.session.query(Issuance).filter_by(fiscal_year=2026).count() == 8
    mass_mailing.resume_run(run, user("supervisor"))
    assert jobs.run_pending_mass_mailings() == f"mass mailing {run.id}: done, 7/7 letters"
    db.session.refresh(run)
    assert run.status == "done"
    assert run.done == 7
    assert rendered == [0, 1, 1, 2]  # batch 0 was not rendered again
    assert db.session.query(Issuance).filter_by(fiscal_year=2026).count() == 8
    assert jobs.run_pending_mass_mailings() is None


def test_screens_queue_and_follow_a_run(login, holders, db):
    client = login("supervisor")
    page = client.get("/massmailing/").get_data(as_text=True)
    assert "令和8年度" in page
    assert "令和8年2月28日" in page  # the default, in the screens' one form of dates
    preview = client.get("/massmailing/preview?fiscal_year=2026&cutoff=2026-02-28"
                         "&mailing_date=2026-03-23").get_data(as_text=True)  # fmt: skip
    assert "<strong>7</strong>" in preview
    assert "基準日後に対象外" in preview
    resp = client.post("/massmailing/run", data={"fiscal_year": "2026", "cutoff": "2026-02-28",
                                                 "mailing_date": "2026-03-23"})  # fmt: skip
    assert resp.status_code == 302
    run = db.session.query(MassMailingRun).one()
    assert client.get(f"/massmailing/run/{run.id}/status").get_json()["status"] == "queued"
    again = client.post("/massmailing/run", data={"fiscal_year": "2026",
                                                  "cutoff": "2026-02-28",
                                                  "mailing_date": "2026-03-23"},
                        follow_redirects=True)  # fmt: skip
    assert "すでに処理中です" in again.get_data(as_text=True)
    jobs.run_pending_mass_mailings()
    status = client.get(f"/massmailing/run/{run.id}/status").get_json()
    assert status == {**status, "status": "done", "done": 7, "total": 7, "percent": 100}
    shown = client.get(f"/massmailing/run/{run.id}").get_data(as_text=True)
    assert "letters-001.pdf" in shown
    assert "mailing-list.csv" in shown
    download = client.get(f"/massmailing/run/{run.id}/file/letters-001.pdf")
    assert download.status_code == 200
    assert download.data.startswith(b"%PDF")
    assert client.get(f"/massmailing/run/{run.id}/file/..%2Fsecret").status_code == 404
    assert db.session.query(AccessLog).filter_by(action="mass_mailing.download").count() == 1


def test_only_supervisors_run_mass_mailings(login, db):
    assert login("staff").get("/massmailing/").status_code == 403
    assert login("branch").post("/massmailing/run", data={}).status_code == 403
    assert login("admin").get("/massmailing/").status_code == 200


@pytest.mark.slow
def test_two_rendering_processes(app, holders, db, tmp_path, small_batches):
    result = app.test_cli_runner().invoke(
        args=["letters", "mass-mailing", "--fiscal-year", "2026", "--out", str(tmp_path),
              "--workers", "2"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    pages = sum(len(page_texts((tmp_path / f).read_bytes())) for f in summary["files"])
    assert pages == 7
