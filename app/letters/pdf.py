"""The one way PDFs are made: a Jinja template in ``templates/`` rendered by xhtml2pdf.

:func:`render_pdf` renders ``template`` with a plain-dict context (Jinja
autoescape on, so a resident's name or address is text, never markup) and
converts the HTML with :func:`html_to_pdf`.

What xhtml2pdf may read is closed down twice:

* its resource policy (``ResourceAccessPolicy``) confines every fetch — fonts,
  images, stylesheets, including the paths that never reach a link callback —
  to the asset folder and the folders of the two font files, with no network
  at all;
* the link callback maps the two font names the templates use
  (``fonts/mincho.ttf``, ``fonts/gothic.ttf``) to the configured files, lets
  through files inside the asset folder and turns everything else into a
  missing file inside that folder, logging the refusal.

:func:`html_to_pdf` and :func:`stamp_background` have no Flask imports: the
mass mailing runs them in worker processes.
"""

import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from app.letters.printing import font_glyphs, for_print

log = logging.getLogger(__name__)

__all__ = [
    "PdfSettings",
    "RenderError",
    "add_overlays",
    "html_to_pdf",
    "page_count",
    "prepare_context",
    "render_html",
    "render_pdf",
    "settings_from_config",
    "stamp_background",
]

FONT_URLS = ("fonts/mincho.ttf", "fonts/gothic.ttf")
_REFUSED_NAME = ".refused"


class RenderError(RuntimeError):
    """xhtml2pdf reported errors while converting a document."""


@dataclass(frozen=True)
class PdfSettings:
    """Where the fonts and assets are; picklable, for worker processes."""

    mincho: str
    gothic: str
    asset_dir: str
    gaiji_map: tuple = field(default=())

    @property
    def glyphs(self):
        return font_glyphs(self.mincho, self.gothic)

    def printable(self, text):
        """``text`` with 外字 and characters the fonts lack printed as 〓."""
        return for_print(text, self.glyphs, dict(self.gaiji_map))


def settings_from_config(config):
    """:class:`PdfSettings` from the Flask configuration."""
    return PdfSettings(
        mincho=str(config["PDF_FONT_MINCHO"]),
        gothic=str(config["PDF_FONT_GOTHIC"]),
        asset_dir=str(config["PDF_ASSET_DIR"]),
        gaiji_map=tuple(sorted((config.get("PDF_GAIJI_MAP") or {}).items())),
    )


def _policy(settings):
    roots = tuple({Path(settings.mincho).resolve().parent, Path(settings.gothic).resolve().parent})
    return ResourceAccessPolicy.server(
        base_dir=Path(settings.asset_dir).resolve(),
        extra_roots=roots,
        allow_remote=False,
        # A mass-mailing batch is thousands of pages: allow the time and size
        # it takes, keep every other limit of the server policy.
        max_render_seconds=900,
        max_document_bytes=64 * 1024 * 1024,
    )


def _link_callback(settings, refused):
    fonts = dict(zip(FONT_URLS, (settings.mincho, settings.gothic), strict=True))
    asset_root = Path(settings.asset_dir).resolve()
    missing = str(asset_root / _REFUSED_NAME)

    def callback(uri, _rel):
        uri = str(uri or "")
        if uri in fonts:
            return fonts[uri]
        if uri and not urlsplit(uri).scheme and not uri.startswith(("/", "\\")):
            candidate = (asset_root / uri).resolve()
            if candidate.is_relative_to(asset_root) and candidate.is_file():
                return str(candidate)
        refused.append(uri)
        log.warning("PDF resource refused: %r", uri[:200])
        return missing

    return callback


def html_to_pdf(html, settings, refused=None):
    """Convert ``html`` to PDF bytes with xhtml2pdf, under the closed policy.

    :param refused: optional list that receives every resource name refused.
    :raises RenderError: when xhtml2pdf reports an error.
    """
    refused = refused if refused is not None else []
    out = io.BytesIO()
    status = pisa.CreatePDF(
        html,
        dest=out,
        encoding="utf-8",
        link_callback=_link_callback(settings, refused),
        resource_policy=_policy(settings),
    )
    if status.err:
        raise RenderError(f"xhtml2pdf reported {status.err} error(s)")
    return out.getvalue()


