"""一斉発送: every March, next year's pass to everyone who had one and is still eligible.

A run goes through two steps, each safe to repeat:

1. **Issue** — in ONE transaction: choose the people (everyone who has had a
   pass since ``MASS_MAILING_SINCE_FY``, less those 送付停止 or 返戻未解決), allocate a block of
   整理番号 in postal-code order, create their passes (更新, 郵送, office HQ), the
   history rows and the run's letter list (:class:`MassMailingItem`), and set
   ``run.issued_at``.  People who already have a pass for the year are
   skipped, so a second run issues nothing twice; a crash before the commit
   leaves nothing behind.
2. **Print** — the letters, in postal-code order, in files of
   ``MASS_MAILING_BATCH_SIZE`` letters, rendered by ``MASS_MAILING_WORKERS``
   processes.  Each finished file is a checkpoint in ``run.files``, so a run
   that stopped resumes at the first unfinished file.

Speed: the part of the letter that is the same for everyone (title, text,
rules, contact) is rendered once; per letter only the address window and the
number are rendered, and the shared part is drawn under every page as one
PDF form object (see :func:`app.letters.pdf.stamp_background`).  Both layers
come from the one template ``pdf/cover_letter.html``.

Modules, lowest first:

- :mod:`.selection` — who gets the mailing (:func:`select_people`, the one
  place to change that), its figures and the preview;
- :mod:`.outputs` — a run's folder and file names, the CSV mailing list, the
  totals page, the downloads;
- :mod:`.issuing` — step 1, the passes in one transaction (via
  :mod:`app.passes.rows`);
- :mod:`.rendering` — step 2, the letters and lists in batches, worker
  processes, the per-file checkpoints and the heartbeat while rendering;
- :mod:`.runs` — the run records: checking and queuing a request, resuming,
  the scheduler's claim, running a run to the end, its progress, and whether
  the scheduler that runs them is alive.

May import app.clock, app.db, app.extensions, app.audit, app.errors,
app.letters (covers, models, pdf, printing), app.mailing (stops, returned:
who is 送付停止 or 返戻未解決), app.offices.models, app.passes
(issuance, models, rows), app.residents.models, app.scheduler (its locks, to
tell whether the scheduler runs), app.text, app.web.labels;
imported only by app.letters.views, app.letters.cli and app.letters.jobs,
and by app.march (the cut-off of a year's run, the mailing list's rows) (and
the tests and bench/letters.py).  Callers use this package
(``mass_mailing.X``), not its modules.
"""

from app.letters.mass_mailing.issuing import INSERT_CHUNK, headquarters, issue_passes
from app.letters.mass_mailing.outputs import (
    batch_count,
    output_dir,
    output_files,
    output_path,
    people_in_file,
    run_items,
    write_outputs,
)
from app.letters.mass_mailing.rendering import (
    LIST_ROWS_PER_PAGE,
    WORKER_BATCHES,
    load_batch,
    mailing_list_rows,
    prepare_batch,
    print_letters,
)
from app.letters.mass_mailing.runs import (
    STALE_AFTER,
    check_request,
    claim_next_run,
    execute_run,
    progress,
    queue_run,
    recent_runs,
    resume_run,
    scheduler_alive,
    waits_for_scheduler,
)
from app.letters.mass_mailing.selection import (
    CATEGORIES,
    SKIP_REASONS,
    default_cutoff,
    preview,
    reason_label,
    select_people,
    summarize,
)

__all__ = [
    "CATEGORIES",
    "INSERT_CHUNK",
    "LIST_ROWS_PER_PAGE",
    "SKIP_REASONS",
    "STALE_AFTER",
    "WORKER_BATCHES",
    "batch_count",
    "check_request",
    "claim_next_run",
    "default_cutoff",
    "execute_run",
    "headquarters",
    "issue_passes",
    "load_batch",
    "mailing_list_rows",
    "output_dir",
    "output_files",
    "output_path",
    "people_in_file",
    "prepare_batch",
    "preview",
    "print_letters",
    "progress",
    "queue_run",
    "reason_label",
    "recent_runs",
    "resume_run",
    "run_items",
    "scheduler_alive",
    "select_people",
    "summarize",
    "waits_for_scheduler",
    "write_outputs",
]
