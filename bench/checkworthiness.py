"""How well our claim score ranks and picks check-worthy sentences in public debate datasets, beside a trivial baseline.

Usage: .venv/bin/python bench/checkworthiness.py [--limit N] [--datasets DIR] [--in-domain]

Each sentence is parsed on its own (nlp.pipe) and pre-marked with find_spans_in_doc(); its score is the
highest score of the claim spans found in it, 0 if none. The baseline, from the same parsed docs, scores
1 when the sentence has a number or a named entity, else 0.

* CLEF-2019 CheckThat! task 1, training split (clef2019-checkworthy-train/*.tsv): per debate, sentences
  ranked by score (ties in line order), average precision of the check-worthy ones; MAP = mean over
  debates. A random ranking's expected AP is about the debate's share of check-worthy sentences.
  With --in-domain (about a minute more), also a reference: our learned scorer's recipe (features,
  FIT_DEFAULTS) trained on the other CLEF debates and scored on each one in turn (leave one debate
  out), to show how far sentence features take a model that has seen this very kind of data.
* ClaimBuster groundtruth.csv (expert labels; check-worthy = Verdict 1): precision, recall and F1 of the
  decision score >= CLAIM_MIN_SCORE, and of saying "check-worthy" to every sentence for scale.
"""
from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from pathlib import Path

from bootstrap import REPO, setup_django

setup_django()

from django.conf import settings  # noqa: E402

from annotations.premark import checkworthiness, find_spans_in_doc, get_nlp, training  # noqa: E402
from annotations.premark.training import average_precision  # noqa: E402

ANCHORS = """\
Published anchors (other systems, other splits; for scale, not a like-for-like comparison):
  CLEF-2019 CheckThat! task 1: best primary run MAP 0.166, on the held-out test split (Atanasova et al. 2019).
  ClaimBuster: no figure published for groundtruth.csv alone; a third-party Mistral-7B + LoRA run reports
  check-worthy precision 0.865, recall 0.853, F1 0.857 in 4-fold cross-validation on 2.5xNCS
  (Bratvold 2024, not peer-reviewed); Meng et al. 2020 report +4.70 F1 over the previous state of the art."""


@dataclass(frozen=True)
class Sentence:
    text: str
    is_checkworthy: bool


@dataclass(frozen=True)
class Scored:
    ours: float
    baseline: float
    is_checkworthy: bool
    features: tuple[str, ...] = ()  # the learned scorer's inputs, kept only for --in-domain
    dense: object = None


