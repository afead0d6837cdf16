"""Claim export speed and memory per format, beside PostgreSQL's own COPY of the same CSV columns.

Usage: .venv/bin/python bench/export_speed.py [--claims 1000000] [--claims-per-article 25]
           [--database-url postgres://postgres@127.0.0.1:5432/factcheck_bench_export] [--reuse] [--keep]
           [--max-seconds S] [--orm]

Fills a throw-away PostgreSQL database (its name must contain "bench") with synthetic articles and
labelled claims, one evidence link per ten claims and each claim's label history (a valid audit chain,
inserted like any other rows: the append-only triggers stay), using COPY. --reuse keeps a database
that already holds at least --claims labelled claims. Then, each in a fresh process so peak memory is
its own: every format of exports.FORMATS streamed from select_claims() to /dev/null (and with --orm,
the ORM rows alone). Baseline: `COPY (SELECT the CSV's columns) TO STDOUT WITH CSV` read through
psycopg. Targets: CSV at least 0.3 × COPY's rows/s; peak RSS at most 150 MB per format.
"""
import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bootstrap import database_exists, recreate_database, setup_django

TARGET_RATIO = 0.3
TARGET_RSS_MB = 150
SENTENCES_PER_ARTICLE = 40  # ~5 KB, ~800 words; × 6 trims: room for 240 distinct marks per article

NAMES = ["Rosa Albright", "Tariq Mensah", "Wen Li", "Oskar Nyberg", "Dana Kowalczyk", "Malik Haddad"]
OFFICES = ["finance minister", "mayor", "health board chair", "union leader", "chief constable"]
TOPICS = ["housing starts", "ambulance waits", "school places", "bus subsidies", "energy bills", "fly-tipping"]
PLACES = ["Northgate", "Ashby Fen", "Calder Quay", "Westmoor", "the old mill district"]

# The CSV's columns (exports.COLUMNS) in one query, for PostgreSQL to write itself.
COPY_SQL = """
COPY (
    SELECT c.article_id, a.title, a.source_url, c.id, c.kind, c.text, c.speaker, c.start, c."end", c.verdict,
           c.note, COALESCE(ev.urls, ''), COALESCE(u.username, ''), c.reviewed_at, c.origin,
           to_char(c.score, 'FM0.000')
    FROM annotations_claim c
    JOIN annotations_article a ON a.id = c.article_id
    LEFT JOIN auth_user u ON u.id = c.reviewed_by_id
    LEFT JOIN (SELECT claim_id, string_agg(url, ' ' ORDER BY added_at, id) AS urls
               FROM annotations_evidence GROUP BY claim_id) ev ON ev.claim_id = c.id
    WHERE NOT c.is_dismissed AND c.verdict <> 'unreviewed'
    ORDER BY c.article_id, c.start, c."end", c.id
) TO STDOUT WITH (FORMAT csv, HEADER)
"""


def copy_rows(model, rows) -> int:
    """COPY rows (dicts by attname) into the model's table; a field a row leaves out gets its default."""
    from django.db import connection

    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    defaults = {field.attname: field.get_db_prep_save(field.get_default(), connection) for field in fields}
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    count = 0
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row.get(field.attname, defaults[field.attname]) for field in fields])
            count += 1
    return count


def synthetic_article(rng: random.Random) -> tuple[str, list[tuple[int, int, str]]]:
    """A ~5 KB body of SENTENCES_PER_ARTICLE sentences and each sentence's (start, end, speaker)."""
    body, sentences = "", []
    for number in range(SENTENCES_PER_ARTICLE):
        if number and number % 5 == 0:
            body = body.rstrip(" ") + "\n"
        name, office, topic, place = rng.choice(NAMES), rng.choice(OFFICES), rng.choice(TOPICS), rng.choice(PLACES)
        if rng.random() < 0.3:
            sentence = f"\u201c{topic.capitalize()} in {place} are up {rng.randint(2, 80)} percent,\u201d said {name}."
            speaker = name
        else:
            sentence = (f"The {office} of {place}, {name}, said {topic} fell by {rng.randint(2, 60)} percent "
                        f"between {rng.randint(2008, 2016)} and {rng.randint(2018, 2025)}.")
            speaker = ""
        sentences.append((len(body), len(body) + len(sentence), speaker))
        body += sentence + " "
    return body.rstrip(), sentences


