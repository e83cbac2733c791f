"""The sign-in rate limit holds across web workers: 2 gunicorn workers, one
database, 40 rapid sign-ins from one address."""

import http.client
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LIMIT = 20


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """One visitor: keeps its session cookie, reads the CSRF token of a form."""

    def __init__(self, port):
        self.port = port
        self.cookie = None

    def request(self, method, path, form=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        headers = {"Cookie": f"session={self.cookie}"} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read().decode("utf-8", "replace")
        match = re.search(r"session=([^;]+)", resp.headers.get("Set-Cookie", ""))
        if match:
            self.cookie = match.group(1)
        conn.close()
        return resp.status, resp.headers, data

    def sign_in(self, username, password):
        status, headers, html = self.request("GET", "/login/")
        assert status == 200, html[:500]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        pids = {headers["X-Worker-Pid"]}
        status, headers, _ = self.request(
            "POST", "/login/", {"csrf_token": token, "username": username, "password": password}
        )
        pids.add(headers["X-Worker-Pid"])
        return status, pids


@pytest.fixture
def server(tmp_path):
    """A production-mode app on a fresh SQLite file, served by 2 gunicorn workers."""
    db_file = tmp_path / "fureai.db"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TEST_DATABASE", "FLASK_"))},
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{db_file}",
        "INSTANCE_DIR": str(tmp_path),
        "SESSION_COOKIE_SECURE": "0",
        "EXPOSE_WORKER_PID": "1",
        "AUTH_RATE_LIMIT": f"{LIMIT} per minute",
        "FLASK_APP": "run.py",
    }
    flask = [str(BIN / "flask")]
    for args in (
        ["init"],
        ["users", "add", "tanaka", "--role", "Staff", "--office", "HQ",
         "--name", "田中 一郎", "--password", "a-long-enough-password-9"],
    ):  # fmt: skip
        done = subprocess.run(flask + args, cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
    port = _free_port()
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "run:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                Browser(port).request("GET", "/login/")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError(proc.stderr.read().decode()[-2000:]) from None
                time.sleep(0.2)
        yield port, db_file
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _hold_one_worker(port):
    """A connection that sends half a request: the sync worker that accepts it
    waits for the rest, so every other request goes to the other worker."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"GET /login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    time.sleep(0.2)  # let a worker accept it
    return sock


def _serving_worker(port):
    return Browser(port).request("GET", "/login/")[1]["X-Worker-Pid"]


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_forty_sign_ins_across_two_workers_are_rate_limited(server):
    port, db_file = server
    statuses, pids_by_half = [], [set(), set()]
    # The first half of the sign-ins is served by one worker, the second half
    # by the other, so the limit can only hold if the count is shared.
    held = _hold_one_worker(port)
    first = _serving_worker(port)
    for half in (0, 1):
        if half == 1:
            for _ in range(50):
                held.close()
                held = _hold_one_worker(port)
                if _serving_worker(port) != first:
                    break
        for n in range(half * 20, half * 20 + 20):
            status, served_by = Browser(port).sign_in(f"ghost{n}", "wrong-password-123")
            statuses.append(status)
            pids_by_half[half] |= served_by
    held.close()
    assert len(pids_by_half[0]) == len(pids_by_half[1]) == 1, pids_by_half
    assert pids_by_half[0] != pids_by_half[1], pids_by_half
    assert statuses[:LIMIT] == [302] * LIMIT
    assert statuses[LIMIT:] == [429] * (40 - LIMIT)
    # The right password is refused too while the address is limited.
    assert Browser(port).sign_in("tanaka", "a-long-enough-password-9")[0] == 429

    with sqlite3.connect(db_file) as conn:
        reasons = [
            r[0]
            for r in conn.execute(
                "SELECT json_extract(detail, '$.reason') FROM access_log "
                "WHERE action = 'login.failure' ORDER BY id"
            )
        ]
    assert reasons[:LIMIT] == ["unknown_user"] * LIMIT
    assert reasons[LIMIT:] == ["rate_limited"] * (40 - LIMIT + 1)
