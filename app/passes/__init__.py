"""Passes (ふれあい入浴証, 交付記録): the rules of issue, numbering, corrections,
returned mail and the pass screens.

* ``models`` — the pass row, the 整理番号 counter and their codes.
* ``rules`` — the pass rules, checked before anything is written.
* ``issuance`` — recording an issue and correcting a pass (the services).
* ``numbers`` — allocating 整理番号 per fiscal year.
* ``queries`` — what the rules and screens read (the valid pass, lost reissues).
* ``rows`` — the one way to make a pass row (counter, mass mailing, migration, demo).
* ``returns`` — 返戻 and 再送 (returned mail, sending again).
* ``lists`` — the pass list and one pass, for the screens.
* ``parsing`` — reading a typed or scanned 整理番号 (pure).
* ``indexes`` — the pass list's extra indexes.
* ``views`` — the pass list, recording an issue, corrections (screens).

May import app.db, app.errors, app.clock, app.extensions, app.history,
app.audit, app.security.roles, app.text, app.applications (``addressing``,
``codes``; ``views``: its form), and (``views`` only) app.web,
app.residents and app.march (the March window's choice of year); imported
by app.residents, app.letters, app.march, app.home, app.web, app.demo,
app.models and app.features.
"""
