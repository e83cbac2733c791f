"""Reading import runs for the screens: the list, the rejected records, the
people a run excluded."""

from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db
from app.history.models import ChangeLog
from app.hostlink.models import ImportRun, ImportRunRejection
from app.residents.models import Resident


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))


def _page(query, count_query, page, per_page):
    total = db.session.execute(count_query).scalar_one()
    page = min(max(1, page), max(1, -(-total // per_page)))
    items = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items, total, page, per_page)


def list_runs(page=1, per_page=30):
    """Import runs, newest first."""
    query = select(ImportRun).order_by(ImportRun.id.desc())
    result = _page(query, select(func.count(ImportRun.id)), page, per_page)
    result.items = [row[0] for row in result.items]
    return result


def rejections(run_id, page=1, per_page=100):
    """The records a run rejected, in file order."""
    query = (
        select(ImportRunRejection)
        .where(ImportRunRejection.run_id == run_id)
        .order_by(ImportRunRejection.line_no, ImportRunRejection.id)
    )
    count = select(func.count(ImportRunRejection.id)).where(ImportRunRejection.run_id == run_id)
    result = _page(query, count, page, per_page)
    result.items = [row[0] for row in result.items]
    return result


def excluded_people(run_id, page=1, per_page=100):
    """The people a run excluded, with their state now.

    :returns: a :class:`Page` of ``(Resident, ChangeLog)`` rows.
    """
    condition = (ChangeLog.source == f"hostlink:{run_id}") & (ChangeLog.action == "exclude")
    query = (
        select(Resident, ChangeLog)
        .join(ChangeLog, ChangeLog.resident_id == Resident.id)
        .where(condition)
        .order_by(Resident.kana_key, Resident.id)
    )
    count = select(func.count(ChangeLog.id)).where(condition)
    result = _page(query, count, page, per_page)
    result.items = [tuple(row) for row in result.items]
    return result
