"""Claim exports in three formats (CSV, JSON Lines, schema.org ClaimReview), each a generator of text
chunks shared by the browser download and `export_claims`, so a million claims stream in constant memory.
The audit log's JSON Lines export lives here too."""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date

from django.conf import settings
from django.db.models import Count, Max, Min, QuerySet
from django.urls import reverse

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
    claims = Claim.objects.labelled()
    if settings.SECOND_OPINION:
        claims = claims.final()  # a verdict awaiting its second opinion is not the desk's verdict yet
    claims = claims.for_export().annotate(
        event_count=Count("audit_events"), first_event_at=Min("audit_events__created_at"),
        last_event_at=Max("audit_events__created_at"),
    )
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
    for row in claim_rows(_each(claims)):
        yield writer.writerow(row)


def _each(claims: Iterable[Claim]) -> Iterator[Claim]:
    return claims.iterator(chunk_size=500) if isinstance(claims, QuerySet) else iter(claims)


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def claim_url(claim: Claim) -> str:
    """Where the desk's own copy of this claim lives (SITE_URL plus the article page, at the mark)."""
    return settings.SITE_URL.rstrip("/") + reverse("annotations:article_detail", args=[claim.article_id]) + f"#claim-{claim.pk}"


def jsonl_lines(claims: Iterable[Claim]) -> Iterator[str]:
    """One JSON object per claim, with its evidence and a summary of its history."""
    for claim in _each(claims):
        record = {
            "claim_id": claim.pk, "article_id": claim.article_id, "article_title": claim.article.title,
            "article_url": claim.article.source_url, "kind": claim.kind, "text": claim.text,
            "speaker": claim.speaker or None, "start": claim.start, "end": claim.end, "verdict": claim.verdict,
            "note": claim.note, "origin": claim.origin, "score": claim.score,
            "labelled_by": claim.reviewed_by.get_username() if claim.reviewed_by else None,
            "labelled_at": _iso(claim.reviewed_at), "version": claim.version, "url": claim_url(claim),
            "evidence": [{"url": e.url, "description": e.description, "added_at": _iso(e.added_at)}
                         for e in claim.evidence.all()],
            "history": {"events": getattr(claim, "event_count", None),
                        "first_at": _iso(getattr(claim, "first_event_at", None)),
                        "last_at": _iso(getattr(claim, "last_event_at", None))},
        }
        yield json.dumps(record, ensure_ascii=False) + "\n"


# schema.org ClaimReview ratings: a 1–3 scale whose names fact-check aggregators recognise.
RATINGS = {
    Claim.Verdict.VERIFIED: (3, "True"),
    Claim.Verdict.UNCLEAR: (2, "Unproven"),
    Claim.Verdict.DISPUTED: (1, "Disputed"),
}


def claim_review(claim: Claim) -> dict:
    """One claim as a schema.org ClaimReview object."""
    article = claim.article
    value, name = RATINGS[claim.verdict]
    claimant = claim.speaker or article.author
    item = {"@type": "Claim", "appearance": {"@type": "CreativeWork", "headline": article.title}}
    if article.source_url:
        item["appearance"]["url"] = article.source_url
    if article.published_at:
        item["datePublished"] = article.published_at.date().isoformat()
    if claimant:
        item["author"] = {"@type": "Person" if claim.speaker else "Thing", "name": claimant}
    return {
        "@context": "https://schema.org", "@type": "ClaimReview", "url": claim_url(claim),
        "claimReviewed": claim.text, "datePublished": claim.reviewed_at.date().isoformat(),
        "author": {"@type": "Organization", "name": settings.DESK_NAME, "url": settings.SITE_URL},
        "reviewRating": {"@type": "Rating", "ratingValue": value, "bestRating": 3, "worstRating": 1,
                         "alternateName": name},
        "itemReviewed": item,
    }


def claimreview_lines(claims: Iterable[Claim]) -> Iterator[str]:
    """A JSON-LD array of ClaimReview objects, written one object at a time."""
    separator = "[\n"
    for claim in _each(claims):
        yield separator + json.dumps(claim_review(claim), ensure_ascii=False)
        separator = ",\n"
    yield "[]\n" if separator == "[\n" else "\n]\n"


FORMATS = {
    "csv": (csv_lines, "text/csv; charset=utf-8", "csv"),
    "jsonl": (jsonl_lines, "application/x-ndjson; charset=utf-8", "jsonl"),
    "claimreview": (claimreview_lines, "application/ld+json; charset=utf-8", "jsonld"),
}


def export_filename(today: date, export_format: str = "csv") -> str:
    return f"factcheck-claims-{today:%Y-%m-%d}.{FORMATS[export_format][2]}"


def audit_lines(events: Iterable) -> Iterator[str]:
    """The audit log as JSON Lines: every hashed field plus previous_hash and hash, so anyone can re-verify."""
    for event in _each(events):
        record = {"id": event.pk, **event.hashed_content(), "previous_hash": event.previous_hash, "hash": event.hash}
        yield json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
