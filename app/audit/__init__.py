"""The access log (アクセスログ): search, CSV export and retention.

Rows are written by :func:`app.audit.writer.record`; nothing here changes or
deletes one except :func:`app.audit.logs.purge`, and only past the retention
period, which the database enforces with a trigger (migration 0004).
"""
