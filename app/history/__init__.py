"""Change history (ChangeLog) of people and passes: who, when, before → after.

* ``models`` — the history row.
* ``services`` — snapshots, differences, recording and reading history.

May import app.extensions and app.clock; imported by app.passes,
app.residents, app.letters, app.hostlink, app.demo and app.models.
"""
