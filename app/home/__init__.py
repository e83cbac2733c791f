"""The home page: the signed-in user's office's work today.

* ``figures`` — today's counts per office.
* ``views`` — the index view.

May import app.extensions, app.clock, app.audit, app.passes, app.offices; nothing imports
it but app.features.
"""
