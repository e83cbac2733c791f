"""A whole fiscal year (April 2026 – April 2027) as the ward lives it, on a fake clock.

Host extracts on the 1st and 16th of every month (a person turning 60 among
the new ones, people moving out before and after the cut-off), counter and
mail issues, a returned letter and a resent one, the end-of-February cut-off,
the mass mailing of 23 March, March applications for the next year with their
daily letters, and April — checking at each step who is mailed and who is not.

Each step is one function over the :class:`Year` (the people, the clock, the
command line); everything goes through the public services, the command line,
the screens and the scheduler's job runner.
"""

import html
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from app.letters.models import MassMailingItem, MassMailingRun
from app.march import batches
from app.march.models import MarchBatch
from app.passes import returns
from app.passes.issuance import issue_pass
from app.passes.models import Issuance
from app.residents.models import Resident
from app.scheduler import runner
from app.scheduler.models import JobRun
from tests.hostlink.conftest import drop, extract, person
from tests.letters.conftest import page_texts

# Who is who: name → (birth date, first extract they are in, last one).
CAST = {
    "counter": {},  # counter pass in April
    "mail": {},  # pass by mail in May
    "resent": {},  # mailed, returned, sent again
    "returned": {},  # mailed, returned, never resent (返戻未解決)
    "declined": {},  # declines further mailings in November (送付停止 辞退)
    "old_holder": {},  # had a pass in fiscal 2024 only (the seed: since FY2014)
    "moved_out": {"leaves": date(2027, 2, 16)},  # before the cut-off
    "died_march": {"leaves": date(2027, 3, 16)},  # after the cut-off
    "never": {},  # eligible, never applies
    "sixty": {"birth": date(1966, 7, 10), "joins": date(2026, 7, 16)},  # turns 60 in July
    "too_early": {},  # asks for next year's pass in February
    "counter_march": {},  # this year's pass at the counter and next year's by mail
    "newcomer": {"joins": date(2027, 3, 1)},  # moves in, applies by mail in March
    "last_day": {},  # applies by mail on 31 March, after the day's batch
    "april": {},  # applies in April
}
FILLERS = 45  # others on the roster (exclusions stay under the hold threshold)
NEXT_FY = 2027


@dataclass
class Year:
    """The simulation's state: the app, the clock, the roster, the passes."""

    app: object
    db: object
    frozen_clock: object
    login: object
    user: object
    office: object
    folder: Path
    records: dict = field(default_factory=dict)
    passes: dict = field(default_factory=dict)
    runs: list = field(default_factory=list)

    def at(self, day, hour=10, minute=0):
        self.frozen_clock(datetime(day.year, day.month, day.day, hour, minute))

    def cli(self, *args):
        result = self.app.test_cli_runner().invoke(args=[str(a) for a in args])
        return result, json.loads(result.output.strip().splitlines()[-1])

    def resident(self, name):
        self.db.session.expire_all()
        number = self.records[name]["resident_no"]
        return self.db.session.execute(
            select(Resident).where(Resident.resident_no == number)
        ).scalar_one()

    def name_of(self, resident_no):
        return next(n for n, r in self.records.items() if r["resident_no"] == resident_no)


def _extract_days():
    days, day = [], date(2026, 4, 1)
    while day <= date(2027, 4, 1):
        days.append(day)
        day = day.replace(day=16) if day.day == 1 else (day + timedelta(days=20)).replace(day=1)
    return days


def _on_roster(name, day):
    cast = CAST.get(name, {})
    return cast.get("joins", date.min) <= day < cast.get("leaves", date.max)


# ── the steps ──────────────────────────────────────────────────────────────


def host_extract(year, day):
    """The host's extract of ``day`` applied by ``flask hostlink import`` at 6:00."""
    year.at(day, hour=6)
    roster = [r for n, r in year.records.items() if _on_roster(n, day)]
    path = drop(year.folder / "extracts", day, extract(day, roster))
    result, summary = year.cli("hostlink", "import", path)
    assert (result.exit_code, summary["status"]) == (0, "applied"), summary
    year.runs.append(summary)
    return summary


