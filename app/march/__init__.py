"""March applications (順次発送): passes for the NEXT fiscal year applied for
between the mass mailing's cut-off and 31 March, and the daily batches of
their letters.

The mass mailing of 23 March is chosen from the data of its cut-off (the end
of February by default); whoever applies after that day is issued next year's
pass one by one (順次発送): numbered in a series of its own that starts at
``MARCH_CONTROL_NO_START`` (after any mass mailing's block, whenever that
runs), and, when sent by mail, mailed in a daily batch of letters.

Modules:

- :mod:`.window` — when a next-year application may be made (the cut-off of
  the year's mass-mailing run, else the end of February, to 31 March);
- :mod:`.numbers` — the 順次発送 series of 整理番号;
- :mod:`.services` — recording a next-year pass (the rules, then
  :func:`app.passes.issuance.issue_pass`);
- :mod:`.batches` — the daily batch: its letters (the cover letters of
  :mod:`app.letters.covers`) and mailing list, files and downloads;
- :mod:`.models` — the counter, the batches and their letters;
- :mod:`.views`, :mod:`.cli`, :mod:`.jobs` — the batches screen, ``flask march
  batch``, the scheduler's daily job (``app.march.jobs:daily_batch``).

May import app.clock, app.db, app.errors, app.extensions, app.audit,
app.letters (covers, pdf, printing, models, mass_mailing), app.passes,
app.residents.models, app.text, app.web; imported by app.passes.views (the
issue form's year choice), app.features, app.models and the scheduler's job
store (by name).
"""
