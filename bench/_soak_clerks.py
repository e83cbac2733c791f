"""The simulated clerks of ``bench/soak.py``: one thread each, signed in as its
own account, doing what a clerk does at a counter, with think times.

Each request is timed and recorded under its kind; a :class:`Board` shows the
monitor which clerks are waiting on the server and since when (the stall
measure).  Forms are the application's own: the issue form is fetched, its
fields (hidden CSRF and submission tokens, defaults, selects, radios) read back
from the HTML and posted as a browser would.
"""

import http.client
import multiprocessing
import random
import re
import threading
import time
from datetime import datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

HOST = "127.0.0.1"
# The application's day (app.clock): a checklist "of yesterday" means its yesterday.
TOKYO = ZoneInfo("Asia/Tokyo")
PASSWORD = "soak-clerk-passphrase-2026"
# A request succeeded with one of these statuses (302: a redirect after a
# recorded issue, a 住民番号 search going to the person's page).
OK_STATUSES = (200, 302)


class Board:
    """Which clerk is waiting on a request, since when (monotonic seconds)."""

    def __init__(self, clerks):
        self.lock = threading.Lock()
        self.waiting = [None] * clerks

    def start(self, clerk):
        with self.lock:
            self.waiting[clerk] = time.monotonic()

    def done(self, clerk):
        with self.lock:
            self.waiting[clerk] = None

    def snapshot(self):
        with self.lock:
            return list(self.waiting)


class SharedBoard:
    """:class:`Board` shared between the clerks' processes: one slot per clerk
    holding the monotonic second its request started, 0 when not waiting.
    ``CLOCK_MONOTONIC`` is one clock for every process of the machine."""

    def __init__(self, clerks):
        self.slots = multiprocessing.Array("d", clerks, lock=False)

    def start(self, clerk):
        self.slots[clerk] = time.monotonic()

    def done(self, clerk):
        self.slots[clerk] = 0.0

    def snapshot(self):
        return [t or None for t in self.slots[:]]


def run_clerk_group(clerks, port, samples, board, deadline, results):
    """One client process: its clerks (``[(index, account)]``) as threads; puts
    ``(rows, errors, refusals)`` on ``results`` when they are done.  Clerks are
    spread over processes so that one clerk's work on a large response (an
    access-log file, a PDF) cannot hold the others' threads back and pass for
    a stall of the server."""
    recorder = Recorder()
    threads = [
        threading.Thread(
            target=Clerk(i, port, account, samples, recorder, board, deadline, i).run,
            daemon=True,
        )
        for i, account in clerks
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()) + 180)
    results.put((recorder.rows, recorder.errors, recorder.refusals))


class Recorder:
    """Every request's kind, start (monotonic), latency (ms) and outcome."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rows = []
        self.errors = []
        self.refusals = {}

    def add(self, kind, started, ms, ok, detail=None):
        with self.lock:
            self.rows.append((kind, started, ms))
            if not ok:
                self.errors.append((kind, detail))

    def refused(self, reason):
        with self.lock:
            self.refusals[reason] = self.refusals.get(reason, 0) + 1


class _FormReader(HTMLParser):
    """The fields of every form of a page, as a browser would post them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.fields = None
        self.radios = {}
        self.select = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.fields, self.radios = {}, {}
        if self.fields is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            self._input(a, name)
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select:
            value = a.get("value", "")
            # the first option unless one is selected
            if self.select not in self.fields or "selected" in a:
                self.fields[self.select] = value
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields[name] = ""

    def _input(self, a, name):
        kind = a.get("type", "text")
        if kind in ("submit", "button", "reset", "file"):
            return
        if kind == "radio":
            if "checked" in a or name not in self.radios:
                self.radios[name] = a.get("value", "")
        elif kind == "checkbox":
            if "checked" in a:
                self.fields[name] = a.get("value", "y")
        else:
            self.fields[name] = a.get("value", "")

    def handle_data(self, data):
        if self.textarea and self.fields is not None:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form" and self.fields is not None:
            self.forms.append({**self.fields, **self.radios})
            self.fields = None


def form_fields(page, field):
    """The fields a browser would post from the page's form that has ``field``
    (an empty dict when there is none)."""
    reader = _FormReader()
    reader.feed(page)
    return next((form for form in reader.forms if field in form), {})


