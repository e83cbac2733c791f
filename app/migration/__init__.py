"""The go-live migration of the Excel ledger (データ移行) and the record of its
erasure (消去記録).

A workbook is read by the pure reader :mod:`app.ledger`, checked against the
database (``plan``: matched, created as excluded, rejected, already present)
and, once a supervisor confirms, imported in one transaction (``apply``,
``runs``).  Modules:

* ``models`` — the runs, their report lines, the migrated passes' provenance,
  the erasure records (append-only in the database);
* ``plan`` — what an import would do, computed without writing;
* ``apply`` — the database's snapshot for the plan and the plan's writing;
* ``runs`` — one run's steps (check, import, refusal) and its record;
* ``report`` — the report's figures as plain data; ``documents`` — the report
  as PDF and Excel, the 消去証明書;
* ``files`` — the uploaded copy, deleted (and recorded) after the import;
* ``erasure`` — erasure records; ``cli``; ``views``; ``jobs`` — running a run
  in the background of the web worker.

May import app.ledger, app.db, app.text, app.audit, app.errors, app.clock,
app.extensions, app.files, app.web, app.letters.pdf (rendering), and the
models and row builders of app.residents, app.passes, app.offices and
app.history; nothing imports it but app.models and app.features.
"""
