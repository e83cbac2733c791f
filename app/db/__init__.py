"""Database plumbing shared by every feature; imports no feature.

* ``transaction`` — the one transaction helper (:func:`~app.db.transaction.transaction`,
  :func:`~app.db.transaction.transactional`): validate, then write, then commit once.
* ``bulk`` — the one bulk-write module: many rows through ``executemany`` on
  SQLite and ``COPY`` on PostgreSQL, index drop and rebuild around a first load.
* ``sqlite`` — the connection pragmas SQLite needs to behave like a server database.

May import: SQLAlchemy, :mod:`app.extensions`, :mod:`app.errors`.
"""
