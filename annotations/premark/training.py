"""Training the learned check-worthiness scorer: the numpy logistic regression, batch scoring, and average precision.

Only the train_checkworthiness command, the benches and the tests import this module, so pre-marking never loads
the trainer; checkworthiness.py reads the weights it writes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypedDict

import numpy as np


class FitOptions(TypedDict):
    """train()'s settings besides the data."""

    l2: float
    dense_l2: float
    epochs: int
    min_count: int
    min_weight: float


# How the shipped weights are trained (train_checkworthiness's defaults, and the benchmark's in-domain reference).
FIT_DEFAULTS: FitOptions = {"l2": 10.0, "dense_l2": 300.0, "epochs": 600, "min_count": 5, "min_weight": 0.01}


@dataclass(frozen=True)
class Fit:
    bias: float
    weights: dict[str, float]
    features_seen: int  # distinct features in the training rows
    features_counted: int  # of those, seen in at least min_count rows and so trained
    dense: tuple[float, ...] = ()


def train(rows: list[list[str]], labels: list[bool], *, l2: float, epochs: int, min_count: int,
          min_weight: float, learning_rate: float = 0.05, dense=None, dense_l2: float = 0.0) -> Fit:
    """L2-regularised logistic regression by full-batch Adam from zero weights, so the same rows give the same weights.

    Features seen in fewer than min_count rows are not trained; trained weights with |w| < min_weight are dropped.
    dense, if given, is a rows x columns matrix (dense_features() of each row) with its own penalty dense_l2. Its
    columns are standardised for training and the scaling folded back into the weights and bias, so scoring
    multiplies the raw mean.
    """
    dense = np.zeros((len(rows), 0)) if dense is None else np.asarray(dense, dtype=float)
    centre, spread = (dense.mean(axis=0), dense.std(axis=0) + 1e-6) if len(rows) else (0.0, 1.0)
    standard = (dense - centre) / spread
    width = dense.shape[1]

    counts: dict[str, int] = {}
    for row in rows:
        for feature in row:
            counts[feature] = counts.get(feature, 0) + 1
    vocabulary = sorted(f for f, c in counts.items() if c >= min_count)
    index = {f: j for j, f in enumerate(vocabulary)}
    matrix = _sparse(rows, index)
    y = np.asarray(labels, dtype=float)
    share = min(max(y.mean(), 1e-6), 1 - 1e-6) if len(y) else 0.5
    w = np.zeros(len(vocabulary))
    v = np.zeros(width)
    b = math.log(share / (1 - share))
    moment, velocity = np.zeros(len(vocabulary) + width + 1), np.zeros(len(vocabulary) + width + 1)
    beta1, beta2, epsilon = 0.9, 0.999, 1e-8
    n = max(len(rows), 1)
    row_ids, columns = matrix
    for step in range(1, epochs + 1):
        error = _probabilities(matrix, w, b, len(rows), standard @ v) - y
        sparse_gradient = np.bincount(columns, weights=error[row_ids], minlength=len(vocabulary)) / n + l2 * w / n
        gradient = np.concatenate([sparse_gradient, standard.T @ error / n + dense_l2 * v / n,
                                   [error.mean() if len(rows) else 0.0]])
        moment = beta1 * moment + (1 - beta1) * gradient
        velocity = beta2 * velocity + (1 - beta2) * gradient ** 2
        update = learning_rate * (moment / (1 - beta1 ** step)) / (np.sqrt(velocity / (1 - beta2 ** step)) + epsilon)
        w -= update[:len(vocabulary)]
        v -= update[len(vocabulary):-1]
        b -= update[-1]
    kept = {f: round(float(weight), 4) for f, weight in zip(vocabulary, w, strict=True) if abs(weight) >= min_weight}
    raw = v / spread
    bias = b - float(raw @ centre) if width else b
    return Fit(round(float(bias), 4), kept, len(counts), len(vocabulary), tuple(round(float(x), 5) for x in raw))


def predict(rows: list[list[str]], bias: float, weights: dict[str, float], dense=None,
            dense_weights: tuple[float, ...] = ()) -> list[float]:
    """Scores of many feature rows at once (checkworthiness.score() does one span); dense as for train()."""
    vocabulary = list(weights)
    matrix = _sparse(rows, {f: j for j, f in enumerate(vocabulary)})
    offsets = np.asarray(dense, dtype=float) @ np.asarray(dense_weights) if dense_weights else None
    return _probabilities(matrix, np.array([weights[f] for f in vocabulary]), bias, len(rows), offsets).tolist()


def _sparse(rows: list[list[str]], index: dict[str, int]):
    """(row id, column) pairs of the present features: a sparse 0/1 matrix without scipy."""
    pairs = [(i, index[f]) for i, row in enumerate(rows) for f in row if f in index]
    row_ids = np.array([i for i, _ in pairs], dtype=np.int64)
    columns = np.array([j for _, j in pairs], dtype=np.int64)
    return row_ids, columns


def _probabilities(matrix, w, b: float, n: int, offsets=None):
    row_ids, columns = matrix
    logits = np.bincount(row_ids, weights=w[columns], minlength=n) + b
    if offsets is not None:
        logits = logits + offsets
    return 1.0 / (1.0 + np.exp(-np.clip(logits, -40, 40)))


def average_precision(scores: list[float], labels: list[bool]) -> float | None:
    """AP of the positive items ranked by score, highest first; ties keep their given order. None without positives.

    The measure of the benches and of training's cross-validation, so all three rank the same way.
    """
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    hits, total = 0, 0.0
    for rank, i in enumerate(order, start=1):
        if labels[i]:
            hits += 1
            total += hits / rank
    return total / hits if hits else None
