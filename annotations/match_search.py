"""The "already checked" search: for unlabelled marks, a labelled claim of another article that says the same.

Candidates come from the ClaimKey index; matching.py (pure text functions, importable without
Django) makes the decision. Kept apart from matching.py because models.py imports that module.
"""
from __future__ import annotations

from annotations.matching import THRESHOLD, match_keys, similarity
from annotations.models import Claim, ClaimKey


def matches_for(marks: list[Claim]) -> dict[int, Claim]:
    """For each unlabelled mark, a labelled claim of another article that says the same; three queries in all.

    Candidates come from each mark's rarest keys: its figures (a match must have every one of
    them), or, for a mark without figures, its three least common words (two must be shared).
    The exact decision is matching.is_same_claim, which also insists on the same negation.
    """
    wanted = {mark.pk: set(match_keys(mark.text)) for mark in marks
              if mark.verdict == Claim.Verdict.UNREVIEWED and not mark.is_dismissed}
    all_keys = set().union(*wanted.values()) if wanted else set()
    if not all_keys:
        return {}
    frequency = ClaimKey.objects.frequency(all_keys)
    anchors = {pk: _anchors(keys, frequency) for pk, keys in wanted.items()}
    articles = {mark.article_id for mark in marks if mark.article_id is not None}
    keys_by_claim = ClaimKey.objects.keys_by_claim(set().union(*(keys for keys, _ in anchors.values())),
                                                   outside_articles=articles)
    candidates = {pk: [c for c, keys in keys_by_claim.items() if len(keys & anchor_keys) >= needed]
                  for pk, (anchor_keys, needed) in anchors.items() if anchor_keys}
    known = Claim.objects.labelled().filter(pk__in={c for ids in candidates.values() for c in ids}).select_related(
        "article", "reviewed_by").in_bulk()
    texts = {mark.pk: mark.text for mark in marks}
    found = {}
    for pk, ids in candidates.items():
        best = max(((similarity(texts[pk], known[c].text), c) for c in ids if c in known), default=(0.0, None))
        if best[0] >= THRESHOLD:
            found[pk] = known[best[1]]
    return found


def match_text(text: str) -> Claim | None:
    """The labelled claim that says the same as this text, if any."""
    return matches_for([Claim(pk=0, text=text)]).get(0)


def _anchors(keys: set[str], frequency: dict[str, int]) -> tuple[set[str], int]:
    """The keys a candidate is looked up by, and how many of them it must share."""
    figures = {key for key in keys if key.startswith("#")}
    if figures:
        return figures, len(figures)
    rarest = set(sorted((key for key in keys if frequency.get(key)), key=frequency.__getitem__)[:3])
    return rarest, min(2, len(rarest))
