"""`train_checkworthiness`: fit the learned check-worthiness weights on ClaimBuster's crowdsourced sentences."""
from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from annotations.premark import checkworthiness, get_nlp, training

VALIDATION_SHARE = 0.1
SEED = 0
THRESHOLDS = [round(0.05 + 0.01 * i, 2) for i in range(91)]  # 0.05 .. 0.95
WORD_RE = re.compile(r"\w+")
FIT = training.FIT_DEFAULTS


def default_data() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "datasets" / "claimbuster" / "crowdsourced.csv"


def default_excludes(data: Path) -> list[Path]:
    """groundtruth.csv beside the data, and the CLEF-2019 debates when that folder is there too.

    Three CLEF debates (the 2016 presidential ones) are also in crowdsourced.csv, sentence for sentence;
    training on them would inflate the CLEF benchmark.
    """
    excludes = [data.with_name("groundtruth.csv")]
    clef = data.parent.parent / "clef2019-checkworthy-train"
    if clef.is_dir():
        excludes.append(clef)
    return excludes


def normalised(text: str) -> str:
    """Lowercased words only, so punctuation and spacing differences still count as the same sentence."""
    return " ".join(WORD_RE.findall(text.casefold()))


def read_rows(path: Path) -> list[tuple[str, bool, str]]:
    """(text, is check-worthy, debate) from a ClaimBuster CSV: Verdict 1 is check-worthy, 0 and -1 are not.

    The debate is the File_id column (empty when there is none); cross-validation holds out whole debates.
    """
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        missing = {"Text", "Verdict"} - set(reader.fieldnames or [])
        if missing:
            raise CommandError(f"{path} has no {', '.join(sorted(missing))} column")
        return [(row["Text"], row["Verdict"].strip() == "1", row.get("File_id") or "") for row in reader]


def read_excluded(path: Path) -> list[str]:
    """Sentence texts of a CSV with a Text column, a CLEF TSV (line, speaker, text, label) or a folder of those."""
    if path.is_dir():
        return [text for child in sorted(path.iterdir()) if child.suffix in {".csv", ".tsv"} for text in read_excluded(child)]
    with path.open(encoding="utf-8", newline="") as file:
        if path.suffix == ".tsv":
            return [row[2] for row in csv.reader(file, delimiter="\t", quoting=csv.QUOTE_NONE) if len(row) >= 3]
        return [row["Text"] for row in csv.DictReader(file)]


def sha256(path: Path) -> str:
    if path.is_dir():
        digest = hashlib.sha256()
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(child.name.encode() + b"\0" + bytes.fromhex(sha256(child)))
        return digest.hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def precision_recall_f1(scores: list[float], labels: list[bool], threshold: float) -> dict:
    decided = [s >= threshold for s in scores]
    tp = sum(d and y for d, y in zip(decided, labels, strict=True))
    precision = tp / sum(decided) if any(decided) else 0.0
    recall = tp / sum(labels) if any(labels) else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {"threshold": threshold, "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def cross_validate(feature_rows: list[list[str]], dense_rows, labels: list[bool], debates: list[str], folds: int,
                   **fit_options) -> dict:
    """Out-of-fold scores with whole debates held out together (dealt to folds in name order), so a debate's
    topics and speakers never help score its own sentences; summarised as the mean per-debate average precision
    (a ranking figure, like the CLEF benchmark's MAP) and F1 at 0.5 over every row."""
    names = sorted(set(debates))
    fold_of = {name: i % folds for i, name in enumerate(names)}
    scores = [0.0] * len(labels)
    for fold in range(folds):
        train_ids = [i for i, debate in enumerate(debates) if fold_of[debate] != fold]
        test_ids = [i for i, debate in enumerate(debates) if fold_of[debate] == fold]
        if not train_ids or not test_ids:
            continue
        fit = training.train([feature_rows[i] for i in train_ids], [labels[i] for i in train_ids],
                             dense=dense_rows[train_ids], **fit_options)
        test_scores = training.predict([feature_rows[i] for i in test_ids], fit.bias, fit.weights,
                                       dense_rows[test_ids], fit.dense)
        for i, score in zip(test_ids, test_scores, strict=True):
            scores[i] = score
    each_debate = [training.average_precision([scores[i] for i, d in enumerate(debates) if d == name],
                                              [labels[i] for i, d in enumerate(debates) if d == name])
                   for name in names]
    per_debate = [ap for ap in each_debate if ap is not None]
    return {"folds": folds, "debates": len(names), "grouped_by": "File_id",
            "mean_debate_average_precision": round(sum(per_debate) / len(per_debate), 4) if per_debate else None,
            "at_0.5": precision_recall_f1(scores, labels, 0.5)}


