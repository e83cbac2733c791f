"""Every main page is valid HTML: the Nu Html Checker (``vnu.jar``, from npm,
installed with Java by ``scripts/setup-system.sh``) finds no error in what the
application sends, page by page, as the role that sees it; and each page has
its language, one ``<main>`` and one ``<h1>``."""

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import html as lxml_html

from tests.matrix.conftest import samples, sign_in  # noqa: F401  (samples: a fixture)
from tests.our_pages import main_pages

VNU_JAR = (
    Path(__file__).resolve().parent.parent / ".cache/npm/node_modules/vnu-jar/build/dist/vnu.jar"
)

pytestmark = pytest.mark.slow


def _vnu_command():
    java = shutil.which("java")
    missing = [what for what, ok in (("java", java), (str(VNU_JAR), VNU_JAR.exists())) if not ok]
    if missing:
        reason = f"{' and '.join(missing)} missing: run scripts/setup-system.sh"
        if os.environ.get("CI"):  # CI installs both: a missing checker is a failure there
            pytest.fail(reason)
        pytest.skip(reason)
    return [java, "-Xss1m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]


def _render(app, sample_values, folder):
    """Each main page's HTML saved as ``folder/<name>.html`` (its language,
    landmark and title checked on the way); → {file name: page}."""
    pages = {}
    clients = {}
    for page in main_pages(app, sample_values):
        client = clients.get(page.role) or clients.setdefault(page.role, sign_in(app, page.role))
        resp = client.get(page.url)
        assert resp.status_code == (404 if page.name.startswith("not-found") else 200), page
        assert resp.mimetype == "text/html", page
        (folder / f"{page.name}.html").write_bytes(resp.data)
        tree = lxml_html.fromstring(resp.data)
        assert tree.get("lang") == "ja", page
        assert (len(tree.xpath("//main")), len(tree.xpath("//h1"))) == (1, 1), page
        pages[f"{page.name}.html"] = page
    return pages


def _errors_by_file(command, folder, names):
    result = subprocess.run(
        [*command, *(str(folder / name) for name in names)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        messages = json.loads(result.stderr)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu said: {result.stderr[:2000]}")
    errors = {name: [] for name in names}
    for message in messages:
        name = Path(unquote(urlsplit(message.get("url", "")).path)).name
        errors.setdefault(name, []).append(message)
    return errors


def test_every_main_page_is_valid_html(app, samples, tmp_path, capsys):  # noqa: F811
    command = _vnu_command()
    pages = _render(app, samples, tmp_path)
    errors = _errors_by_file(command, tmp_path, list(pages))
    with capsys.disabled():
        print("\nNu Html Checker errors per page:")
        for name, page in pages.items():
            print(f"  {len(errors[name]):3d}  {page.name} ({page.role}, {page.url})")
        print(f"  {sum(len(e) for e in errors.values()):3d}  in all")
    problems = [
        f"{pages[name].name}: line {m.get('lastLine')}: {m.get('message')}"
        for name, found in errors.items()
        for m in found
    ]
    assert problems == []
