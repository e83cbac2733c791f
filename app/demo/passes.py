"""A plausible, deterministic history of passes and events for dummy people.

:func:`plan_history` decides, without touching the database, who was excluded,
who has a 送付先 or a note, and which passes were issued in the last fiscal
years (with reissues, returned mail and resends), following the rules of
:mod:`app.passes.issuance`: one valid pass per person and year, issue dates
never in the future nor after an exclusion, application on or before issue.
``flask demo-data`` turns the plan into rows.

About 72 % of the people hold a pass in a given year (90 % of holders renew,
mostly by the April mailing), which gives close to 2.9 passes per person over
four years: 89,086 people → about 260,000 passes.
"""

import datetime
import random

from app.text.wareki import fiscal_year_end, fiscal_year_of, fiscal_year_start

__all__ = ["PlannedPass", "plan_history"]

_DAY = datetime.timedelta(days=1)

EXCLUSION_WEIGHTS = (
    ("deceased", 40),
    ("moved_out", 35),
    ("lost_eligibility", 10),
    ("not_extracted", 7),
    ("struck_off", 5),
    ("other", 3),
)
_FACILITIES = (
    ("特別養護老人ホーム新宿けやき苑", "1690072", "東京都新宿区大久保３－１－２"),
    ("介護老人保健施設落合の里", "1610033", "東京都新宿区下落合２－５－８"),
    ("グループホームかぐらざか", "1620825", "東京都新宿区神楽坂５－１２－３"),
)
_FAMILY_PLACES = (
    ("1640001", "東京都中野区中野２－１４－５"),
    ("1710022", "東京都豊島区南池袋１－２－３"),
    ("1500001", "東京都渋谷区神宮前４－８－１"),
    ("1130033", "東京都文京区本郷３－２６－７"),
)
_NOTES = (
    "耳が遠いため、窓口では筆談でお願いします。",
    "代理人（長女）が来庁することが多い。",
    "郵送物は午前中に届くよう依頼あり。",
    "施設入所予定。送付先の変更に注意。",
)


def _weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    pick = rng.uniform(0, total)
    for value, weight in pairs:
        pick -= weight
        if pick <= 0:
            return value
    return pairs[-1][0]


def _day_between(rng, first, last):
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def _person_extras(rng, person, today, first_fy):
    """Exclusion, 送付先 and note of one person (a dict of Resident columns)."""
    extras = {}
    if rng.random() < 0.03:
        reason = _weighted(rng, EXCLUSION_WEIGHTS)
        extras.update(
            status="excluded",
            exclusion_reason=reason,
            excluded_on=_day_between(rng, fiscal_year_start(first_fy), today),
            needs_review=reason == "not_extracted" and rng.random() < 0.5,
        )
    roll = rng.random()
    if roll < 0.006:
        name, postal, address = rng.choice(_FACILITIES)
        extras.update(
            mail_reason="facility",
            mail_kind="facility",
            mail_name=name,
            mail_postal_code=postal,
            mail_address=address,
        )
    elif roll < 0.011:
        postal, address = rng.choice(_FAMILY_PLACES)
        surname = person["name"].split("\u3000")[0]
        extras.update(
            mail_reason="family",
            mail_kind="family",
            mail_name=f"{surname}\u3000一郎",
            mail_postal_code=postal,
            mail_address=address,
        )
    elif roll < 0.012:
        postal, address = rng.choice(_FAMILY_PLACES)
        extras.update(
            mail_reason="other",
            mail_kind="other",
            mail_name=person["name"],
            mail_postal_code=postal,
            mail_address=address,
        )
    if rng.random() < 0.02:
        extras["note"] = rng.choice(_NOTES)
    return extras


class PlannedPass:
    """One planned pass, read and written like a dict (``p["issued_on"]``).

    Slots rather than a dict: a city of 1.2 million people plans some 3.5
    million passes, and a dict of 14 keys costs five times the memory.
    """

    __slots__ = (
        "key",
        "person",
        "fiscal_year",
        "kind",
        "reissue_reason",
        "applied_on",
        "issued_on",
        "office",
        "method",
        "status",
        "superseded_by",
        "returned_on",
        "resent_on",
        "created_at",
    )

    def __init__(self, **fields):
        for name in self.__slots__:
            setattr(self, name, fields.pop(name, None))
        if fields:
            raise TypeError(f"not fields of a planned pass: {sorted(fields)}")

    def __getitem__(self, name):
        return getattr(self, name)

    def __setitem__(self, name, value):
        setattr(self, name, value)

    def __repr__(self):
        return f"PlannedPass({', '.join(f'{n}={self[n]!r}' for n in self.__slots__)})"


