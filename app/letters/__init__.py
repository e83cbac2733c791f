"""Printed documents: cover letters (送付状), the annual mass mailing (一斉発送),
returned mail (返戻) and the daily processing checklist (日別処理状況リスト).

Modules:

- :mod:`.pdf` — the one way to make a PDF (xhtml2pdf, closed resource policy);
- :mod:`.printing` — text measured with the fonts' metrics and cut to fit;
- :mod:`.covers` — the cover letter of a pass, one or many;
- :mod:`.mass_mailing` — the annual mass mailing (a package: selection, runs,
  issuing, rendering, outputs);
- :mod:`.checklist` — the daily processing checklist, printed and stored;
- :mod:`.models` — the mass-mailing run and its letter list;
- :mod:`.views`, :mod:`.cli`, :mod:`.jobs` — screens, commands, scheduled jobs.

May import app.db, app.audit, app.errors, app.extensions, app.clock,
app.history.models, app.offices, app.passes, app.residents.models,
app.security.models, app.text, app.web, app.applications; nothing imports it
but app.applications (its models: which passes a mass mailing made), app.features
(views, commands), app.models (its tables), app.march (the cover letters, the
mass mailing's cut-off and mailing list) and the scheduler's job store
(``app.letters.jobs`` by name).
"""
