"""The statistics' own indexes (migration 0019), PostgreSQL only.

``ix_issuance_stats`` (fiscal_year, resident_id) INCLUDE the columns the
report groups and tests passes by, and ``ix_resident_stats`` (id) INCLUDE
the columns it counts people by: every statement of the report is then an
index-only scan of a narrow index instead of a read of a wide table (the pass
table holds notes and addresses, the resident table names, addresses and
their grams).  SQLite's tables at a ward's size need none.
"""

POSTGRESQL_ONLY = ("ix_issuance_stats", "ix_resident_stats")


def outside_the_models(dialect_name: str) -> set[str]:
    """The indexes of ``dialect_name``'s database that the models do not describe."""
    return set(POSTGRESQL_ONLY) if dialect_name == "postgresql" else set()
