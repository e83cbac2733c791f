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


def fortnight_later(people, extra_people, seed, previous, as_of):
    """The people of the next extract: ``people`` with a fortnight's changes.

    :param extra_people: candidates for the new people (their numbers come
        after those of ``people``).
    :returns: ``(records, summary)`` — the people to write and the counts.
    """
    rng = random.Random(seed * 7919 + 16)
    count = len(people)
    indices = list(range(count))
    rng.shuffle(indices)
    n_leaving = round(count * LEAVING_RATIO)
    n_changed = round(count * CHANGED_RATIO)
    leaving = set(indices[:n_leaving])
    changing = set(indices[n_leaving : n_leaving + n_changed])
    records = []
    for index, person in enumerate(people):
        if index in leaving:
            records.append(_leave(person, rng, as_of, previous))
        elif index in changing:
            records.append(_change(person, rng, people))
        else:
            records.append(person)
    new = extra_people[: round(count * NEW_RATIO)]
    records.extend(new)
    summary = {"new": len(new), "changed": len(changing), "leaving": len(leaving)}
    return records, summary


def build_demo_extracts(count, seed, as_of, changes=False, reference=None):
    """The dummy extract files.

    :param reference: the day ages are counted on (see ``generate_people``).
    :returns: list of ``(file name, bytes, summary)``; two files with ``changes``.
    """
    extra = round(count * NEW_RATIO) if changes else 0
    everyone = generate_people(count + extra, seed=seed, reference=reference)
    people, newcomers = everyone[:count], everyone[count:]
    files = [(file_name(as_of), build_extract(as_of, people), {"people": len(people)})]
    if changes:
        later = next_extract_day(as_of)
        records, summary = fortnight_later(people, newcomers, seed, as_of, later)
        files.append((file_name(later), build_extract(later, records), summary))
    return files


def write_extract(folder, name, data):
    """Write ``name`` and then its empty ``.END`` trigger, as the host does."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_bytes(data)
    target.with_suffix(".END").write_bytes(b"")
    return target