def counter_issue(year, name, day, kind="new", now=None):
    """A counter pass issued on ``day`` (recorded ``now``: a pass of an
    earlier year entered late)."""
    year.at(now or day)
    made = issue_pass(year.resident(name), kind=kind, applied_on=day, issued_on=day,
                      office=year.office, method="counter", user=year.user("staff"))  # fmt: skip
    year.passes.setdefault(name, []).append(made.id)
    return made


def mail_issue(year, name, day, kind="new"):
    year.at(day)
    made = issue_pass(year.resident(name), kind=kind, applied_on=day, issued_on=day,
                      office=year.office, method="mail", user=year.user("staff"))  # fmt: skip
    year.passes.setdefault(name, []).append(made.id)
    return made


def returned(year, name, day):
    """The letter of ``name``'s last pass came back (返戻日 ``day``)."""
    year.at(day)
    issuance = year.db.session.get(Issuance, year.passes[name][-1])
    returns.record_return(issuance, year.user("staff"), on=day)


def resent(year, name, day):
    year.at(day)
    issuance = year.db.session.get(Issuance, year.passes[name][-1])
    returns.resend(issuance, year.user("staff"), on=day)


def returned_by_command(year, name, day):
    """``flask letters returned`` (mailstop): the letter came back, not resent."""
    year.at(day, hour=15)
    issuance = year.db.session.get(Issuance, year.passes[name][-1])
    result, summary = year.cli("letters", "returned", issuance.control_no, "--fiscal-year",
                               issuance.fiscal_year, "--on", day.isoformat(), "--user", "staff")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [r["control_no"] for r in summary["recorded"]] == [issuance.control_no]


def stop_mailing(year, name, day):
    """``flask mailing stop`` (mailstop): the person declines further mailings."""
    year.at(day)
    number = year.records[name]["resident_no"]
    result, summary = year.cli("mailing", "stop", number, "--reason", "declined",
                               "--user", "staff")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (summary["mail_stopped"], summary["reason"]) == (True, "declined")


def newly_eligible(year, reason):
    """``flask notices newly-eligible --run`` (notices) for the extract just applied."""
    run_id = year.runs[-1]["run_id"]
    result, summary = year.cli("notices", "newly-eligible", "--run", run_id,
                               "--out", year.folder / f"notices-{run_id}")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert summary["count"] == 1, summary
    assert {r: n for r, n in summary["by_reason"].items() if n} == {reason: 1}
    return summary


def newly_eligible_records(year):
    """``[(name, reason, 基準日 of the extract)]`` of every newly eligible record."""
    from app.hostlink.models import ImportRun
    from app.notices.models import NewlyEligible

    year.db.session.expire_all()
    rows = year.db.session.execute(
        select(Resident.resident_no, NewlyEligible.reason, ImportRun.as_of)
        .join(NewlyEligible, NewlyEligible.resident_id == Resident.id)
        .join(ImportRun, ImportRun.id == NewlyEligible.import_run_id)
        .where(ImportRun.as_of > date(2026, 4, 1))  # the first load makes everyone new
        .order_by(ImportRun.as_of)
    ).all()
    return [(year.name_of(no), reason, as_of) for no, reason, as_of in rows]


def _form(day, office_id, **extra):
    return {"kind": "new", "applied_on": day.isoformat(), "issued_on": day.isoformat(),
            "office": str(office_id), "method": "mail", "supersedes_id": "", **extra}  # fmt: skip


def march_application(year, name, day, hour=10, **extra):
    """A mail application recorded on the issue form; returns the page shown
    (the person's page after a redirect, or the form with its refusal)."""
    year.at(day, hour=hour)
    resident = year.resident(name)
    client = year.login("staff")
    resp = client.post(f"/issuances/new/{resident.id}", data=_form(day, year.office.id, **extra),
                       follow_redirects=True)  # fmt: skip
    assert resp.status_code == 200
    return html.unescape(resp.get_data(as_text=True))