def prepare_context(value, settings):
    """Every string in ``value`` (dicts, lists, tuples) made printable."""
    if isinstance(value, str):
        return settings.printable(value)
    if isinstance(value, dict):
        return {k: prepare_context(v, settings) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [prepare_context(v, settings) for v in value]
    return value


def render_html(template, context):
    """Render a PDF template to HTML (needs an application context)."""
    from flask import current_app, render_template

    settings = settings_from_config(current_app.config)
    return render_template(template, **prepare_context(context, settings))


def render_pdf(template, context, overlays=None):
    """Render ``template`` with the plain-dict ``context`` to PDF bytes.

    Every string of the context goes through :meth:`PdfSettings.printable`
    (外字 and glyphs the font lacks → 〓); Jinja escapes it.

    :param overlays: optional content-stream bytes for each page, drawn over
        it (the letters' barcodes, :mod:`app.letters.barcodes`).
    """
    from flask import current_app

    html = render_html(template, context)
    pdf = html_to_pdf(html, settings_from_config(current_app.config))
    return add_overlays(pdf, overlays) if overlays and any(overlays) else pdf


def page_count(pdf_bytes):
    return len(PdfReader(io.BytesIO(pdf_bytes)).pages)


def _stream(writer, data):
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def _wrap_contents(writer, page, prefix_ref, suffix_ref, overlay):
    """``page``'s contents between ``prefix_ref`` and ``suffix_ref``, then
    ``overlay`` (bytes, drawn over the page; ``b""`` for nothing)."""
    contents = page.get("/Contents")
    stream = ArrayObject([prefix_ref])
    if contents is not None:
        existing = contents.get_object()
        if isinstance(existing, ArrayObject):
            stream.extend(existing)
        else:
            stream.append(contents)
    stream.append(suffix_ref)
    if overlay:
        stream.append(_stream(writer, overlay))
    page[NameObject("/Contents")] = stream


def add_overlays(pdf_bytes, overlays):
    """``pdf_bytes`` with ``overlays[i]`` (content-stream bytes) drawn over
    page ``i``; the page's own drawing state is saved and restored around it."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes)))
    prefix, suffix = _stream(writer, b"q\n"), _stream(writer, b"\nQ\n")
    for page, overlay in zip(writer.pages, overlays, strict=False):
        _wrap_contents(writer, page, prefix, suffix, overlay)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def stamp_background(background_pdf, pages_pdf, overlays=None):
    """Draw the one page of ``background_pdf`` under every page of ``pages_pdf``
    (and ``overlays[i]``, content-stream bytes, over page ``i`` when given).

    The background becomes one form XObject shared by every page, so its
    content and fonts are stored once however many pages there are — unlike
    merging the page into each one, which copies it every time.
    """
    background = PdfReader(io.BytesIO(background_pdf)).pages[0]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pages_pdf)))
    form = DecodedStreamObject()
    form.set_data(background.get_contents().get_data())
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = background.mediabox
    form[NameObject("/Resources")] = background["/Resources"].clone(writer)
    form_ref = writer._add_object(form)
    prefix = _stream(writer, b"q /WardBackground Do Q\nq\n")
    suffix = _stream(writer, b"\nQ\n")
    overlays = overlays or []
    for i, page in enumerate(writer.pages):
        resources = page["/Resources"].get_object()
        xobjects = resources.get("/XObject")
        if xobjects is None:
            xobjects = DictionaryObject()
            resources[NameObject("/XObject")] = xobjects
        else:
            xobjects = xobjects.get_object()
        xobjects[NameObject("/WardBackground")] = form_ref
        _wrap_contents(writer, page, prefix, suffix, overlays[i] if i < len(overlays) else b"")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write_atomically(path, data):
    """Write ``data`` to ``path`` through a temporary file, so a crash never
    leaves a half-written PDF where a finished one is expected."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)


def render_batch(job):
    """Render one mass-mailing batch to its files (runs in a worker process).

    :param job: dict with ``settings``, ``letters_html`` (the variable layer of
        every letter), ``background`` (the static layer, PDF bytes),
        ``overlays`` (optional: each letter's barcodes, content-stream bytes),
        ``letters_path``, ``expected_pages``, ``list_html``, ``list_path``.
    :raises RenderError: when a letter did not come out as exactly one page.
    :returns: ``{"pages", "bytes"}`` of the letters file.
    """
    settings = job["settings"]
    pages_pdf = html_to_pdf(job["letters_html"], settings)
    pages = page_count(pages_pdf)
    if pages != job["expected_pages"]:
        raise RenderError(f"{job['expected_pages']} letters gave {pages} pages")
    letters_pdf = stamp_background(job["background"], pages_pdf, job.get("overlays"))
    write_atomically(job["letters_path"], letters_pdf)
    if job.get("list_html"):
        write_atomically(job["list_path"], html_to_pdf(job["list_html"], settings))
    return {"pages": pages, "bytes": len(letters_pdf)}
