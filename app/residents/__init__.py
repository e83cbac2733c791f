"""People (事業対象者): searching them, one person's record, corrections.

* ``models`` — the person, their codes and categories (:func:`models.categories_of`).
* ``search`` — the search box, the filters and one page of results.
* ``grams`` — the bigram index of names (FTS5 on SQLite, GIN over ``text[]``
  on PostgreSQL): its column type, its database objects, lookups, rebuild.
* ``cli`` — ``flask search rebuild-index``.
* ``records`` — the person, their passes and history, the issue form's defaults.
* ``corrections`` — master data, 送付先, exclusion, reinstatement, review.
* ``forms`` — the people and pass forms (WTForms).
* ``views`` — the search screen, the person's page, the correction screens.

May import app.db, app.errors, app.clock, app.extensions, app.history,
app.audit, app.text, app.security, app.offices (models), app.passes (models), app.applications
(``destinations``, ``labels``, ``codes``) and app.web; imported
by app.passes, app.web, app.letters, app.hostlink, app.demo, app.models and
app.features.
"""
