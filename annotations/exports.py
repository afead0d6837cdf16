"""Claim exports in three formats (CSV, JSON Lines, schema.org ClaimReview), each a generator of text
chunks shared by the browser download and `export_claims`, so a million claims stream in constant memory.
The audit log's JSON Lines export lives here too."""
from __future__ import annotations

import functools
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Min, QuerySet
from django.urls import reverse

from annotations.batching import batched
from annotations.models import AuditEvent, Claim, Evidence

# The start of a cell a spreadsheet could run, as a regular expression Python and PostgreSQL read alike
# (escapes only): a tab or CR, whatever follows (OWASP's list), or any run of invisibles and then a
# character whose NFKC form begins with = + - @. Invisible: controls (tab, VT, FF...), format characters
# (zero-width space, BOM...), spaces (NBSP...), line and paragraph separators. NFKC reads full-width
# ＝＋－＠, small ﹦﹢﹣﹫ and raised ⁼⁺ as the ASCII signs. Both classes are Python's Unicode tables written
# out (tests/test_exports.py rebuilds them and shows the new value when the tables change).
INVISIBLES = (r"\u0000-\u0020\u007f-\u00a0\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u1680\u180e"
              r"\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
              r"\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f")
FORMULA_CHARACTERS = (r"\u002b\u002d\u003d\u0040\u207a\u207c\u208a\u208c\u2a75-\u2a76\ufb29\ufe62-\ufe63\ufe66\ufe6b"
                      r"\uff0b\uff0d\uff1d\uff20")
FORMULA_START = rf"^(?:[\u0009\u000d]|[{INVISIBLES}]*[{FORMULA_CHARACTERS}])"
_FORMULA_START = re.compile(FORMULA_START)
# A link a reader may follow, in the regular-expression syntax Python and PostgreSQL share: http or
# https in any case. Exports blank any other (javascript:, data:, vbscript:...).
WEB_LINK = "^[hH][tT][tT][pP][sS]?://"
# The characters that make PostgreSQL's COPY quote a CSV cell.
_NEEDS_QUOTES = re.compile('[",\r\n]')


@dataclass(frozen=True)
class Column:
    """One CSV column: its header, the field the ORM reads, the expression PostgreSQL's COPY writes, and
    how Python writes the cell (`to_cell` formats; free text is then neutralised and quoted; anything
    else goes as read)."""

    name: str
    field: str
    sql: str
    is_free_text: bool = False
    to_cell: Callable[[Any], str] | None = None

    @property
    def copy_sql(self) -> str:
        return _neutralised_sql(self.sql) if self.is_free_text else self.sql

    @property
    def cell_writer(self) -> Callable[[Any], str] | None:
        """What Python's row passes the read value through; None: nothing, it goes as read."""
        to_cell = self.to_cell
        if not self.is_free_text:
            return to_cell
        return (lambda value: text_cell(to_cell(value))) if to_cell else text_cell


