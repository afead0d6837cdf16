"""End-to-end import + pre-mark throughput beside raw spaCy, on N synthetic ~700-word articles.

Usage: python bench/import_speed.py [--articles 1000] [--postgres-url URL] [--workers N] [--seed 7]

Prints, in one run: raw `nlp.pipe` over the bodies (the ceiling), then our full import
(read, normalise, de-duplicate, pre-mark through nlp.pipe, write articles, marks and audit
events) into a throw-away SQLite file and, with --postgres-url, into a throw-away PostgreSQL
database (its name must contain "bench"; made afresh and dropped afterwards); tokens per second
for each and the ratio to raw spaCy (target ≥ 0.8 at N = 1,000).

With --workers N (and --postgres-url): the same articles queued as BATCHES import batches and
imported by real `run_worker --until-idle` processes, once by one worker and once by N, each into a
fresh database; wall time from the workers' start (spaCy loading included) to the last one's exit,
and the N-worker speed-up (target ≥ 1.7 for 2 workers on a 2-core machine). Every article must be
stored exactly once.
"""
import argparse
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from typing import TypeVar

from bootstrap import REPO, setup_django, throwaway_database

FIRST = ["Ada", "Tomas", "Mira", "Joel", "Priya", "Ruth", "Owen", "Lena", "Kofi", "Ines", "Marek", "Hana"]
LAST = ["Brennan", "Okafor", "Lindqvist", "Moreau", "Castell", "Varga", "Nakamura", "Ferreira", "Dunmore", "Aziz"]
ROLES = ["Finance Minister", "Mayor", "council leader", "union chief", "Health Secretary", "professor"]
PLACES = ["Harlow", "Kestrel Bay", "Norwick", "the northern district", "Port Ellery", "Stanmoor"]
THINGS = ["the bridge repairs", "the new clinic", "bus fares", "the flood defences", "school meals", "the tram line"]
VERBS = ["said", "told reporters", "warned", "argued", "insisted"]
OPINIONS = ["It was a long day for everyone involved.", "Few expected the meeting to be so tense.",
            "The mood in the hall was hard to read.", "Nobody in the room seemed surprised."]


def synthetic_article(rng: random.Random, number: int) -> tuple[str, str]:
    """A headline and a ~700-word body of wire-style sentences: figures, quotes, reported speech, colour."""
    people = [(rng.choice(ROLES), f"{rng.choice(FIRST)} {rng.choice(LAST)}") for _ in range(3)]
    place = rng.choice(PLACES)
    paragraphs, words = [], 0
    while words < 700:
        role, name = rng.choice(people)
        thing = rng.choice(THINGS)
        figure = rng.randint(2, 950)
        sentences = [
            f"{role.capitalize()} {name} {rng.choice(VERBS)} that {thing} in {place} would cost "
            f"{figure} million pounds by {rng.randint(2026, 2031)}.",
            f"\u201cWe will not let {thing} slip again,\u201d {name.split()[1]} said, \u201cwhatever it takes.\u201d",
            f"According to the council, spending on {thing} rose by {rng.randint(2, 40)} percent last year, "
            f"more than in any other town in the region.",
            rng.choice(OPINIONS),
        ]
        paragraph = " ".join(rng.sample(sentences, k=3))
        paragraphs.append(paragraph)
        words += len(paragraph.split())
    return f"Report {number}: {rng.choice(THINGS).capitalize()} in {place}", "\n".join(paragraphs)


Result = TypeVar("Result")


def timed(function: Callable[[], Result]) -> tuple[float, Result]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def make_drafts(count: int, seed: int) -> list:
    from annotations.importing import draft_from_text

    rng = random.Random(seed)
    return [draft_from_text(*synthetic_article(rng, n), f"synthetic-{n}.txt") for n in range(count)]


def measure_import(options) -> None:
    """In a child process: migrate the given database, import every draft, print the seconds."""
    setup_django(options.database_url)
    from django.core.management import call_command

    from annotations.premark import get_nlp
    from annotations.storing import import_items

    drafts = make_drafts(options.articles, options.seed)
    call_command("migrate", verbosity=0)
    list(get_nlp().pipe(["Warm up the pipeline."]))
    seconds, imported = timed(lambda: sum(o.status == "imported" for o in import_items(drafts, by=None)))
    assert imported == options.articles, f"only {imported} of {options.articles} imported: is the database empty?"
    print(seconds)


BATCHES = 8  # enough for the workers to share the queue evenly


