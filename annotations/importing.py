"""Reading articles in: files, uploads and pasted text become normalised drafts. Pure: no database.

Every outside byte on its way to an Article is read here, so the browser, the import command and
`premark --dry-run` read a file exactly the same way; storing.py stores the drafts.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

# Messages are marked with gettext by name: `_` is a throwaway in this module's tuple unpacking.
from django.utils.translation import gettext

from annotations.models import Article

SUPPORTED_SUFFIXES = {".txt", ".md", ".html", ".htm", ".jsonl", ".csv"}
# Dates outside these years are typing slips, and the extremes overflow Python and PostgreSQL
# once converted to UTC (9999-12-31T23:59:59-05:00 is in the year 10000 there).
PUBLISHED_YEARS = range(1800, 2201)
LINK_SCHEMES = {"http", "https"}
# PostgreSQL refuses NUL in text, and neither database can encode a lone UTF-16 surrogate (JSON's "\ud800").
UNSTORABLE_CHARACTER = re.compile("[\x00\ud800-\udfff]")
# Unicode's control characters (category Cc) but the four that text files use: tab, newline, form feed, return.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# Byte order marks, longest first: UTF-32's little-endian mark begins with UTF-16's.
BYTE_ORDER_MARKS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]


class ImportProblem(Exception):
    """One source (a file, or a row in it) could not be read. The message says why."""


@dataclass
class ArticleDraft:
    title: str
    body: str
    source_name: str
    source_url: str = ""
    author: str = ""
    published_at: datetime | None = None
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        """The draft as JSON values, to keep it (a pasted article) until a worker stores it."""
        return {**asdict(self), "published_at": self.published_at.isoformat() if self.published_at else None}

    @classmethod
    def from_json(cls, fields: dict) -> ArticleDraft:
        published_at = fields.get("published_at")
        return cls(**{**fields, "published_at": datetime.fromisoformat(published_at) if published_at else None})

    def clean(self) -> None:
        """Check every field against the Article model's limits and the database's, before anything is stored.

        Raises ImportProblem naming each field that cannot be stored. A link that is not http(s) is the one
        thing dropped instead (with a note): it is refused for safety, not because it cannot be stored,
        and the article is worth keeping without it. A source name too long is shortened from the left.
        """
        problems = [problem for name in ("title", "body", "author", "source_url")
                    if (problem := _text_problem(name, getattr(self, name)))]
        if self.published_at and self.published_at.year not in PUBLISHED_YEARS:
            problems.append(gettext("published_at %(value)s is not between the years %(first)s and %(last)s") % {
                "value": self.published_at.isoformat(), "first": PUBLISHED_YEARS[0], "last": PUBLISHED_YEARS[-1]})
        if problems:
            raise ImportProblem("; ".join(problems))
        if self.source_url and not _is_web_link(self.source_url):
            self.notes.append(f"the link {shortened(self.source_url)!r} is not an http(s) address; stored without it")
            self.source_url = ""
        self.source_name = UNSTORABLE_CHARACTER.sub("\ufffd", self.source_name)
        limit = _max_length("source_name")
        if limit and len(self.source_name) > limit:
            # The end names the file and the line; the start of a long path is the part to lose.
            self.source_name = "…" + self.source_name[-(limit - 1):]


@dataclass
class ReadFailure:
    source_name: str
    reason: str


def _text_problem(name: str, value: str) -> str:
    """Why this field's text cannot be stored, or ""."""
    if character := UNSTORABLE_CHARACTER.search(value):
        return gettext("%(field)s has the character %(character)s at position %(position)s, which cannot be stored") % {
            "field": name, "character": ascii(character.group())[1:-1], "position": f"{character.start():,}"}
    limit = _max_length(name)
    if limit and len(value) > limit:
        return gettext("%(field)s is %(length)s characters long, over the limit of %(limit)s") % {
            "field": name, "length": f"{len(value):,}", "limit": f"{limit:,}"}
    return ""


def _max_length(name: str) -> int | None:
    """The Article field's max_length; None for a text field, which has none."""
    return getattr(Article._meta.get_field(name), "max_length", None)


def _is_web_link(url: str) -> bool:
    # urlsplit drops the tabs and newlines that browsers ignore too, so "java\tscript:" shows its scheme.
    parts = urlsplit(url)
    return parts.scheme.lower() in LINK_SCHEMES and bool(parts.netloc)


def shortened(value: str, limit: int = 80) -> str:
    """A value quoted in a message: long ones cut, so one bad row cannot make a huge message."""
    return value if len(value) <= limit else value[:limit] + "…"