def neutralise(value) -> str:
    """Text a spreadsheet shows as typed: a cell it would run as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if _FORMULA_START.match(text) else text


def text_cell(value) -> str:
    """Free text as one CSV cell: neutralised, and quoted as PostgreSQL's COPY quotes (a comma, a quote,
    a CR or an LF inside). Python's csv module leaves a lone CR bare when rows end in LF, and a
    spreadsheet reads that CR as the end of the row: what follows would start a row of its own."""
    text = neutralise(value)
    return '"' + text.replace('"', '""') + '"' if _NEEDS_QUOTES.search(text) else text


def web_link(url: str | None) -> str | None:
    """The URL if a reader may follow it (http or https), else None."""
    return url if url and re.match(WEB_LINK, url) else None


def _neutralised_sql(column: str) -> str:
    """text_cell() in SQL, but for the quoting, which COPY does itself. An empty value becomes NULL,
    which COPY writes as an empty cell, as text_cell does. The pattern holds no quote, so it can be
    a plain literal (standard_conforming_strings: its backslashes stay as they are).

    Most cells start with a letter: a cell starting with A to ~ (65–126, none of which the pattern
    can start with) skips the regular expression, which halves the cost of the escaping.
    """
    return (f"NULLIF(CASE WHEN ascii({column}) NOT BETWEEN {ord('A')} AND {ord('~')} AND {column} ~ '{FORMULA_START}'"
            f" THEN '''' || {column} ELSE {column} END, '')")


def _web_link_sql(column: str) -> str:
    """web_link() in SQL."""
    return f"CASE WHEN {column} ~ '{WEB_LINK}' THEN {column} END"


# The CSV, one column a line. The SQL's table aliases are COPY_CSV_SQL's: c claim, a article, u reviewer.
CSV_COLUMNS = (
    Column("article_id", "article_id", "c.article_id"),
    Column("article_title", "article__title", "a.title", is_free_text=True),
    Column("article_url", "article__source_url", _web_link_sql("a.source_url"), is_free_text=True,
           to_cell=lambda url: web_link(url) or ""),
    Column("claim_id", "pk", "c.id"),
    Column("kind", "kind", "c.kind"),
    Column("text", "text", "c.text", is_free_text=True),
    Column("speaker", "speaker", "c.speaker", is_free_text=True),
    Column("start", "start", "c.start"),
    Column("end", "end", 'c."end"'),
    Column("verdict", "verdict", "c.verdict"),
    Column("note", "note", "c.note", is_free_text=True),
    # The ORM reads the claim's id here, and claim_row_chunks puts in its links (one query per chunk).
    Column("evidence_urls", "pk", "ev.urls", is_free_text=True),
    Column("labelled_by", "reviewed_by__username", "u.username", is_free_text=True),
    Column("labelled_at", "reviewed_at",
           """to_char(c.reviewed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')""",
           to_cell=lambda moment: moment.isoformat(timespec="microseconds") if moment else ""),
    Column("origin", "origin", "c.origin"),
    Column("score", "score", "to_char(c.score, 'FM0.000')",
           to_cell=lambda score: "" if score is None else f"{score:.3f}"),
)
COLUMNS = [column.name for column in CSV_COLUMNS]


def select_claims(*, article=None, verdict: str = "", kind: str = "", reviewer=None,
                  date_from: date | None = None, date_to: date | None = None) -> QuerySet:
    """The labelled claims to export, narrowed by the optional filters (dates are of the label)."""
    claims = Claim.objects.labelled()
    if Claim.is_second_opinion_required():
        claims = claims.final()  # a verdict awaiting its second opinion is not the desk's verdict yet
    # An export never needs the article bodies, which would otherwise ride along on every row.
    claims = claims.for_export().defer("article__body")
    if article:
        claims = claims.filter(article=article)
    if verdict:
        claims = claims.filter(verdict=verdict)
    if kind:
        claims = claims.filter(kind=kind)
    if reviewer:
        claims = claims.filter(reviewed_by=reviewer)
    return claims.dated_between("reviewed_at", date_from, date_to)


_EVIDENCE = COLUMNS.index("evidence_urls")
# Only these cells need writing: ids, offsets and choice values cannot start with a formula character
# nor hold a character CSV quotes.
_CELL_WRITERS = [(position, writer) for position, column in enumerate(CSV_COLUMNS) if (writer := column.cell_writer)]


def claim_row_chunks(claims: QuerySet) -> Iterator[list[list]]:
    """The claims as CSV rows, a chunk at a time, every cell CSV text (free text neutralised and quoted).

    Plain tuples rather than model instances, one evidence query per chunk, and only the cells that
    need it written: this is the hot loop of a year's export.
    """
    for chunk in _chunks(claims.prefetch_related(None).values_list(*(column.field for column in CSV_COLUMNS))):
        urls = _evidence_urls([values[_EVIDENCE] for values in chunk])
        rows = []
        for values in chunk:
            row = list(values)
            row[_EVIDENCE] = " ".join(urls.get(row[_EVIDENCE], ()))
            for position, write in _CELL_WRITERS:
                row[position] = write(row[position])
            rows.append(row)
        yield rows


def _evidence_urls(claim_ids: list[int]) -> dict[int, list[str]]:
    urls: dict[int, list[str]] = {}
    for claim_id, url in Evidence.objects.filter(claim_id__in=claim_ids).order_by("added_at", "pk").values_list(
            "claim_id", "url"):
        if web_link(url):
            urls.setdefault(claim_id, []).append(url)
    return urls


