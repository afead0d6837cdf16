"""The article page of a 5,000-mark article beside a normal one: server time and HTML size, first view and a later section.

Usage: .venv/bin/python bench/article_page.py [--marks 5000] [--normal-marks 20] [--repeat 5]
           [--database-url postgres://postgres@127.0.0.1:5432/factcheck_bench_page]

Builds a throw-away database (SQLite by default) with two articles written here: one of --marks
marks (two marked sentences per paragraph) and a normal one of --normal-marks. A reviewer opens each
through Django's test client with production settings (DEBUG off, the fragment cache on): the first
view cold (nothing cached yet), then the median of --repeat views (cached), and the same for a later
section (`?section=3`) of the long article and its htmx load (the fragment scrolling brings in).
Targets for the long article's first view: at most 1 s of server time and 2 MB of HTML.
"""
import argparse
import statistics
import time

from bootstrap import add_database_option, setup_django, throwaway_database

TARGET_SECONDS, TARGET_BYTES = 1.0, 2_000_000
PLACES = ["Eastmere", "Brackwater", "Lowfield", "Hollin Vale", "Saint Ives Cross"]
THINGS = ["bus routes", "hospital beds", "school places", "council homes", "night trains"]


def sentence(number: int) -> str:
    """A check-worthy sentence of its own, different for every number."""
    place, thing = PLACES[number % len(PLACES)], THINGS[number // len(PLACES) % len(THINGS)]
    return f"{place} lost {number * 7 % 900 + 12} {thing} in {1990 + number % 35}, figures for item {number} show."


def build_article(title: str, marks: int):
    """An article of `marks` marked sentences, two to a paragraph; every mark a machine claim."""
    from annotations.models import Article, Claim  # imported once Django is set up on the bench database

    body, spans = "", []
    for number in range(marks):
        if number:
            body += "\n\n" if number % 2 == 0 else " "
        spans.append((len(body), len(body) + len(sentence(number))))
        body += sentence(number)
    article, _ = Article.objects.import_article(title=title, body=body, by=None)
    Claim.objects.bulk_create([
        Claim(article=article, start=start, end=end, text=body[start:end], kind=Claim.Kind.CLAIM,
              origin=Claim.Origin.MACHINE, score=0.8) for start, end in spans], batch_size=500)
    return article


def timed(client, url: str, repeat: int, **headers) -> tuple[float, float, int]:
    """(first, median of the rest, bytes): the first view is cold, the rest find the fragments cached."""
    seconds, size = [], 0
    for _ in range(repeat + 1):
        started = time.perf_counter()
        response = client.get(url, **headers)
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        size = len(response.content)
    return seconds[0], statistics.median(seconds[1:]), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marks", type=int, default=5000)
    parser.add_argument("--normal-marks", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    add_database_option(parser)
    options = parser.parse_args()
    with throwaway_database(options.database_url) as database_url:
        setup_django(database_url)
        measure(options)


def measure(options: argparse.Namespace) -> None:
    # Imported here, once Django is set up on the throw-away database.
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    reviewer = User.objects.create_user("bench-reviewer", password="bench-reviewer-password-1")
    reviewer.groups.add(Group.objects.get(name="Reviewer"))
    normal = build_article("Normal", options.normal_marks)
    long = build_article("Long", options.marks)
    client = Client(HTTP_HOST="localhost")
    client.force_login(reviewer)

    def page(article, query: str = "") -> str:
        return reverse("annotations:article_detail", args=[article.pk]) + query

    rows = [
        (f"normal article ({options.normal_marks} marks)", page(normal), {}),
        (f"long article ({options.marks} marks), first view", page(long), {}),
        ("long article, ?section=3 (a link)", page(long, "?section=3"), {}),
        ("long article, ?section=4 by htmx (scrolling)", page(long, "?section=4"), {"HTTP_HX_REQUEST": "true"}),
        (f"normal article ({options.normal_marks} marks), again", page(normal), {}),
    ]
    print(f"{'page':48} {'cold s':>7} {'warm s':>7} {'HTML bytes':>11}")
    for label, url, headers in rows:
        cold, warm, size = timed(client, url, options.repeat, **headers)
        print(f"{label:48} {cold:7.3f} {warm:7.3f} {size:11,}")
    print(f"targets for the long article's first view: <= {TARGET_SECONDS:.0f} s server time, "
          f"<= {TARGET_BYTES / 1e6:.0f} MB of HTML")


if __name__ == "__main__":
    main()
