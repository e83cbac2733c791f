"""Host link: reading and writing the host extract file (ホスト連携ファイル).

The format is fixed by ``/work/shared/specs/host-extract.md``; :mod:`app.hostlink.parser`
reads it and :mod:`app.hostlink.writer` produces it (dummy extracts, tests).
"""