def fill(options) -> None:
    """Reviewers, articles, labelled claims, evidence and the claims' label history, by COPY."""
    import psycopg
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from annotations.models import GENESIS_HASH, Article, AuditEvent, Claim, MachineActor, body_fingerprint, event_hash

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")  # this session only: a throw-away database
    rng = random.Random(options.seed)
    now = datetime.now(UTC)
    reviewers = User.objects.bulk_create(
        [User(username=f"reviewer{n:02d}", password=make_password(None)) for n in range(20)])
    usernames = {user.pk: user.username for user in reviewers}
    per_article = options.claims_per_article
    if not 0 < per_article <= SENTENCES_PER_ARTICLE * 6:
        sys.exit(f"--claims-per-article must be 1 to {SENTENCES_PER_ARTICLE * 6}")
    article_count = -(-options.claims // per_article)

    started = time.perf_counter()
    bodies = []

    def articles():
        for n in range(article_count):
            body, sentences = synthetic_article(rng)
            bodies.append((body, sentences))
            yield {"title": f"Council report {n}: {rng.choice(TOPICS)} in {rng.choice(PLACES)}", "body": body,
                   "body_fingerprint": body_fingerprint(body), "source_name": f"report-{n}.txt",
                   "source_url": f"https://news.example.org/{2020 + n % 6}/report-{n}", "author": rng.choice(NAMES),
                   "published_at": now - timedelta(days=rng.randint(30, 900)), "created_at": now - timedelta(days=20),
                   "premarked_with": "bench-synthetic"}

    copy_rows(Article, articles())
    article_ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    print(f"  articles: {len(article_ids):,} in {time.perf_counter() - started:.1f} s", flush=True)

    started = time.perf_counter()
    verdicts = [Claim.Verdict.VERIFIED, Claim.Verdict.DISPUTED, Claim.Verdict.UNCLEAR]

    def claims():
        made = 0
        for article_id, (body, sentences) in zip(article_ids, bodies, strict=True):
            for n in range(min(per_article, options.claims - made)):
                start, end, speaker = sentences[n % SENTENCES_PER_ARTICLE]
                kind = Claim.Kind.QUOTE if speaker and n % 2 else Claim.Kind.CLAIM
                start += n // SENTENCES_PER_ARTICLE  # a later, shorter span of the same sentence
                made += 1
                yield {"article_id": article_id, "kind": kind, "start": start, "end": end,
                       "origin": Claim.Origin.MACHINE if n % 7 else Claim.Origin.HUMAN, "text": body[start:end],
                       "speaker": speaker if kind == Claim.Kind.QUOTE else "", "score": round(rng.uniform(0.5, 0.99), 3),
                       "reasons": '["number", "reported speech"]', "verdict": verdicts[n % 3],
                       # One note in five starts with "=", which the exports must neutralise.
                       "note": f"=Checked against the {2015 + n % 10} accounts." if n % 5 == 0 else "",
                       # Labelled with second opinions off: final at once (ignored where the field is absent).
                       "review_state": "final", "is_touched": True, "reviewed_by_id": rng.choice(reviewers).pk,
                       "reviewed_at": now - timedelta(minutes=rng.randint(1, 500_000)), "version": 2 + (n % 5 == 0),
                       "created_at": now - timedelta(days=20)}

    count = copy_rows(Claim, claims())
    bodies.clear()
    print(f"  claims: {count:,} in {time.perf_counter() - started:.1f} s", flush=True)

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO annotations_evidence (claim_id, url, description, added_by_id, added_at)
            SELECT id, 'https://records.example.org/claims/' || id, 'Published accounts', reviewed_by_id, reviewed_at
            FROM annotations_claim WHERE id % 10 = 0""")
        cursor.execute("SELECT count(*) FROM annotations_evidence")
        evidence = cursor.fetchone()[0]
    print(f"  evidence: {evidence:,} in {time.perf_counter() - started:.1f} s", flush=True)

    started = time.perf_counter()
    previous = [GENESIS_HASH]
    hashing = AuditEvent()  # one instance, refilled: its own hashed_content() defines what the hash covers

    def chained(**values) -> dict:
        values = {"actor_id": None, "article_id": None, "claim_id": None, "before": {}, "after": {}, "note": "",
                  **values}
        for name, value in values.items():
            setattr(hashing, name, value)
        values["previous_hash"] = previous[0]
        values["hash"] = previous[0] = event_hash(previous[0], hashing.hashed_content())
        values["before"], values["after"] = json.dumps(values["before"]), json.dumps(values["after"])
        return values

    def events(reader):
        machine = MachineActor("bench-synthetic")
        for article_id in article_ids:
            yield chained(created_at=now - timedelta(days=20), actor_label="system",
                          action=AuditEvent.Action.IMPORTED, article_id=article_id, after={"bench": True})
            yield chained(created_at=now - timedelta(days=20), actor_label=machine.label,
                          action=AuditEvent.Action.PREMARKED, article_id=article_id,
                          after={"added": per_article, "model": machine.model_name})
        # Each claim's history as _change() writes it: a label and, for one in five, a note. Read on a
        # second connection, since this one is busy with the COPY.
        rows = reader.cursor(name="claims")
        rows.itersize = 5000
        rows.execute('SELECT id, article_id, kind, start, "end", text, speaker, verdict, note, reviewed_by_id, '
                     'reviewed_at, version FROM annotations_claim ORDER BY id')
        for pk, article_id, kind, start, end, text, speaker, verdict, note, reviewer, at, version in rows:
            state = {"kind": kind, "start": start, "end": end, "text": text, "speaker": speaker,
                     "verdict": "unreviewed", "note": "", "is_dismissed": False, "review_state": "open",
                     "version": 1, "evidence": []}
            labelled = {**state, "verdict": verdict, "review_state": "final", "version": 2}
            yield chained(created_at=at, actor_id=reviewer, actor_label=usernames[reviewer],
                          action=AuditEvent.Action.VERDICT_SET, article_id=article_id, claim_id=pk,
                          before=state, after=labelled)
            if version == 3:
                yield chained(created_at=at + timedelta(seconds=30), actor_id=reviewer,
                              actor_label=usernames[reviewer], action=AuditEvent.Action.NOTE_SET,
                              article_id=article_id, claim_id=pk, before=labelled,
                              after={**labelled, "note": note, "version": 3})

    with psycopg.connect(options.database_url) as reader:
        count = copy_rows(AuditEvent, events(reader))
    print(f"  audit events: {count:,} in {time.perf_counter() - started:.1f} s", flush=True)

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("RESET synchronous_commit")
        # What autovacuum would have done by the time a desk has a million labels.
        cursor.execute("VACUUM (ANALYZE) annotations_article, annotations_claim, annotations_evidence, "
                       "annotations_auditevent, auth_user")
    print(f"  vacuum analyze: {time.perf_counter() - started:.1f} s", flush=True)


def count(options) -> None:
    """Bring a kept database's schema up to date (the app moves on between runs), then count what it holds."""
    setup_django(options.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor, migrated = MigrationExecutor(connection), None
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) annotations_claim")
        migrated = time.perf_counter() - started

    from annotations.exports import select_claims
    from annotations.models import Article, AuditEvent, Evidence

    print(json.dumps({
        "rows": select_claims().count(), "articles": Article.objects.count(), "evidence": Evidence.objects.count(),
        "events": AuditEvent.objects.count(), "server_version": connection.cursor().connection.info.server_version,
        "migrated": migrated}))


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def measure(options) -> None:
    """In a fresh process: stream one format (or COPY, or bare ORM rows) to /dev/null; print JSON figures.

    With --max-seconds, stop there: rows/s then covers the rows done, and peak memory the part run.
    """
    figures: dict[str, Any] = {"rows": 0, "first": None, "size": 0, "rss_early": None, "complete": False}
    deadline = time.perf_counter() + (options.max_seconds or float("inf"))

    def counted(rows: int, size: int) -> bool:
        """Add one row (or chunk); False once time is up."""
        if figures["first"] is None and rows:
            figures["first"] = time.perf_counter() - started
        figures["rows"] += rows
        figures["size"] += size
        if figures["rss_early"] is None and figures["rows"] >= 10_000:
            figures["rss_early"] = max_rss_mb()
        return figures["rows"] % 1000 or time.perf_counter() < deadline

    if options.measure == "copy":
        import psycopg

        figures["rss_before"] = max_rss_mb()
        started = time.perf_counter()
        with (psycopg.connect(options.database_url) as connection, open(os.devnull, "wb") as out,
              connection.cursor() as cursor, cursor.copy(COPY_SQL) as copy):
            for number, data in enumerate(copy):
                out.write(data)
                if not counted(bytes(data).count(b"\n") - (number == 0), len(data)):
                    break
            else:
                figures["complete"] = True
    else:
        setup_django(options.database_url)
        from annotations.exports import FORMATS, select_claims

        figures["rss_before"] = max_rss_mb()
        started = time.perf_counter()
        if options.measure == "orm":
            for claim in select_claims().iterator(chunk_size=500):
                claim.article, claim.reviewed_by, list(claim.evidence.all())
                if not counted(1, 0):
                    break
            else:
                figures["complete"] = True
        else:
            # CSV comes a chunk of rows at a time (rows end in \n, as COPY's do; the first chunk is the BOM and
            # header; the bench's texts hold no line breaks);
            # the others a claim at a time, with claimreview's closing bracket as one extra chunk.
            extra = 1 if options.measure == "claimreview" else 0
            with open(os.devnull, "w", encoding="utf-8") as text_out:
                for number, chunk in enumerate(FORMATS[options.measure][0](select_claims())):
                    text_out.write(chunk)
                    rows = (chunk.count("\n") - (number == 0)) if options.measure == "csv" else 1
                    if not counted(rows, len(chunk)):
                        break
                else:
                    figures["complete"] = True
                    figures["rows"] -= extra if options.measure == "claimreview" else 0
    figures.update(seconds=time.perf_counter() - started, rss_peak=max_rss_mb())
    print(json.dumps(figures))


def run_child(options, fmt: str) -> dict:
    command = [sys.executable, __file__, "--measure", fmt, "--database-url", options.database_url]
    if options.max_seconds:
        command += ["--max-seconds", str(options.max_seconds)]
    # The limit stops the stream; the extra time covers a query that must finish before its first row.
    child = subprocess.run(command, capture_output=True, text=True, timeout=(options.max_seconds or 3600) + 1800)
    if child.returncode:
        raise RuntimeError(f"{fmt} failed:\n{child.stderr[-3000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--claims-per-article", type=int, default=25,
                        help="labelled marks per ~800-word article (default 25: 1M claims in 40,000 articles)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/factcheck_bench_export")
    parser.add_argument("--reuse", action="store_true", help="keep a database that already has enough claims")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--max-seconds", type=float, help="stop each export after this long (default: run to the end)")
    parser.add_argument("--orm", action="store_true", help="also time select_claims() rows alone, without output")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # set by the parent for its child runs
    options = parser.parse_args()
    if options.measure == "fill":
        setup_django(options.database_url)
        return fill(options)
    if options.measure == "count":
        return count(options)
    if options.measure:
        return measure(options)

    # This process never sets Django up or loads the data: on Linux a child's ru_maxrss starts from its
    # parent's size at fork, so a big parent would inflate every child's peak.
    load_at_start = os.getloadavg()
    counts = run_child(options, "count") if options.reuse and database_exists(options.database_url) else None
    reused = counts is not None and counts["rows"] >= options.claims
    if not reused:
        recreate_database(options.database_url)
        print(f"filling {options.claims:,} labelled claims, {options.claims_per_article} per article:", flush=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--measure", "fill", "--database-url", options.database_url,
                        "--claims", str(options.claims), "--claims-per-article", str(options.claims_per_article),
                        "--seed", str(options.seed)], check=True, timeout=3600)
        print(f"  filled in {time.perf_counter() - started:.1f} s", flush=True)
        counts = run_child(options, "count")
    assert counts is not None  # counted above, after filling when the kept database was not enough
    rows, version = counts["rows"], counts["server_version"]
    if counts["migrated"]:
        print(f"  migrated the kept database to the current models in {counts['migrated']:.1f} s")
    print(f"export_speed: {rows:,} labelled claims in {counts['articles']:,} articles, {counts['evidence']:,} "
          f"evidence links, {counts['events']:,} audit events{' (reused database)' if reused else ''}; "
          f"PostgreSQL {version // 10000}.{version % 10000}")
    print(f"machine: {os.cpu_count()} cores; load average (1/5/15 min) at start {fmt_load(load_at_start)}, "
          f"before the exports {fmt_load(os.getloadavg())}")
    print(f"{'run (fresh process each)':34} {'rows':>9} {'seconds':>8} {'rows/s':>8} {'× COPY':>7} "
          f"{'1st row s':>9} {'MB out':>7} {'RSS MB: start':>13} {'10k rows':>8} {'peak':>6}")
    results = {}
    runs = [("copy", "COPY … TO STDOUT CSV (baseline)"), ("orm", "select_claims() rows, no output"),
            ("csv", "csv_lines"), ("jsonl", "jsonl_lines"), ("claimreview", "claimreview_lines")]
    for fmt, label in runs if options.orm else [run for run in runs if run[0] != "orm"]:
        figures = results[fmt] = run_child(options, fmt)
        figures["speed"] = figures["rows"] / figures["seconds"]
        partial = "" if figures["complete"] else f"  stopped at --max-seconds ({figures['rows'] / rows:.0%} done)"
        print(f"{label:34} {figures['rows']:9,} {figures['seconds']:8.1f} {figures['speed']:8,.0f} "
              f"{figures['speed'] / results['copy']['speed']:7.2f} {figures['first'] or 0:9.1f} "
              f"{figures['size'] / 1e6:7.0f} {figures['rss_before']:13.0f} {figures['rss_early'] or 0:8.0f} "
              f"{figures['rss_peak']:6.0f}{partial}", flush=True)
    print("(MB out: characters for the formats, bytes for COPY. RSS: ru_maxrss before exporting, after 10,000 rows,"
          " and at the end.)")
    print(f"machine: load average after the exports {fmt_load(os.getloadavg())}")
    ratio = results["csv"]["speed"] / results["copy"]["speed"]
    print(f"  {'met   ' if ratio >= TARGET_RATIO else 'MISSED'}  CSV rows/s ÷ COPY rows/s = {ratio:.2f} "
          f"(target ≥ {TARGET_RATIO})")
    for fmt in ("csv", "jsonl", "claimreview"):
        peak = results[fmt]["rss_peak"]
        print(f"  {'met   ' if peak <= TARGET_RSS_MB else 'MISSED'}  {fmt} peak RSS {peak:.0f} MB "
              f"(target ≤ {TARGET_RSS_MB} MB)")

    if not options.keep:
        recreate_database(options.database_url, drop_only=True)


def fmt_load(load: tuple) -> str:
    return " ".join(f"{value:.2f}" for value in load)


if __name__ == "__main__":
    main()
