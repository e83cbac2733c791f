"""The access log (アクセスログ): writing it, search, CSV export and retention.

Rows are written by :func:`app.audit.writer.record`; nothing here changes or
deletes one except :func:`app.audit.logs.purge`, and only past the retention
period, which the database enforces with a trigger (migration 0004).

Modules: ``writer`` (one row per event, with the people a list showed),
``logs`` (search, export, purge), ``details`` (a row in Japanese words),
``views`` (the screen), ``cli`` (``flask audit``), ``models``.

May import app.db, app.errors, app.extensions, app.clock, app.text,
app.offices.models, app.web.labels (and app.web.display's field labels, when
a row is shown) and app.security.models; every feature that touches personal
data imports ``writer``.
"""
