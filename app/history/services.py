"""Change history of residents and passes (who, when, before → after)."""

import functools
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, select

from app.extensions import db
from app.history.models import ChangeLog

log = logging.getLogger(__name__)


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def snapshot(obj: object, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` of ``obj``, JSON-ready."""
    return {f: _plain(getattr(obj, f)) for f in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value changed."""
    return {f: [before.get(f), after.get(f)] for f in after if before.get(f) != after.get(f)}


def history_row(
    entity: str,
    entity_id: int,
    resident_id: int,
    action: str,
    changes: Mapping[str, Any],
    at: datetime,
    user_id: int | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """One history row as a plain dict for the bulk writers (``app.db.bulk``)
    of the ledger import and the dummy data: ``changes`` already JSON-ready."""
    return {
        "entity": entity,
        "entity_id": entity_id,
        "resident_id": resident_id,
        "action": action,
        "changes": changes,
        "user_id": user_id,
        "source": source,
        "changed_at": at,
    }


def record(
    entity: str,
    entity_id: int,
    resident_id: int,
    action: str,
    changes: Mapping[str, Sequence[Any]],
    user: Any = None,
    source: str | None = None,
    at: datetime | None = None,
) -> Any:
    """Add one history row to the session (the caller commits).

    :param changes: ``{field: [before, after]}``.
    """
    from app import clock

    row = ChangeLog(
        entity=entity,
        entity_id=entity_id,
        resident_id=resident_id,
        action=action,
        changes={k: [_plain(v[0]), _plain(v[1])] for k, v in changes.items()},
        user_id=getattr(user, "id", None),
        source=source,
        changed_at=at or clock.now(),
    )
    db.session.add(row)
    return row


@functools.cache
def _for_resident_statement() -> Select[Any]:
    # Built once per process: the person's page runs it on every view, and
    # building the statement cost more than running it.
    return (
        select(ChangeLog)
        .where(ChangeLog.resident_id == bindparam("resident_id"))
        .order_by(ChangeLog.changed_at.desc(), ChangeLog.id.desc())
        .limit(bindparam("limit"))
    )


def for_resident(resident_id: int, limit: int = 200) -> list[Any]:
    """History rows of a resident and their passes, newest first."""
    rows = db.session.execute(
        _for_resident_statement(), {"resident_id": resident_id, "limit": limit}
    )
    return list(rows.scalars())