class Clerk:
    """One clerk: ``plan`` says what they do (role, office, share of issues)."""

    def __init__(self, index, port, account, samples, recorder, board, deadline, seed):
        self.index = index
        self.port = port
        self.account = account
        self.samples = samples
        self.recorder = recorder
        self.board = board
        self.deadline = deadline
        self.rng = random.Random(seed)
        self.conn = None
        self.cookie = ""

    # --- HTTP ------------------------------------------------------------------

    def _request(self, kind, method, url, form=None):
        """One request, timed and recorded; the status and body (None on error)."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
        headers = {"Cookie": self.cookie}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.board.start(self.index)
        started = time.monotonic()
        try:
            self.conn.request(method, url, body=body, headers=headers)
            resp = self.conn.getresponse()
            data = resp.read()
            status = resp.status
            cookie = _session_cookie(resp)
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = None
            status, data, cookie = repr(exc), b"", None
        finally:
            self.board.done(self.index)
        ms = (time.monotonic() - started) * 1000
        if cookie:
            self.cookie = cookie
        ok = status in OK_STATUSES
        self.recorder.add(kind, started, ms, ok, None if ok else f"{status} {url}")
        return status, (data.decode("utf-8", "replace") if ok else None)

    def sign_in(self):
        status, page = self._request("sign-in page", "GET", "/login/")
        form = {"username": self.account["username"], "password": PASSWORD}
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page or "")
        if token:
            form["csrf_token"] = token.group(1)
        status, _ = self._request("sign-in", "POST", "/login/", form)
        return status == 302

    # --- what a clerk does ---------------------------------------------------------

    def think(self, low=0.2, high=1.2):
        time.sleep(self.rng.uniform(low, high))

    def search(self):
        sample = self.rng.choice(self.samples)
        how = self.rng.choice(("hira", "name", "no"))
        kind = {"hira": "search kana", "name": "search name", "no": "search 住民番号"}[how]
        self._request(kind, "GET", f"/residents/?q={quote(sample[how])}")
        return sample

    def open_person(self, sample):
        self._request("person page", "GET", f"/residents/{sample['id']}")

    def issue(self, sample):
        """The counter's issue form, read and posted back as the browser would."""
        marker = f"/issuances/new/{sample['id']}"
        status, page = self._request("issue form", "GET", marker)
        if page is None:
            return
        # the issue form is the one carrying the per-form submission token
        form = form_fields(page, "submission")
        if "csrf_token" not in form:
            self.recorder.refused("issue form not offered")
            return
        # What the clerk chooses at the counter: the ID shown, and for a
        # reissue the reason (the form proposes a reissue when a pass exists).
        form["id_checked"] = self.rng.choice(("insurance_card", "my_number_card"))
        if form.get("kind") == "reissue":
            form["reissue_reason"] = self.rng.choice(("lost", "damaged"))
        self.think(0.5, 2.0)
        status, page = self._request("issue post", "POST", marker, form)
        if status == 200:
            # the rules refused it (most often: already has a pass this year)
            self.recorder.refused("issue refused by the rules")

    def pass_list(self):
        self._request("pass list", "GET", "/issuances/")

    def checklist_pdf(self):
        """The branch clerk prints their office's checklist of today (it grows
        with the day's passes); the main office clerk prints yesterday's for
        every office (a document of a fixed size, comparable over the run)."""
        office = self.account.get("checklist_office")
        if office:
            self._request("checklist PDF today", "GET", f"/checklist/pdf?office={office}")
        else:
            yesterday = datetime.now(TOKYO).date() - timedelta(days=1)
            url = f"/checklist/pdf?office=&date={yesterday.isoformat()}"
            self._request("checklist PDF", "GET", url)

    def access_log_csv(self, sample):
        """What a supervisor downloads: who looked at one person (a resident's
        inquiry), or one clerk's entries of the day.  The whole log is the
        command line's (the screen refuses more than ACCESS_LOG_EXPORT_MAX_ROWS)."""
        if self.rng.random() < 0.5:
            query = f"resident_no={sample['no']}"
        else:
            today = datetime.now(TOKYO).date().isoformat()
            query = f"user={self.account['username']}&date_from={today}"
        self._request("access-log CSV", "GET", f"/accesslog/export.csv?{query}")

    def run(self):
        # Clerks arrive over the first seconds, not all in one instant: thirty
        # sign-ins at once queue behind one another's password hashes.
        time.sleep(self.rng.uniform(0, self.account.get("arrive_within_s", 0)))
        if not self.sign_in():
            self.recorder.add("sign-in", time.monotonic(), 0, False, "sign-in refused")
            return
        next_checklist = time.monotonic() + self.rng.uniform(0, 30)
        while time.monotonic() < self.deadline:
            if self.account.get("checklist_every_30s") and time.monotonic() >= next_checklist:
                self.checklist_pdf()
                next_checklist += 30
            self.step()
            self.think()
        if self.conn is not None:
            self.conn.close()

    def step(self):
        """One thing a clerk does: mostly search and open people, sometimes
        issue at the counter, look at the pass list or take a file."""
        roll = self.rng.random()
        sample = self.search()
        if roll < 0.65:
            self.think(0.2, 0.8)
            self.open_person(sample)
        if self.account["issues"] and roll < self.account["issues"]:
            self.think(0.2, 0.8)
            self.issue(sample)
        elif roll > 0.93:
            self.pass_list()
        elif roll > 0.92 and self.account["role"] == "Supervisor":
            self.access_log_csv(sample)


def _session_cookie(resp):
    for header, value in resp.getheaders():
        if header.lower() == "set-cookie" and value.startswith("session="):
            return value.split(";", 1)[0]
    return None
