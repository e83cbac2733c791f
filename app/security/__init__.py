"""Security: staff accounts, signing in, sessions and the HTTP safeguards.

Modules:

* ``roles`` — the roles, their permissions and the role predicates;
* ``manager`` — the application's FAB security manager;
* ``signin`` — the sign-in rules (rate limit, lockout);
* ``sessions`` — server-side sessions;
* ``passwords`` — the password policy and one-time passwords;
* ``accounts`` — creating and looking after staff accounts;
* ``http`` — security headers, CSRF, error pages, logging refused requests;
* ``views``, ``fab_views``, ``forms`` — the screens; ``cli``; ``models``.

May import app.db, app.audit (the access log), app.errors, app.extensions,
app.clock, app.offices and app.web.labels; never app.residents or app.passes.
Imported by most features (the role predicates, ``models.StaffUser``), by
app.web and by app.demo.
"""
