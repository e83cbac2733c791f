"""Host link: the host extract file (ホスト連携ファイル) and its import.

The file format is fixed by the host extract specification v1
(host-extract.md).  Modules:

* ``records`` — the record layout (the one place a field's offset and width
  are set), the parsed result types and the eligibility rule;
* ``fields`` — checking and converting the data records column by column;
* ``parser`` — :func:`~app.hostlink.parser.open_extract`: framing, header,
  trailer; then the records through ``fields``, a chunk at a time
  (:func:`~app.hostlink.parser.parse_extract`: all at once);
* ``writer`` — produces the format (dummy extracts, tests);
* ``apply`` — compares an extract with the residents and writes the result;
* ``staging`` — the temporary tables that comparison runs on;
* ``imports`` — one import: its steps and the apply transaction;
* ``checks`` — refusals, the import lock and the sanity thresholds;
* ``approval`` — approve or discard a held file;
* ``run_record`` — the import run's record and its access-log line;
* ``files`` — the inbox, ``archive/``, ``held/``, ``rejected/``;
* ``inbox`` — the inbox poll; ``jobs`` — the scheduled jobs;
* ``status`` — which extract is due, late, the next poll;
* ``runs`` — queries for the screens; ``views`` — the screens;
* ``messages`` — Japanese wording of the codes; ``cli``; ``demo``; ``models``.

May import app.db, app.text, app.audit, app.errors, app.extensions, app.clock,
app.residents.models (and app.residents.grams' column names), app.history.models, app.demo and app.scheduler (its
locks and tables: hostlink jobs use the scheduler, never the other way
round); nothing imports it but app.models, app.features, the scheduler's
job list, which names its jobs as text, and app.notices (its models).  After
an applied extract ``imports`` calls app.notices.jobs.extract_applied
(imported when it runs) to record the newly eligible people.
"""
