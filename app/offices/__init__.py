"""The eleven offices (交付場所) where passes are issued.

* ``models`` — the office row.
* ``services`` — reading the offices and loading them from their data file.

May import app.extensions; imported by app.web, app.home, app.letters,
app.security, app.demo, app.setup and app.models.
"""
