"""送付停止 (stop mailing) and returned mail (返戻) — issue 12.

Modules:

- :mod:`.models` — ``mail_stop`` (a person's stops, lifted not deleted) and
  ``return_clearance`` (a clerk's clearing of a returned letter);
- :mod:`.stops` — stop, resume, 返還 at a window; :func:`~.stops.active_stop_ids`
  and :func:`~.stops.is_stopped` for the other features;
- :mod:`.scan` — reading typed or scanned 整理番号 (pure: no Flask, no database);
- :mod:`.returned` — many returns at once, the 返戻未解決 rule of the mass
  mailing, clearing a return;
- :mod:`.notmailed` — the people a mass mailing does not mail, as PDF and Excel;
- :mod:`.forms`, :mod:`.views`, :mod:`.cli` — the person's page panel, the
  returns batch screen, the not-mailed downloads; ``flask mailing stop|resume``
  and ``flask letters returned`` (added to the letters group by app.letters.cli).

May import app.audit, app.clock, app.db, app.errors, app.extensions,
app.files, app.history, app.letters (pdf; mass_mailing and models in the
views only), app.passes, app.residents, app.security.models, app.text, app.web.
Imported by app.letters (the selection and the command line), app.web.api,
app.models and app.features.  See docs/mailing.md.
"""
