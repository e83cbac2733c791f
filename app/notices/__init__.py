"""お知らせ: the people who became 事業対象者 with each applied host extract,
and the postcard (郵便はがき, 100 × 148 mm) that tells them they can apply.

Modules:

* ``reasons`` — why a person became eligible (turned 60, moved in, a category
  gained, other): the rule alone, pure;
* ``detection`` — recording the newly eligible people of an applied import
  run (:class:`~app.notices.models.NewlyEligible`), once per run;
* ``runs`` — who is sent a postcard (not those with a pass for the fiscal
  year, nor 送付停止), the PDF and its list, the records of a run;
* ``postcard`` — the postcard's context; ``lists`` — the Excel list;
* ``services`` — reads for the screens and the statistics
  (:func:`~app.notices.services.counts_by_reason`);
* ``jobs`` — after an import (the host link calls
  :func:`~app.notices.jobs.extract_applied`), monthly, the scheduler's job;
* ``views``, ``cli``, ``messages``, ``models``.

May import app.db, app.text, app.audit, app.errors, app.extensions,
app.clock, app.files, app.letters (the PDF renderer and the address helpers
of the cover letters), app.passes (models, the 送付先 rule), app.residents
(models), app.offices (models), app.history (models), app.hostlink (its
models) and app.mailing.stops (送付停止).  Imported by app.models,
app.features, the scheduler's job list (by name) and app.hostlink.imports
(the hook after an applied extract, imported when it runs).
"""
