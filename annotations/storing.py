"""Storing read drafts as articles, each pre-marked in the same transaction: the step after importing.py.

It sits above both the models and the pre-marker because it needs both: the pre-marker imports the
models, so this could not be a manager method in models.py without an import cycle. The article itself
is made by `Article.objects.import_article`, which owns the rule that a body is stored once.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import DataError, IntegrityError, transaction
from django.utils.translation import gettext

from annotations.batching import batched
from annotations.importing import ArticleDraft, ImportProblem, ReadFailure, shortened
from annotations.models import Article, body_fingerprint
from annotations.premark import Span, find_spans, find_spans_many, premark_article

# What one article's own values can raise while it is pre-marked or stored, past the checks of
# ArticleDraft.clean (spaCy refusing a text, a value the database refuses): that article fails alone.
# Other database errors (an outage, a lost connection) still stop the file, so it can be retried whole.
ARTICLE_ERRORS = (DataError, IntegrityError, ValueError, OverflowError)


@dataclass
class ImportOutcome:
    source_name: str
    status: str  # "imported", "duplicate" or "failed"
    message: str
    article: Article | None = None

    def __str__(self) -> str:
        return f"{self.source_name}: {self.message}"


def store_draft(draft: ArticleDraft, *, by, spans: list | None = None) -> ImportOutcome:
    """Store one draft (unless its body is already stored) with its pre-marks, in one transaction.

    The spans are found beforehand, outside the transaction, so the database is never held while
    spaCy parses; a crash leaves either the whole article with its marks or nothing.
    """
    notes = "".join(f" ({note})" for note in draft.notes)
    with transaction.atomic():
        article, created = Article.objects.import_article(
            title=draft.title, body=draft.body, by=by, source_name=draft.source_name, source_url=draft.source_url,
            author=draft.author, published_at=draft.published_at, note="; ".join(draft.notes),
        )
        if not created:
            message = gettext("already stored as article %(pk)s “%(title)s”; not imported again") % {
                "pk": article.pk, "title": article.title}
            return ImportOutcome(draft.source_name, "duplicate", message + notes, article)
        added = None if spans is None else premark_article(article, spans).added
    if added is None:
        message = gettext("imported as article %(pk)s") % {"pk": article.pk}
    else:
        message = gettext("imported as article %(pk)s, %(count)s marks") % {"pk": article.pk, "count": added}
    return ImportOutcome(draft.source_name, "imported", message + notes, article)


def import_items(items: Iterable[ArticleDraft | ReadFailure], *, by, premark: bool = True,
                 batch_size: int = 16) -> Iterator[ImportOutcome]:
    """Store every draft; report every failure. One bad item never stops the rest.

    Every draft is checked (ArticleDraft.clean) before it is stored, whoever made it. Drafts are
    pre-marked in batches through nlp.pipe; bodies already stored are not parsed at all.
    """
    for chunk in batched(map(_cleaned, items), batch_size):
        drafts = [item for item in chunk if isinstance(item, ArticleDraft)]
        known = set(Article.objects.filter(body_fingerprint__in=[body_fingerprint(d.body) for d in drafts])
                    .values_list("body_fingerprint", flat=True))
        to_parse = [d for d in drafts if body_fingerprint(d.body) not in known] if premark else []
        spans_by_draft = _find_spans(to_parse)
        for item in chunk:
            if isinstance(item, ReadFailure):
                yield ImportOutcome(item.source_name, "failed", item.reason)
                continue
            try:
                spans = spans_by_draft.get(id(item))
                if isinstance(spans, ValueError):
                    raise spans
                outcome = store_draft(item, by=by, spans=spans)
            except ARTICLE_ERRORS as error:
                reason = shortened(f"{type(error).__name__}: {str(error).strip()}", 300)
                outcome = ImportOutcome(item.source_name, "failed",
                                        gettext("could not be stored (%(reason)s)") % {"reason": reason})
            yield outcome


def _cleaned(item: ArticleDraft | ReadFailure) -> ArticleDraft | ReadFailure:
    """The draft, checked and made safe to store, or the failure saying why it cannot be stored."""
    if isinstance(item, ArticleDraft):
        try:
            item.clean()
        except ImportProblem as problem:
            return ReadFailure(item.source_name, str(problem))
    return item


def _find_spans(drafts: list[ArticleDraft]) -> dict[int, list[Span] | ValueError]:
    """Each draft's spans by id, batched through nlp.pipe. When the pipeline refuses one text (a ValueError:
    long texts are chunked, so this is a guard for what chunking does not foresee), the batch is parsed again
    one text at a time, and that draft alone gets the error instead."""
    try:
        return dict(zip(map(id, drafts), find_spans_many(d.body for d in drafts), strict=True))
    except ValueError:
        return {id(draft): _spans_or_error(draft.body) for draft in drafts}


def _spans_or_error(text: str) -> list[Span] | ValueError:
    try:
        return find_spans(text)
    except ValueError as error:
        return error
