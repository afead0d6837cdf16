"""Reviewers labelling one long article at once, through gunicorn and PostgreSQL: latency, refusals, lost updates.

Usage: .venv/bin/python bench/web_load.py [--reviewers 32] [--seconds 30] [--workers N]
           [--database-url postgres://postgres@127.0.0.1:5432/factcheck_bench_web] [--marks 400]
           [--history 2000] [--baseline-seconds 10] [--labels-per-page 1] [--think 5] [--keep]

Builds a throw-away database (dropped and made again; its name must contain "bench"): N reviewers, one
article with --marks machine marks and --history earlier changes. Starts gunicorn with
factcheck/gunicorn.conf.py in production mode on a free 127.0.0.1 port. Every reviewer, a thread with
its own cookie jar, logs in through the login form, views the article once (unmeasured: each server
process renders and caches the panels at its first view; the slowest such view is printed) and then,
until time is up, loads the article page and labels a random mark (or --labels-per-page marks) with
the version the page showed, as htmx does (a 409 is a correct refusal of a stale label, not an error),
pausing --think seconds on average after each label as a reader does (--think 0: flat out, capacity).
Baseline in the same run and at the same concurrency: a trivial page. Afterwards the database must hold
exactly one label event per accepted label, gapless versions and an unbroken audit chain.
"""
import argparse
import http.client
import http.cookiejar
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bootstrap import REPO, setup_django, throwaway_database

PASSWORD = "bench-reviewer-password-1"
REQUEST_TIMEOUT = 60  # seconds without an answer (gunicorn's worker timeout): counted as an error
MAX_LOOPS = 100_000  # per reviewer, so a loop ends even if the clock misbehaves
TARGETS = {"label_p95_ms": 100, "page_p95_ms": 250}
VERDICTS = ["verified", "disputed", "unclear"]

FIRST = ["Alma", "Bruno", "Chiara", "Dev", "Elif", "Femi", "Greta", "Hugo", "Isla", "Jonas", "Kaveh", "Luz"]
LAST = ["Abbott", "Baptiste", "Carver", "Dalgaard", "Esposito", "Fennimore", "Gallagher", "Holm", "Iqbal"]
OFFICES = ["transport secretary", "mayor", "head of the water board", "opposition leader", "police chief"]
TOWNS = ["Eastmere", "Brackwater", "Lowfield", "Saint Ives Cross", "Hollin Vale", "the harbour ward"]
SUBJECTS = ["rail subsidies", "the hospital car park", "rent controls", "the sewage outfall", "night buses"]
COLOUR = ["Rain had fallen all morning.", "The public gallery was half empty.", "Tea was served at four.",
          "Several councillors left early.", "A brass band played outside the hall."]


@dataclass
class Mark:
    start: int
    end: int
    kind: str
    speaker: str = ""


def synthetic_body(rng: random.Random, marks_wanted: int) -> tuple[str, list[Mark]]:
    """A long wire-style body with exactly `marks_wanted` marks: figures (claims), quotes, and unmarked colour."""
    body, sentences = "", 0
    marks: list[Mark] = []
    while len(marks) < marks_wanted:
        if sentences and sentences % 5 == 0:
            body = body.rstrip(" ") + "\n"
        name, office, town, subject = (f"{rng.choice(FIRST)} {rng.choice(LAST)}", rng.choice(OFFICES),
                                       rng.choice(TOWNS), rng.choice(SUBJECTS))
        shape = rng.random()
        if shape < 0.15:
            body += rng.choice(COLOUR) + " "
        elif shape < 0.45 and marks_wanted - len(marks) >= 2:
            quoted = (f"\u201cWe spent {rng.randint(2, 90)} million on {subject} and {town} got nothing for it,\u201d")
            sentence = f"{quoted} said {name}, the {office}."
            start = len(body)
            marks.append(Mark(start, start + len(quoted), "quote", name))
            marks.append(Mark(start, start + len(sentence) - 1, "claim"))
            body += sentence + " "
        else:
            sentence = (f"The {office} of {town}, {name}, said spending on {subject} rose by "
                        f"{rng.randint(2, 60)} percent between {rng.randint(2009, 2016)} and {rng.randint(2018, 2025)}.")
            marks.append(Mark(len(body), len(body) + len(sentence) - 1, "claim"))
            body += sentence + " "
        sentences += 1
    return body.rstrip(), marks