class _Planner:
    """The passes planned so far, and the draws that plan the next ones.

    Every draw comes from one seeded generator in a fixed order, so a seed
    always gives the same plan.
    """

    def __init__(self, rng, office_codes, today, first_fy):
        self.rng = rng
        self.today = today
        self.first_fy = first_fy
        self.hq, self.branches = office_codes[0], list(office_codes[1:])
        self.passes = []

    def counter_office(self):
        if self.rng.random() < 0.35 or not self.branches:
            return self.hq
        return self.rng.choice(self.branches)

    def add(self, **fields):
        """Plan one pass (recorded at a random time of its day of issue)."""
        fields["key"] = len(self.passes)
        fields.setdefault("status", "valid")
        fields.setdefault("superseded_by", None)
        fields.setdefault("reissue_reason", None)
        fields.setdefault("returned_on", None)
        fields.setdefault("resent_on", None)
        minutes = self.rng.randrange(8 * 60 + 30, 17 * 60)
        fields["created_at"] = datetime.datetime.combine(
            fields["issued_on"], datetime.time(minutes // 60, minutes % 60)
        )
        planned = PlannedPass(**fields)
        self.passes.append(planned)
        return planned

    def holds_pass(self, fy, had_last_year):
        """Whether the person holds a pass in ``fy``: most holders renew."""
        if had_last_year:
            return self.rng.random() < 0.9
        return self.rng.random() < (0.72 if fy == self.first_fy else 0.26)

    def issue(self, start, last_day, renewal, april_mailing):
        """``(method, office, applied, issued)`` of a year's first pass: renewals
        mostly by the April mailing, some mailed on request, the rest at a counter."""
        rng = self.rng
        if renewal and rng.random() < 0.75:
            issued = _day_between(rng, start, min(april_mailing, last_day))
            return "mail", self.hq, issued - datetime.timedelta(days=rng.randint(5, 30)), issued
        if rng.random() < 0.12:
            issued = _day_between(rng, start, last_day)
            applied = max(start, issued - datetime.timedelta(days=rng.randint(1, 14)))
            return "mail", self.hq, applied, issued
        office = self.counter_office()
        issued = _day_between(rng, start, last_day)
        return "counter", office, issued, issued

    def maybe_returned(self, first):
        """A few mailed passes come back, and half of those are sent again."""
        rng = self.rng
        if first["method"] != "mail" or rng.random() >= 0.012:
            return
        returned = first["issued_on"] + datetime.timedelta(days=rng.randint(3, 20))
        if returned > self.today:
            return
        first["returned_on"] = returned
        if rng.random() < 0.5:
            resent = returned + datetime.timedelta(days=rng.randint(1, 30))
            if resent <= self.today:
                first["resent_on"] = resent

    def maybe_reissued(self, first, last_day):
        """A few passes are lost or damaged and reissued at a counter."""
        rng = self.rng
        issued = first["issued_on"]
        if not (rng.random() < 0.015 and issued + _DAY <= last_day):
            return
        again = _day_between(rng, issued + _DAY, last_day)
        office = first["office"] if rng.random() < 0.7 else self.counter_office()
        reason = "lost" if rng.random() < 0.6 else "damaged"
        second = self.add(
            person=first["person"],
            fiscal_year=first["fiscal_year"],
            kind="reissue",
            reissue_reason=reason,
            applied_on=again,
            issued_on=again,
            office=office,
            method="counter",
        )
        first["status"] = "superseded"
        first["superseded_by"] = second["key"]

    def plan_year(self, fy, people, extras, held_in):
        """Plan the passes of fiscal year ``fy``; ``held_in`` keeps, per person,
        the last fiscal year they held a pass."""
        start = fiscal_year_start(fy)
        end = min(fiscal_year_end(fy), self.today)
        april_mailing = min(start + datetime.timedelta(days=14), self.today)
        for index, person in enumerate(people):
            last_day = _last_day(extras[index], start, end)
            if last_day is None or person["birth_date"] >= start:
                continue
            had_last_year = held_in[index] == fy - 1
            if not self.holds_pass(fy, had_last_year):
                continue
            # Most first-year holders already held a pass before the window.
            renewal = had_last_year or (fy == self.first_fy and self.rng.random() < 0.85)
            method, office, applied, issued = self.issue(start, last_day, renewal, april_mailing)
            first = self.add(
                person=index,
                fiscal_year=fy,
                kind="renewal" if renewal else "new",
                applied_on=applied,
                issued_on=issued,
                office=office,
                method=method,
            )
            held_in[index] = fy
            self.maybe_returned(first)
            self.maybe_reissued(first, last_day)


def _last_day(extra, start, end):
    """The last day of the year a person can be issued a pass, or None when
    they were excluded before the year began."""
    excluded_on = extra.get("excluded_on")
    if excluded_on is None:
        return end
    if excluded_on <= start:
        return None
    return min(end, excluded_on - _DAY)


def plan_history(people, office_codes, today, seed=0, years=4):
    """Plan exclusions, 送付先, notes and passes for ``people``.

    :param people: dicts from :func:`app.demo.people.generate_people`.
    :param office_codes: office codes, the main office (``"HQ"``) first.
    :param today: the last day anything may happen on.
    :param years: number of fiscal years, the current one included.
    :returns: ``(extras, passes)``: ``extras[i]`` holds the extra Resident
        columns of ``people[i]``; each pass is a :class:`PlannedPass` with ``person`` (index),
        ``key`` (its position in the plan), ``fiscal_year, kind,
        reissue_reason, applied_on, issued_on, office, method, status,
        superseded_by`` (key of the replacing pass), ``returned_on,
        resent_on`` and ``created_at``.  Passes are in order of issue within
        each fiscal year, so 整理番号 can be handed out in that order.
    """
    rng = random.Random(f"fureai-demo-history-{seed}")
    current_fy = fiscal_year_of(today)
    first_fy = current_fy - years + 1
    extras = [_person_extras(rng, person, today, first_fy) for person in people]
    planner = _Planner(rng, office_codes, today, first_fy)
    held_in = [None] * len(people)
    for fy in range(first_fy, current_fy + 1):
        planner.plan_year(fy, people, extras, held_in)
    passes = planner.passes
    passes.sort(key=lambda p: (p.fiscal_year, p.issued_on, p.created_at, p.key))
    return extras, passes
