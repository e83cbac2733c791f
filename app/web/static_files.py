"""Static files compressed and cached for good: WhiteNoise in front of the
application, serving fingerprinted copies built once.

Each page links some twenty style sheets, scripts and fonts (FAB's and ours).
Flask sends them uncompressed with ``Cache-Control: no-cache``, so a browser
asks for every one again on every page.  Instead:

* :func:`build_static_files` copies our ``static/`` folder and FAB's into one
  folder laid out as their URLs are (``static/…``, ``static/appbuilder/…``),
  each file under its own name and under a name carrying a hash of its
  content (``css/ward.3f2a9c81b0d4.css``).  References in style sheets
  (``url(…)``: fonts, images) are rewritten to the hashed names, and
  WhiteNoise's compressor writes a Brotli and a gzip copy beside each file
  worth compressing.  ``manifest.json`` maps each file name to its hashed one.
* :func:`init_static_files` builds that folder when it is missing or out of
  date (it is named by a digest of every source file; a file lock makes one
  worker of several build it while the others wait; a rebuild reuses what an
  earlier build compressed), wraps the WSGI application in WhiteNoise serving
  it, and makes ``url_for('static', …)`` and ``url_for('appbuilder.static',
  …)`` give the hashed URLs.  Hashed files are cached for ten years
  (``immutable``), the plain names (the error page links those) for a minute;
  a browser that accepts Brotli or gzip gets the compressed copy.

WhiteNoise compresses and fingerprints at build time only in Django (its
``CompressedManifestStaticFilesStorage``); to any other WSGI application it
serves what it is given, hence the build here.  A changed static file is
picked up when the application starts again.  If the folder cannot be
written, the application serves its static files the plain way and logs why.
"""

import fcntl
import hashlib
import json
import logging
import os
import posixpath
import re
import shutil
import tempfile
from pathlib import Path

import brotli
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from config import INSTANCE_DIR

log = logging.getLogger(__name__)

# Part of every build's digest: change it when what a build holds changes.
BUILD_FORMAT = "2"
ENDPOINTS = ("static", "appbuilder.static")
HASH_LENGTH = 12
KEEP_BUILDS = 3  # a worker still running the previous release keeps its files
PLAIN_MAX_AGE = 60
BROTLI_BEST_UP_TO = 100_000  # bytes
MANIFEST = "manifest.json"
FILES = "files"
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+?)\1\s*\)""")
# What the application's own answers carry (app.security.http) that matters
# for a file opened on its own.
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}


class _Compressor(Compressor):
    """WhiteNoise's compressor, with Brotli's best (and slowest) quality only
    for files up to :data:`BROTLI_BEST_UP_TO`.  Quality 11 on every file took
    15 s here where quality 9 took one, for 8 % fewer bytes, most of the time
    going on FAB's few large files that no page of ours loads (the Swagger
    bundle, TrueType fonts, source maps, themes); a worker that builds at
    start-up must not outlast gunicorn's timeout (30 s)."""

    @staticmethod
    def compress_brotli(data):
        return brotli.compress(data, quality=11 if len(data) <= BROTLI_BEST_UP_TO else 9)


def build_folder(app):
    """Where the builds go: ``STATIC_BUILD_DIR`` (setting or environment),
    by default ``instance/static``."""
    return Path(
        app.config.get("STATIC_BUILD_DIR")
        or os.environ.get("STATIC_BUILD_DIR")
        or INSTANCE_DIR / "static"
    )


