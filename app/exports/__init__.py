"""Excel and CSV export of the lists: search results (every page), the pass
list with its filters, returns awaiting action, people excluded by the host
extract waiting for review, import runs and staff accounts.

* :mod:`.download` — the streamed download response (RFC 5987 Japanese file
  names, ``Cache-Control: no-store``), also used by :mod:`app.stats`;
* :mod:`.lists` — each list's header and rows, read from the database in
  batches (a generator; 89,000 people are never held at once);
* :mod:`.views` — one route per list and format, each in the permission
  group of the list it exports; every export of personal data writes one
  access-log row naming everyone exported (``people=``).

Every file is written by :mod:`app.files.tables` (formula-like cells
neutralised).  May import app.audit, app.errors, app.extensions, app.clock,
app.files, app.history.models, app.hostlink.models, app.offices, app.passes,
app.residents, app.security, app.text and app.web; imported by app.features
and app.stats (``download``).
"""
