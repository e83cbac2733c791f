"""Every read of personal data is exactly one access-log row naming the people
it showed (issue 11, items 8–10): tested as a class.

Every GET route of the role matrix (``tests/matrix/test_role_matrix.py``) is
visited as every role that may use it, with data that makes each list show
people; the people a response shows are found in its text (HTML, JSON, CSV,
and the text of PDFs and Excel files), and the request must have written
exactly one access-log row whose 住民番号 and list (``access_log_person``) are
those people — no more, no fewer.  A new route that shows a person without
logging it fails here without being listed anywhere.  The forms shown again
after a refused submission are visited the same way.
"""

import io
import json
import shutil
from datetime import date

import pytest
from sqlalchemy import func, select

from app.audit.models import AccessLog, AccessLogPerson
from app.residents.models import Resident
from tests.letters.conftest import pdf_text
from tests.matrix.conftest import (
    api_token,
    samples,  # noqa: F401  (the matrix's sample data)
    sign_in,
)
from tests.matrix.test_role_matrix import EXPECTED, SIGNED_IN, build_url

# The access log lists the 住民番号 of the rows it finds: it is the log itself,
# read by supervisors and auditors, and its own searches are logged
# (``access_log.search``, with their filter), not as reads of those people.
NOT_READS = {"AccessLogView.search", "AccessLogView.export"}

# Query strings that make a list show the sample people.
QUERIES = {
    "ResidentSearchView.search": {"q": "ミホン"},
    "ResidentSearchView.lookup": {"q": "ミホン"},
}
# Files of the sample mass-mailing run: the whole mailing list and one batch.
DOWNLOADS = ("mailing-list.csv", "letters-001.pdf", "totals.pdf")

# The routes that must show somebody to at least one role that may use them,
# so that a fixture that stops producing data cannot make this test pass.
MUST_SHOW = {
    "HomeView.index",
    "ResidentSearchView.search",
    "ResidentSearchView.lookup",
    "ResidentSearchView.show",
    "ResidentMasterView.edit",
    "ResidentApi.get_list",
    "ResidentApi.get",
    "IssuanceView.list",
    "IssuanceView.show",
    "IssuanceView.new",
    "IssuanceAdminView.edit",
    "IssuanceApi.get_list",
    "IssuanceApi.get",
    "ReturnsView.index",
    "LettersView.cover",
    "ChecklistView.pdf",
    "ChecklistView.stored",
    "MassMailingView.download",
    "ImportRunView.run",
    "LedgerMigrationView.run",
    "LedgerMigrationView.report_pdf",
    "LedgerMigrationView.report_xlsx",
}


@pytest.fixture
def reads(db, samples):  # noqa: F811
    """More of the samples, so that every list has people in it: a returned
    pass, a host-link run that excluded the first person, the day's stored
    checklist of YOTSUYA, and a mass-mailing run with a letter and its files."""
    from app import clock
    from app.history import services as history
    from app.letters import checklist, covers, mass_mailing
    from app.letters.models import MassMailingItem
    from app.passes import returns
    from app.passes.models import Issuance

    objects = samples["_objects"]
    staff = objects["staff"]
    posted = db.session.get(Issuance, samples["mail_issuance_id"])
    returns.record_return(posted, staff)
    person = objects["resident"]
    history.record(
        "resident", person.id, person.id, "exclude", {"status": ["active", "active"]},
        source=f"hostlink:{samples['import_run_id']}",
    )  # fmt: skip
    db.session.commit()
    checklist.generate_daily(clock.today(), offices=[objects["yotsuya"]])
    run = objects["run"]
    db.session.add(MassMailingItem(run_id=run.id, seq=1, issuance_id=posted.id))
    db.session.commit()
    folder = mass_mailing.output_dir(run)
    folder.mkdir(parents=True, exist_ok=True)
    # the mailing list and the totals page as a run writes them; its one
    # letter as the cover letter of that pass
    mass_mailing.write_outputs(run)
    letters = covers.print_cover_letters([posted], user=staff)
    (folder / "letters-001.pdf").write_bytes(letters)
    yield samples
    # The output folder outlives the test's database: later tests expect no
    # stored checklist of today (the role matrix's sample names one never written).
    checklist.stored_path(clock.today(), "YOTSUYA").unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)


# --- what a response shows --------------------------------------------------


def _xlsx_text(data):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(
        str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
    )


def response_text(resp):
    """What a person can read in a response, as text."""
    data = resp.get_data()
    if resp.mimetype == "application/pdf":
        return pdf_text(data) if data.startswith(b"%PDF") and len(data) > 100 else ""
    if resp.mimetype.endswith("spreadsheetml.sheet"):
        return _xlsx_text(data)
    text = data.decode("utf-8", errors="replace")
    if resp.mimetype == "application/json":
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return text


def _spellings(name):
    return {name, name.replace("\u3000", " "), name.replace("\u3000", "")}


