"""Everything spaCy: the pipeline, the rules that find quotes, speakers and claims, and pre-marking.

This is the only module that imports spaCy. find_spans() is pure (text in, spans out);
premark_article() turns spans into machine marks without touching anything a person changed.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # "claim" or "quote", the values of Claim.Kind
    text: str
    speaker: str | None
    score: float
    reasons: tuple[str, ...]

    def as_contract(self) -> dict:
        """The stable JSON shape of `premark --dry-run` (without "file")."""
        return {
            "kind": self.kind, "start": self.start, "end": self.end, "text": self.text,
            "speaker": self.speaker, "score": round(self.score, 4), "reasons": list(self.reasons),
        }


@functools.cache
def get_nlp():
    """Load the pipeline named by SPACY_MODEL once per process."""
    import spacy

    return spacy.load(settings.SPACY_MODEL)


def model_label() -> str:
    meta = get_nlp().meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', settings.SPACY_MODEL)} {meta.get('version', '?')}"


def find_spans(text: str) -> list[Span]:
    return find_spans_in_doc(get_nlp()(text))


def find_spans_many(texts: Iterable[str], batch_size: int = 16) -> Iterator[list[Span]]:
    """Spans for many texts, batched through nlp.pipe."""
    for doc in get_nlp().pipe(texts, batch_size=batch_size):
        yield find_spans_in_doc(doc)


QUOTE_RE = re.compile(r"[\"“]([^\"“”]{2,}?)[\"”]")


def find_spans_in_doc(doc) -> list[Span]:
    spans = []
    people = [ent for ent in doc.ents if ent.label_ == "PERSON"]
    for match in QUOTE_RE.finditer(doc.text):
        start, end = match.span(1)
        if len(match.group(1).split()) < 4:
            continue
        nearest = min(people, key=lambda ent: abs(ent.start_char - start), default=None)
        spans.append(Span(start, end, "quote", doc.text[start:end], nearest.text if nearest else None, 0.9, ("direct quote",)))
    for sent in doc.sents:
        reasons = []
        if any(tok.like_num for tok in sent):
            reasons.append("figure")
        if any(ent.label_ in {"DATE", "PERCENT", "MONEY"} for ent in sent.ents):
            reasons.append("date or amount")
        if reasons:
            spans.append(Span(sent.start_char, sent.end_char, "claim", sent.text, None, 0.6, tuple(reasons)))
    return sorted(spans, key=lambda s: (s.start, s.end, s.kind))


@dataclass(frozen=True)
class PremarkResult:
    added: int
    removed: int
    kept: int


def premark_article(article, spans: list[Span] | None = None) -> PremarkResult:
    """Bring the article's machine marks up to date with the pre-marker.

    Marks a person touched are never changed or deleted; untouched machine marks that the
    pre-marker no longer finds are removed; new spans become machine marks.
    """
    from annotations.models import AuditEvent, Claim, MachineActor

    if spans is None:
        spans = find_spans(article.body)
    wanted = {(s.start, s.end, s.kind): s for s in spans if s.score >= settings.CLAIM_MIN_SCORE}
    label = model_label()
    with transaction.atomic():
        existing = {(c.start, c.end, c.kind): c for c in article.claims.select_for_update()}
        stale = [c.pk for key, c in existing.items() if key not in wanted and not c.is_touched and c.origin == Claim.Origin.MACHINE]
        new = [
            Claim(article=article, kind=s.kind, origin=Claim.Origin.MACHINE, start=s.start, end=s.end,
                  text=s.text, speaker=s.speaker or "", score=s.score, reasons=list(s.reasons))
            for key, s in wanted.items() if key not in existing
        ]
        Claim.objects.filter(pk__in=stale).delete()
        Claim.objects.bulk_create(new)
        article.premarked_with = label
        article.save(update_fields=["premarked_with"])
        result = PremarkResult(added=len(new), removed=len(stale), kept=len(existing) - len(stale))
        AuditEvent.objects.record(
            AuditEvent.Action.PREMARKED, actor=MachineActor(label), article=article,
            after={"added": result.added, "removed": result.removed, "kept": result.kept, "model": label},
        )
    return result


def premark_articles(articles: list, batch_size: int = 16) -> list[PremarkResult]:
    """Pre-mark many articles, feeding their bodies through nlp.pipe in batches."""
    return [
        premark_article(article, spans)
        for article, spans in zip(articles, find_spans_many((a.body for a in articles), batch_size=batch_size))
    ]
