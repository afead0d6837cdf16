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

from annotations.claims import find_claims, is_title_case
from annotations.quotes import QuotedText, SpeechVerbs, find_direct_quotes, find_quote_regions
from annotations.reported_speech import find_reported_speech
from annotations.speakers import People


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


PIPE_NAME = "factcheck_paragraph_breaks"
LINE_START_RE = re.compile(r"\n\s*(?=\S)")
# The last sentence end on a line, then words with no final punctuation up to the line end.
GLUED_HEADING_RE = re.compile(r"[.!?][\"”’)]*[ \t]+([A-Z0-9][^.!?\n]*?)[ \t]*$", re.MULTILINE)
# '“Why now?” she asked.' is one sentence: the attribution after a quoted question goes with it.
SPEECH_FORMS = "said|says|asked|asks|told|tells|added|adds|replied|wrote|writes|joked|insisted|wondered|shouted|warned"
ATTRIBUTION_AFTER_QUESTION_RE = re.compile(
    rf"[?!][\"”’'][ \t]+((?:[A-Z][\w’'.-]*[ \t]+){{0,3}}(?:{SPEECH_FORMS})\b|(?:he|she|they|it|we|I)[ \t]+(?:{SPEECH_FORMS})\b)"
)
# "ESTMARK, Oct 14 (Wire) – The council ...": a dateline starts the sentence it belongs to.
DATELINE_RE = re.compile(r"^[A-Z][A-Z .'-]+, [A-Z][a-z]+\.? \d{1,2} \([^)\n]+\) [–—-] ", re.MULTILINE)


@functools.cache
def get_nlp():
    """Load the pipeline named by SPACY_MODEL once per process, with paragraph breaks as sentence starts."""
    import spacy
    from spacy.language import Language

    if not Language.has_factory(PIPE_NAME):
        Language.component(PIPE_NAME, func=set_paragraph_breaks)
    nlp = spacy.load(settings.SPACY_MODEL)
    nlp.add_pipe(PIPE_NAME, before="parser")
    return nlp


def set_paragraph_breaks(doc):
    """Fix sentence boundaries before the parser guesses them.

    The small English model runs sentences on across newlines, glues a heading that ends a line
    onto the next paragraph, starts a sentence at the closing mark of '... seen."', and splits
    '“Why now?” she asked.' and datelines. So: every line starts a sentence, a Title Case fragment
    after a line's last full stop starts one, and a closing quote mark, an attribution after a
    quoted question and the words of a dateline never do.
    """
    text = doc.text
    for match in LINE_START_RE.finditer(text):
        _start_sentence_at(doc, match.end())
    for match in GLUED_HEADING_RE.finditer(text):
        words = match.group(1).split()
        if len(words) >= 2 and is_title_case(words):
            _start_sentence_at(doc, match.start(1))
    for region in find_quote_regions(text):
        if region.is_closed:
            _continue_sentence_at(doc, region.end_mark - 1)
    for match in ATTRIBUTION_AFTER_QUESTION_RE.finditer(text):
        _continue_sentence_at(doc, match.start(1))
    for match in DATELINE_RE.finditer(text):
        dateline = doc.char_span(match.start(), match.end(), alignment_mode="expand")
        for token in dateline[1:] if dateline is not None else ():
            token.is_sent_start = False
        _continue_sentence_at(doc, match.end())
    return doc


def _start_sentence_at(doc, offset: int) -> None:
    span = doc.char_span(offset, offset + 1, alignment_mode="expand")
    if span and span.start > 0:
        span[0].is_sent_start = True


def _continue_sentence_at(doc, offset: int) -> None:
    """The token at offset does not start a sentence, unless a line break already made it start one."""
    span = doc.char_span(offset, offset + 1, alignment_mode="expand")
    if span and span.start > 0 and span[0].is_sent_start is not True:
        span[0].is_sent_start = False


def model_label() -> str:
    meta = get_nlp().meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', settings.SPACY_MODEL)} {meta.get('version', '?')}"


def find_spans(text: str) -> list[Span]:
    """Quotes and claims in a text, with character offsets into it."""
    return find_spans_in_doc(get_nlp()(text))


def find_spans_many(texts: Iterable[str], batch_size: int = 16) -> Iterator[list[Span]]:
    """Spans for many texts, batched through nlp.pipe."""
    for doc in get_nlp().pipe(texts, batch_size=batch_size):
        yield find_spans_in_doc(doc)


def find_spans_in_doc(doc) -> list[Span]:
    """Quotes and candidate claims in a doc parsed by get_nlp(), all scored.

    Callers keep the spans scoring CLAIM_MIN_SCORE or more; `premark --dry-run --min-score 0` shows all.
    """
    text = doc.text  # spaCy rebuilds it on every use
    regions = find_quote_regions(text)
    verbs = SpeechVerbs(doc, People(doc), QuotedText((r.open_at, r.end_mark) for r in regions))
    quotes = find_direct_quotes(doc, text, regions, verbs) + find_reported_speech(doc, text, regions, verbs)
    named = [(q, q.speaker.name if q.speaker else None) for q in quotes]
    spans = [Span(q.start, q.end, "quote", text[q.start:q.end], name, q.score, q.reasons) for q, name in named]
    spans += [
        Span(c.start, c.end, "claim", text[c.start:c.end], None, c.score, c.reasons)
        for c in find_claims(doc, text, [(q.start, q.end, q.kind, name) for q, name in named])
    ]
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
    with transaction.atomic(savepoint=False):  # all or nothing with the caller's transaction, if there is one
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
