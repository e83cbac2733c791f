"""Download responses: a file streamed to the browser under a Japanese name."""

from collections.abc import Iterable
from urllib.parse import quote

from flask import Response
from werkzeug.utils import secure_filename

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
PDF = "application/pdf"


def disposition(filename: str, inline: bool = False) -> str:
    """``Content-Disposition`` with an ASCII fallback and the UTF-8 name (RFC 5987)."""
    kind = "inline" if inline else "attachment"
    ascii_name = secure_filename(filename) or "download" + filename[filename.rfind(".") :]
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def download(
    body: bytes | Iterable, filename: str, mimetype: str, inline: bool = False
) -> Response:
    """A response of ``body``: bytes, or pieces of a file already written
    (they need no request context; closing the response closes the
    generator, which removes its temporary file)."""
    response = Response(body, headers={"Content-Disposition": disposition(filename, inline)})
    response.headers["Content-Type"] = mimetype
    response.headers["Cache-Control"] = "no-store"
    return response