def csv_lines(claims: QuerySet) -> Iterator[str]:
    """CSV text a chunk of rows at a time, after a UTF-8 BOM so Excel picks the right encoding.

    PostgreSQL writes the rows itself (COPY, several times faster on a year's export); elsewhere
    they are written here. Both give the same file (tests/test_exports.py compares them).
    """
    yield "\ufeff" + ",".join(COLUMNS) + "\n"
    yield from (csv_rows_by_copy if connection.vendor == "postgresql" else csv_rows)(claims)


def csv_rows(claims: QuerySet) -> Iterator[str]:
    """The rows as CSV text, a chunk at a time, as COPY writes them (the cells are already CSV text)."""
    for rows in claim_row_chunks(claims):
        yield "".join(",".join(map(str, row)) + "\n" for row in rows)


# The CSV's columns and escaping, for PostgreSQL to write; {selected}: the chosen claims' ids.
COPY_CSV_SQL = f"""
COPY (
    SELECT {", ".join(column.copy_sql for column in CSV_COLUMNS)}
    FROM annotations_claim c
    JOIN annotations_article a ON a.id = c.article_id
    LEFT JOIN auth_user u ON u.id = c.reviewed_by_id
    LEFT JOIN LATERAL (SELECT string_agg(e.url, ' ' ORDER BY e.added_at, e.id) AS urls
                       FROM annotations_evidence e WHERE e.claim_id = c.id AND e.url ~ '{WEB_LINK}') ev ON true
    WHERE c.id IN ({{selected}})
    ORDER BY c.article_id, c.start, c."end", c.id
) TO STDOUT WITH (FORMAT csv)
"""


def csv_rows_by_copy(claims: QuerySet, chunk_bytes: int = 1 << 16) -> Iterator[str]:
    """The rows as PostgreSQL's COPY writes them, gathered into chunks of about 64 KB."""
    selected, params = claims.order_by().values("pk").query.sql_with_params()
    # The driver's own cursor: Django's debug wrapper (tests) passes no parameters on to COPY.
    with transaction.atomic(), connection.cursor() as cursor, \
            cursor.cursor.copy(COPY_CSV_SQL.format(selected=selected), params) as copy:
        rows, size = [], 0
        for row in copy:  # one row per message
            rows.append(bytes(row))
            size += len(row)
            if size >= chunk_bytes:
                yield b"".join(rows).decode()
                rows, size = [], 0
        yield b"".join(rows).decode()


def _chunks(queryset: QuerySet, size: int = 1000) -> Iterator[list]:
    """The rows in lists of `size`, read through a server-side cursor.

    On PostgreSQL inside a transaction: the cursor then streams instead of being copied whole
    (WITH HOLD) before the first row, and the export sees one consistent snapshot. Not on SQLite,
    where a transaction would take the single write lock for the whole download.
    """
    with transaction.atomic() if connection.vendor == "postgresql" else nullcontext():
        yield from batched(queryset.iterator(chunk_size=size), size)


def _each(items: QuerySet) -> Iterator:
    for chunk in _chunks(items):
        yield from chunk


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


@functools.lru_cache(maxsize=4096)
def _article_path(article_id: int) -> str:
    return reverse("annotations:article_detail", args=[article_id])


def claim_url(claim: Claim) -> str:
    """Where the desk's own copy of this claim lives (SITE_URL plus the article page, at the mark)."""
    return settings.SITE_URL.rstrip("/") + _article_path(claim.article_id) + f"#claim-{claim.pk}"


def _history_summaries(claim_ids: list[int]) -> dict[int, dict]:
    """Per claim: how many events, the first and the last; one query for a whole chunk."""
    rows = (AuditEvent.objects.filter(claim_id__in=claim_ids).order_by().values("claim_id")
            .annotate(events=Count("id"), first_at=Min("created_at"), last_at=Max("created_at")))
    return {row["claim_id"]: row for row in rows}