def fill_database(options) -> dict:
    """Reviewers, one article with its marks, and a history of earlier changes, all through the models."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection

    from annotations.models import Article, AuditEvent, Claim, MachineActor

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        # Set-up only (this session): the timed run keeps the server's durable commits.
        cursor.execute("SET synchronous_commit TO off")
    rng = random.Random(options.seed)
    password = make_password(PASSWORD)  # hashed once: PBKDF2 per user would dominate the set-up
    reviewers = User.objects.bulk_create(
        [User(username=f"reviewer{n:02d}", password=password) for n in range(options.reviewers)])
    Group.objects.get(name="Reviewer").user_set.add(*reviewers)

    body, marks = synthetic_body(rng, options.marks)
    article, _ = Article.objects.import_article(title="Council spending under the microscope", body=body, by=None,
                                                source_name="bench-synthetic.txt")
    Claim.objects.bulk_create([
        Claim(article=article, kind=m.kind, origin=Claim.Origin.MACHINE, start=m.start, end=m.end,
              text=body[m.start:m.end], speaker=m.speaker, score=round(rng.uniform(0.5, 0.99), 3),
              reasons=["number"] if m.kind == "claim" else ["quotation marks", "speaker"])
        for m in marks])
    AuditEvent.objects.record(AuditEvent.Action.PREMARKED, actor=MachineActor("bench-synthetic"), article=article,
                              after={"added": len(marks), "removed": 0, "kept": 0, "model": "bench-synthetic"})

    claims = list(article.claims.in_text_order())
    for number in range(options.history):
        claim, reviewer, roll = rng.choice(claims), rng.choice(reviewers), rng.random()
        if roll < 0.6:
            claim.set_verdict(rng.choice(VERDICTS), by=reviewer)
        elif roll < 0.9:
            claim.set_note(f"Checked against the {rng.randint(2015, 2025)} accounts (pass {number}).", by=reviewer)
        else:
            claim.add_evidence(f"https://example.org/records/{number}", "Council accounts", by=reviewer)
    with connection.cursor() as cursor:
        cursor.execute("RESET synchronous_commit")
    return {"article": article, "body_chars": len(body), "kinds": Counter(m.kind for m in marks)}


def in_process_costs(article) -> dict:
    """Queries and time of one request of each kind, served in this process with nothing else running."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from annotations.models import Claim

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(User.objects.get(username="reviewer00"))
    claim = article.claims.order_by("pk").first()
    costs = {}
    for label, call in [
        ("login page", lambda: client.get("/accounts/login/")),
        ("article page", lambda: client.get(f"/articles/{article.pk}/")),
        ("label (htmx)", lambda: client.post(f"/claims/{claim.pk}/verdict/", {
            "verdict": "verified", "expected_version": Claim.objects.get(pk=claim.pk).version}, HTTP_HX_REQUEST="true")),
    ]:
        call()  # warm templates and caches
        timings = []
        for _ in range(3):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = call()
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200, (label, response.status_code)
        costs[label] = (len(queries), sorted(timings)[1] * 1000, len(response.content))
    return costs


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(options, port: int, log_path: Path) -> subprocess.Popen:
    environment = {key: value for key, value in os.environ.items() if key not in ("DJANGO_DEBUG", "SECOND_OPINION")}
    environment.update(DATABASE_URL=options.database_url, SECRET_KEY="bench-only-" + os.urandom(8).hex(),
                       ALLOWED_HOSTS="127.0.0.1", SECURE_COOKIES="0", WEB_CONCURRENCY=str(options.workers),
                       BIND=f"127.0.0.1:{port}")
    log = open(log_path, "wb")  # noqa: SIM115  (gunicorn writes to it until stop_gunicorn)
    # No control socket: it lives at a fixed path in $HOME and would clash with another gunicorn there.
    gunicorn = Path(sys.executable).with_name("gunicorn")  # the one installed beside this Python
    server = subprocess.Popen([str(gunicorn), "factcheck.wsgi", "-c", "factcheck/gunicorn.conf.py",
                               "--no-control-socket"], cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}; see {log_path}:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    stop_gunicorn(server)
    sys.exit(f"gunicorn did not answer within 60 s; see {log_path}")


