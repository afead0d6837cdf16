"""How fast pre-marking runs (find_spans_many, no database) beside the bare spaCy pipeline on the same texts.

Usage: .venv/bin/python bench/premark_speed.py [--repeat 3] [--min-words 50000] [--gold DIR]

Texts: the gold-set bodies and annotations/sample_articles, read as the app reads them (read_paths),
repeated until they hold at least --min-words words. After one untimed warm-up pass, the two runs
alternate --repeat times and the best time of each counts:
  raw:     for doc in get_nlp().pipe(texts, batch_size=16): pass
  premark: list(find_spans_many(texts))       (the same pipe, batch size 16, plus our rules)
The ratio is premark throughput over raw throughput; the target is >= 0.85.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from bootstrap import REPO, setup_django

setup_django()

from django.conf import settings  # noqa: E402

from annotations.importing import ArticleDraft, read_paths  # noqa: E402
from annotations.premark import find_spans_many, get_nlp  # noqa: E402

BATCH_SIZE = 16
TARGET_RATIO = 0.85


def article_bodies(gold: Path) -> list[str]:
    """Normalised bodies of the gold articles (not the folder's README) and of the sample articles."""
    paths = [*sorted(gold.glob("[0-9][0-9]-*.txt")), REPO / "annotations" / "sample_articles"]
    return [item.body for item in read_paths(paths) if isinstance(item, ArticleDraft)]


def repeated(bodies: list[str], min_words: int) -> list[str]:
    """The bodies, whole copies of the list, until there are at least min_words words."""
    words = sum(len(body.split()) for body in bodies)
    copies = -(-min_words // words)
    return bodies * copies


def time_raw(texts: list[str]) -> float:
    started = time.perf_counter()
    for _doc in get_nlp().pipe(texts, batch_size=BATCH_SIZE):
        pass
    return time.perf_counter() - started


def time_premark(texts: list[str]) -> float:
    started = time.perf_counter()
    list(find_spans_many(texts, batch_size=BATCH_SIZE))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each; the best counts (default 3)")
    parser.add_argument("--min-words", type=int, default=50_000, help="repeat the texts up to this many words")
    parser.add_argument("--gold", type=Path, default=REPO / "bench" / "gold", help="gold folder (default bench/gold)")
    options = parser.parse_args()

    bodies = article_bodies(options.gold)
    texts = repeated(bodies, options.min_words)
    words = sum(len(text.split()) for text in texts)
    # The warm-up pass also counts the tokens, so no timed run pays for it.
    tokens = sum(len(doc) for doc in get_nlp().pipe(texts, batch_size=BATCH_SIZE))

    raw_times, premark_times = [], []
    for _ in range(options.repeat):
        raw_times.append(time_raw(texts))
        premark_times.append(time_premark(texts))
    raw, premark = min(raw_times), min(premark_times)

    print(f"{len(bodies)} articles x {len(texts) // len(bodies)} = {len(texts)} texts, {words:,} words, "
          f"{tokens:,} tokens; pipeline {settings.SPACY_MODEL}; batch size {BATCH_SIZE}; best of {options.repeat}\n")
    print(f"{'run':34} {'seconds':>8} {'texts/s':>9} {'tokens/s':>10}")
    for label, seconds in [("raw nlp.pipe (baseline)", raw), ("premark find_spans_many", premark)]:
        print(f"{label:34} {seconds:8.2f} {len(texts) / seconds:9.1f} {tokens / seconds:10,.0f}")
    ratio = raw / premark
    verdict = "meets" if ratio >= TARGET_RATIO else "misses"
    print(f"\npremark / raw throughput: {ratio:.2f} ({verdict} the target of >= {TARGET_RATIO})")


if __name__ == "__main__":
    main()
