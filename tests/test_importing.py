"""Reading articles in: normalisation, repeated bodies, every file format and every kind of bad input."""
import csv
import io
import json

import pytest
from django.db import DataError

from annotations.importing import (
    ArticleDraft,
    ReadFailure,
    collapse_repeated_body,
    normalise_text,
    read_paths,
    read_source,
)
from annotations.models import Article, AuditEvent
from annotations.storing import import_items

from .conftest import PAGE_SCRAPED_TWICE


def only(items):
    items = list(items)
    assert len(items) == 1, items
    return items[0]


def test_normalising_composes_unicode_unifies_newlines_and_trims_line_ends():
    assert normalise_text("Cafe\u0301  \r\nnext\rline\u00a0 \n\n\n\nend  ") == "Café\nnext\nline\n\nend"


def test_a_body_repeated_whole_is_kept_once():
    body = "First para.\nSecond para.\nFirst para.\nSecond para."
    assert collapse_repeated_body(body) == ("First para.\nSecond para.", 2)


def test_a_body_with_a_repeated_paragraph_but_not_repeated_whole_is_unchanged():
    body = "Same.\nOther.\nSame."
    assert collapse_repeated_body(body) == (body, 1)


def test_text_file_first_non_empty_line_is_the_headline():
    draft = only(read_source("a.txt", b"\n\n  Headline here  \nBody line one.\nBody line two.\n"))
    assert (draft.title, draft.body) == ("Headline here", "Body line one.\nBody line two.")


def test_markdown_heading_marks_are_dropped_from_the_headline():
    assert only(read_source("a.md", b"# Big news\n\nIt happened.")).title == "Big news"


def test_utf8_with_byte_order_mark_is_read_without_the_mark():
    assert only(read_source("a.txt", "\ufeffTitle\nBody é".encode("utf-8"))).title == "Title"


def test_bytes_that_are_not_utf8_fall_back_to_cp1252_and_say_so():
    draft = only(read_source("a.txt", "Title\nIt cost \u20ac5, said Ren\u00e9e.".encode("cp1252")))
    assert draft.body == "It cost €5, said Renée."
    assert any("cp1252" in note for note in draft.notes)


def test_undecodable_bytes_are_refused_naming_the_byte():
    failure = only(read_source("bad.txt", b"Title\nabc \x81\x8d\x8f\x90\x9d"))
    assert isinstance(failure, ReadFailure)
    assert "not UTF-8" in failure.reason or "neither UTF-8" in failure.reason


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\n ", "empty"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("title-only.txt", b"Just a headline\n", "no article text"),
    ("notes.docx", b"PK\x03\x04", "unsupported file type"),
])
def test_bad_files_are_refused_with_the_reason(name, data, reason):
    failure = only(read_source(name, data))
    assert isinstance(failure, ReadFailure)
    assert failure.source_name == name
    assert reason in failure.reason


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.ARTICLE_MAX_BYTES = 100
    failure = only(read_source("big.txt", b"Title\n" + b"x" * 200))
    assert "over the limit of 100" in failure.reason


def test_html_is_reduced_to_its_article_text_and_metadata():
    html = b"""<html><head><title>Bridge reopens</title><meta name="author" content="Dana Holt">
    <meta property="article:published_time" content="2026-04-02"></head><body><nav>Home | Sport</nav>
    <article><h1>Bridge reopens</h1><p>The bridge reopened on Tuesday after 14 months of repairs.</p>
    <p>Traffic was light, officials said, and the toll remains two pounds.</p><script>alert(1)</script></article>
    <footer>All rights reserved</footer></body></html>"""
    draft = only(read_source("bridge.html", html))
    assert draft.title == "Bridge reopens"
    assert draft.body.startswith("The bridge reopened on Tuesday")
    assert "alert" not in draft.body and "Home | Sport" not in draft.body
    assert draft.author == "Dana Holt"
    assert draft.published_at.year == 2026