def stop_gunicorn(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Report a redirect instead of following it: a label's 302 is its answer, and logins are checked by it."""

    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Tally:
    latencies: dict = field(default_factory=lambda: {"baseline": [], "page": [], "label": []})
    statuses: dict = field(default_factory=lambda: {"baseline": Counter(), "page": Counter(), "label": Counter()})
    accepted: Counter = field(default_factory=Counter)  # claim pk -> labels the server accepted
    unknown: Counter = field(default_factory=Counter)  # claim pk -> labels with no usable answer (may have applied)
    page_bytes: list = field(default_factory=list)
    first_views: list = field(default_factory=list)  # the warm-up views, cold caches, not in the table
    problems: list = field(default_factory=list)  # the first few unexpected answers, for the report
    lock: threading.Lock = field(default_factory=threading.Lock)


# Each verdict form holds the claim's version right after its CSRF field (see _claim.html).
VERSION_PATTERN = re.compile(r'action="/claims/(\d+)/verdict/".*?name="expected_version" value="(\d+)"', re.S)
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Reviewer:
    def __init__(self, number: int, base: str, tally: Tally, seed: int):
        self.username, self.base, self.tally = f"reviewer{number:02d}", base, tally
        self.random = random.Random(seed * 1000 + number)
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def send(self, path: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, bytes, float]:
        request = urllib.request.Request(self.base + path, headers={"Origin": self.base, **(headers or {})},
                                         data=urllib.parse.urlencode(data).encode() if data is not None else None)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as answer:
            status, body = answer.code, answer.read()
        except (OSError, http.client.HTTPException) as error:  # refused, reset, timed out, cut short
            status, body = 0, repr(error).encode()
        return status, body, time.perf_counter() - started

    def csrf_cookie(self) -> str:
        return next(cookie.value or "" for cookie in self.jar if cookie.name == "csrftoken")

    def log_in(self) -> None:
        status, body, _ = self.send("/accounts/login/")
        field = CSRF_FIELD.search(body.decode())
        if field is None:
            raise RuntimeError(f"the login page has no CSRF field: HTTP {status} {body[:300]!r}")
        token = field.group(1)
        status, body, _ = self.send("/accounts/login/", {"username": self.username, "password": PASSWORD,
                                                         "csrfmiddlewaretoken": token, "next": ""})
        if status != 302:
            raise RuntimeError(f"{self.username} could not log in: HTTP {status} {body[:300]!r}")

    def note(self, kind: str, status: int, seconds: float, body: bytes) -> None:
        with self.tally.lock:
            self.tally.statuses[kind][status] += 1
            self.tally.latencies[kind].append(seconds)
            if status not in (200, 302, 409) and len(self.tally.problems) < 5:
                self.tally.problems.append(f"{kind} HTTP {status}: {body[:300]!r}")

    def warm_up(self, article_path: str) -> None:
        """One view of the article before the clock starts: each server process renders its panels once."""
        status, body, seconds = self.send(article_path)
        with self.tally.lock:
            self.tally.first_views.append(seconds)
            if status != 200 and len(self.tally.problems) < 5:
                self.tally.problems.append(f"first view HTTP {status}: {body[:300]!r}")

    def hit_baseline(self, path: str, deadline: float) -> None:
        for _ in range(MAX_LOOPS):
            if time.monotonic() >= deadline:
                return
            status, body, seconds = self.send(path)
            self.note("baseline", status, seconds, body)

    def label_until(self, article_path: str, deadline: float, labels_per_page: int, think: float) -> None:
        """Load the page, label marks from it; each answer (200 or 409) carries the mark's current version.

        With think time, reviewers start at random moments within one pause, as people do, not all at once.
        """
        if think:
            time.sleep(self.random.uniform(0, 2 * think))
        for _ in range(MAX_LOOPS):
            if time.monotonic() >= deadline:
                return
            status, page, seconds = self.send(article_path)
            self.note("page", status, seconds, page)
            if status != 200:
                continue
            versions = dict(VERSION_PATTERN.findall(page.decode()))
            with self.tally.lock:
                self.tally.page_bytes.append(len(page))
            if not versions:
                raise RuntimeError("the article page shows no verdict forms: did _claim.html change?")
            for _ in range(labels_per_page):
                if time.monotonic() >= deadline:
                    return
                claim_pk, version = self.random.choice(sorted(versions.items()))
                status, body, seconds = self.send(
                    f"/claims/{claim_pk}/verdict/", {"verdict": self.random.choice(VERDICTS), "expected_version": version},
                    headers={"X-CSRFToken": self.csrf_cookie(), "HX-Request": "true"})
                self.note("label", status, seconds, body)
                with self.tally.lock:
                    if status in (200, 302):
                        self.tally.accepted[int(claim_pk)] += 1
                    elif status != 409:
                        self.tally.unknown[int(claim_pk)] += 1
                if status in (200, 409):
                    versions.update(VERSION_PATTERN.findall(body.decode()))
                if think:
                    time.sleep(self.random.uniform(0, 2 * think))


def run_together(reviewers: list, work, deadline: float) -> None:
    """Run `work(reviewer)` in one thread per reviewer; wait at most until a request past the deadline."""
    threads = [threading.Thread(target=work, args=(reviewer,), daemon=True) for reviewer in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + REQUEST_TIMEOUT + 30)


def percentile(values: list, share: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))] * 1000


