"""Applications (申請) and 送付先 kinds: who applied for a pass and where its
letters go.

* ``codes`` — the codes of an application (申請者, relation, authority, ID
  checked) and of a 送付先's kind (pure).
* ``addressing`` — the lines printed above the resident's name for each kind
  of 送付先: 「〇〇ホーム　気付」 and its 担当, 「山田　花子　様方」,
  「成年後見人　山田　花子　様」 (pure, typed).
* ``applicants`` — the rule of a proxy application (an authority document
  unless the relation is exempt, ``PROXY_AUTHORITY_EXEMPT_RELATIONS``) and
  what a pass shows of who applied.
* ``destinations`` — the rules of a 送付先 with a kind (a facility needs its
  name …), used by :mod:`app.residents.corrections`.
* ``labels`` — the codes' Japanese labels; ``forms`` — the application
  form's fields (added to :class:`app.residents.forms.IssueForm`);
  ``views`` — no routes: the templates' filters.

May import app.errors, app.text, app.web.labels and (``applicants``,
``forms`` only) app.passes, app.residents.forms and app.letters.models;
imported by app.passes (``addressing``, ``codes``), app.residents
(``destinations``, ``labels``), app.letters, app.web.api and app.features.
"""