def normalise_text(text: str) -> str:
    """Unicode NFC, \\n newlines, no trailing spaces, at most one blank line in a row, trimmed."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\u00a0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def collapse_repeated_body(body: str) -> tuple[str, int]:
    """If the body is the same run of paragraphs repeated whole (a page scraped twice), keep one copy.

    Returns the body and how many copies it had (1 when it did not repeat).
    """
    paragraphs = [p for p in re.split(r"\n+", body) if p.strip()]
    count = len(paragraphs)
    for copies in range(count, 1, -1):
        if count % copies:
            continue
        size = count // copies
        first = paragraphs[:size]
        if all(paragraphs[i * size:(i + 1) * size] == first for i in range(1, copies)):
            # Cut the body text itself (not a re-join) so the kept copy's spacing is untouched.
            end = _end_of_paragraph(body, size)
            return body[:end].rstrip(), copies
    return body, 1


def _end_of_paragraph(body: str, paragraph_count: int) -> int:
    for seen, match in enumerate(re.finditer(r"[^\n]*\S[^\n]*", body), start=1):
        if seen == paragraph_count:
            return match.end()
    return len(body)


def decode(data: bytes) -> tuple[str, str]:
    """Bytes to text: a byte order mark's encoding, UTF-16 known by its NUL bytes, UTF-8, else the
    configured fallback. Returns (text, a note on how it was read, or "" when that needs no saying)."""
    if not data.strip():
        raise ImportProblem(gettext("the file is empty"))
    for mark, encoding in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return _decode_or_refuse(data, encoding), ""
    if b"\x00" in data[:8192]:
        if not (utf16 := _utf16_by_nul_bytes(data[:8192])):
            raise ImportProblem(gettext("this looks like a binary file (it contains NUL bytes), not text"))
        return _decode_or_refuse(data, utf16), f"read as {utf16}: it has no byte order mark"
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as error:
        utf8_error = error
    fallback = settings.ARTICLE_FALLBACK_ENCODING
    try:
        text = data.decode(fallback)
    except UnicodeDecodeError:
        raise ImportProblem(
            gettext("the bytes are neither UTF-8 (byte %(byte)s is invalid) nor %(encoding)s")
            % {"byte": utf8_error.start, "encoding": fallback}
        ) from None
    if CONTROL_CHARACTER.search(text):
        raise ImportProblem(
            gettext("the bytes are not UTF-8 (byte %(byte)s is invalid) and not readable as %(encoding)s")
            % {"byte": utf8_error.start, "encoding": fallback}
        )
    return text, f"decoded as {fallback} because it is not valid UTF-8"


def _utf16_by_nul_bytes(sample: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when the NUL bytes fall on one side of the byte pairs, as in UTF-16 text
    without a byte order mark (Latin letters are a letter byte and a NUL byte); None otherwise."""
    pairs = len(sample) // 2
    nuls_first, nuls_second = sample[0:pairs * 2:2].count(0), sample[1:pairs * 2:2].count(0)
    # Mostly Latin text has a NUL in most pairs; other scripts can put the odd NUL on the other side.
    if nuls_second >= pairs / 4 and nuls_first <= nuls_second / 10:
        return "utf-16-le"
    if nuls_first >= pairs / 4 and nuls_second <= nuls_first / 10:
        return "utf-16-be"
    return None


