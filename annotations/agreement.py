"""How far reviewers agree: Cohen's kappa, and each pair of reviewers' agreement over the claims both labelled.

The opinions come from one grouped query (Opinion.objects.pair_counts()); the arithmetic lives here.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from annotations.models import Opinion


def cohens_kappa(pairs: Mapping[tuple[str, str], int]) -> float | None:
    """Cohen's kappa from how often each (first rater's label, second rater's label) pair occurred.

    None when it is undefined: no pairs, or chance agreement is already certain (both raters always
    gave the same single label).
    """
    total = sum(pairs.values())
    if not total:
        return None
    observed = sum(count for (first, second), count in pairs.items() if first == second) / total
    first_totals: Counter[str] = Counter()
    second_totals: Counter[str] = Counter()
    for (first, second), count in pairs.items():
        first_totals[first] += count
        second_totals[second] += count
    chance = sum(first_totals[label] * second_totals[label] for label in first_totals)
    if chance == total ** 2:  # compared as integers: chance agreement is exactly certain
        return None
    expected = chance / total ** 2
    return (observed - expected) / (1 - expected)


@dataclass(frozen=True)
class PairAgreement:
    """Two reviewers' opinions on the claims they both labelled."""

    first: str
    second: str
    counts: Mapping[tuple[str, str], int]
    open_disagreements: int

    @property
    def shared(self) -> int:
        return sum(self.counts.values())

    @property
    def agreement(self) -> float:
        return sum(n for (first, second), n in self.counts.items() if first == second) / self.shared

    @property
    def kappa(self) -> float | None:
        return cohens_kappa(self.counts)


def agreement_by_pair() -> list[PairAgreement]:
    """For each two reviewers who labelled at least one claim in common: how often they agreed, by name."""
    pairs: dict[tuple[str, str], dict] = {}
    for row in Opinion.objects.pair_counts():
        pair = pairs.setdefault((row["reviewer__username"], row["other_name"]), {"counts": Counter(), "open": 0})
        pair["counts"][(row["verdict"], row["other_verdict"])] += row["shared"]
        pair["open"] += row["open"]
    return [PairAgreement(first, second, pair["counts"], pair["open"])
            for (first, second), pair in sorted(pairs.items())]
