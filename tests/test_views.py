"""Views through the test client: permissions, pages, claim actions with and without htmx, import, export, history."""
import csv
import io
import re
from collections.abc import Callable
from html import unescape
from typing import NamedTuple

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from annotations.models import Article, AuditEvent, Claim
from annotations.rendering import sections

from .conftest import BODY, PAGE_SCRAPED_TWICE

HTMX = {"HTTP_HX_REQUEST": "true"}
QUOTE_START, QUOTE_END = BODY.index("This is"), BODY.index(",\" said")


def article_url(claim: Claim) -> str:
    return reverse("annotations:article_detail", args=[claim.article_id]) + f"#claim-{claim.pk}"


def events_of(claim: Claim) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(claim=claim))


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# Login and roles

@pytest.mark.parametrize("name, args", [
    ("article_list", []), ("help", []), ("article_import", []), ("article_detail", ["article"]),
    ("article_history", ["article"]), ("claim_history", ["claim"]), ("claims_export", []), ("claims_download", []),
])
def test_every_page_sends_anonymous_visitors_to_the_login_page(client, article, claim, name, args):
    objects = {"article": article.pk, "claim": claim.pk}
    response = client.get(reverse(f"annotations:{name}", args=[objects[a] for a in args]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", [
    "claim_verdict", "claim_dismiss", "claim_restore", "claim_note", "claim_speaker",
    "claim_evidence_add", "claim_evidence_remove",
])
def test_claim_actions_send_anonymous_visitors_to_the_login_page_and_change_nothing(client, claim, name):
    response = client.post(reverse(f"annotations:{name}", args=[claim.pk]), {"verdict": "verified", "note": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert events_of(claim) == []


def test_adding_a_mark_sends_anonymous_visitors_to_the_login_page(client, article):
    response = client.post(reverse("annotations:claim_create", args=[article.pk]), {"start": 0, "end": 5})
    assert response.status_code == 302
    assert not article.claims.exists()


def test_a_viewer_gets_403_on_claim_actions_and_nothing_changes(client, viewer, claim):
    client.force_login(viewer)
    response = client.post(reverse("annotations:claim_verdict", args=[claim.pk]), {"verdict": "verified"})
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.verdict == Claim.Verdict.UNREVIEWED
    assert events_of(claim) == []


def test_a_viewer_cannot_add_a_mark(client, viewer, article):
    client.force_login(viewer)
    response = client.post(reverse("annotations:claim_create", args=[article.pk]),
                           {"start": 0, "end": 8, "kind": "claim"})
    assert response.status_code == 403
    assert not article.claims.exists()


def test_a_viewer_reads_the_article_without_any_labelling_buttons(client, viewer, claim):
    client.force_login(viewer)
    response = client.get(reverse("annotations:article_detail", args=[claim.article_id]))
    assert response.status_code == 200
    assert claim.text in response.content.decode()
    assert reverse("annotations:claim_verdict", args=[claim.pk]) not in response.content.decode()
    assert reverse("annotations:claim_create", args=[claim.article_id]) not in response.content.decode()


def test_a_reviewer_cannot_open_import_or_export(reviewer_client):
    assert reviewer_client.get(reverse("annotations:article_import")).status_code == 403
    assert reviewer_client.get(reverse("annotations:claims_export")).status_code == 403
    assert reviewer_client.get(reverse("annotations:claims_download")).status_code == 403


# Article list

def test_the_list_shows_how_many_marks_are_labelled(reviewer_client, reviewer, make_claim):
    make_claim().set_verdict("verified", by=reviewer)
    make_claim(start=69, end=120)
    response = reviewer_client.get(reverse("annotations:article_list"))
    page = response.content.decode()
    assert '<progress value="1" max="2">' in page
    assert "1 of 2 labelled" in page


@pytest.fixture
def two_articles(reviewer, editor, article, make_claim):
    """The fixture article, fully labelled 'verified', and an open one about rates."""
    make_claim().set_verdict("verified", by=reviewer)
    other, _ = Article.objects.import_article(title="Still open", body="Rates rose 3 percent.", by=editor)
    make_claim(article=other, start=0, end=21)
    return article, other


def listed(client, **filters) -> list[str]:
    response = client.get(reverse("annotations:article_list"), filters)
    return [article.title for article in response.context["page"].object_list]


def test_the_progress_filter_finds_open_and_finished_articles(reviewer_client, two_articles):
    assert listed(reviewer_client, progress="unlabelled") == ["Still open"]
    assert listed(reviewer_client, progress="done") == ["Council approves budget"]


def test_the_search_looks_in_titles_and_text(reviewer_client, two_articles):
    assert listed(reviewer_client, q="rates percent") == ["Still open"]
    assert listed(reviewer_client, q="COUNCIL") == ["Council approves budget"]


def test_the_verdict_and_date_filters_narrow_the_list(reviewer_client, two_articles):
    today = timezone.localdate()
    assert listed(reviewer_client, verdict="verified") == ["Council approves budget"]
    assert listed(reviewer_client, imported_from=today.isoformat()) == ["Still open", "Council approves budget"]
    assert listed(reviewer_client, imported_to=(today - timezone.timedelta(days=1)).isoformat()) == []


def test_pagination_links_keep_the_filters(reviewer_client, editor):
    for number in range(51):
        Article.objects.import_article(title=f"Rates {number}", body=f"Rates body {number}.", by=editor)
    page = reviewer_client.get(reverse("annotations:article_list"), {"q": "rates"}).content.decode()
    assert "?q=rates&amp;page=2" in page


@pytest.mark.parametrize("filters", [{}, {"q": "body", "progress": "unlabelled", "imported_from": "2000-01-01"}])
@pytest.mark.parametrize("article_count", [1, 60])
def test_the_list_runs_the_same_number_of_queries_however_many_articles(
    reviewer_client, editor, article_count, filters, django_assert_num_queries
):
    for number in range(article_count):
        article, _ = Article.objects.import_article(title=f"Article {number}", body=f"Body {number}.", by=editor)
        Claim.objects.create(article=article, kind="claim", start=0, end=4, text="Body")
    # Session, user, the user's and the group permissions, the page count, the page.
    with django_assert_num_queries(6):
        response = reviewer_client.get(reverse("annotations:article_list"), filters)
    assert response.status_code == 200


# Article page

def test_the_article_page_highlights_claims_and_quotes_with_the_speaker(reviewer_client, article, make_claim):
    claim = make_claim()
    quote = make_claim(kind="quote", start=QUOTE_START, end=QUOTE_END, speaker="Ann Lee")
    page = reviewer_client.get(reverse("annotations:article_detail", args=[article.pk])).content.decode()
    assert f'data-claims="{claim.pk}"' in page
    assert "kind-claim verdict-unreviewed" in page
    assert f'data-claims="{quote.pk}"' in page
    assert 'data-speaker="Ann Lee"' in page
    assert "Said by <strong>Ann Lee</strong>" in page


def text_content(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def article_text_of(page: str) -> str:
    """The inside of the article text's container, as the page has it."""
    found = re.search(r'<div id="article-text"[^>]*>(.*?)</div>', page, re.S)
    assert found is not None
    return found.group(1)


def test_the_article_text_on_the_page_is_exactly_the_body(reviewer_client, editor, article, make_claim):
    make_claim()
    response = reviewer_client.get(reverse("annotations:article_detail", args=[article.pk]))
    assert text_content(article_text_of(response.content.decode())) == article.body


def test_the_article_page_escapes_html_in_title_body_speaker_and_note(reviewer_client, editor, reviewer):
    body = 'She said "<b>we won</b>" and <script>alert(1)</script> left.'
    article, _ = Article.objects.import_article(title="<i>Title</i>", body=body, by=editor)
    quote = Claim.objects.create(article=article, kind="quote", start=10, end=22, text=body[10:22],
                                 speaker='<img src=x onerror="alert(2)">')
    quote.set_note("<u>check</u>", by=reviewer)
    page = reviewer_client.get(reverse("annotations:article_detail", args=[article.pk])).content.decode()
    for raw in ["<i>Title</i>", "<b>we won</b>", "<script>alert(1)", "<img src=x", "<u>check</u>"]:
        assert raw not in page
    assert "&lt;i&gt;Title&lt;/i&gt;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in page
    assert "&lt;u&gt;check&lt;/u&gt;" in page


def test_the_article_page_shows_what_each_verdict_means(reviewer_client, article):
    page = reviewer_client.get(reverse("annotations:article_detail", args=[article.pk])).content.decode()
    for meaning in Claim.VERDICT_HELP.values():
        assert str(meaning) in page  # the meanings are lazy translations


# Claim actions: one table drives the no-JS and the htmx tests

def setup_nothing(claim, user):
    return {}


def setup_dismissed(claim, user):
    claim.dismiss(by=user)
    return {}


def setup_quote(claim, user):
    Claim.objects.filter(pk=claim.pk).update(kind="quote", speaker="Ann Lee")
    return {}


def setup_evidence(claim, user):
    claim.add_evidence("https://example.org/budget", by=user)
    return {"evidence": claim.evidence.get().pk}


class Case(NamedTuple):
    data: dict
    setup: Callable[[Claim, object], dict]
    is_done: Callable[[Claim], bool]
    action: str


ACTIONS = {
    "claim_verdict": Case({"verdict": "disputed"}, setup_nothing, lambda c: c.verdict == "disputed",
                          AuditEvent.Action.VERDICT_SET),
    "claim_dismiss": Case({}, setup_nothing, lambda c: c.is_dismissed, AuditEvent.Action.DISMISSED),
    "claim_restore": Case({}, setup_dismissed, lambda c: not c.is_dismissed, AuditEvent.Action.RESTORED),
    "claim_note": Case({"note": "Budget papers say 4.1m."}, setup_nothing,
                       lambda c: c.note == "Budget papers say 4.1m.", AuditEvent.Action.NOTE_SET),
    "claim_speaker": Case({"speaker": "Mayor Ann Lee"}, setup_quote, lambda c: c.speaker == "Mayor Ann Lee",
                          AuditEvent.Action.SPEAKER_SET),
    "claim_evidence_add": Case({"url": "https://example.org/minutes", "description": "Minutes"}, setup_nothing,
                               lambda c: c.evidence.get().url == "https://example.org/minutes",
                               AuditEvent.Action.EVIDENCE_ADDED),
    "claim_evidence_remove": Case({}, setup_evidence, lambda c: not c.evidence.exists(),
                                  AuditEvent.Action.EVIDENCE_REMOVED),
}


def post_action(client, name, claim, user, **extra):
    """Prepare the claim for the action, post it with the current version; return the response and new events."""
    case = ACTIONS[name]
    data = {**case.data, **case.setup(claim, user)}
    claim.refresh_from_db()
    before = len(events_of(claim))
    response = client.post(reverse(f"annotations:{name}", args=[claim.pk]),
                           {**data, "expected_version": claim.version}, **extra)
    claim.refresh_from_db()
    return response, events_of(claim)[before:]


@pytest.mark.parametrize("name", ACTIONS)
def test_each_claim_action_without_javascript_redirects_to_the_mark_and_records_one_event(
    reviewer_client, reviewer, claim, name
):
    response, new_events = post_action(reviewer_client, name, claim, reviewer)
    assert response.status_code == 302
    assert response["Location"] == article_url(claim)
    assert ACTIONS[name].is_done(claim)
    assert [event.action for event in new_events] == [ACTIONS[name].action]
    assert new_events[0].before != new_events[0].after
    assert new_events[0].actor == reviewer


@pytest.mark.parametrize("name", ACTIONS)
def test_each_claim_action_with_htmx_answers_with_the_fragment_only(reviewer_client, reviewer, claim, name):
    response, new_events = post_action(reviewer_client, name, claim, reviewer, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert page.lstrip().startswith('<li class="mark-panel')
    assert f'id="claim-{claim.pk}"' in page
    assert re.search(r'id="paragraph-0" hx-swap-oob="true"', page)
    assert ACTIONS[name].is_done(claim)
    assert len(new_events) == 1


def test_labelling_with_htmx_updates_the_highlight_and_the_progress(reviewer_client, claim):
    response = reviewer_client.post(reverse("annotations:claim_verdict", args=[claim.pk]),
                                    {"verdict": "verified", "expected_version": claim.version}, **HTMX)
    page = response.content.decode()
    assert "kind-claim verdict-verified" in page
    assert 'id="article-progress" hx-swap-oob="true"' in page
    assert "1 of 1 labelled" in page


@pytest.fixture
def two_paragraphs(editor) -> tuple[Article, Claim, Claim]:
    body = "Rents rose 12 percent in a year.\n\n\"We built 300 homes,\" said Mayor Ann Lee.\nThe end."
    article, _ = Article.objects.import_article(title="Rents", body=body, by=editor)
    first = Claim.objects.create(article=article, kind="claim", start=0, end=32, text=body[:32])
    second = Claim.objects.create(article=article, kind="quote", start=35, end=53, text=body[35:53],
                                  speaker="Ann Lee")
    return article, first, second


def test_a_label_with_htmx_redraws_only_the_paragraph_of_its_mark_and_as_the_page_would(
        reviewer_client, two_paragraphs):
    article, _first, second = two_paragraphs
    response = reviewer_client.post(reverse("annotations:claim_verdict", args=[second.pk]),
                                    {"verdict": "disputed", "expected_version": second.version}, **HTMX)
    swapped = re.findall(r'<p id="paragraph-\d+" hx-swap-oob="true">.*?</p>', response.content.decode(), re.S)
    page = reviewer_client.get(reverse("annotations:article_detail", args=[article.pk])).content.decode()
    assert swapped == [re.search(r'<p id="paragraph-34">.*?</p>', page, re.S).group(0).replace(
        '<p id="paragraph-34">', '<p id="paragraph-34" hx-swap-oob="true">')]
    assert "verdict-disputed" in swapped[0] and "Rents rose" not in response.content.decode()


def test_dismissing_with_htmx_redraws_its_paragraph_without_the_mark(reviewer_client, two_paragraphs):
    article, first, second = two_paragraphs
    response = reviewer_client.post(reverse("annotations:claim_dismiss", args=[first.pk]),
                                    {"expected_version": first.version}, **HTMX)
    (swapped,) = re.findall(r'<p id="paragraph-0" hx-swap-oob="true">.*?</p>', response.content.decode(), re.S)
    assert text_content(swapped) == article.body[:article.body.index("\n")]
    assert "<mark" not in swapped and f'data-claims="{second.pk}"' not in response.content.decode()


def test_a_refused_change_with_htmx_redraws_the_whole_text(reviewer_client, reviewer, two_paragraphs):
    article, first, second = two_paragraphs
    seen_version = first.version
    first.set_note("Checked.", by=reviewer)  # meanwhile, someone else changes this mark
    second.dismiss(by=reviewer)  # and another one elsewhere in the text
    response = reviewer_client.post(reverse("annotations:claim_verdict", args=[first.pk]),
                                    {"verdict": "verified", "expected_version": seen_version}, **HTMX)
    assert response.status_code == 409
    text = article_text_of(response.content.decode())
    assert text_content(text) == article.body and f'data-claims="{second.pk}"' not in text


def test_the_article_page_shows_a_change_made_since_it_was_last_shown(reviewer_client, reviewer, claim):
    url = reverse("annotations:article_detail", args=[claim.article_id])
    assert 'aria-pressed="true"' not in reviewer_client.get(url).content.decode()
    claim.set_verdict("verified", by=reviewer)
    page = reviewer_client.get(url).content.decode()
    assert re.search(r'value="verified"[^>]*aria-pressed="true"', page, re.S)
    assert "kind-claim verdict-verified" in article_text_of(page)


def test_each_visitor_gets_mark_forms_with_their_own_working_csrf_token(reviewer, editor, claim):
    from django.test import Client

    url = reverse("annotations:article_detail", args=[claim.article_id])
    verdict_form = re.compile(rf'action="/claims/{claim.pk}/verdict/".*?name="csrfmiddlewaretoken" value="([^"]+)"', re.S)
    for user in (reviewer, editor):  # the second sees the panel the first one's visit cached
        visitor = Client(enforce_csrf_checks=True)
        visitor.force_login(user)
        token = verdict_form.search(visitor.get(url).content.decode()).group(1)
        response = visitor.post(reverse("annotations:claim_verdict", args=[claim.pk]),
                                {"csrfmiddlewaretoken": token, "verdict": "unclear"})
        assert response.status_code == 302
    assert claim.history().count() == 2


def test_an_unknown_verdict_is_refused_and_changes_nothing(reviewer_client, claim):
    response = reviewer_client.post(reverse("annotations:claim_verdict", args=[claim.pk]), {"verdict": "true"})
    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.verdict == Claim.Verdict.UNREVIEWED
    assert events_of(claim) == []


def test_a_stale_version_gets_409_with_who_changed_the_mark_and_changes_nothing(
    reviewer_client, editor, claim
):
    seen_version = claim.version
    claim.set_verdict("verified", by=editor)
    response = reviewer_client.post(reverse("annotations:claim_verdict", args=[claim.pk]),
                                    {"verdict": "disputed", "expected_version": seen_version})
    assert response.status_code == 409
    assert "eddie changed this claim" in response.content.decode()
    claim.refresh_from_db()
    assert claim.verdict == "verified"
    assert len(events_of(claim)) == 1


def test_a_stale_note_with_htmx_gets_409_and_keeps_what_the_user_typed(reviewer_client, editor, claim):
    seen_version = claim.version
    claim.set_note("Editor's note", by=editor)
    response = reviewer_client.post(reverse("annotations:claim_note", args=[claim.pk]),
                                    {"note": "My own careful note", "expected_version": seen_version}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 409
    assert "<html" not in page
    assert "My own careful note" in page
    assert "Editor&#x27;s note" in page
    assert f'name="expected_version" value="{claim.version}"' in page
    claim.refresh_from_db()
    assert claim.note == "Editor's note"


def test_evidence_must_be_an_http_link(reviewer_client, claim):
    response = reviewer_client.post(reverse("annotations:claim_evidence_add", args=[claim.pk]),
                                    {"url": "javascript:alert(1)", "expected_version": claim.version})
    assert response.status_code == 400
    assert "Enter a link that starts with http:// or https://." in response.content.decode()
    assert not claim.evidence.exists()
    assert events_of(claim) == []


def test_evidence_over_ftp_is_refused_too(reviewer_client, claim):
    response = reviewer_client.post(reverse("annotations:claim_evidence_add", args=[claim.pk]),
                                    {"url": "ftp://example.org/file", "expected_version": claim.version}, **HTMX)
    assert response.status_code == 400
    assert "http:// or https://" in response.content.decode()
    assert not claim.evidence.exists()


def test_removing_evidence_of_another_claim_is_refused(reviewer_client, reviewer, make_claim, claim):
    other = make_claim(start=69, end=120)
    other.add_evidence("https://example.org/x", by=reviewer)
    response = reviewer_client.post(reverse("annotations:claim_evidence_remove", args=[claim.pk]),
                                    {"evidence": other.evidence.get().pk})
    assert response.status_code == 400
    assert "not on this claim" in response.content.decode()
    assert other.evidence.exists()


def test_actions_only_accept_post(reviewer_client, claim):
    assert reviewer_client.get(reverse("annotations:claim_verdict", args=[claim.pk])).status_code == 405


# Adding a mark by span

def test_a_reviewer_adds_a_quote_by_its_character_span(reviewer_client, reviewer, article):
    response = reviewer_client.post(reverse("annotations:claim_create", args=[article.pk]), {
        "start": QUOTE_START, "end": QUOTE_END, "kind": "quote", "speaker": "Mayor Ann Lee",
    })
    quote = article.claims.get()
    assert response.status_code == 302
    assert response["Location"] == article_url(quote)
    assert (quote.text, quote.speaker, quote.origin) == (BODY[QUOTE_START:QUOTE_END], "Mayor Ann Lee", "human")
    assert [(e.action, e.actor) for e in events_of(quote)] == [(AuditEvent.Action.MARKED, reviewer)]


def test_a_span_outside_the_article_gets_a_clear_error(reviewer_client, article):
    response = reviewer_client.post(reverse("annotations:claim_create", args=[article.pk]),
                                    {"start": 10, "end": 5000, "kind": "claim"})
    assert response.status_code == 400
    assert f"outside the article (length {len(BODY)})" in response.content.decode()
    assert not article.claims.exists()


def test_a_span_that_ends_before_it_starts_is_refused(reviewer_client, article):
    response = reviewer_client.post(reverse("annotations:claim_create", args=[article.pk]),
                                    {"start": 10, "end": 4, "kind": "claim"})
    assert response.status_code == 400
    assert "The end must come after the start." in response.content.decode()


# Import

@pytest.fixture
def post_import(immediate_tasks, django_capture_on_commit_callbacks):
    """Post an import and follow to the batch page, with the task run at commit as a worker would."""

    def post(client, data) -> tuple:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("annotations:article_import"), data)
        page = client.get(response.headers["Location"])
        progress = page.context["progress"]
        return page, {result.source_name: result.status for result in progress["failures"] + progress["others"]}

    return post


def test_a_batch_with_bad_files_imports_the_rest_and_names_each_failure(editor_client, settings, post_import):
    settings.ARTICLE_MAX_BYTES = 200
    files = [
        upload("good.txt", b"Port reopens\nThe port reopened on Tuesday after a two-week strike."),
        upload("empty.txt", b""),
        upload("binary.txt", b"\x00\x01\x02PNG"),
        upload("huge.txt", b"Headline\n" + b"words " * 100),
    ]
    response, outcomes = post_import(editor_client, {"files": files})
    page = response.content.decode()
    assert response.status_code == 200
    assert outcomes["good.txt"] == "imported"
    assert Article.objects.get().title == "Port reopens"
    assert {name: outcomes[name] for name in ["empty.txt", "binary.txt", "huge.txt"]} == dict.fromkeys(
        ["empty.txt", "binary.txt", "huge.txt"], "failed")
    assert "the file is empty" in page
    assert "binary file" in page
    assert "over the limit" in page


def test_an_imported_date_out_of_range_is_reported_and_every_main_page_still_answers(editor_client, post_import):
    feed = (b"title,body,published_at\nPort reopens,The port reopened on Tuesday.,2026-03-01\n"
            b"Far future,The year 10000 in UTC.,9999-12-31T23:59:59-05:00\n"
            b"Far past,Before the year 1 in UTC.,0001-01-01T00:00:00+05:00\n")
    _, outcomes = post_import(editor_client, {"files": [upload("feed.csv", feed)]})
    assert outcomes == {"feed.csv line 2": "imported", "feed.csv line 3": "failed", "feed.csv line 4": "failed"}
    article = Article.objects.get()
    for url in [reverse("annotations:article_list"), reverse("annotations:dashboard"),
                reverse("annotations:article_detail", args=[article.pk]),
                reverse("annotations:article_history", args=[article.pk])]:
        assert editor_client.get(url).status_code == 200, url


def test_an_import_runs_in_the_background_and_its_page_shows_progress(editor_client):
    response = editor_client.post(reverse("annotations:article_import"),
                                  {"files": [upload("a.txt", b"Port reopens\nThe port reopened on Tuesday.")]})
    batch_url = response.headers["Location"]
    assert not Article.objects.exists()  # no worker ran: the request did not do the work itself
    page = editor_client.get(batch_url)
    assert "Queued" in page.content.decode() and 'hx-trigger="every 1s"' in page.content.decode()
    fragment = editor_client.get(batch_url, **HTMX).content.decode()
    assert "<html" not in fragment and 'id="import-progress"' in fragment


def test_too_many_files_at_once_are_refused_with_the_limit(editor_client, settings):
    settings.IMPORT_MAX_FILES = 2
    files = [upload(f"{n}.txt", b"T\nBody.") for n in range(3)]
    response = editor_client.post(reverse("annotations:article_import"), {"files": files})
    assert response.status_code == 400 and "more than 2 at once" in response.content.decode()


def test_a_duplicate_import_links_to_the_article_it_matches(editor_client, article, post_import):
    data = f"Another headline\n{article.body}".encode()
    response, outcomes = post_import(editor_client, {"files": [upload("again.txt", data)]})
    assert outcomes["again.txt"] == "duplicate"
    assert f"already stored as article {article.pk}" in response.content.decode()
    assert reverse("annotations:article_detail", args=[article.pk]) in response.content.decode()
    assert Article.objects.count() == 1


def test_a_pasted_article_is_imported(editor_client, editor, post_import):
    _, outcomes = post_import(editor_client, {
        "title": "Pasted headline", "body": "The mayor said the bridge cost 12 million pounds.",
    })
    article = Article.objects.get()
    assert outcomes["pasted.txt"] == "imported"
    assert (article.title, article.source_name, article.imported_by) == ("Pasted headline", "pasted.txt", editor)


def test_pasted_text_without_a_headline_is_a_form_error(editor_client):
    response = editor_client.post(reverse("annotations:article_import"), {"body": "Some text."})
    assert response.status_code == 400
    assert "there is no headline" in response.content.decode()
    assert not Article.objects.exists()


def test_an_import_with_nothing_to_import_asks_for_a_file_or_text(editor_client):
    response = editor_client.post(reverse("annotations:article_import"), {})
    assert response.status_code == 400
    assert "Choose at least one file" in response.content.decode()


def test_a_page_scraped_twice_is_stored_once(editor_client, post_import):
    response, _ = post_import(editor_client, {"files": [upload("harbour.txt", PAGE_SCRAPED_TWICE.encode())]})
    article = Article.objects.get()
    assert article.body.count("Work to rebuild the harbour wall") == 1
    assert "the body was repeated 2 times; stored once" in response.content.decode()


# Export

def test_the_export_page_is_for_editors(editor_client):
    response = editor_client.get(reverse("annotations:claims_export"))
    assert response.status_code == 200
    assert reverse("annotations:claims_download") in response.content.decode()


def test_the_csv_is_streamed_with_a_dated_filename_and_the_header(editor_client, reviewer, claim):
    claim.set_verdict("verified", by=reviewer)
    response = editor_client.get(reverse("annotations:claims_download"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="factcheck-claims-{timezone.localdate():%Y-%m-%d}.csv"')
    assert rows[0][:4] == ["article_id", "article_title", "article_url", "claim_id"]
    assert [row[3] for row in rows[1:]] == [str(claim.pk)]


def test_export_filters_narrow_the_rows(editor_client, reviewer, make_claim):
    make_claim().set_verdict("verified", by=reviewer)
    disputed = make_claim(start=69, end=120)
    disputed.set_verdict("disputed", by=reviewer)
    response = editor_client.get(reverse("annotations:claims_download"), {"verdict": "disputed"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[3] for row in rows[1:]] == [str(disputed.pk)]


def test_export_neutralises_spreadsheet_formulas(editor_client, reviewer, claim):
    claim.set_verdict("verified", by=reviewer)
    claim.set_note("=HYPERLINK(\"http://evil\")", by=reviewer)
    response = editor_client.get(reverse("annotations:claims_download"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][10] == "'=HYPERLINK(\"http://evil\")"


def test_an_invalid_export_filter_is_a_400_with_the_error(editor_client):
    response = editor_client.get(reverse("annotations:claims_download"),
                                 {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert response.status_code == 400
    assert not response.streaming
    assert "is after" in response.content.decode()


# History

def test_the_claim_history_shows_each_change_before_and_after(reviewer_client, reviewer, claim):
    claim.set_verdict("disputed", by=reviewer)
    response = reviewer_client.get(reverse("annotations:claim_history", args=[claim.pk]))
    page = response.content.decode()
    assert "Label set" in page and "rita" in page
    assert re.search(r'<td class="before">\s*unreviewed\s*</td>', page)
    assert re.search(r'<td class="after">\s*disputed\s*</td>', page)


def test_the_article_history_lists_the_import_and_the_changes_to_its_marks(reviewer_client, reviewer, article, claim):
    claim.set_note("Checked with the council", by=reviewer)
    page = reviewer_client.get(reverse("annotations:article_history", args=[article.pk])).content.decode()
    assert "Imported" in page and "eddie" in page
    assert "Note changed" in page
    assert re.search(r'<td class="after">\s*Checked with the council\s*</td>', page)
    assert reverse("annotations:claim_history", args=[claim.pk]) in page


def test_a_crashed_file_can_be_retried_from_the_batch_page(editor_client, editor, immediate_tasks,
                                                           django_capture_on_commit_callbacks, monkeypatch):
    from annotations import tasks
    from annotations.models import ImportItem

    monkeypatch.setattr(tasks, "read_source", lambda name, data: (_ for _ in ()).throw(OSError("disk hiccup")))
    with django_capture_on_commit_callbacks(execute=True):
        batch = tasks.queue_import([("a.txt", b"Port reopens\nThe port reopened on Tuesday.")], by=editor)
    page = editor_client.get(reverse("annotations:import_batch", args=[batch.pk])).content.decode()
    assert "disk hiccup" in page and "Retry the failed files" in page
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(reverse("annotations:import_retry", args=[batch.pk]))
    assert ImportItem.objects.get(batch=batch).status == ImportItem.Status.DONE
    assert Article.objects.filter(title="Port reopens").exists()


def test_healthz_tells_anyone_only_whether_it_is_healthy(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_healthz_shows_signed_in_users_the_database_and_the_spacy_model(reviewer_client, settings):
    response = reviewer_client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "spacy_model": settings.SPACY_MODEL,
                               "spacy_model_version": "3.8.0"}


def test_healthz_fails_when_the_configured_model_is_not_installed(client, settings, db):
    settings.SPACY_MODEL = "en_core_web_missing"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503 and response.json() == {"status": "failing"}


def fill(article: Article, marks: int, reviewer) -> list[Claim]:
    """Marks of five characters each across a long body, every one labelled twice (history grows)."""
    claims = Claim.objects.bulk_create(
        Claim(article=article, kind="claim", start=n, end=n + 1, text=article.body[n]) for n in range(marks))
    for claim in claims:
        claim.add_evidence("https://example.org/source", "source", by=reviewer)
        claim.set_verdict("verified", by=reviewer)
    return claims


@pytest.fixture
def long_article(editor) -> Article:
    article, _ = Article.objects.import_article(title="Long", body="x" * 500, by=editor)
    return article


@pytest.mark.parametrize("marks", [2, 40])
def test_the_article_page_runs_the_same_number_of_queries_however_many_marks(
    reviewer_client, reviewer, long_article, marks, django_assert_num_queries
):
    fill(long_article, marks, reviewer)
    # Session, user, permissions (2), the article with progress, its marks, their evidence (for the panels
    # not cached yet: a first visit).
    with django_assert_num_queries(7):
        assert reviewer_client.get(reverse("annotations:article_detail", args=[long_article.pk])).status_code == 200


@pytest.mark.parametrize("earlier_changes", [0, 30])
def test_labelling_runs_the_same_number_of_queries_however_long_the_history(
    reviewer_client, reviewer, long_article, earlier_changes, django_assert_num_queries
):
    (claim,) = fill(long_article, 1, reviewer)
    for number in range(earlier_changes):
        claim.set_note(f"note {number}", by=reviewer)
    # Session, user, permissions (2), the claim; then the change (its transaction is a savepoint inside
    # the test's): lock, evidence before and after, update, match keys dropped and written, article,
    # chain head, insert; and a refresh. PostgreSQL adds the advisory lock that lets writers take turns
    # on the audit chain.
    with django_assert_num_queries(17 + (connection.vendor == "postgresql")) as captured:
        response = reviewer_client.post(reverse("annotations:claim_verdict", args=[claim.pk]), {"verdict": "unclear"})
    assert response.status_code == 302, [q["sql"] for q in captured.captured_queries]


# A long article comes a section at a time; tests lower the section size to keep the pages small.
SECTION_MARKS = 100


@pytest.fixture
def sectioned_article(editor, settings) -> Article:
    """1,200 marked sentences, two to a paragraph: twelve sections of 100 marks."""
    settings.ARTICLE_SECTION_MARKS = SECTION_MARKS
    sentences = [f"Item {number} cost {number * 3} pounds." for number in range(1200)]
    body = "\n\n".join(f"{first} {second}" for first, second in zip(sentences[::2], sentences[1::2], strict=True))
    article, _ = Article.objects.import_article(title="Very long", body=body, by=editor)
    starts = [match.start() for match in re.finditer(r"Item \d+", body)]
    Claim.objects.bulk_create(Claim(article=article, kind="claim", start=start, end=body.index(".", start) + 1,
                                    text=body[start:body.index(".", start) + 1]) for start in starts)
    return article


def panel_ids(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'class="mark-panel[^"]*" id="claim-(\d+)"', page)]


def marks_of_section(article: Article, number: int) -> list[int]:
    claims = list(article.claims.in_text_order())
    return [claim.pk for claim in claims[(number - 1) * SECTION_MARKS:number * SECTION_MARKS]]


def test_a_long_article_shows_its_first_section_and_links_to_the_next(reviewer_client, sectioned_article):
    url = reverse("annotations:article_detail", args=[sectioned_article.pk])
    page = reviewer_client.get(url).content.decode()
    assert panel_ids(page) == marks_of_section(sectioned_article, 1)
    assert page.count("data-claims=") == SECTION_MARKS
    assert f'href="{url}?section=2"' in page and "data-next-section" in page
    assert page.count(f'href="{url}?section=') == 12 + 1  # the list of sections, and the next one
    assert "Marks <span class=\"muted\">(1200, in text order)" in page


def test_a_section_link_opens_that_section_with_its_offset_into_the_body(reviewer_client, sectioned_article):
    url = reverse("annotations:article_detail", args=[sectioned_article.pk])
    page = reviewer_client.get(url, {"section": "3"}).content.decode()
    assert panel_ids(page) == marks_of_section(sectioned_article, 3)
    first = Claim.objects.get(pk=marks_of_section(sectioned_article, 3)[0])
    assert f'data-offset="{first.start}"' in page and f'href="{url}?section=4"' in page


def test_the_sections_texts_put_together_are_the_body(reviewer_client, sectioned_article):
    """Selection offsets count from each section's start: its text must be the body's from there."""
    url = reverse("annotations:article_detail", args=[sectioned_article.pk])
    texts = []
    for number in range(1, 13):
        page = reviewer_client.get(url, {"section": number}).content.decode()
        (offset, inner), = re.findall(r'data-article-text data-offset="(\d+)">(.*?)</div>', page, re.DOTALL)
        assert int(offset) == len("".join(texts))
        texts.append(unescape(re.sub(r"<[^>]+>", "", inner)))
    assert "".join(texts) == sectioned_article.body


def test_a_queue_link_to_a_mark_in_section_three_opens_section_three(reviewer_client, sectioned_article):
    mark = marks_of_section(sectioned_article, 3)[5]
    url = reverse("annotations:article_detail", args=[sectioned_article.pk])
    for query in ({"queue": mark}, {"mark": mark}):
        page = reviewer_client.get(url, query).content.decode()
        assert panel_ids(page) == marks_of_section(sectioned_article, 3)
    assert f'href="{url}?section=4&amp;queue=1"' in reviewer_client.get(url, {"queue": mark}).content.decode()


def test_an_htmx_section_load_returns_only_that_sections_fragment(reviewer_client, sectioned_article):
    url = reverse("annotations:article_detail", args=[sectioned_article.pk])
    fragment = reviewer_client.get(url, {"section": "2"}, **HTMX).content.decode()
    assert "<html" not in fragment and "<nav" not in fragment and "Next in queue" not in fragment
    assert '<ol class="mark-list" id="mark-list" hx-swap-oob="beforeend">' in fragment
    assert panel_ids(fragment) == marks_of_section(sectioned_article, 2)
    assert f'hx-get="{url}?section=3"' in fragment


def test_a_section_number_out_of_range_or_not_a_number_opens_the_first(reviewer_client, sectioned_article):
    url = reverse("annotations:article_detail", args=[sectioned_article.pk])
    for number in ("13", "0", "²", "x"):
        assert panel_ids(reviewer_client.get(url, {"section": number}).content.decode()) == \
            marks_of_section(sectioned_article, 1)


def test_a_refused_label_in_a_long_article_redraws_only_its_section(reviewer_client, reviewer, sectioned_article):
    claim = Claim.objects.get(pk=marks_of_section(sectioned_article, 3)[0])
    claim.set_verdict("verified", by=reviewer)
    response = reviewer_client.post(reverse("annotations:claim_verdict", args=[claim.pk]),
                                    {"verdict": "disputed", "expected_version": 1}, **HTMX)
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="section-3-text"' in page and page.count("data-claims=") == SECTION_MARKS


def test_sections_never_cut_through_a_mark_and_keep_a_crowded_paragraph_whole():
    body = "a b c d\n\ne f\n\ng h i j k l m\n\nn"
    marks = [Claim(pk=n, start=start, end=start + 1) for n, start in enumerate(
        [0, 2, 4, 6, 9, 11, 14, 16, 18, 20, 22, 24, 26])]
    # A quote from "d" across the break into "e": no cut may fall between them.
    marks[3].end = 10
    found = sections(body, marks, size=3)
    assert [(section.start, section.end, section.mark_count) for section in found] == [
        (0, 14, 6), (14, 30, 7)]  # the last paragraph, with no mark, needs no section of its own
    assert [(section.start, section.end) for section in sections("", [], size=3)] == [(0, 0)]
    assert len(sections(body, marks, size=100)) == 1
