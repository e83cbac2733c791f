"""Demo data (``flask demo-data``): dummy people, their pass history and one
account per role, never in production.

* ``people`` — deterministic dummy residents of 新宿区 (also used by the host-link demo).
* ``passes`` — a plausible history of passes and events for them (no database).
* ``accounts`` — the demo accounts.
* ``cli`` — the command that turns the plan into rows (through app.db.bulk).
* ``ledger`` / ``ledger_cli`` — ``flask demo-ledger``: the same people as an Excel
  ledger in the go-live migration's layout, with the clerks' faults (pure).

May import app.db, app.errors, app.clock, app.extensions, app.text,
app.security, app.residents, app.passes, app.offices, app.history, app.ledger
(its column tables and offices); imported by
app.hostlink (``people``) and app.features.
"""