def daily_batch_job(year, day):
    """The scheduler's evening job (``MARCH_BATCH_CRON``, 18:30) of ``day``."""
    year.at(day, hour=18, minute=30)
    runner.set_app(year.app)
    assert runner.run_job("march.batch", "app.march.jobs:daily_batch") == "ok"


def mass_mailing(year, day):
    """The mass mailing of next year's passes by ``flask letters mass-mailing``."""
    year.at(day, hour=9)
    result, summary = year.cli("letters", "mass-mailing", "--fiscal-year", NEXT_FY,
                               "--out", year.folder / "mass", "--workers", 1)  # fmt: skip
    assert result.exit_code == 0, result.output
    return summary


# ── what is checked ────────────────────────────────────────────────────────


def mass_mailed(year, run_id):
    year.db.session.expire_all()
    rows = year.db.session.execute(
        select(Resident.resident_no, Issuance.control_no)
        .join(Issuance, Issuance.resident_id == Resident.id)
        .join(MassMailingItem, MassMailingItem.issuance_id == Issuance.id)
        .where(MassMailingItem.run_id == run_id)
    ).all()
    return {year.name_of(no): control_no for no, control_no in rows}


def batch_people(year):
    """``[(batch date, [names])]`` of every 順次発送 batch so far."""
    year.db.session.expire_all()
    found = []
    for batch in sorted(year.db.session.scalars(select(MarchBatch)), key=lambda b: b.id):
        found.append((batch.batch_date, [year.name_of(n) for n in batches.people_of(batch)]))
    return found


def pass_of(year, name, fiscal_year):
    year.db.session.expire_all()
    return year.db.session.execute(
        select(Issuance).where(Issuance.resident_id == year.resident(name).id,
                               Issuance.fiscal_year == fiscal_year,
                               Issuance.status == "valid")
    ).scalar_one_or_none()  # fmt: skip


# ── the year ───────────────────────────────────────────────────────────────


def _cast(year):
    for n in range(FILLERS):
        year.records[f"other{n}"] = person(kana="ホカ タロウ")
    for n, (name, cast) in enumerate(CAST.items()):
        year.records[name] = person(
            name=f"試験\u3000{name}",
            kana="シケン タロウ",
            birth_date=cast.get("birth", date(1950, 6, 1)),
            postal_code=f"16{n:05d}",
        )


def check_turned_sixty(year):
    """16 July: the person who turned 60 on 10 July is on the roster now."""
    sixty = year.resident("sixty")
    assert (sixty.status, sixty.is_elderly, sixty.birth_date) == ("active", True, date(1966, 7, 10))
    assert year.runs[-1]["added"] == 1
    newly_eligible(year, "turned_60")


def check_moved_in(year):
    """1 March: the newcomer is newly eligible, as having moved in."""
    assert year.runs[-1]["added"] == 1
    newly_eligible(year, "moved_in")


def check_too_early(year):
    """26 February: next year's pass cannot be asked for before the cut-off;
    this year's is recorded instead."""
    page = march_application(year, "too_early", date(2027, 2, 26), pass_year="next")
    assert "来年度（令和9年度）の入浴証の申請は" in page
    assert "までしか受け付けられません" in page
    assert pass_of(year, "too_early", NEXT_FY) is None
    mail_issue(year, "too_early", date(2027, 2, 26))


def check_moved_out(year):
    assert year.resident("moved_out").status == "excluded"
    assert year.resident("moved_out").excluded_on == date(2027, 2, 16)


def newcomer_applies(year):
    """5 March: a new resident's mail application is for next year by default."""
    year.at(date(2027, 3, 5))
    client = year.login("staff")
    resident = year.resident("newcomer")
    form = client.get(f"/issuances/new/{resident.id}").get_data(as_text=True)
    assert "来年度（令和9年度）：順次発送" in html.unescape(form)
    # the form's default choice: next year's pass for a mail application
    page = march_application(year, "newcomer", date(2027, 3, 5), pass_year="auto")
    assert "900001" in page
    made = pass_of(year, "newcomer", NEXT_FY)
    assert (made.control_no, made.method, made.issued_on) == (900001, "mail", date(2027, 3, 5))


