"""Dummy host extracts (``flask demo-extract``), made from the demo people.

The people are those of :func:`app.demo.people.generate_people`, so an extract
with the same count and seed as ``flask demo-data`` matches the demo database.
The "fortnight later" variant changes what a fortnight usually brings, in
proportions like the ward's: about 1 % new people, 2 % changed (moved within
the ward, new phone, new surname), 1 % leaving (moved out, deceased, struck
off, or no longer in any category).
"""

import datetime
import random
from pathlib import Path

from app.demo.people import generate_people
from app.hostlink.writer import build_extract
from app.hostlink.writer import write_extract as write_extract_to

NEW_RATIO = 0.01
CHANGED_RATIO = 0.02
LEAVING_RATIO = 0.01
# How the leavers leave: status code (1 = still a resident, all flags 0).
LEAVING_KINDS = ((2, 0.45), (3, 0.30), (4, 0.05), (1, 0.20))


def file_name(as_of):
    return f"FUREAI_{as_of:%Y%m%d}.DAT"


def next_extract_day(day):
    """The host's next extract day (1st or 16th) after ``day``."""
    if day.day < 16:
        return day.replace(day=16)
    first_next = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return first_next


def _leave(person, rng, as_of, previous):
    status = rng.choices([k for k, _ in LEAVING_KINDS], [w for _, w in LEAVING_KINDS])[0]
    left = dict(person)
    if status == 1:
        left.update(is_elderly=False, is_disabled=False, is_child_allowance=False)
        return left
    span = max((as_of - previous).days, 1)
    left.update(status=status, status_changed_on=previous + datetime.timedelta(rng.randrange(span)))
    return left


def _change(person, rng, donors):
    changed = dict(person)
    kind = rng.random()
    if kind < 0.6:
        donor = rng.choice(donors)
        changed.update(
            postal_code=donor["postal_code"], address=donor["address"], address2=donor["address2"]
        )
    elif kind < 0.85:
        changed["phone"] = f"03-{rng.randint(3000, 6999)}-{rng.randint(0, 9999):04d}"
    else:  # a new surname (marriage), reading included
        donor = rng.choice(donors)
        given = person["name"].split("\u3000", 1)[1]
        kana_given = person["kana"].split(" ", 1)[1]
        changed["name"] = donor["name"].split("\u3000", 1)[0] + "\u3000" + given
        changed["kana"] = donor["kana"].split(" ", 1)[0] + " " + kana_given
    return changed


def _fortnight_plan(people, seed):
    """``(rng, leaving, changing)``: who leaves and who changes, drawn first."""
    rng = random.Random(seed * 7919 + 16)
    count = len(people)
    indices = list(range(count))
    rng.shuffle(indices)
    n_leaving = round(count * LEAVING_RATIO)
    n_changed = round(count * CHANGED_RATIO)
    leaving = set(indices[:n_leaving])
    changing = set(indices[n_leaving : n_leaving + n_changed])
    return rng, leaving, changing


def _fortnight_records(people, new, plan, previous, as_of):
    rng, leaving, changing = plan
    for index, person in enumerate(people):
        if index in leaving:
            yield _leave(person, rng, as_of, previous)
        elif index in changing:
            yield _change(person, rng, people)
        else:
            yield person
    yield from new


def fortnight_records(people, extra_people, seed, previous, as_of):
    """The people of the next extract, one at a time: ``people`` with a
    fortnight's changes, then the newcomers.

    :param extra_people: candidates for the new people (their numbers come
        after those of ``people``).
    :returns: ``(records, summary)`` — an iterator of the people to write and
        the counts.
    """
    plan = _fortnight_plan(people, seed)
    new = extra_people[: round(len(people) * NEW_RATIO)]
    summary = {"new": len(new), "changed": len(plan[2]), "leaving": len(plan[1])}
    return _fortnight_records(people, new, plan, previous, as_of), summary


def fortnight_later(people, extra_people, seed, previous, as_of):
    """:func:`fortnight_records` as a list."""
    records, summary = fortnight_records(people, extra_people, seed, previous, as_of)
    return list(records), summary


def _demo_files(count, seed, as_of, changes, reference):
    """``(file name, as_of, records, summary)`` of each dummy extract."""
    extra = round(count * NEW_RATIO) if changes else 0
    everyone = generate_people(count + extra, seed=seed, reference=reference)
    people, newcomers = everyone[:count], everyone[count:]
    yield file_name(as_of), as_of, people, {"people": len(people)}
    if changes:
        later = next_extract_day(as_of)
        records, summary = fortnight_records(people, newcomers, seed, as_of, later)
        yield file_name(later), later, records, summary


def build_demo_extracts(count, seed, as_of, changes=False, reference=None):
    """The dummy extract files, in memory.

    :param reference: the day ages are counted on (see ``generate_people``).
    :returns: list of ``(file name, bytes, summary)``; two files with ``changes``.
    """
    return [
        (name, build_extract(day, records), summary)
        for name, day, records, summary in _demo_files(count, seed, as_of, changes, reference)
    ]


def write_demo_extracts(folder, count, seed, as_of, changes=False, reference=None):
    """The dummy extract files streamed to ``folder`` (the same bytes as
    :func:`build_demo_extracts`, without holding a whole file in memory).

    :returns: list of ``(path, size in bytes, summary)``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, day, records, summary in _demo_files(count, seed, as_of, changes, reference):
        target = folder / name
        with target.open("wb") as out:
            size = write_extract_to(out, day, records)
        target.with_suffix(".END").write_bytes(b"")
        written.append((target, size, summary))
    return written


def write_extract(folder, name, data):
    """Write ``name`` and then its empty ``.END`` trigger, as the host does."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_bytes(data)
    target.with_suffix(".END").write_bytes(b"")
    return target
