"""How well "already checked" matching works, and how fast its index answers over many claims.

Usage: python bench/claim_matching.py [--claims 100000] [--database-url URL]

1. Precision and recall of annotations.matching.is_same_claim on bench/claim_pairs.jsonl
   (paraphrases that must match, near-misses such as a different figure that must not; the
   "dev" pairs shaped the rules, the "heldout" ones were written afterwards and never tuned on),
   beside a baseline in the same run: plain word-set Jaccard ≥ 0.5 with no figure rule.
2. Lookup time: fills a throw-away database (temp SQLite unless --database-url) with N
   labelled claims and their match keys, then times match_search.match_text() for
   fresh texts, beside a full scan of every claim's text with is_same_claim in the same run.
"""
import argparse
import json
import random
import re
import statistics
import time

from bootstrap import REPO, add_database_option, setup_django, throwaway_database

from annotations.matching import is_same_claim  # pure module, no Django needed


def jaccard_baseline(first: str, second: str) -> bool:
    a, b = (set(re.findall(r"\w+", text.lower())) for text in (first, second))
    return len(a & b) / len(a | b) >= 0.5


def score_pairs(decide, which: str) -> tuple[float, float, int, int]:
    pairs = [json.loads(line) for line in (REPO / "bench" / "claim_pairs.jsonl").read_text().splitlines() if line]
    pairs = [p for p in pairs if p["set"] == which]
    true_positive = sum(decide(p["a"], p["b"]) and p["same"] for p in pairs)
    predicted = sum(decide(p["a"], p["b"]) for p in pairs)
    actual = sum(p["same"] for p in pairs)
    return true_positive / predicted if predicted else 0.0, true_positive / actual, len(pairs), actual


def synthetic_claim(rng: random.Random) -> str:
    subject = rng.choice(["The council", "The ministry", "The port", "The hospital", "The airline", "The school board"])
    verb = rng.choice(["spent", "cut", "hired", "approved", "reported", "lost", "added"])
    thing = rng.choice(["jobs", "beds", "pounds", "flights", "teachers", "homes", "tonnes"])
    place = rng.choice(["Norwick", "Harlow", "Stanmoor", "Port Ellery"])
    return f"{subject} {verb} {rng.randint(2, 90000):,} {thing} in {place} in {rng.randint(1990, 2030)}."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=100)
    add_database_option(parser)
    options = parser.parse_args()

    print("pairs from bench/claim_pairs.jsonl: 'dev' pairs shaped the rules; 'heldout' pairs were written after")
    print(f"{'decision':34} {'set':8} {'pairs':>5} {'precision':>9} {'recall':>7}")
    for label, decide in [("is_same_claim (ours)", is_same_claim), ("word Jaccard >= 0.5 (baseline)", jaccard_baseline)]:
        for which in ("dev", "heldout"):
            precision, recall, count, _ = score_pairs(decide, which)
            print(f"{label:34} {which:8} {count:5} {precision:9.3f} {recall:7.3f}")
    print()

    with throwaway_database(options.database_url) as database_url:
        setup_django(database_url)
        time_lookups(options)


def time_lookups(options: argparse.Namespace) -> None:
    # Imported here, once Django is set up on the throw-away database.
    from django.core.management import call_command
    from django.utils import timezone

    from annotations.match_search import match_text
    from annotations.models import Article, Claim, ClaimKey

    call_command("migrate", verbosity=0)
    rng = random.Random(11)
    texts = [synthetic_claim(rng) for _ in range(options.claims)]
    started = time.perf_counter()
    article, _ = Article.objects.import_article(title="Archive", body="\n".join(texts), by=None)
    offsets, position = [], 0
    for text in texts:
        offsets.append((position, position + len(text)))
        position += len(text) + 1
    now = timezone.now()
    for first in range(0, len(texts), 5000):
        claims = Claim.objects.bulk_create(
            Claim(article=article, kind="claim", start=start, end=end, text=text, verdict="verified", reviewed_at=now)
            for (start, end), text in zip(offsets[first:first + 5000], texts[first:first + 5000], strict=True))
        ClaimKey.objects.bulk_create(key for claim in claims for key in ClaimKey.keys_for(claim))
    print(f"indexed {len(texts):,} labelled claims in {time.perf_counter() - started:.1f} s")

    probes = [rng.choice(texts).replace("in ", "within ", 1) for _ in range(options.lookups)]
    lookup_times, found = [], 0
    for probe in probes:
        started = time.perf_counter()
        found += match_text(probe) is not None
        lookup_times.append(time.perf_counter() - started)
    scan_probes = probes[:5]
    started = time.perf_counter()
    for probe in scan_probes:
        any(is_same_claim(probe, text) for text in Claim.objects.values_list("text", flat=True).iterator())
    scan_seconds = (time.perf_counter() - started) / len(scan_probes)
    median = statistics.median(lookup_times)
    p95 = sorted(lookup_times)[int(0.95 * len(lookup_times)) - 1]
    print(f"index lookup: median {median * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms over {len(probes)} lookups "
          f"({found} found a match)")
    print(f"full scan (baseline): {scan_seconds * 1000:.0f} ms per lookup; the index is {scan_seconds / median:.0f}× faster")


if __name__ == "__main__":
    main()
