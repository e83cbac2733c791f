"""Dummy people and passes for tests (never real data)."""

import itertools
from datetime import date

from app.extensions import db
from app.residents.models import Resident

_numbers = itertools.count(1)


def make_resident(**overrides):
    """Add and commit a dummy resident; fields can be overridden."""
    n = next(_numbers)
    values = {
        "resident_no": f"{9000000000 + n:010d}",
        "name": "試験\u3000花子",
        "kana": "シケン ハナコ",
        "sex": 2,
        "birth_date": date(1955, 4, 1),
        "postal_code": "1600000",
        "address": "東京都新宿区試験町１－１",
        "address2": "",
        "phone": "",
        "is_elderly": True,
    }
    values.update(overrides)
    resident = Resident(**values)
    resident.set_search_keys()
    db.session.add(resident)
    db.session.commit()
    return resident