def people_shown(db, text):
    """The 住民番号 of every resident whose number or name is in ``text``."""
    found = set()
    for number, name in db.session.execute(select(Resident.resident_no, Resident.name)):
        if number in text or any(s in text for s in _spellings(name)):
            found.add(number)
    return found


def _last_log_id(db):
    return db.session.scalar(select(func.max(AccessLog.id))) or 0


def rows_since(db, last_id):
    """The log rows written after ``last_id``, each with the people it names."""
    db.session.expire_all()
    rows = db.session.scalars(select(AccessLog).where(AccessLog.id > last_id)).all()
    named = []
    for row in rows:
        people = set(
            db.session.scalars(
                select(AccessLogPerson.resident_no).where(AccessLogPerson.log_id == row.id)
            )
        )
        named.append((row, people | ({row.resident_no} if row.resident_no else set())))
    db.session.commit()
    return named


def problem_of(db, what, resp, last_id):
    """What is wrong with the log of one request, or None."""
    if resp.status_code >= 400:
        return None
    shown = people_shown(db, response_text(resp))
    rows = rows_since(db, last_id)
    named = set().union(*(people for _row, people in rows)) if rows else set()
    if shown and len(rows) != 1:
        actions = [row.action for row, _people in rows]
        return f"{what}: shows {sorted(shown)}, wrote {len(rows)} log rows {actions}"
    if named != shown:
        return f"{what}: shows {sorted(shown)}, the log names {sorted(named)}"
    return None


# --- the requests ------------------------------------------------------------


def _urls(app, db, rule, values):
    from flask import url_for

    if rule.endpoint == "MassMailingView.download":
        with app.test_request_context():
            return [
                url_for(rule.endpoint, run_id=values["run_id"], name=name) for name in DOWNLOADS
            ]
    url = build_url(app, db, rule, values)
    if url is None:
        return []
    extra = QUERIES.get(rule.endpoint)
    if extra:
        from urllib.parse import urlencode

        url += ("&" if "?" in url else "?") + urlencode(extra)
    return [url]


def _get_problems(app, db, values, role, seen):
    client = sign_in(app, role)
    token = api_token(app, role)
    problems = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        access = EXPECTED.get(rule.endpoint)
        if "GET" not in rule.methods or access is None or rule.endpoint in NOT_READS:
            continue
        if role not in access.get or not access.try_allowed:
            continue
        for url in _urls(app, db, rule, values):
            last_id = _last_log_id(db)
            headers = {"Authorization": f"Bearer {token}"} if access.jwt else {}
            resp = client.get(url, headers=headers)
            problem = problem_of(db, f"GET {url} [{rule.endpoint}]", resp, last_id)
            if problem:
                problems.append(problem)
            elif people_shown(db, response_text(resp)):
                seen.add(rule.endpoint)
    return problems


def _forms_shown_again(values):
    """Submissions refused by the form's own checks: the form comes back
    with the person's data and its errors."""
    resident, issuance = values["resident_id"], values["issuance_id"]
    return [
        ("ResidentMasterView.edit", f"/residents/{resident}/edit", {"name": ""}),
        ("IssuanceView.new", f"/issuances/new/{resident}", {"kind": "new", "applied_on": "x"}),
        ("IssuanceAdminView.edit", f"/issuances/{issuance}/edit", {"issued_on": "x"}),
        ("LettersView.covers", "/letters/covers", {"issuance_ids": [values["mail_issuance_id"]]}),
    ]


def _post_problems(app, db, values, role, seen):
    client = sign_in(app, role)
    problems = []
    for endpoint, url, data in _forms_shown_again(values):
        if role not in EXPECTED[endpoint].post_roles:
            continue
        last_id = _last_log_id(db)
        resp = client.post(url, data=data)
        if resp.status_code != 200:
            problems.append(f"POST {url} [{endpoint}]: answered {resp.status_code}")
            continue
        problem = problem_of(db, f"POST {url} [{endpoint}]", resp, last_id)
        if problem:
            problems.append(problem)
        else:
            seen.add(f"POST {endpoint}")
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("role", sorted(SIGNED_IN))
def test_every_read_of_personal_data_is_one_row_naming_the_people(app, db, reads, role):
    seen = set()
    problems = _get_problems(app, db, reads, role, seen)
    problems += _post_problems(app, db, reads, role, seen)
    assert not problems, f"{role}:\n  " + "\n  ".join(problems)
    may_use = {e for e in MUST_SHOW if role in EXPECTED[e].get} | {
        f"POST {e}"
        for e, _url, _data in _forms_shown_again(reads)
        if role in EXPECTED[e].post_roles
    }
    assert may_use <= seen, f"{role}: showed nobody on {sorted(may_use - seen)}"


def test_the_sample_day_is_today(reads):
    """The checklist and the home page list the passes of today: the samples'."""
    from app import clock

    assert date.fromisoformat(reads["day"]) == clock.today()
