"""The eleven offices (交付場所)."""

import json
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.offices.models import Office

SEED_FILE = Path(__file__).resolve().parent.parent / "data" / "offices.json"


def seed_offices():
    """Create or update the offices from the seed file; safe to run again.

    :returns: the number of offices created.
    """
    created = 0
    seeds = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    existing = {o.code: o for o in db.session.query(Office).all()}
    for order, seed in enumerate(seeds):
        office = existing.get(seed["code"])
        if office is None:
            office = Office(code=seed["code"])
            db.session.add(office)
            created += 1
        office.name = seed["name"]
        office.is_headquarters = seed.get("is_headquarters", False)
        office.phone = seed.get("phone")
        office.sort_order = order
    db.session.commit()
    return created


def all_offices():
    """The offices in their order, as rows of ``id, code, name, is_headquarters``
    (plain rows: every list screen reads them for its drop-down)."""
    return db.session.execute(
        select(Office.id, Office.code, Office.name, Office.is_headquarters).order_by(
            Office.sort_order
        )
    ).all()


def by_code(code):
    return db.session.query(Office).filter_by(code=code).one_or_none()
