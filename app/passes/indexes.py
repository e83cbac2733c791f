"""Extra indexes of the pass table for the pass list and the statistics.

* ``ix_issuance_fy_issued_person`` (migration 0016, replacing 0005's
  ``ix_issuance_fy_issued`` on the first two columns): a fiscal year's passes
  newest first without reading the other years (the list by year went from
  500 ms to a few ms on 260,000 passes); with the holder as its third column
  it also answers the statistics' passes-per-person count of a year up to a
  date alone, without reading the pass rows (the screen from 455 to 348 ms
  on SQLite, 89,086 people).
* ``ix_issuance_resident_issued`` (migration 0016, replacing the plain
  ``ix_issuance_resident_id``): a person's passes, and whether they held one
  issued by a date — the statistics' test of who was known on a past date —
  from the index alone (140 → 52 ms for 89,086 people on SQLite).
* ``ix_issuance_returned_open``: the few passes returned by post and not yet
  resent, found without scanning the table.
* ``ix_issuance_issued_id`` (migration 0020, replacing 0001's
  ``ix_issuance_issued_on``): the pass list's order, newest issue first and
  the id among passes of one day.  On the day alone PostgreSQL read every
  pass of the newest day and sorted them to show 50: the soak test's pass
  list grew from 48 to 95 ms p95 over an hour of a busy day (2,668 passes
  that day); SQLite's index carried the row id already.
* ``ix_issuance_superseded_by`` (migration 0017, partial): the pass a reissue
  replaced, named on the checklist.  Without it each reissue's line read the
  whole table (32 ms a line on PostgreSQL at 260,000 passes; the soak test's
  checklist of a busy day took 26 s and held a worker).
"""

from sqlalchemy import Index, text

from app.passes.models import Issuance

FY_ISSUED = Index(
    "ix_issuance_fy_issued_person", Issuance.fiscal_year, Issuance.issued_on, Issuance.resident_id
)
ISSUED_ID = Index("ix_issuance_issued_id", Issuance.issued_on, Issuance.id)
RESIDENT_ISSUED = Index("ix_issuance_resident_issued", Issuance.resident_id, Issuance.issued_on)
RETURNED_OPEN = Index(
    "ix_issuance_returned_open",
    Issuance.issued_on,
    sqlite_where=text("returned_on IS NOT NULL AND resent_on IS NULL"),
    postgresql_where=text("returned_on IS NOT NULL AND resent_on IS NULL"),
)
SUPERSEDED_BY = Index(
    "ix_issuance_superseded_by",
    Issuance.superseded_by_id,
    sqlite_where=text("superseded_by_id IS NOT NULL"),
    postgresql_where=text("superseded_by_id IS NOT NULL"),
)
