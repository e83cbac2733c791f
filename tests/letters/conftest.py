"""Helpers for the letters tests: mailed passes, reading PDFs back, screenshots."""

import shutil
import subprocess
import tempfile
from datetime import date, datetime
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"

# A March day of fiscal 2025, when the mass mailing of fiscal 2026 is done.
MARCH_DAY = datetime(2026, 3, 23, 10, 0)


def pdf_text(pdf_bytes, *args):
    """The text of a PDF, by poppler's pdftotext -layout."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf_bytes)
        out = subprocess.run(
            ["pdftotext", "-layout", *args, str(path), "-"],
            check=True,
            capture_output=True,
        )
    return out.stdout.decode("utf-8")


def page_texts(pdf_bytes):
    return pdf_text(pdf_bytes).split("\f")[:-1]


def fonts_of(pdf_bytes):
    """``{font name: embedded?}`` of every font of the PDF, by pdffonts."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf_bytes)
        out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True)
    fonts = {}
    for line in out.stdout.decode().splitlines()[2:]:
        parts = line.split()
        fonts[parts[0]] = parts[-5] == "yes"
    return fonts


def save_png(pdf_bytes, name, page=1, dpi=60):
    """Render one page to tests/screenshots/<name>.png (git-ignored) and return it."""
    SCREENSHOTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf_bytes)
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
             "-singlefile", str(path), str(SCREENSHOTS / name)],
            check=True,
        )  # fmt: skip
    return SCREENSHOTS / f"{name}.png"


@pytest.fixture
def march(frozen_clock):
    return frozen_clock(MARCH_DAY)


@pytest.fixture
def offices(db):
    from app.offices.services import by_code

    return {code: by_code(code) for code in ("HQ", "YOTSUYA", "OKUBO")}


@pytest.fixture
def mailed_pass(db, user, offices):
    """``mailed_pass(resident, fiscal_year=2025, issued_on=..., method="mail")``."""
    from app.passes.issuance import issue_pass

    def _make(resident, fiscal_year=2025, issued_on=date(2025, 6, 1), method="mail",
              kind="new", by="staff", office="HQ"):  # fmt: skip
        return issue_pass(
            resident,
            kind=kind,
            applied_on=issued_on,
            issued_on=issued_on,
            office=offices[office],
            method=method,
            user=user(by),
            fiscal_year=fiscal_year,
        )

    return _make


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test on any attempt to resolve a host or open a connection."""
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args[:2]}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def have_poppler():
    return shutil.which("pdftotext") is not None


@pytest.fixture(autouse=True)
def inline_rendering(app, tmp_path):
    """Render in the test process (a pool of processes takes seconds to start),
    into an output folder of the test's own."""
    previous = app.config["MASS_MAILING_WORKERS"], app.config["OUTPUT_DIR"]
    app.config["MASS_MAILING_WORKERS"] = 1
    app.config["OUTPUT_DIR"] = str(tmp_path / "output")
    yield
    app.config["MASS_MAILING_WORKERS"], app.config["OUTPUT_DIR"] = previous
