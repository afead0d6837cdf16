"""Claim exports: the CSV columns, named once, and a streaming row generator shared by the view and the command."""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date

from django.db.models import QuerySet

from annotations.models import Claim

COLUMNS = [
    "article_id", "article_title", "article_url", "claim_id", "kind", "text", "speaker", "start", "end",
    "verdict", "note", "evidence_urls", "labelled_by", "labelled_at", "origin", "score",
]

# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def select_claims(*, article=None, verdict: str = "", kind: str = "", reviewer=None,
                  date_from: date | None = None, date_to: date | None = None) -> QuerySet:
    """The labelled claims to export, narrowed by the optional filters (dates are of the label)."""
    claims = Claim.objects.labelled().for_export()
    if article:
        claims = claims.filter(article=article)
    if verdict:
        claims = claims.filter(verdict=verdict)
    if kind:
        claims = claims.filter(kind=kind)
    if reviewer:
        claims = claims.filter(reviewed_by=reviewer)
    if date_from:
        claims = claims.filter(reviewed_at__date__gte=date_from)
    if date_to:
        claims = claims.filter(reviewed_at__date__lte=date_to)
    return claims


def neutralise(value) -> str:
    """Text a spreadsheet shows as typed: a leading formula character is escaped with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def claim_rows(claims: Iterable[Claim]) -> Iterator[list[str]]:
    """The header, then one row per claim, every cell already neutralised."""
    yield COLUMNS
    for claim in claims:
        article = claim.article
        yield [neutralise(value) for value in (
            article.pk, article.title, article.source_url, claim.pk, claim.kind, claim.text, claim.speaker,
            claim.start, claim.end, claim.verdict, claim.note,
            " ".join(evidence.url for evidence in claim.evidence.all()),
            claim.reviewed_by.get_username() if claim.reviewed_by else "",
            claim.reviewed_at.isoformat() if claim.reviewed_at else "", claim.origin,
            "" if claim.score is None else f"{claim.score:.3f}",
        )]


class _LineBuffer:
    """csv.writer wants a file; this one hands back each written line instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def csv_lines(claims: Iterable[Claim]) -> Iterator[str]:
    """CSV text, one line at a time, starting with a UTF-8 BOM so Excel picks the right encoding."""
    writer = csv.writer(_LineBuffer())
    yield "\ufeff"
    for row in claim_rows(claims.iterator(chunk_size=500) if isinstance(claims, QuerySet) else claims):
        yield writer.writerow(row)


def export_filename(today: date) -> str:
    return f"factcheck-claims-{today:%Y-%m-%d}.csv"


def audit_lines(events: Iterable) -> Iterator[str]:
    """The audit log as JSON Lines: every hashed field plus previous_hash and hash, so anyone can re-verify."""
    for event in events.iterator(chunk_size=2000) if isinstance(events, QuerySet) else events:
        record = {"id": event.pk, **event.hashed_content(), "previous_hash": event.previous_hash, "hash": event.hash}
        yield json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