def test_jsonl_rows_become_articles_and_a_row_without_body_is_reported_alone():
    lines = [
        {"title": "One", "body": "First body.", "url": "https://example.org/1", "published_at": "2026-01-02"},
        {"title": "Two", "body": ""},
        {"title": "Three", "body": "Third body.", "author": "Ann"},
    ]
    items = list(read_source("feed.jsonl", "\n".join(json.dumps(x) for x in lines).encode()))
    assert [type(i) for i in items] == [ArticleDraft, ReadFailure, ArticleDraft]
    assert items[1].source_name == "feed.jsonl line 2" and "no body" in items[1].reason
    assert items[0].source_url == "https://example.org/1" and items[2].author == "Ann"


def test_jsonl_line_that_is_not_json_is_reported_with_its_line_number():
    items = list(read_source("feed.jsonl", b'{"title": "A", "body": "B."}\n{oops\n'))
    assert isinstance(items[1], ReadFailure) and "line 2" in items[1].source_name


def test_csv_rows_become_articles_and_a_bad_date_is_reported_for_that_row():
    data = b"title,body,published_at\nOne,First body.,2026-03-01\nTwo,Second body.,next tuesday\n"
    first, second = read_source("feed.csv", data)
    assert first.published_at.isoformat().startswith("2026-03-01")
    assert isinstance(second, ReadFailure) and "next tuesday" in second.reason


def test_csv_without_a_body_column_is_refused():
    failure = only(read_source("feed.csv", b"title,text\nA,B\n"))
    assert "title and body" in failure.reason


def test_folders_are_walked_for_supported_files(tmp_path):
    (tmp_path / "a.txt").write_text("A\nBody A.")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("B\nBody B.")
    (tmp_path / "ignored.png").write_bytes(b"\x89PNG")
    assert sorted(d.title for d in read_paths([tmp_path])) == ["A", "B"]


def test_a_page_scraped_twice_is_read_once(tmp_path):
    (tmp_path / "harbour.txt").write_text(PAGE_SCRAPED_TWICE)
    draft = only(read_paths([tmp_path / "harbour.txt"]))
    assert draft.body.count("The sea will not wait for us") == 1
    assert "repeated 2 times" in draft.notes[0]


@pytest.mark.django_db
def test_importing_the_same_body_again_creates_no_duplicate_and_names_the_match(editor):
    items = list(read_source("a.txt", b"Title\nSame body.")) + list(read_source("b.txt", b"Other title\nSame body."))
    first, second = import_items(items, by=editor, premark=False)
    assert first.status == "imported" and second.status == "duplicate"
    assert f"article {first.article.pk}" in second.message
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_a_batch_with_one_bad_item_imports_the_rest_and_records_each_import(editor):
    items = [*read_source("ok.txt", b"Good\nFine body."), *read_source("empty.txt", b""),
             *read_source("ok2.txt", b"Also good\nAnother body.")]
    outcomes = list(import_items(items, by=editor, premark=False))
    assert [o.status for o in outcomes] == ["imported", "failed", "imported"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORTED).count() == 2


@pytest.mark.django_db
def test_stored_body_is_the_normalised_text(editor):
    outcome = only(import_items(read_source("a.txt", "Title\r\nCafe\u0301 opens.  \r\n".encode()), by=editor, premark=False))
    assert outcome.article.body == "Café opens."


@pytest.mark.django_db
def test_an_import_that_crashes_half_way_leaves_no_half_article_and_a_rerun_completes(editor, monkeypatch, nlp):
    from annotations import storing
    from annotations.models import Claim

    items = lambda: [*read_source("a.txt", b"First\nThe port handled 4 million tonnes in 2025."),  # noqa: E731
                     *read_source("b.txt", b"Second\nThe mayor said that fares will rise by 5 percent.")]
    real_premark = storing.premark_article

    def crash_on_second(article, spans=None):
        if article.title == "Second":
            raise RuntimeError("power cut")
        return real_premark(article, spans)

    monkeypatch.setattr(storing, "premark_article", crash_on_second)
    with pytest.raises(RuntimeError):
        list(import_items(items(), by=editor))
    assert list(Article.objects.values_list("title", flat=True)) == ["First"]
    assert not Claim.objects.exclude(article__title="First").exists()

    monkeypatch.setattr(storing, "premark_article", real_premark)
    outcomes = list(import_items(items(), by=editor))
    assert [o.status for o in outcomes] == ["duplicate", "imported"]
    assert Article.objects.get(title="Second").claims.exists()