def jsonl_lines(claims: QuerySet) -> Iterator[str]:
    """One JSON object per claim, with its evidence and a summary of its history."""
    for chunk in _chunks(claims):
        history = _history_summaries([claim.pk for claim in chunk])
        yield from (_jsonl_line(claim, history.get(claim.pk, {})) for claim in chunk)


def _jsonl_line(claim: Claim, history: dict) -> str:
    record = {
        "claim_id": claim.pk, "article_id": claim.article_id, "article_title": claim.article.title,
        "article_url": web_link(claim.article.source_url), "kind": claim.kind, "text": claim.text,
        "speaker": claim.speaker or None, "start": claim.start, "end": claim.end, "verdict": claim.verdict,
        "note": claim.note, "origin": claim.origin, "score": claim.score,
        "labelled_by": claim.reviewed_by.get_username() if claim.reviewed_by else None,
        "labelled_at": _iso(claim.reviewed_at), "version": claim.version, "url": claim_url(claim),
        "evidence": [{"url": web_link(e.url), "description": e.description, "added_at": _iso(e.added_at)}
                     for e in claim.evidence.all()],
        "history": {"events": history.get("events", 0), "first_at": _iso(history.get("first_at")),
                    "last_at": _iso(history.get("last_at"))},
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


# JSON escapes for the characters that could end or open markup around JSON-LD.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})

# schema.org ClaimReview ratings: a 1–3 scale whose names fact-check aggregators recognise.
RATINGS: dict[str, tuple[int, str]] = {
    Claim.Verdict.VERIFIED: (3, "True"),
    Claim.Verdict.UNCLEAR: (2, "Unproven"),
    Claim.Verdict.DISPUTED: (1, "Disputed"),
}


def claim_review(claim: Claim) -> dict:
    """One claim as a schema.org ClaimReview object."""
    article = claim.article
    value, name = RATINGS[claim.verdict]
    claimant = claim.speaker or article.author
    # Only labelled claims are exported, and every verb that labels a claim stamps reviewed_at.
    assert claim.reviewed_at is not None
    item: dict[str, Any] = {"@type": "Claim", "appearance": {"@type": "CreativeWork", "headline": article.title}}
    if url := web_link(article.source_url):
        item["appearance"]["url"] = url
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


def claimreview_lines(claims: QuerySet) -> Iterator[str]:
    """A JSON-LD array of ClaimReview objects, written one object at a time.

    `<`, `>` and `&` are written as JSON escapes, as Django's json_script does: the usual way to publish
    JSON-LD is inside `<script type="application/ld+json">`, where a `</script>` in a headline would
    end the element and run whatever follows.
    """
    separator = "[\n"
    for claim in _each(claims):
        yield separator + json.dumps(claim_review(claim), ensure_ascii=False).translate(_SCRIPT_SAFE)
        separator = ",\n"
    yield "[]\n" if separator == "[\n" else "\n]\n"


FORMATS = {
    "csv": (csv_lines, "text/csv; charset=utf-8", "csv"),
    "jsonl": (jsonl_lines, "application/x-ndjson; charset=utf-8", "jsonl"),
    "claimreview": (claimreview_lines, "application/ld+json; charset=utf-8", "jsonld"),
}


def export_filename(today: date, export_format: str = "csv") -> str:
    return f"factcheck-claims-{today:%Y-%m-%d}.{FORMATS[export_format][2]}"


def audit_lines(events: QuerySet) -> Iterator[str]:
    """The audit log as JSON Lines: every hashed field plus previous_hash and hash, so anyone can re-verify."""
    for event in _each(events):
        record = {"id": event.pk, **event.hashed_content(), "previous_hash": event.previous_hash, "hash": event.hash}
        yield json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"


def write_export(chunks: Iterable[str], output: str | None) -> None:
    """Write an export to the file `output`, or to standard output when there is none.

    A file is written beside its target and swapped in at the end, so a failed export never clobbers an older one.
    """
    if not output:
        sys.stdout.writelines(chunks)
        return
    partial = Path(output).with_name(Path(output).name + ".part")
    with open(partial, "w", encoding="utf-8", newline="") as target:
        target.writelines(chunks)
    os.replace(partial, output)