def _decode_or_refuse(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise ImportProblem(gettext("the bytes are not valid %(encoding)s (byte %(byte)s is invalid)")
                            % {"encoding": encoding, "byte": error.start}) from None
    if CONTROL_CHARACTER.search(text):
        raise ImportProblem(gettext("this looks like a binary file, not %(encoding)s text") % {"encoding": encoding})
    return text


def draft_from_text(title: str, body: str, source_name: str, **metadata) -> ArticleDraft:
    """A draft from a headline and body, normalised, with a repeated body kept once."""
    title = normalise_text(title).replace("\n", " ")
    body = normalise_text(body)
    if not body:
        raise ImportProblem(gettext("there is no article text"))
    if not title:
        raise ImportProblem(gettext("there is no headline"))
    body, copies = collapse_repeated_body(body)
    draft = ArticleDraft(title=title[:_max_length("title")], body=body, source_name=source_name, **metadata)
    if copies > 1:
        draft.notes.append(f"the body was repeated {copies} times; stored once")
    draft.clean()
    return draft


def size_problem(size: int) -> str:
    """Why a file of this many bytes is refused, or "" when it is small enough."""
    if size <= settings.ARTICLE_MAX_BYTES:
        return ""
    return (gettext("the file is %(size)s bytes, over the limit of %(limit)s (ARTICLE_MAX_BYTES)")
            % {"size": f"{size:,}", "limit": f"{settings.ARTICLE_MAX_BYTES:,}"})


def read_source(source_name: str, data: bytes) -> Iterator[ArticleDraft | ReadFailure]:
    """Every article in one file's bytes; a failure for the whole file or for each bad row."""
    suffix = Path(source_name).suffix.lower()
    try:
        if suffix not in SUPPORTED_SUFFIXES:
            raise ImportProblem(gettext("unsupported file type %(suffix)s; use %(supported)s") % {
                "suffix": suffix or gettext("(none)"), "supported": ", ".join(sorted(SUPPORTED_SUFFIXES))})
        if problem := size_problem(len(data)):
            raise ImportProblem(problem)
        text, reading_note = decode(data)
        items: list[ArticleDraft | ReadFailure]
        if suffix in {".txt", ".md"}:
            items = [_read_plain(text, source_name)]
        elif suffix in {".html", ".htm"}:
            items = [_read_html(text, source_name)]
        elif suffix == ".jsonl":
            items = _read_rows(_jsonl_rows(text), source_name)
        else:
            items = _read_rows(_csv_rows(text), source_name)
        for item in items:
            if isinstance(item, ArticleDraft) and reading_note:
                item.notes.append(reading_note)
            yield item
    except ImportProblem as problem:
        yield ReadFailure(source_name, str(problem))


def read_paths(paths: Iterable[str | Path]) -> Iterator[ArticleDraft | ReadFailure]:
    """Every article in the given files and folders (folders are walked for supported files)."""
    for file in source_files(paths):
        yield from read_file(file)


def source_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The given files, and the supported files in the given folders, in order."""
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
        else:
            yield path


def read_file(file: Path) -> Iterator[ArticleDraft | ReadFailure]:
    """Every article in one file on disk."""
    try:
        data = file.read_bytes()
    except OSError as error:
        yield ReadFailure(str(file), gettext("cannot be read: %(error)s") % {"error": error.strerror or error})
        return
    yield from read_source(str(file), data)


def _read_plain(text: str, source_name: str) -> ArticleDraft:
    text = normalise_text(text)
    headline, _, body = text.partition("\n")
    headline = headline.lstrip("#").strip()
    if not body.strip():
        raise ImportProblem(gettext("there is only a headline line and no article text after it"))
    return draft_from_text(headline, body, source_name)


def _read_html(text: str, source_name: str) -> ArticleDraft:
    # Not a cycle: trafilatura takes some 0.2 s to import, and only HTML files need it.
    import trafilatura

    extracted = trafilatura.extract(text, output_format="json", with_metadata=True, favor_recall=True)
    if not extracted:
        raise ImportProblem(gettext("no article text could be found in this HTML page"))
    found = json.loads(extracted)
    title = (found.get("title") or "").strip()
    body = found.get("text") or ""
    first_line, _, rest = body.partition("\n")
    if title and first_line.strip() == title:
        body = rest
    if not title:
        title, _, body = normalise_text(body).partition("\n")
    return draft_from_text(
        title, body, source_name, source_url=found.get("url") or "", author=found.get("author") or "",
        published_at=_parse_published(found.get("date") or ""),
    )


def _jsonl_rows(text: str) -> Iterator[tuple[int, dict | None, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, None, gettext("is not valid JSON (%(error)s)") % {"error": error.msg}
            continue
        yield (number, row, "") if isinstance(row, dict) else (number, None, gettext("is not a JSON object"))


def _csv_rows(text: str) -> Iterator[tuple[int, dict | None, str]]:
    # A body is one field, and the csv module refuses fields over 131,072 characters by default. The
    # limit is process-wide, so it is only ever raised: to the file size limit, which no field can pass.
    csv.field_size_limit(max(csv.field_size_limit(), settings.ARTICLE_MAX_BYTES))
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "body" not in [name.strip().lower() for name in reader.fieldnames]:
        # Translators: "title" and "body" are the CSV's column names; keep them in English.
        raise ImportProblem(gettext("the CSV header must name at least the columns title and body"))
    for row in reader:
        yield reader.line_num, {(k or "").strip().lower(): v for k, v in row.items()}, ""


def _read_rows(rows: Iterable[tuple[int, dict | None, str]], source_name: str) -> list[ArticleDraft | ReadFailure]:
    items: list[ArticleDraft | ReadFailure] = []
    for number, row, error in rows:
        name = f"{source_name} line {number}"
        try:
            if error:
                raise ImportProblem(error)
            # The row readers give a row whenever they give no error.
            assert row is not None
            if not str(row.get("body") or "").strip():
                raise ImportProblem(gettext("has no body"))
            title = str(row.get("title") or "").strip()
            if not title:
                raise ImportProblem(gettext("has no title"))
            items.append(draft_from_text(
                title, str(row["body"]), name, source_url=str(row.get("url") or "").strip(),
                author=str(row.get("author") or "").strip(),
                published_at=_parse_published(str(row.get("published_at") or "")),
            ))
        except ImportProblem as problem:
            items.append(ReadFailure(name, str(problem)))
    if not items:
        items.append(ReadFailure(source_name, gettext("contains no rows")))
    return items


def _parse_published(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        moment = parse_datetime(value)
        if moment is None and (day := parse_date(value)) is not None:
            moment = datetime.combine(day, time())
    except ValueError:
        moment = None
    if moment is None:
        raise ImportProblem(
            # Translators: published_at is a column name; keep it in English.
            gettext("published_at %(value)r is not a date (use YYYY-MM-DD or ISO 8601)") % {"value": shortened(value)})
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)