# Hostile and huge input: every field is checked before it is stored, and one bad row fails alone.

def csv_bytes(*rows: dict) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, ["title", "body", "url", "author", "published_at"])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def jsonl_bytes(*rows: dict) -> bytes:
    return "\n".join(json.dumps(row) for row in rows).encode()


GOOD_ROW = {"title": "Port reopens", "body": "The port reopened on Tuesday after a strike."}


@pytest.mark.django_db
@pytest.mark.parametrize("published_at", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_a_csv_row_dated_out_of_range_is_reported_and_the_other_rows_import(editor, published_at):
    data = csv_bytes({**GOOD_ROW, "published_at": "2026-03-01"},
                     {"title": "Far future", "body": "A date no database can hold.", "published_at": published_at},
                     {"title": "Bridge", "body": "The bridge reopened on Monday."})
    outcomes = list(import_items(read_source("feed.csv", data), by=editor, premark=False))
    assert [o.status for o in outcomes] == ["imported", "failed", "imported"]
    assert outcomes[1].source_name == "feed.csv line 3"
    assert f"published_at {published_at[:10]}" in outcomes[1].message and "1800" in outcomes[1].message
    assert sorted(Article.objects.values_list("title", flat=True)) == ["Bridge", "Port reopens"]


def test_a_csv_field_of_200000_characters_is_read():
    body = "The council met. " * 12_000  # 204,000 characters, over the csv module's 131,072 default
    first, second = read_source("feed.csv", csv_bytes({"title": "Long", "body": body}, GOOD_ROW))
    assert isinstance(first, ArticleDraft) and len(first.body) > 200_000
    assert second.title == "Port reopens"


@pytest.mark.django_db
def test_a_lone_surrogate_in_json_fails_that_row_alone(editor):
    data = b'{"title": "Broken", "body": "Half a pair \\ud800 of surrogates."}\n' + jsonl_bytes(GOOD_ROW)
    failed, imported = import_items(read_source("feed.jsonl", data), by=editor, premark=False)
    assert failed.status == "failed" and failed.source_name == "feed.jsonl line 1"
    assert "body has the character \\ud800 at position 12" in failed.message
    assert imported.status == "imported"


def test_a_nul_byte_after_the_first_8192_bytes_is_reported_with_its_position():
    data = b"Headline\n" + b"Plain words. " * 700 + b"\x00 and more."
    failure = only(read_source("late-nul.txt", data))
    assert isinstance(failure, ReadFailure)
    assert "body has the character \\x00 at position 9,100" in failure.reason


@pytest.mark.django_db
def test_a_nul_escape_in_json_fails_that_row_alone(editor):
    data = jsonl_bytes({"title": "Nul\u0000title", "body": "Fine body."}, GOOD_ROW)
    failed, imported = import_items(read_source("feed.jsonl", data), by=editor, premark=False)
    assert failed.status == "failed" and "title has the character \\x00" in failed.message
    assert imported.status == "imported"


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value", "reason"), [
    ("author", "A" * 301, "author is 301 characters long, over the limit of 300"),
    ("url", "https://example.org/" + "a" * 2000, "source_url is 2,020 characters long, over the limit of 2,000"),
])
def test_a_field_over_the_model_limit_fails_that_row_alone(editor, field, value, reason):
    data = csv_bytes({**GOOD_ROW, field: value}, {"title": "Bridge", "body": "The bridge reopened."})
    failed, imported = import_items(read_source("feed.csv", data), by=editor, premark=False)
    assert failed.status == "failed" and reason in failed.message
    assert imported.status == "imported"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["javascript:alert(document.domain)", "JavaScript:alert(1)", "java\tscript:alert(1)",
                                 "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "example.org/no-scheme"])
def test_a_link_that_is_not_http_is_dropped_with_a_note_and_the_article_kept(editor, url):
    outcome = only(import_items(read_source("feed.csv", csv_bytes({**GOOD_ROW, "url": url})), by=editor, premark=False))
    assert outcome.status == "imported"
    assert "is not an http(s) address; stored without it" in outcome.message
    assert outcome.article.source_url == ""


def test_an_http_link_is_kept():
    draft = only(read_source("feed.csv", csv_bytes({**GOOD_ROW, "url": "HTTPS://example.org/a?b=1"})))
    assert draft.source_url == "HTTPS://example.org/a?b=1" and not draft.notes


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
@pytest.mark.parametrize(("name", "text"), [
    ("letter.txt", "Café reopens\nThe café reopened on Tuesday, said Renée Ødegård."),
    ("feed.csv", "title,body\nCafé reopens,\"The café reopened on Tuesday, said Renée.\"\n"),
])
def test_utf16_with_or_without_byte_order_mark_is_read(encoding, name, text):
    draft = only(read_source(name, text.encode(encoding)))  # "utf-16" writes a mark; -le and -be do not
    assert isinstance(draft, ArticleDraft), draft
    assert draft.title == "Café reopens" and draft.body.startswith("The café reopened on Tuesday")


def test_a_binary_file_with_nul_bytes_on_both_sides_of_the_pairs_is_still_refused():
    failure = only(read_source("image.txt", bytes(range(256)) * 8))
    assert isinstance(failure, ReadFailure) and "binary" in failure.reason


@pytest.mark.django_db
def test_a_draft_the_database_refuses_fails_alone_and_the_rest_are_stored(editor, monkeypatch):
    real_import = Article.objects.import_article

    def refuse_one(**fields):
        if fields["title"] == "Refused":
            raise DataError("value too long for type character varying(300)")
        return real_import(**fields)

    monkeypatch.setattr(Article.objects, "import_article", refuse_one)
    items = [*read_source("a.txt", b"First\nFirst body."), *read_source("b.txt", b"Refused\nSecond body."),
             *read_source("c.txt", b"Third\nThird body.")]
    outcomes = list(import_items(items, by=editor, premark=False))
    assert [o.status for o in outcomes] == ["imported", "failed", "imported"]
    assert "could not be stored (DataError: value too long" in outcomes[1].message


@pytest.mark.django_db
def test_a_text_spacy_refuses_fails_alone_and_the_rest_of_its_batch_is_pre_marked(editor, monkeypatch, nlp):
    from annotations import storing

    real_find_spans = storing.find_spans

    def refuse_long(text):  # as spaCy does past nlp.max_length
        if len(text) > 100:
            raise ValueError(f"[E088] Text of length {len(text)} exceeds maximum of 100.")
        return real_find_spans(text)

    monkeypatch.setattr(storing, "find_spans", refuse_long)
    monkeypatch.setattr(storing, "find_spans_many", lambda texts: map(refuse_long, texts))
    items = [*read_source("a.txt", b"First\nThe mayor said that fares will rise by 5 percent."),
             *read_source("b.txt", b"Long\n" + b"The port handled 4 million tonnes in 2025. " * 3),
             *read_source("c.txt", b"Third\nThe council said it spent 12 million pounds on roads.")]
    outcomes = list(import_items(items, by=editor))
    assert [o.status for o in outcomes] == ["imported", "failed", "imported"]
    assert "E088" in outcomes[1].message
    assert all(Article.objects.get(title=title).claims.exists() for title in ["First", "Third"])