def queue_batches(options) -> None:
    """In a child process: migrate the given database and queue the articles as BATCHES import batches."""
    setup_django(options.database_url)
    from django.core.management import call_command

    from annotations.tasks import queue_import

    call_command("migrate", verbosity=0)
    rng = random.Random(options.seed)
    files = [(f"synthetic-{n}.txt", "\n".join(synthetic_article(rng, n)).encode()) for n in range(options.articles)]
    for start in range(BATCHES):
        queue_import(files[start::BATCHES], by=None)


def count_articles(options) -> None:
    """In a child process: print how many articles, and how many distinct bodies, the database holds."""
    setup_django(options.database_url)
    from annotations.models import Article

    print(Article.objects.count(), Article.objects.values("body_fingerprint").distinct().count())


def run_workers(options, database_url: str, workers: int) -> float:
    """Queue the articles into a fresh database, then time `workers` worker processes until all have exited."""
    child_args = [sys.executable, __file__, "--articles", str(options.articles), "--seed", str(options.seed),
                  "--database-url", database_url]
    subprocess.run([*child_args, "--step", "queue"], check=True)
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench-only"}
    env.pop("DJANGO_DEBUG", None)
    started = time.perf_counter()
    processes = [subprocess.Popen([sys.executable, str(REPO / "manage.py"), "run_worker", "--until-idle"], env=env)
                 for _ in range(workers)]
    if any(process.wait() for process in processes):
        raise SystemExit("a worker failed")
    seconds = time.perf_counter() - started
    stored, distinct = map(int, subprocess.run([*child_args, "--step", "count"], check=True, capture_output=True,
                                               text=True).stdout.split())
    if stored != options.articles or distinct != stored:
        raise SystemExit(f"{stored} articles stored ({distinct} distinct) of {options.articles}")
    return seconds


def compare_workers(options) -> None:
    timings = {}
    for workers in (1, options.workers):
        with throwaway_database(options.postgres_url) as database_url:
            timings[workers] = run_workers(options, database_url, workers)
    one = timings[1]
    print(f"\n{options.articles} articles in {BATCHES} batches on PostgreSQL, real run_worker processes "
          "(wall time, spaCy loading included)")
    print(f"{'workers':8} {'seconds':>8} {'articles/s':>11} {'× one worker':>13}")
    for workers, seconds in timings.items():
        print(f"{workers:<8} {seconds:8.1f} {options.articles / seconds:11.1f} {one / seconds:13.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--postgres-url", help="a PostgreSQL database to make afresh and drop afterwards, "
                                               "e.g. postgres://postgres@127.0.0.1:5432/factcheck_bench")
    parser.add_argument("--workers", type=int, default=0,
                        help="also compare 1 and this many worker processes (needs --postgres-url)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)  # set by the parent for its child runs
    parser.add_argument("--step", choices=["import", "queue", "count"], default="import", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.database_url:
        return {"import": measure_import, "queue": queue_batches, "count": count_articles}[options.step](options)
    if options.workers and not options.postgres_url:
        parser.error("--workers needs --postgres-url: SQLite takes one writer at a time")

    setup_django()  # the pipeline only: this process never opens a database
    from annotations.premark import get_nlp

    bodies = [draft.body for draft in make_drafts(options.articles, options.seed)]
    nlp = get_nlp()
    list(nlp.pipe(bodies[:4]))  # warm up
    raw_seconds, tokens = timed(lambda: sum(len(doc) for doc in nlp.pipe(bodies, batch_size=16)))
    print(f"{options.articles} articles, {tokens:,} tokens ({sum(len(b.split()) for b in bodies) / len(bodies):.0f} words each)")
    print(f"{'run':32} {'seconds':>8} {'tokens/s':>10} {'× raw':>6}")
    print(f"{'raw nlp.pipe (baseline)':32} {raw_seconds:8.1f} {tokens / raw_seconds:10,.0f} {1:6.2f}")

    targets: list[tuple[str, str | None]] = [("import + pre-mark → SQLite", None)]
    if options.postgres_url:
        targets.append(("import + pre-mark → PostgreSQL", options.postgres_url))
    for label, url in targets:
        with throwaway_database(url) as database_url:
            child = subprocess.run([sys.executable, __file__, "--articles", str(options.articles), "--seed",
                                    str(options.seed), "--database-url", database_url], capture_output=True, text=True)
        if child.returncode:
            print(f"{label}: failed\n{child.stderr[-2000:]}")
            continue
        seconds = float(child.stdout.split()[-1])
        print(f"{label:32} {seconds:8.1f} {tokens / seconds:10,.0f} {raw_seconds / seconds:6.2f}")
    if options.workers:
        compare_workers(options)


if __name__ == "__main__":
    main()
