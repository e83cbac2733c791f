"""The one transaction helper: validate, then write, then commit once.

Every service that writes wraps its writes in :func:`transaction` (or
decorates itself with :func:`transactional`), in the spirit of Superset's
``@transaction``::

    check_rules(...)                      # raises DomainError, nothing written
    with transaction(conflict=_("…")):
        db.session.add(row)
        history.record(...)

The outermost block commits; a block inside another one (a service called by
another service, or many issues in one mass mailing) only flushes and leaves
the commit to the outer one, so a batch of calls is still one transaction.  On
any error the outermost block rolls back and the error is re-raised; a
database constraint violation (``IntegrityError``) becomes a
:class:`~app.errors.Conflict` when the caller gives its message.
"""

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import Conflict
from app.extensions import db

log = logging.getLogger(__name__)

_DEPTH = "app.db.transaction.depth"

P = ParamSpec("P")
R = TypeVar("R")


def depth(session: Session | None = None) -> int:
    """How many :func:`transaction` blocks are open on ``session``."""
    session = session if session is not None else db.session()
    return int(session.info.get(_DEPTH, 0))


@contextmanager
def transaction(conflict: object = None, session: Session | None = None) -> Iterator[Session]:
    """One unit of work on ``session`` (the request's session by default).

    :param conflict: the translated message of the
        :class:`~app.errors.Conflict` raised when the database refuses the
        writes with an integrity error; without it the error is re-raised as is.
    :param session: another session (a command's own), if not the request's.
    :raises Conflict: on an integrity error, when ``conflict`` is given.
    """
    session = session if session is not None else db.session()
    outer = depth(session)
    session.info[_DEPTH] = outer + 1
    try:
        yield session
        if outer:
            session.flush()
        else:
            session.commit()
    except IntegrityError as exc:
        if not outer:
            session.rollback()
        log.info("writes refused by the database: %s", exc.orig)
        if conflict is None:
            raise
        raise Conflict(conflict) from exc
    except BaseException:
        if not outer:
            session.rollback()
        raise
    finally:
        session.info[_DEPTH] = outer


def transactional(conflict: object = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator form of :func:`transaction` for a whole service function."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with transaction(conflict):
                return func(*args, **kwargs)

        return wrapper

    return decorate