def read_clef(folder: Path, limit: int | None) -> dict[str, list[Sentence]]:
    """Sentences of each debate in line order: `line_number<TAB>speaker<TAB>text<TAB>label`, no header."""
    debates = {}
    for path in sorted(folder.glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as file:
            rows = csv.reader(file, delimiter="\t", quoting=csv.QUOTE_NONE)
            debates[path.stem] = [Sentence(text, label == "1") for _, _, text, label in rows][:limit]
    return debates


def read_claimbuster(path: Path, limit: int | None) -> list[Sentence]:
    with path.open(encoding="utf-8", newline="") as file:
        return [Sentence(row["Text"], row["Verdict"] == "1") for row in csv.DictReader(file)][:limit]


def score(sentences: list[Sentence], keep_features: bool = False) -> list[Scored]:
    """Our claim score and the baseline's 0/1 for each sentence, from one parse."""
    scored = []
    docs = get_nlp().pipe((s.text for s in sentences), batch_size=64)
    for sentence, doc in zip(sentences, docs, strict=True):
        ours = max((span.score for span in find_spans_in_doc(doc) if span.kind == "claim"), default=0.0)
        baseline = float(any(tok.like_num for tok in doc) or bool(doc.ents))
        inputs = (tuple(checkworthiness.features(doc[:])), checkworthiness.dense_features(doc[:])) if keep_features else ()
        scored.append(Scored(ours, baseline, sentence.is_checkworthy, *inputs))
    return scored


def in_domain_map(debates: dict[str, list[Scored]]) -> float:
    """Mean AP of the learned scorer trained on the other debates, for each debate in turn."""
    import numpy as np

    aps = []
    for name, held_out in debates.items():
        if not any(x.is_checkworthy for x in held_out):
            continue
        rest = [x for other, scored in debates.items() if other != name for x in scored]
        fit = training.train([list(x.features) for x in rest], [x.is_checkworthy for x in rest],
                             dense=np.array([x.dense for x in rest]), **training.FIT_DEFAULTS)
        scores = training.predict([list(x.features) for x in held_out], fit.bias, fit.weights,
                                  np.array([x.dense for x in held_out]), fit.dense)
        aps.append(average_precision_with_positives(scores, [x.is_checkworthy for x in held_out]))
    return mean(aps)


def average_precision_with_positives(scores: list[float], labels: list[bool]) -> float:
    """Average precision of a debate the caller knows holds a check-worthy sentence, so it is defined."""
    ap = average_precision(scores, labels)
    assert ap is not None
    return ap


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def print_clef(debates: dict[str, list[Scored]], in_domain: bool) -> None:
    sentences = sum(len(s) for s in debates.values())
    positives = sum(x.is_checkworthy for s in debates.values() for x in s)
    print(f"CLEF-2019 check-worthiness, training split: {len(debates)} debates, {sentences:,} sentences, "
          f"{positives} check-worthy ({positives / sentences:.1%})")
    print(f"{'debate':28} {'sentences':>9} {'check-worthy':>12} {'AP ours':>9} {'AP number/entity':>17} {'AP random':>10}")
    ours, baseline, random, skipped = [], [], [], []
    for name, scored in debates.items():
        labels = [x.is_checkworthy for x in scored]
        if not any(labels):
            skipped.append(name)
            continue
        ours.append(average_precision_with_positives([x.ours for x in scored], labels))
        baseline.append(average_precision_with_positives([x.baseline for x in scored], labels))
        random.append(sum(labels) / len(labels))
        print(f"{name:28} {len(scored):9,} {sum(labels):12} {ours[-1]:9.3f} {baseline[-1]:17.3f} {random[-1]:10.3f}")
    print(f"{'MAP':28} {'':9} {'':12} {mean(ours):9.3f} {mean(baseline):17.3f} {mean(random):10.3f}")
    if in_domain:
        print("reference, the learned scorer trained on the other CLEF debates (leave one out): "
              f"MAP {in_domain_map(debates):.3f}")
    if skipped:
        print(f"(left out of MAP, no check-worthy sentence within --limit: {', '.join(skipped)})")


def precision_recall_f1(decisions: list[bool], labels: list[bool]) -> tuple[float, float, float]:
    tp = sum(d and y for d, y in zip(decisions, labels, strict=True))
    precision = tp / sum(decisions) if any(decisions) else 0.0
    recall = tp / sum(labels) if any(labels) else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return precision, recall, f1


def print_claimbuster(scored: list[Scored], threshold: float) -> None:
    labels = [x.is_checkworthy for x in scored]
    positives = sum(labels)
    print(f"ClaimBuster groundtruth.csv: {len(scored):,} sentences, {positives} check-worthy "
          f"(Verdict 1, {positives / len(scored):.1%})")
    columns = {
        f"ours (score >= {threshold:g})": [x.ours >= threshold for x in scored],
        "number/entity (baseline)": [x.baseline > 0 for x in scored],
        "every sentence": [True] * len(scored),
    }
    figures = {name: precision_recall_f1(decisions, labels) for name, decisions in columns.items()}
    print(f"{'':10}" + "".join(f"{name:>27}" for name in columns))
    for row, label in enumerate(["precision", "recall", "F1"]):
        print(f"{label:10}" + "".join(f"{values[row]:27.3f}" for values in figures.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, metavar="N",
                        help="only the first N sentences of each debate and of ClaimBuster, for a quick try")
    parser.add_argument("--datasets", type=Path, default=REPO.parent / "shared" / "datasets",
                        help="folder holding clef2019-checkworthy-train/ and claimbuster/ (default ../shared/datasets)")
    parser.add_argument("--in-domain", action="store_true",
                        help="also train the learned scorer on CLEF debates, leaving each out in turn (a reference)")
    options = parser.parse_args()

    debates = read_clef(options.datasets / "clef2019-checkworthy-train", options.limit)
    claimbuster = read_claimbuster(options.datasets / "claimbuster" / "groundtruth.csv", options.limit)
    sentences = [s for debate in debates.values() for s in debate] + claimbuster
    scored = iter(score(sentences, keep_features=options.in_domain))
    scored_debates = {name: [next(scored) for _ in debate] for name, debate in debates.items()}
    scored_claimbuster = list(scored)

    print(f"claim scores from premark.find_spans_in_doc, pipeline {settings.SPACY_MODEL}, one sentence per doc\n")
    print_clef(scored_debates, options.in_domain)
    print()
    print_claimbuster(scored_claimbuster, settings.CLAIM_MIN_SCORE)
    print()
    print(ANCHORS)


if __name__ == "__main__":
    main()
