"""The pre-marker's public face: the spaCy pipeline, the spans it finds in a text, and pre-marking articles.

This is the only module that imports spaCy; the modules beside it hold the rules, one job each. find_spans() is
pure (text in, spans out) and parses a long text in chunks (chunks.py); premark_article() turns spans into machine
marks without touching anything a person changed.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction

from annotations.models import Article, AuditEvent, Claim, MachineActor
from annotations.premark.chunks import CHUNK_CHARS, MAX_PARSED_CHARS, Chunk, split_into_chunks
from annotations.premark.quotes import QuotedText, SpeechVerbs, find_direct_quotes, find_quote_regions
from annotations.premark.reported_speech import find_reported_speech
from annotations.premark.sentence_breaks import set_paragraph_breaks
from annotations.premark.sentences import find_claims
from annotations.premark.speakers import People
from annotations.premark.statements import one_mark_per_statement

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


@dataclass(frozen=True)
class Span:
    """A quote or claim the pre-marker proposes, with offsets into the text it was found in."""

    start: int
    end: int
    kind: str  # "claim" or "quote", the values of Claim.Kind
    text: str
    speaker: str | None
    score: float
    reasons: tuple[str, ...]
    speaker_source: str | None = None  # for quotes, the words the speaker was found from ("he", "the senator")
    speaker_confidence: float | None = None  # for quotes, how sure the speaker is, from how it was found

    def as_contract(self) -> dict:
        """The stable JSON shape of `premark --dry-run` (without "file")."""
        return {
            "kind": self.kind, "start": self.start, "end": self.end, "text": self.text,
            "speaker": self.speaker, "score": round(self.score, 4), "reasons": list(self.reasons),
            "speaker_source": self.speaker_source,
            "speaker_confidence": None if self.speaker_confidence is None else round(self.speaker_confidence, 2),
        }

    def shifted(self, offset: int) -> Span:
        """The same span in a text that holds this one's text offset characters in."""
        return replace(self, start=self.start + offset, end=self.end + offset)


PIPE_NAME = "factcheck_paragraph_breaks"


@functools.cache
def get_nlp() -> Language:
    """Load the pipeline named by SPACY_MODEL once per process, with paragraph breaks as sentence starts."""
    # Not at the top, though no cycle needs it: spaCy takes seconds to import, and migrate, shell and most
    # requests never parse a text.
    import spacy

    if not spacy.Language.has_factory(PIPE_NAME):
        spacy.Language.component(PIPE_NAME, func=set_paragraph_breaks)
    nlp = spacy.load(settings.SPACY_MODEL)
    nlp.add_pipe(PIPE_NAME, before="parser")
    # find_spans_many never hands spaCy more than a chunk; a caller that does gets spaCy's E088 at once rather
    # than gigabytes of parse.
    nlp.max_length = MAX_PARSED_CHARS
    return nlp


def model_label() -> str:
    meta = get_nlp().meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', settings.SPACY_MODEL)} {meta.get('version', '?')}"


def find_spans(text: str) -> list[Span]:
    """Quotes and claims in a text, with character offsets into it; a long text is parsed in chunks."""
    return next(find_spans_many([text]))


def find_spans_many(texts: Iterable[str], batch_size: int = 16, *,
                    chunk_chars: int = CHUNK_CHARS) -> Iterator[list[Span]]:
    """Spans for many texts, in order, through nlp.pipe in batches of at most batch_size texts and twice
    chunk_chars characters.

    A text longer than twice chunk_chars (at most CHUNK_CHARS; 100,000 characters by default, longer than any
    news article) is cut at paragraph breaks into chunks of at most chunk_chars (chunks.split_into_chunks), each
    parsed on its own: memory is bounded by the chunk size, time is linear in length, and a long text in a batch
    cannot take the others down. Its spans come back with offsets into the whole text. The price, accepted for
    texts that long: the rules in one chunk cannot see the chunks before it, so a "she", a lone surname or a
    title in a chunk resolves only to people named in that chunk, or stays unresolved.
    """
    nlp = get_nlp()
    found: list[Span] = []
    for batch in _batches(_chunks(texts, chunk_chars), batch_size, 2 * chunk_chars):
        docs = nlp.pipe((chunk.text for chunk, _ in batch), batch_size=batch_size)
        for (chunk, is_last), doc in zip(batch, docs, strict=True):
            found += [span.shifted(chunk.offset) for span in find_spans_in_doc(doc)]
            if is_last:
                yield found
                found = []


