"""The databases a benchmark measures on, each emptied, saved and restored
between measurements (shared by the host-link and ledger benchmarks)."""

import shutil


class SQLiteTarget:
    """A database file in ``work`` (with its WAL files); saved by copying them."""

    name = "sqlite"

    def __init__(self, work):
        self.work = work
        self.path = work / "bench.db"
        self.url = f"sqlite:///{self.path}"

    def _files(self, path):
        return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]

    def fresh(self):
        for f in self._files(self.path):
            f.unlink(missing_ok=True)

    def save(self):
        for src in self._files(self.path):
            if src.exists():
                shutil.copy(src, self.work / ("saved-" + src.name))

    def restore(self):
        for f in self._files(self.path):
            f.unlink(missing_ok=True)
            saved = self.work / ("saved-" + f.name)
            if saved.exists():
                shutil.copy(saved, f)


class PostgresTarget:
    """A database on the server of ``url``; saved as a template copy."""

    name = "postgresql"

    def __init__(self, url):
        from sqlalchemy.engine import make_url

        self.url = url
        self.db = make_url(url).database

    def _admin(self, *sql):
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        engine = create_engine(make_url(self.url).set(database="postgres"),
                               isolation_level="AUTOCOMMIT")  # fmt: skip
        with engine.connect() as conn:
            for statement in sql:
                conn.execute(text(statement))
        engine.dispose()

    def fresh(self):
        self._admin(
            f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)', f'CREATE DATABASE "{self.db}"'
        )

    def save(self):
        self._admin(f'DROP DATABASE IF EXISTS "{self.db}_saved" WITH (FORCE)',
                    f'CREATE DATABASE "{self.db}_saved" TEMPLATE "{self.db}"')  # fmt: skip

    def restore(self):
        self._admin(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)',
                    f'CREATE DATABASE "{self.db}" TEMPLATE "{self.db}_saved"')  # fmt: skip