def source_files(app):
    """Every static file: ``{URL path: (endpoint, file name, path on disk)}``."""
    files = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in ENDPOINTS:
            continue
        if rule.endpoint == "static":
            folder = app.static_folder
        else:
            folder = app.blueprints[rule.endpoint.split(".")[0]].static_folder
        prefix = rule.rule.split("<", 1)[0]  # "/static/", "/static/appbuilder/"
        for path in sorted(Path(folder).rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and not any(part.startswith(".") for part in name.split("/")):
                files[prefix + name] = (rule.endpoint, name, path)
    return files


def _digest(files):
    h = hashlib.sha256(BUILD_FORMAT.encode())
    for url in sorted(files):
        h.update(url.encode() + b"\0" + hashlib.sha256(files[url][2].read_bytes()).digest())
    return h.hexdigest()[:20]


def hashed_name(name, data):
    """``css/ward.css`` → ``css/ward.<hash of data>.css``."""
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    folder, base = posixpath.split(name)
    stem, dot, ext = base.rpartition(".")
    return posixpath.join(folder, f"{stem}.{digest}.{ext}" if stem else f"{base}.{digest}")


def _rewrite_css(url, data, hashed_urls):
    """Relative ``url(…)`` references of a style sheet to the hashed names
    of the files already built (fonts, images: style sheets come last)."""
    base = posixpath.dirname(url)

    def replace(match):
        quote, ref = match.group(1), match.group(2).strip()
        if ref.startswith(("data:", "#", "/")) or "://" in ref:
            return match.group(0)
        cut = min((i for i in (ref.find("?"), ref.find("#")) if i >= 0), default=len(ref))
        path, rest = ref[:cut], ref[cut:]
        hashed = hashed_urls.get(posixpath.normpath(posixpath.join(base, path)))
        if hashed is None:
            return match.group(0)
        new = posixpath.join(posixpath.dirname(path), posixpath.basename(hashed))
        return f"url({quote}{new}{rest}{quote})"

    text = data.decode("utf-8", errors="surrogateescape")
    return CSS_URL.sub(replace, text).encode("utf-8", errors="surrogateescape")


def _link(source, target):
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system, or no hard links there
        shutil.copy2(source, target)


def _write(folder, rel, data, compressor, earlier):
    """``rel`` with its compressed copies: linked from an earlier build that
    has the same hashed file, else written and compressed."""
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    for build in earlier:
        if (build / FILES / rel).is_file():  # a hashed name: the same content
            for suffix in ("", ".br", ".gz"):
                if (build / FILES / (rel + suffix)).is_file():
                    _link(build / FILES / (rel + suffix), folder / (rel + suffix))
            return
    path.write_bytes(data)
    if compressor.should_compress(rel):
        compressor.compress(str(path))


def build_static_files(files, folder, earlier=()):
    """Write every file of ``files`` (:func:`source_files`) into ``folder``
    under its name and its hashed name; → the manifest, ``{endpoint: {file
    name: hashed file name}}``.  ``earlier``: earlier builds (folders holding
    ``files/`` and a manifest) whose compressed copies may be reused."""
    compressor = _Compressor(quiet=True)
    manifest = {endpoint: {} for endpoint in ENDPOINTS}
    hashed_urls = {}
    for url in sorted(files, key=lambda u: (u.endswith(".css"), u)):
        endpoint, name, path = files[url]
        data = path.read_bytes()
        if url.endswith(".css"):
            data = _rewrite_css(url, data, hashed_urls)
        hashed = hashed_name(name, data)
        hashed_url = url[: len(url) - len(name)] + hashed
        _write(folder, hashed_url.lstrip("/"), data, compressor, earlier)
        for suffix in ("", ".br", ".gz"):
            built = folder / (hashed_url.lstrip("/") + suffix)
            if built.is_file():
                _link(built, folder / (url.lstrip("/") + suffix))
        hashed_urls[url] = hashed_url
        manifest.setdefault(endpoint, {})[name] = hashed
    return manifest


def _builds(root):
    """Complete builds in ``root``, newest first."""
    found = [p for p in root.iterdir() if (p / MANIFEST).is_file()]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def _prune(root, current):
    for build in [b for b in _builds(root) if b != current][KEEP_BUILDS - 1 :]:
        shutil.rmtree(build, ignore_errors=True)
    for leftover in root.glob(".build-*"):  # of a build that died (the lock is ours)
        shutil.rmtree(leftover, ignore_errors=True)


def ensure_build(root, files):
    """The folder of the build of ``files`` in ``root``, built if missing."""
    target = root / _digest(files)
    if (target / MANIFEST).is_file():
        return target
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / MANIFEST).is_file():  # built by another process meanwhile
            return target
        log.info("building the static files into %s", target)
        work = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
        try:
            manifest = build_static_files(files, work / FILES, _builds(root))
            (work / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
            shutil.rmtree(target, ignore_errors=True)
            os.rename(work, target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        _prune(root, target)
    return target


def _add_headers(headers, path, url):
    for name, value in HEADERS.items():
        headers[name] = value


def init_static_files(app):
    """Serve the static files of ``app`` through WhiteNoise from a build, and
    give templates their hashed URLs (see the module's docstring)."""
    files = source_files(app)
    try:
        folder = ensure_build(build_folder(app), files)
        manifest = json.loads((folder / MANIFEST).read_text())
    except OSError:
        log.warning("static files served uncompressed: no build", exc_info=True)
        return
    hashed_urls = {
        url[: len(url) - len(name)] + manifest[endpoint][name]
        for url, (endpoint, name, _) in files.items()
        if name in manifest.get(endpoint, {})
    }
    app.wsgi_app = WhiteNoise(
        app.wsgi_app,
        root=folder / FILES,
        prefix="/",
        max_age=PLAIN_MAX_AGE,
        allow_all_origins=False,
        add_headers_function=_add_headers,
        immutable_file_test=lambda path, url: url in hashed_urls,
    )

    def fingerprinted(endpoint, values):
        names = manifest.get(endpoint)
        if names and "filename" in values:
            values["filename"] = names.get(values["filename"], values["filename"])

    app.url_defaults(fingerprinted)
