"""Statistics of the program (事業実績): the seed's table for any as-of date
and fiscal year, its breakdowns, the comparison with earlier years, and the
screen, PDF report, Excel workbook, command and REST API that show them.

Modules:

- :mod:`.queries` — the SQL aggregates (every figure one statement or a few;
  nothing loops over people in Python);
- :mod:`.services` — checking the as-of date and fiscal year, and the report
  as the JSON of the issue (:func:`~app.stats.services.build_report`);
- :mod:`.tables` — the report as titled tables (screen, PDF, Excel) and the
  seed's sentence;
- :mod:`.optional` — the figures of app.notices (newly eligible) and
  app.mailing (送付停止), left out when those features are not installed;
- :mod:`.charts` — server-side SVG bar and line charts (pure, typed);
- :mod:`.indexes` — the names of its PostgreSQL-only indexes (migration 0019);
- :mod:`.views`, :mod:`.api`, :mod:`.cli` — the screen, ``/api/v1/stats/``,
  ``flask stats``.

May import app.db, app.audit, app.errors, app.extensions, app.clock,
app.exports.download, app.files, app.letters.pdf, app.offices,
app.passes.models, app.residents.models, app.text and app.web; optionally
(when they exist) app.notices.models and app.mailing.models.  Nothing imports
it but app.features.
"""