def _chunks(texts: Iterable[str], max_chars: int) -> Iterator[tuple[Chunk, bool]]:
    """Every chunk of every text, with whether it is its text's last."""
    for text in texts:
        chunks = split_into_chunks(text, max_chars)
        for n, chunk in enumerate(chunks, start=1):
            yield chunk, n == len(chunks)


def _batches(chunks: Iterable[tuple[Chunk, bool]], size: int, max_chars: int) -> Iterator[list[tuple[Chunk, bool]]]:
    """Consecutive chunks in lists of at most size chunks and max_chars characters."""
    batch: list[tuple[Chunk, bool]] = []
    chars = 0
    for item in chunks:
        length = len(item[0].text)
        if batch and (len(batch) == size or chars + length > max_chars):
            yield batch
            batch, chars = [], 0
        batch.append(item)
        chars += length
    if batch:
        yield batch


def find_spans_in_doc(doc: Doc) -> list[Span]:
    """Quotes and candidate claims in a doc parsed by get_nlp(), all scored.

    Callers keep the spans scoring CLAIM_MIN_SCORE or more; `premark --dry-run --min-score 0` shows all.
    """
    text = doc.text  # spaCy rebuilds it on every use
    regions = find_quote_regions(text)
    verbs = SpeechVerbs(doc, People(doc), QuotedText((r.open_at, r.end_mark) for r in regions))
    direct = find_direct_quotes(doc, text, regions, verbs)
    reported = find_reported_speech(doc, text, regions, verbs)
    quotes = one_mark_per_statement(text, direct, reported)
    named = [(q, q.speaker.name if q.speaker else None) for q in quotes]
    spans = [Span(q.start, q.end, "quote", text[q.start:q.end], name, q.score, q.reasons,
                  q.speaker.source if q.speaker else None, q.speaker.confidence if q.speaker else None)
             for q, name in named]
    # A sentence's claim score weighs every quoted stretch in it, whether or not a statement's mark took it in.
    in_sentences = [(q.start, q.end, q.kind, q.speaker.name if q.speaker else None) for q in direct + reported]
    spans += [
        Span(c.start, c.end, "claim", text[c.start:c.end], None, c.score, c.reasons)
        for c in find_claims(doc, text, in_sentences)
    ]
    return sorted(spans, key=lambda s: (s.start, s.end, s.kind))


@dataclass(frozen=True)
class PremarkResult:
    """How many machine marks premark_article added, removed and kept."""

    added: int
    removed: int
    kept: int


def premark_article(article: Article, spans: list[Span] | None = None) -> PremarkResult:
    """Bring the article's machine marks up to date with the pre-marker.

    Marks a person touched are never changed or deleted; untouched machine marks that the
    pre-marker no longer finds are removed; new spans become machine marks.
    """
    if spans is None:
        spans = find_spans(article.body)
    wanted = {(s.start, s.end, s.kind): s for s in spans if s.score >= settings.CLAIM_MIN_SCORE}
    label = model_label()
    with transaction.atomic(savepoint=False):  # all or nothing with the caller's transaction, if there is one
        existing = {(c.start, c.end, c.kind): c for c in article.claims.select_for_update()}
        stale = [c.pk for key, c in existing.items()
                 if key not in wanted and not c.is_touched and c.origin == Claim.Origin.MACHINE]
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


def premark_articles(articles: list[Article], batch_size: int = 16) -> list[PremarkResult]:
    """Pre-mark many articles, feeding their bodies through nlp.pipe in batches."""
    return [
        premark_article(article, spans)
        for article, spans in zip(articles, find_spans_many((a.body for a in articles), batch_size=batch_size), strict=True)
    ]
