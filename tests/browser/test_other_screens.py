"""Other screens in the browser: printing a cover letter, the host-link runs,
and what a read-only auditor is (not) offered."""

import subprocess

import pytest

from tests.browser.conftest import open_menu
from tests.browser.japanese import english_words
from tests.factories import make_resident

pytestmark = pytest.mark.browser


def _issue(resident, method, username="staff"):
    from app import clock
    from app.extensions import appbuilder
    from app.offices import services as offices
    from app.passes import issuance

    return issuance.issue_pass(
        resident,
        kind="new",
        applied_on=clock.today(),
        issued_on=clock.today(),
        office=offices.by_code("HQ"),
        method=method,
        user=appbuilder.sm.find_user(username=username),
    )


def test_cover_letter_link_gives_a_pdf(page, sign_in_as, db, screenshot_dir):
    person = make_resident(name="郵送\u3000花子", kana="ユウソウ ハナコ")
    posted = _issue(person, "mail")
    sign_in_as("staff")
    page.goto(f"/issuances/{posted.id}")
    page.shot("pass")
    assert english_words(page.inner_text("body")) == []
    link = page.locator("a[href*='/letters/cover/']")
    resp = page.request.get(link.get_attribute("href"))
    assert resp.status == 200
    assert resp.headers["content-type"].startswith("application/pdf")
    pdf = resp.body()
    assert pdf.startswith(b"%PDF")
    path = screenshot_dir / "cover-letter.pdf"
    path.write_bytes(pdf)
    # a picture of the first page, to look at
    first_page = ["-png", "-r", "50", "-f", "1", "-l", "1"]
    subprocess.run(
        ["pdftoppm", *first_page, str(path), str(path.with_suffix(""))], check=False, timeout=60
    )


def test_supervisor_sees_the_host_link_runs(page, sign_in_as, db):
    from app.hostlink import imports

    imports.import_file(
        data=b"not an extract",
        file_name="FUREAI_20260401.DAT",
        trigger="command",
        require_trigger=False,
    )
    sign_in_as("supervisor")
    open_menu(page, "/hostlink/runs/")
    page.shot("runs")
    body = page.inner_text("body")
    assert "FUREAI_20260401.DAT" in body
    assert english_words(body.replace("FUREAI_20260401.DAT", "")) == []
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("table a[href^='/hostlink/runs/']").first.click()
    page.shot("run")
    assert english_words(page.inner_text("body").replace("FUREAI_20260401.DAT", "")) == []


def test_auditor_is_offered_no_change(page, sign_in_as, db):
    person = make_resident(name="監査\u3000一郎", kana="カンサ イチロウ")
    held = _issue(person, "counter")
    sign_in_as("auditor")
    page.goto(f"/residents/{person.id}")
    page.shot("person")
    assert person.resident_no in page.inner_text("body")
    assert page.locator("a[href*='/issuances/new/']").count() == 0
    assert page.locator("a[href$='/edit']").count() == 0
    assert page.locator("form[action*='/exclude']").count() == 0
    page.goto(f"/issuances/{held.id}")
    page.shot("pass")
    assert page.locator("a[href*='/edit']").count() == 0
    assert page.locator("a[href*='/letters/']").count() == 0
    assert english_words(page.inner_text("body")) == []