def counter_in_march(year):
    """10 March: this year's pass at the counter at once, next year's by mail."""
    now = counter_issue(year, "counter_march", date(2027, 3, 10))
    assert now.fiscal_year == 2026
    assert now.control_no < 900001
    march_application(year, "counter_march", date(2027, 3, 10), pass_year="next")
    assert pass_of(year, "counter_march", NEXT_FY).control_no == 900002


def second_next_year_refused(year):
    page = march_application(year, "newcomer", date(2027, 3, 12), pass_year="next",
                             kind="renewal")  # fmt: skip
    assert "同じ年度の入浴証を2枚交付することはできません" in page
    assert pass_of(year, "newcomer", NEXT_FY).control_no == 900001


def run_mass_mailing(year):
    """23 March: the mass mailing from the end-of-February data."""
    assert batches.pending(date(2027, 3, 22)) == []  # the March letters went out already
    summary = mass_mailing(year, date(2027, 3, 23))
    mailed = mass_mailed(year, summary["run_id"])
    assert set(mailed) == {"counter", "mail", "resent", "sixty", "too_early", "old_holder"}
    assert sorted(mailed.values()) == list(range(1, len(mailed) + 1))  # the block: 1…N
    assert (summary["first_no"], summary["last_no"]) == (1, len(mailed))
    # counter_march holds next year's pass already (the newcomer never had a pass)
    skipped = {reason: n for reason, n in summary["skipped"].items() if n}
    assert skipped == {"already_issued": 1, "excluded": 1, "excluded_after_cutoff": 1,
                       "mail_stopped": 1, "returned_unresolved": 1}  # fmt: skip
    # the not-mailed list, by name and reason
    run = year.db.session.get(MassMailingRun, summary["run_id"])
    assert {year.name_of(s["resident_no"]): s["reason"] for s in run.summary["skipped_people"]} == {
        "counter_march": "already_issued",
        "moved_out": "excluded",
        "died_march": "excluded_after_cutoff",
        "declined": "mail_stopped",
        "returned": "returned_unresolved",
    }
    year.block_end = summary["last_no"]


def last_day_applies(year):
    """31 March, after the evening's batch: next year's pass, sent on 1 April."""
    march_application(year, "last_day", date(2027, 3, 31), hour=19, pass_year="next")
    assert pass_of(year, "last_day", NEXT_FY).control_no == 900003


def april_batch_by_command(year):
    year.at(date(2027, 4, 1), hour=8)
    result, summary = year.cli("march", "batch")
    assert result.exit_code == 0, result.output
    assert (summary["date"], summary["letters"], summary["first_no"]) == ("2027-04-01", 1, 900003)


def april(year):
    """2 April: the new year has begun; next year's pass is no longer offered."""
    page = march_application(year, "april", date(2027, 4, 2), pass_year="next")
    assert "までしか受け付けられません" in page
    made = counter_issue(year, "april", date(2027, 4, 2))
    assert (made.fiscal_year, made.control_no) == (NEXT_FY, year.block_end + 1)
    # everyone mailed holds a valid pass of the new year; those not mailed do not
    for name in ("counter", "mail", "resent", "sixty", "too_early", "old_holder", "newcomer",
                 "counter_march", "last_day", "april"):  # fmt: skip
        assert pass_of(year, name, NEXT_FY) is not None, name
    for name in ("moved_out", "died_march", "never", "declined", "returned"):
        assert pass_of(year, name, NEXT_FY) is None, name


