"""Reading articles in: normalisation, repeated bodies, every file format and every kind of bad input."""
import json

import pytest

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
