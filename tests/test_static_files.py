"""Static files through WhiteNoise (``app/web/static_files.py``): fingerprinted
URLs in every page, cached for good, compressed for a browser that takes it;
style sheets point at the fingerprinted fonts; a build is made once and a
rebuild recompresses only what changed."""

import gzip
import posixpath
import re

import brotli
from flask import Flask

from app.web import static_files

FINGERPRINTED = re.compile(r"\.[0-9a-f]{12}\.\w+$")
TEN_YEARS = "max-age=315360000, public, immutable"


def _static_links(html):
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_link_fingerprinted_static_files(login):
    links = _static_links(login("staff").get("/").get_data(as_text=True))
    assert len(links) >= 15
    assert [url for url in links if not FINGERPRINTED.search(url)] == []


def test_a_fingerprinted_file_is_cached_for_good_and_compressed(client):
    url = next(
        u for u in _static_links(client.get("/login/").get_data(as_text=True)) if "/ward." in u
    )
    plain = client.get(url)
    assert plain.status_code == 200
    assert plain.headers["Cache-Control"] == TEN_YEARS
    assert plain.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Encoding" not in plain.headers
    assert b".ward-skip-link" in plain.data
    as_br = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert as_br.headers["Content-Encoding"] == "br"
    assert brotli.decompress(as_br.data) == plain.data
    as_gzip = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert as_gzip.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(as_gzip.data) == plain.data
    assert len(as_br.data) < len(plain.data) / 2


def test_plain_names_are_still_served_briefly_cached(client):
    # the stand-alone error page links them so
    resp = client.get("/static/appbuilder/css/bootstrap.min.css")
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == f"max-age={static_files.PLAIN_MAX_AGE}, public"
    assert client.post("/static/css/ward.css").status_code == 405


def test_style_sheets_point_at_fingerprinted_fonts(app, client):
    with app.test_request_context():
        from flask import url_for

        url = url_for("appbuilder.static", filename="css/fontawesome/solid.min.css")
    assert FINGERPRINTED.search(url)
    css = client.get(url).get_data(as_text=True)
    fonts = re.findall(r"url\(([^)]+)\)", css)
    assert fonts
    base = url.rsplit("/", 1)[0]
    for font in fonts:
        assert FINGERPRINTED.search(font), font
        resp = client.get(posixpath.normpath(f"{base}/{font}"))  # as a browser resolves it
        assert resp.status_code == 200, font
        assert resp.headers["Cache-Control"] == TEN_YEARS


def _sources(folder, contents):
    files = {}
    for name, text in contents.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        files[f"/static/{name}"] = ("static", name, path)
    return files


def test_a_build_is_made_once_and_a_rebuild_reuses_what_did_not_change(tmp_path):
    sources, root = tmp_path / "src", tmp_path / "builds"
    big = "body { color: #333; }\n" * 200
    files = _sources(sources, {"css/a.css": big + "a { background: url('../img/x.png'); }"})
    _sources(sources, {"img/x.png": "not really a picture"})
    files.update(_sources(sources, {"js/b.js": "console.log('b');\n" * 100}))
    files["/static/img/x.png"] = ("static", "img/x.png", sources / "img/x.png")
    first = static_files.ensure_build(root, files)
    assert static_files.ensure_build(root, files) == first
    manifest = (first / "manifest.json").read_text()
    built = first / "files/static"
    css_name = next(p.name for p in (built / "css").iterdir() if FINGERPRINTED.search(p.name))
    assert "url('../img/x." in (built / "css" / css_name).read_text()
    assert (built / "css" / (css_name + ".br")).exists()
    assert (built / "css/a.css.gz").exists()  # the plain name too
    assert not (built / "img/x.png.br").exists()  # pictures are not compressed
    (sources / "js/b.js").write_text("console.log('changed');\n" * 100)
    second = static_files.ensure_build(root, files)
    assert second != first
    assert (second / "manifest.json").read_text() != manifest
    # the unchanged style sheet's Brotli copy is the earlier one, not made again
    earlier, again = (
        built / "css" / (css_name + ".br"),
        second / "files/static/css" / (css_name + ".br"),
    )
    assert again.stat().st_ino == earlier.stat().st_ino


def test_without_a_writable_build_folder_static_files_are_served_plainly(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "static/x.css").write_text("p { margin: 0; }")
    (tmp_path / "not-a-folder").write_text("")
    plain = Flask(__name__, static_folder=str(tmp_path / "static"))
    plain.config["STATIC_BUILD_DIR"] = str(tmp_path / "not-a-folder")
    static_files.init_static_files(plain)
    with plain.test_request_context():
        from flask import url_for

        assert url_for("static", filename="x.css") == "/static/x.css"
    assert plain.test_client().get("/static/x.css").status_code == 200
