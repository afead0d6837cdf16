"""Peak memory and time of pre-marking one very long article (find_spans, no database) beside a normal one.

Usage: .venv/bin/python bench/premark_memory.py [--megabytes 4.9] [--normal-kb 5] [--repeat 3]

Both articles are made of the same generated news paragraphs (direct quotes, some running over paragraphs,
reported speech, "according to", bulleted lists, figures), each with other names and numbers so no rule sees
the same text twice: a long one of --megabytes MB of UTF-8 (4.9 MB, just under ARTICLE_MAX_BYTES) and a normal
one of --normal-kb KB. Each is pre-marked in a fresh process after the pipeline is loaded and warmed up: the
normal one --repeat times (the best counts), the long one once. Printed for each: characters, seconds (wall and
CPU), characters per second and the process's peak RSS (resource.getrusage), pipeline included; then the long
article's time per character over the normal one's. Targets: peak RSS at most 1 GB for the long article; time
per character within 1.5 x the normal article's (linear in length).
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time

from bootstrap import setup_django

setup_django()

from annotations.premark import find_spans  # noqa: E402

TARGET_PEAK_MB = 1024
TARGET_TIME_RATIO = 1.5
FIRST_NAMES = ["Ada", "Bruno", "Clara", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Katja",
               "Lorenz", "Marta", "Nikolai", "Olga", "Pavel", "Rosa", "Stefan", "Tamsin", "Wiebke"]
SURNAMES = ["Varn", "Holloway", "Brenner", "Castell", "Dufresne", "Ekwall", "Fairley", "Gorman", "Halvorsen",
            "Jankowski", "Kessler", "Lindqvist", "Moreau", "Novak", "Oyelaran", "Petrov", "Quist", "Sorensen"]
TOWNS = ["Corrowby", "Aldmark", "Estmark", "Brightwell", "Harwick", "Larkmoor", "Morvane", "Caldwell"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
PARAGRAPHS = [
    "{name}, the {town} council's finance chief, said on {day} that spending on roads rose by {n} percent to "
    "{m} million euros in {year}.",
    "“We have never seen a winter like this one, and we will not wait for the next,” {surname} told reporters in "
    "{town}. “The depot needs {n} more drivers.",
    "“Every one of them will be hired by {year},” {surname} added.",
    "According to figures released by the {town} statistics office, {n} of every {m} households fell behind on "
    "rent last year.",
    "The {town} Transport Authority expects the new line to carry {m},000 passengers a day by {year}, up from "
    "{n},000 now.",
    "{name} disagreed. “The numbers are wrong,” she said. “Nobody in {town} believes {n} percent.”",
    "The opposition leader, {name}, said:\n- the plan will cost {m} million euros more than promised;\n"
    "- {n} bus routes will close by {year}.",
    "Critics argue that the {town} plan will fail, and {surname} warned on {day} that fares could rise by {n} percent.",
]


def generated_article(size_bytes: int, seed: int) -> str:
    """News paragraphs with names, places and figures drawn at random, up to size_bytes of UTF-8."""
    rng = random.Random(seed)
    paragraphs, size, n = [], 0, 0
    while size < size_bytes:
        surname = rng.choice(SURNAMES)
        paragraph = PARAGRAPHS[n % len(PARAGRAPHS)].format(
            name=f"{rng.choice(FIRST_NAMES)} {surname}", surname=surname, town=rng.choice(TOWNS),
            day=rng.choice(DAYS), n=rng.randint(2, 99), m=rng.randint(100, 999), year=rng.randint(1990, 2035))
        paragraphs.append(paragraph)
        size += len(paragraph.encode()) + 2
        n += 1
    return "\n\n".join(paragraphs)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def measure(size_bytes: int, repeat: int) -> dict:
    """In this (fresh) process: pre-mark a generated article of size_bytes, best of repeat."""
    find_spans("Warm up the pipeline. “It works,” she said.")
    text = generated_article(size_bytes, seed=size_bytes)
    loaded_mb = peak_rss_mb()
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        spans = find_spans(text)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    if any(text[span.start:span.end] != span.text for span in spans):
        sys.exit("a span's offsets do not point at its text")
    return {"chars": len(text), "bytes": len(text.encode()), "spans": len(spans), "wall": best_wall,
            "cpu": best_cpu, "loaded_mb": loaded_mb, "peak_mb": peak_rss_mb()}


def in_child(size_bytes: int, repeat: int) -> dict:
    """measure() in a fresh process, so its peak RSS is this article's alone."""
    output = subprocess.run([sys.executable, __file__, "--child", str(size_bytes), str(repeat)],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.splitlines()[-1])


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(measure(int(sys.argv[2]), int(sys.argv[3]))))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=float, default=4.9, help="size of the long article (default 4.9)")
    parser.add_argument("--normal-kb", type=float, default=5, help="size of the normal article (default 5)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of the normal article; the best counts")
    options = parser.parse_args()

    normal = in_child(int(options.normal_kb * 1000), options.repeat)
    long = in_child(int(options.megabytes * 1000 * 1000), 1)

    print(f"pre-marking (find_spans) in a fresh process each; RSS includes the loaded pipeline "
          f"({normal['loaded_mb']:,.0f} MB before parsing)\n")
    print(f"{'article':26} {'chars':>10} {'spans':>8} {'wall s':>8} {'CPU s':>8} {'chars/s':>8} {'peak RSS MB':>12}")
    for label, run in [(f"normal, best of {options.repeat}", normal), ("long", long)]:
        print(f"{label:26} {run['chars']:>10,} {run['spans']:>8,} {run['wall']:>8.2f} {run['cpu']:>8.2f} "
              f"{run['chars'] / run['wall']:>8,.0f} {run['peak_mb']:>12,.0f}")
    wall_ratio = (long["wall"] / long["chars"]) / (normal["wall"] / normal["chars"])
    cpu_ratio = (long["cpu"] / long["chars"]) / (normal["cpu"] / normal["chars"])
    print(f"\nlong article, time per character over the normal one's: {wall_ratio:.2f} wall, {cpu_ratio:.2f} CPU "
          f"(target <= {TARGET_TIME_RATIO})")
    verdict = "met" if long["peak_mb"] <= TARGET_PEAK_MB else "MISSED"
    print(f"long article, peak RSS: {long['peak_mb']:,.0f} MB (target <= {TARGET_PEAK_MB:,} MB: {verdict})")


if __name__ == "__main__":
    main()
