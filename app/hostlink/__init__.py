"""Host link: the host extract file (ホスト連携ファイル) and its import.

The file format is fixed by the host extract specification v1
(host-extract.md): :mod:`app.hostlink.parser` reads it and
:mod:`app.hostlink.writer` produces it (dummy extracts, tests).
"""