def trivial_path(base: str) -> str:
    """/healthz if the app has one by now, otherwise the login page."""
    for path in ("/healthz/", "/healthz"):
        try:
            with urllib.request.urlopen(base + path, timeout=5) as response:
                if response.status == 200:
                    return path
        except (urllib.error.URLError, OSError):
            pass
    return "/accounts/login/"


def check_history(article, before: dict, last_setup_event: int, accepted: Counter, unknown: Counter) -> dict:
    """Compare what the clients saw accepted with what the database recorded.

    A label that got no answer (or an error) may or may not have been applied: a claim's count may
    exceed what the clients saw accepted by at most that many, and never fall below it.
    """
    from django.db.models import Count

    from annotations.models import AuditEvent

    new_labels = dict(AuditEvent.objects.filter(pk__gt=last_setup_event, action=AuditEvent.Action.VERDICT_SET)
                      .values_list("claim_id").annotate(n=Count("pk")).values_list("claim_id", "n"))
    all_events = dict(AuditEvent.objects.filter(claim__article=article).values_list("claim_id")
                      .annotate(n=Count("pk")).values_list("claim_id", "n"))
    other_new = AuditEvent.objects.filter(pk__gt=last_setup_event).exclude(action=AuditEvent.Action.VERDICT_SET).count()
    versions = dict(article.claims.values_list("pk", "version"))
    claim_ids = set(versions) | set(new_labels) | set(accepted)
    return {
        "lost": sorted(pk for pk in claim_ids if new_labels.get(pk, 0) < accepted.get(pk, 0)),
        "extra": sorted(pk for pk in claim_ids if new_labels.get(pk, 0) > accepted.get(pk, 0) + unknown.get(pk, 0)),
        "version_gaps": sorted(pk for pk, version in versions.items() if version - 1 != all_events.get(pk, 0)),
        "version_vs_labels": sorted(pk for pk, version in versions.items()
                                    if version - before[pk] != new_labels.get(pk, 0)),
        "events_recorded": sum(new_labels.values()), "other_events": other_new,
        "chain": AuditEvent.objects.verify_chain(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviewers", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--baseline-seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/factcheck_bench_web")
    parser.add_argument("--marks", type=int, default=400)
    parser.add_argument("--history", type=int, default=2000, help="earlier changes to the marks, through the models")
    parser.add_argument("--labels-per-page", type=int, default=1,
                        help="labels sent per page load, as htmx does while the page stays open")
    parser.add_argument("--think", type=float, default=5,
                        help="mean pause (s) after each label, drawn evenly from 0 to twice this; 0 = flat out, "
                             "which measures capacity rather than a desk")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    options = parser.parse_args()

    load_at_start = os.getloadavg()
    with throwaway_database(options.database_url, keep=options.keep):
        run_load(options, load_at_start)


def run_load(options: argparse.Namespace, load_at_start: tuple[float, float, float]) -> None:
    """Fill the database, serve it through gunicorn, run the reviewers against it and print the report."""
    # The default review flow: one label is final (each label is one VERDICT_SET event). Plain http.
    os.environ.pop("SECOND_OPINION", None)
    os.environ["SECURE_COOKIES"] = "0"
    setup_django(options.database_url)
    # Imported here, once Django is set up on the throw-away database.
    from django.db import connection

    from annotations.models import AuditEvent

    started = time.perf_counter()
    filled = fill_database(options)
    article = filled["article"]
    costs = in_process_costs(article)
    setup_seconds = time.perf_counter() - started
    versions_before = dict(article.claims.values_list("pk", "version"))
    last_setup_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    history_events = AuditEvent.objects.count()
    server_version = connection.cursor().connection.info.server_version
    connection.close()

    port = free_port()
    log_path = Path(tempfile.mkdtemp(prefix="web_load-")) / "gunicorn.log"
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(options, port, log_path)
    tally = Tally()
    try:
        reviewers = [Reviewer(n, base, tally, options.seed) for n in range(options.reviewers)]
        login_started = time.perf_counter()
        run_together(reviewers, Reviewer.log_in, time.monotonic() + 60)
        login_seconds = time.perf_counter() - login_started
        missing = [r.username for r in reviewers if not any(c.name == "sessionid" for c in r.jar)]
        if missing:
            raise RuntimeError(f"not logged in: {', '.join(missing)}; see {log_path}")

        baseline = trivial_path(base)
        load_before_run = os.getloadavg()
        deadline = time.monotonic() + options.baseline_seconds
        run_together(reviewers, lambda reviewer: reviewer.hit_baseline(baseline, deadline), deadline)
        warm_started = time.perf_counter()
        run_together(reviewers, lambda reviewer: reviewer.warm_up(f"/articles/{article.pk}/"), time.monotonic() + 60)
        warm_seconds = time.perf_counter() - warm_started
        deadline = time.monotonic() + options.seconds
        run_together(reviewers, lambda reviewer: reviewer.label_until(
            f"/articles/{article.pk}/", deadline, options.labels_per_page, options.think), deadline)
        load_after_run = os.getloadavg()
    finally:
        stop_gunicorn(server)

    result = check_history(article, versions_before, last_setup_event, tally.accepted, tally.unknown)

    def row(name: str, kind: str, seconds: float, target: str) -> str:
        statuses, latencies = tally.statuses[kind], tally.latencies[kind]
        total = sum(statuses.values())
        ok = statuses[200] + statuses[302]
        errors = total - ok - statuses[409]
        return (f"{name:34} {total:8,} {ok:7,} {statuses[409]:6,} {errors:6,} {total / seconds:7.1f} "
                f"{percentile(latencies, 0.5):7.1f} {percentile(latencies, 0.95):7.1f} "
                f"{percentile(latencies, 0.99):7.1f}  {target}")

    cores = os.cpu_count()
    kinds = filled["kinds"]
    print(f"web_load: {options.reviewers} reviewers, gunicorn {options.workers} sync workers "
          f"(factcheck/gunicorn.conf.py), PostgreSQL {server_version // 10000}.{server_version % 10000}, "
          f"DEBUG off")
    print(f"machine: {cores} cores; load average (1/5/15 min) at start {fmt_load(load_at_start)}, "
          f"before the run {fmt_load(load_before_run)}, after it {fmt_load(load_after_run)}")
    print(f"note: the {options.reviewers} client threads (one Python process) share these {cores} cores with "
          f"gunicorn and PostgreSQL, so latencies include client-side CPU contention")
    print(f"article: {options.marks} marks ({kinds['claim']} claims, {kinds['quote']} quotes), "
          f"{filled['body_chars']:,}-character body, page {avg(tally.page_bytes) / 1024:,.0f} KB; "
          f"{history_events:,} audit events before the run; set-up {setup_seconds:.1f} s, "
          f"{options.reviewers} logins {login_seconds:.1f} s")
    print(f"clients: closed loop, {'no think time' if not options.think else f'think {options.think} s mean'}, "
          f"{options.labels_per_page} label(s) per page load; labels sent as htmx posts (HX-Request), so a label's "
          f"answer is the mark's fragment plus its paragraph of the article text")
    print(f"warm-up: each reviewer viewed the article once before the clock started ({options.workers} server "
          f"processes rendering and caching its panels): {warm_seconds:.1f} s for all, slowest view "
          f"{max(tally.first_views) * 1000:,.0f} ms")
    print()
    print("in-process, one request at a time, before the run (django.test.Client, median of 3):")
    for label, (queries, ms, size) in costs.items():
        print(f"  {label:14} {queries:4} queries {ms:7.1f} ms {size / 1024:8,.0f} KB")
    print()
    print(f"{'endpoint':34} {'requests':>8} {'ok':>7} {'409':>6} {'errors':>6} {'req/s':>7} "
          f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  target")
    print(row(f"GET {baseline} (baseline)", "baseline", options.baseline_seconds, "-"))
    print(row("GET article page", "page", options.seconds, f"p95 ≤ {TARGETS['page_p95_ms']} ms"))
    print(row("POST label (htmx)", "label", options.seconds, f"p95 ≤ {TARGETS['label_p95_ms']} ms"))
    for problem in tally.problems:
        print(f"  unexpected answer: {problem}")
    print()
    errors = sum(sum(c.values()) - c[200] - c[302] - c[409] for c in tally.statuses.values())
    accepted = sum(tally.accepted.values())
    chain = result["chain"]
    checks = [
        (f"p95 label {percentile(tally.latencies['label'], 0.95):.0f} ms ≤ {TARGETS['label_p95_ms']} ms",
         percentile(tally.latencies["label"], 0.95) <= TARGETS["label_p95_ms"]),
        (f"p95 article page {percentile(tally.latencies['page'], 0.95):.0f} ms ≤ {TARGETS['page_p95_ms']} ms",
         percentile(tally.latencies["page"], 0.95) <= TARGETS["page_p95_ms"]),
        (f"errors: {errors}", errors == 0),
        (f"lost updates: {accepted:,} labels accepted by clients ({sum(tally.unknown.values())} of unknown outcome), "
         f"{result['events_recorded']:,} label events recorded; {len(result['lost'])} claims lost a label, "
         f"{len(result['extra'])} gained one nobody was told of", not result["lost"] and not result["extra"]),
        (f"versions gapless (version - 1 = events of the claim): {len(result['version_gaps'])} claims with a gap; "
         f"{len(result['version_vs_labels'])} whose version moved by other than their label events",
         not result["version_gaps"] and not result["version_vs_labels"]),
        (f"no events besides labels during the run: {result['other_events']}", result["other_events"] == 0),
        (f"audit chain: {chain.count:,} events, broken at {chain.broken_at}", chain.broken_at is None),
    ]
    for text, is_met in checks:
        print(f"  {'met   ' if is_met else 'MISSED'}  {text}")
    print(f"gunicorn log (access log): {log_path}")


def fmt_load(load: tuple) -> str:
    return " ".join(f"{value:.2f}" for value in load)


def avg(values: list) -> float:
    return sum(values) / len(values) if values else 0.0


if __name__ == "__main__":
    main()
