"""整理番号 (control numbers): one counter row per fiscal year."""

from sqlalchemy import Insert, Table, insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from app.extensions import db
from app.passes.models import ControlNumberCounter

__all__ = ["allocate_control_numbers"]


def allocate_control_numbers(
    fiscal_year: int, count: int = 1, counter: Table | None = None
) -> range:
    """Reserve ``count`` consecutive 整理番号 for ``fiscal_year``.

    The counter row is updated in the caller's transaction: the row lock
    (PostgreSQL) or the write lock (SQLite) makes two offices issuing at the same
    moment get different numbers, and a rolled-back transaction gives its
    numbers back, so no number is ever handed out twice.

    :param counter: another counter table of the same shape (``fiscal_year``,
        ``last_no``): the March applications' own series (:mod:`app.march.numbers`).
    :returns: a ``range`` of the reserved numbers.
    """
    table = ControlNumberCounter.__table__ if counter is None else counter
    create: Insert
    if db.session.get_bind().dialect.name == "postgresql":
        create = (
            pg_insert(table)
            .values(fiscal_year=fiscal_year, last_no=0)
            .on_conflict_do_nothing(index_elements=["fiscal_year"])
        )
    else:
        create = insert(table).values(fiscal_year=fiscal_year, last_no=0).prefix_with("OR IGNORE")
    db.session.execute(create)
    last: int = db.session.execute(
        update(table)
        .where(table.c.fiscal_year == fiscal_year)
        .values(last_no=table.c.last_no + count)
        .returning(table.c.last_no)
    ).scalar_one()
    return range(last - count + 1, last + 1)
