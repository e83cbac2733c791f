"""Helpers of the screens shared by the feature packages, and the REST API.

* ``labels`` — display labels of the stored codes.
* ``display`` — the office list per request, history in words, search result rows.
* ``jinja`` — template filters and gettext.
* ``fragments`` — page fragments rendered once per role set.
* ``static_files`` — the static files through WhiteNoise: compressed, fingerprinted,
  cached for good.
* ``api`` — the read-only REST API of people and passes.

May import app.clock, app.text, app.offices, app.residents (models), app.passes
(models), app.applications (labels), app.audit and app.security; imported by
app.passes, app.residents, app.letters, app.security and app.create_app.
"""
