"""Storing read drafts as articles, each pre-marked in the same transaction: the step after importing.py.

It sits above both the models and the pre-marker because it needs both: the pre-marker imports the
models, so this could not be a manager method in models.py without an import cycle. The article itself
is made by `Article.objects.import_article`, which owns the rule that a body is stored once.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext

from annotations.batching import batched
from annotations.importing import ArticleDraft, ReadFailure
from annotations.models import Article, body_fingerprint
from annotations.premark import find_spans_many, premark_article


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

    Drafts are pre-marked in batches through nlp.pipe; bodies already stored are not parsed at all.
    """
    for chunk in batched(items, batch_size):
        drafts = [item for item in chunk if isinstance(item, ArticleDraft)]
        known = set(Article.objects.filter(body_fingerprint__in=[body_fingerprint(d.body) for d in drafts])
                    .values_list("body_fingerprint", flat=True))
        to_parse = [d for d in drafts if body_fingerprint(d.body) not in known] if premark else []
        spans_by_draft = dict(zip(map(id, to_parse), find_spans_many(d.body for d in to_parse), strict=True))
        for item in chunk:
            if isinstance(item, ReadFailure):
                yield ImportOutcome(item.source_name, "failed", item.reason)
            else:
                yield store_draft(item, by=by, spans=spans_by_draft.get(id(item)))