def _events(year):
    """``[(moment, step)]`` of the whole year."""
    events = [(datetime.combine(d, datetime.min.time()).replace(hour=6),
               lambda d=d: host_extract(year, d)) for d in _extract_days()]  # fmt: skip
    day = date(2027, 3, 1)
    while day <= date(2027, 3, 31):
        events.append((datetime(2027, 3, day.day, 18, 30), lambda d=day: daily_batch_job(year, d)))
        day += timedelta(days=1)
    steps = [
        (
            date(2026, 4, 1),
            lambda: counter_issue(year, "old_holder", date(2024, 6, 1), now=date(2026, 4, 1)),
        ),  # fmt: skip
        (date(2026, 4, 10), lambda: counter_issue(year, "counter", date(2026, 4, 10))),
        (date(2026, 4, 15), lambda: counter_issue(year, "declined", date(2026, 4, 15))),
        (date(2026, 4, 20), lambda: counter_issue(year, "moved_out", date(2026, 4, 20))),
        (date(2026, 5, 1), lambda: counter_issue(year, "died_march", date(2026, 5, 1))),
        (date(2026, 5, 12), lambda: mail_issue(year, "mail", date(2026, 5, 12))),
        (date(2026, 6, 3), lambda: mail_issue(year, "resent", date(2026, 6, 3))),
        (date(2026, 6, 3), lambda: mail_issue(year, "returned", date(2026, 6, 3))),
        (date(2026, 6, 20), lambda: returned(year, "resent", date(2026, 6, 20))),
        (date(2026, 6, 20), lambda: returned_by_command(year, "returned", date(2026, 6, 20))),
        (date(2026, 6, 25), lambda: resent(year, "resent", date(2026, 6, 25))),
        (date(2026, 7, 16), lambda: check_turned_sixty(year)),
        (date(2026, 8, 3), lambda: counter_issue(year, "sixty", date(2026, 8, 3))),
        (date(2026, 11, 5), lambda: stop_mailing(year, "declined", date(2026, 11, 5))),
        (date(2027, 2, 16), lambda: check_moved_out(year)),
        (date(2027, 3, 1), lambda: check_moved_in(year)),
        (date(2027, 2, 26), lambda: check_too_early(year)),
        (date(2027, 3, 5), lambda: newcomer_applies(year)),
        (date(2027, 3, 10), lambda: counter_in_march(year)),
        (date(2027, 3, 12), lambda: second_next_year_refused(year)),
        (date(2027, 3, 23), lambda: run_mass_mailing(year)),
        (datetime(2027, 3, 31, 19), lambda: last_day_applies(year)),
        (date(2027, 4, 1), lambda: april_batch_by_command(year)),
        (date(2027, 4, 2), lambda: april(year)),
    ]
    for moment, step in steps:
        if not isinstance(moment, datetime):
            moment = datetime.combine(moment, datetime.min.time()).replace(hour=10)
        events.append((moment, step))
    return sorted(events, key=lambda e: e[0])


def test_yearly_cycle(app, db, frozen_clock, login, user, tmp_path):
    from app.offices.services import by_code

    year = Year(app, db, frozen_clock, login, user, by_code("HQ"), tmp_path)
    _cast(year)
    for _moment, step in _events(year):
        step()
    # the 順次発送 letters: one batch a day with letters, in the order of application
    assert batch_people(year) == [
        (date(2027, 3, 5), ["newcomer"]),
        (date(2027, 3, 10), ["counter_march"]),
        (date(2027, 4, 1), ["last_day"]),
    ]
    # newly eligible after each extract: the man who turned 60, the newcomer
    assert newly_eligible_records(year) == [
        ("sixty", "turned_60", date(2026, 7, 16)),
        ("newcomer", "moved_in", date(2027, 3, 1)),
    ]
    # the scheduler's job ran every evening of March; two evenings had letters
    jobs = db.session.scalars(select(JobRun).where(JobRun.job_id == "march.batch")).all()
    assert len(jobs) == 31
    assert {j.status for j in jobs} == {"ok"}
    assert sorted(j.message for j in jobs if j.message.startswith("March batch")) == [
        "March batch 1: 1 letters (900001-900001)",
        "March batch 2: 1 letters (900002-900002)",
    ]
    first = db.session.scalars(select(MarchBatch).order_by(MarchBatch.id)).first()
    letter = page_texts(batches.file_path(first, batches.LETTERS_FILE).read_bytes())[0]
    assert "試験" in letter
    assert "newcomer" in letter
    assert "900001" in letter
    assert "令和9年度" in letter
    assert "令和9年3月5日" in letter