def weights_json(bias: float, weights: dict[str, float], provenance: dict, dense: tuple[float, ...] = ()) -> str:
    """Provenance first and one weight per line, so a retrain reads as a diff."""
    return json.dumps({"provenance": provenance, "bias": bias, "weights": weights, "dense": list(dense)},
                      ensure_ascii=False, indent=0) + "\n"


class Command(BaseCommand):
    help = (
        "Train the learned check-worthiness score (annotations/premark/checkworthiness.py, trainer in training.py) "
        "on ClaimBuster's crowdsourced.csv: parse each sentence with the project's spaCy pipeline, fit an "
        "L2-regularised logistic regression on its features (deterministic), print validation precision/recall/F1 "
        "on a held-out tenth and write the weights with their provenance to JSON. Rows whose normalised text "
        "appears in an --exclude file are dropped first, so benchmark sentences never reach training. "
        "Labels: Verdict 1 = check-worthy; 0 and -1 = not."
    )

    def add_arguments(self, parser):
        parser.add_argument("--data", type=Path, default=None,
                            help="ClaimBuster-format CSV to train on (default ../shared/datasets/claimbuster/crowdsourced.csv "
                                 "beside the repository)")
        parser.add_argument("--exclude", type=Path, action="append", default=None, metavar="PATH",
                            help="drop training rows whose text is in PATH: a CSV with a Text column, a CLEF TSV or a "
                                 "folder of those (repeatable; default groundtruth.csv beside --data and the "
                                 "clef2019-checkworthy-train folder beside its folder, when present)")
        parser.add_argument("--output", type=Path, default=checkworthiness.WEIGHTS_PATH,
                            help="weights JSON to write (default annotations/premark/checkworthiness_weights.json)")
        parser.add_argument("--epochs", type=int, default=FIT["epochs"], help=f"full-batch Adam steps (default {FIT['epochs']})")
        parser.add_argument("--l2", type=float, default=FIT["l2"], help=f"L2 penalty on the weights (default {FIT['l2']:g})")
        # Chosen by --folds 5 (mean per-debate AP; binary features alone 0.7441): the tensor mean at dense L2 1, 10,
        # 100, 300, 1000, 3000 gave 0.7466, 0.7470, 0.7482, 0.7487, 0.7481, 0.7468; mean and max together peaked
        # lower (0.7482 at 1000) for twice the weights.
        parser.add_argument("--dense-l2", type=float, default=FIT["dense_l2"],
                            help="L2 penalty on the dense weights (the mean of doc.tensor, standardised; "
                                 f"default {FIT['dense_l2']:g})")
        parser.add_argument("--no-dense", action="store_true",
                            help="binary features only, without the mean of doc.tensor (for comparison)")
        parser.add_argument("--min-count", type=int, default=FIT["min_count"],
                            help="train only features present in at least this many training sentences "
                                 f"(default {FIT['min_count']})")
        parser.add_argument("--min-weight", type=float, default=FIT["min_weight"],
                            help=f"drop trained weights smaller than this in absolute value (default {FIT['min_weight']:g})")
        parser.add_argument("--folds", type=int, default=0, metavar="K",
                            help="also cross-validate over K folds of whole debates (File_id) and record mean per-debate "
                                 "average precision; use it to compare --l2, --min-count or feature changes (default 0, off)")
        parser.add_argument("--dry-run", action="store_true", help="train and print the figures; write nothing")

    def handle(self, *args, data, exclude, output, epochs, l2, dense_l2, no_dense, min_count, min_weight, folds, dry_run,
               **options):
        data = data or default_data()
        if not data.is_file():
            raise CommandError(f"No training data at {data} (pass --data PATH).")
        excludes = default_excludes(data) if exclude is None else exclude
        excludes = [path for path in excludes if path.exists() or exclude is not None]
        for path in excludes:
            if not path.exists():
                raise CommandError(f"No file or folder at {path} to --exclude.")

        rows = read_rows(data)
        dropped: dict[str, int] = {}
        for path in excludes:
            banned = {normalised(text) for text in read_excluded(path)}
            before = len(rows)
            rows = [row for row in rows if normalised(row[0]) not in banned]
            dropped[path.name] = before - len(rows)
        if len(rows) < 2:
            raise CommandError(f"Only {len(rows)} training row(s) left after --exclude.")

        nlp = get_nlp()
        feature_rows, dense_rows = [], []
        for doc in nlp.pipe((text for text, _, _ in rows), batch_size=256):
            feature_rows.append(checkworthiness.features(doc[:]))
            dense_rows.append(None if no_dense else checkworthiness.dense_features(doc[:]))
        if no_dense:
            dense_rows = np.zeros((len(rows), 0))
        else:
            if any(vector is None for vector in dense_rows):
                raise CommandError(f"{settings.SPACY_MODEL} leaves doc.tensor empty for some sentences: "
                                   "pass --no-dense.")
            dense_rows = np.array(dense_rows, dtype=float)
        labels = [label for _, label, _ in rows]
        order = list(range(len(rows)))
        random.Random(SEED).shuffle(order)
        held_out = set(order[:max(1, round(len(rows) * VALIDATION_SHARE))])
        train_ids = [i for i in range(len(rows)) if i not in held_out]
        validation_ids = sorted(held_out)

        fit_options = {"l2": l2, "dense_l2": dense_l2, "epochs": epochs, "min_count": min_count,
                       "min_weight": min_weight}
        fit = training.train([feature_rows[i] for i in train_ids], [labels[i] for i in train_ids],
                             dense=dense_rows[train_ids], **fit_options)
        scores = training.predict([feature_rows[i] for i in validation_ids], fit.bias, fit.weights,
                                  dense_rows[validation_ids], fit.dense)
        truth = [labels[i] for i in validation_ids]
        at_half = precision_recall_f1(scores, truth, 0.5)
        best = max((precision_recall_f1(scores, truth, t) for t in THRESHOLDS),
                   key=lambda r: (r["f1"], -abs(r["threshold"] - 0.5)))
        cross_validation = cross_validate(feature_rows, dense_rows, labels, [debate for _, _, debate in rows], folds,
                                          **fit_options) if folds > 1 else None

        provenance = {
            "data": {"file": data.name, "sha256": sha256(data), "rows_read": len(rows) + sum(dropped.values()),
                     "rows_dropped_for_overlap": dropped, "rows_used": len(rows),
                     "rows_train": len(train_ids), "rows_validation": len(validation_ids),
                     "check_worthy_share": round(sum(labels) / len(labels), 4),
                     "labels": "Verdict 1 = check-worthy; 0 and -1 = not",
                     "licence": "unclear upstream: Zenodo 10.5281/zenodo.3609356 marks it Open Access, licence not "
                                "verified; the copy used carries no licence file (see the module docstring)"},
            "excluded": [{"path": path.name, "sha256": sha256(path)} for path in excludes],
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "spacy": {"version": version("spacy"), "model": settings.SPACY_MODEL,
                      "model_name": f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', '?')}",
                      "model_version": nlp.meta.get("version", "?")},
            "hyper_parameters": {"epochs": epochs, "l2": l2, "dense_l2": dense_l2, "min_count": min_count,
                                 "min_weight": min_weight,
                                 "optimiser": "full-batch Adam, learning rate 0.05, zero start",
                                 "validation_share": VALIDATION_SHARE, "seed": SEED},
            "features": {"seen": fit.features_seen, "trained": fit.features_counted, "kept": len(fit.weights),
                         "dense": (f"{len(fit.dense)} weights on the mean of the sentence's doc.tensor rows (tok2vec)"
                                   if fit.dense else "none")},
            "validation": {"rows": len(validation_ids), "check_worthy": sum(truth), "at_0.5": at_half,
                           "best": best, "best_threshold": best["threshold"]},
        }
        if cross_validation:
            provenance["cross_validation"] = cross_validation
        if not dry_run:
            output.write_text(weights_json(fit.bias, fit.weights, provenance, fit.dense), encoding="utf-8")
            checkworthiness.load_weights.cache_clear()
        self.stdout.write(
            f"{len(rows)} rows used ({sum(dropped.values())} dropped for overlap), {len(fit.weights)} weights; "
            f"validation F1 {at_half['f1']:.3f} at 0.5, best {best['f1']:.3f} at {best['threshold']:.2f} "
            f"(P {best['precision']:.3f} R {best['recall']:.3f}); "
            + (f"{folds}-fold debate cross-validation MAP {cross_validation['mean_debate_average_precision']:.3f}, "
               f"F1 {cross_validation['at_0.5']['f1']:.3f} at 0.5; " if cross_validation else "")
            + ("dry run, nothing written" if dry_run else f"wrote {output}")
        )
