"""The dashboard: labels per day, reviewers, backlog and pre-mark quality, on a small known dataset."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from annotations.dashboard import DayOfLabels, label_chart
from annotations.models import Article, AuditEvent, Claim

from .conftest import make_user

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("annotations:dashboard")


def span(article: Article, text: str) -> dict:
    start = article.body.index(text)
    return {"article": article, "start": start, "end": start + len(text)}


@pytest.fixture
def two_days_ago(monkeypatch):
    """Run the block with the clock two days back, so its events land on that day."""
    real_now = timezone.now

    class Clock:
        def __enter__(self):
            monkeypatch.setattr(timezone, "now", lambda: real_now() - timedelta(days=2))

        def __exit__(self, *exc):
            monkeypatch.setattr(timezone, "now", real_now)

    return Clock()


@pytest.fixture
def desk(article, make_claim, reviewer, two_days_ago) -> dict:
    """Two machine claims and a machine quote. Two days ago rita verified one claim; today sam corrected
    the quote's speaker and dismissed the other claim, and rita added a quote by hand."""
    sam = make_user("sam", "Reviewer")
    budget = make_claim(**span(article, "The city council approved a budget of 4.2 million pounds on Monday."))
    reckless = make_claim(**span(article, "Critics called the plan reckless."))
    quote = make_claim(**span(article, "This is a good day for the town,"), kind=Claim.Kind.QUOTE, speaker="Lee")
    with two_days_ago:
        budget.set_verdict("verified", by=reviewer)
    quote.set_speaker("Ann Lee", by=sam)
    reckless.dismiss(by=sam)
    article.add_mark(**{k: v for k, v in span(article, "said Mayor Ann Lee").items() if k != "article"},
                     kind=Claim.Kind.QUOTE, speaker="Ann Lee", by=reviewer)
    return {"sam": sam, "budget": budget, "reckless": reckless, "quote": quote}


def test_labels_per_day_cover_thirty_days_with_verdicts_dismissals_and_hand_marks(desk):
    days = label_chart(days=30)
    today = timezone.localdate()
    assert len(days) == 30 and days[0].day == today - timedelta(days=29) and days[-1].day == today
    by_day = {day.day: day for day in days}
    assert dict(by_day[today - timedelta(days=2)].counts) == {"verified": 1}
    assert (by_day[today].counts["dismissed"], by_day[today].marked, by_day[today].total) == (1, 1, 1)
    assert sum(day.total for day in days) == 2


def test_a_day_stacks_its_segments_in_verdict_order():
    day = DayOfLabels(timezone.localdate(), {"unclear": 2, "verified": 3, "dismissed": 1})
    assert day.segments() == [("verified", "verified", 3, 0), ("unclear", "unclear", 2, 3),
                              ("dismissed", "dismissed", 1, 5)]


def test_each_person_shows_labels_given_and_when_last_active(desk, editor):
    people = {row["actor__username"]: row for row in AuditEvent.objects.activity_by_person()}
    assert (people["rita"]["labels"], people["sam"]["labels"], people["eddie"]["labels"]) == (1, 0, 0)
    assert people["rita"]["last_active_at"].date() == timezone.localdate()


def test_the_backlog_lists_articles_by_unlabelled_live_marks(desk, editor, make_claim):
    other, _ = Article.objects.import_article(title="Port", body="The port handled 9 million containers.", by=editor)
    make_claim(article=other, start=0, end=8)
    assert [(article.title, article.backlog) for article in Article.objects.with_backlog()] == [
        ("Council approves budget", 2), ("Port", 1)]


def test_premark_quality_counts_dismissed_machine_marks_hand_marks_and_corrected_speakers(desk):
    quality = {row["kind"]: row for row in Claim.objects.premark_quality()}
    assert quality["claim"] == {"kind": "claim", "machine": 2, "dismissed": 1, "by_hand": 0, "speakers_corrected": 0}
    assert quality["quote"] == {"kind": "quote", "machine": 1, "dismissed": 0, "by_hand": 1, "speakers_corrected": 1}


def test_the_dashboard_draws_the_numbers_as_labelled_bars(reviewer_client, desk):
    page = reviewer_client.get(DASHBOARD).content.decode()
    day = (timezone.localdate() - timedelta(days=2)).strftime("%-d %b")
    assert f"<title>{day}: 1 verified</title>" in page
    assert 'class="bar bar-verified"' in page and 'class="bar bar-dismissed"' in page
    assert "<title>2 unlabelled</title>" in page
    assert "50 %" in page  # half the machine claims were dismissed
    assert 'style="' not in page and "<script>" not in page


def test_the_dashboard_is_for_everyone_signed_in(client, viewer, desk):
    client.force_login(viewer)
    assert client.get(DASHBOARD).status_code == 200


def fill(editor, reviewer, articles: int) -> None:
    """Articles, each with a machine claim and a machine quote; half the claims labelled, the quotes' speakers set."""
    for number in range(articles):
        article, _ = Article.objects.import_article(title=f"Article {number}", body=f"Article {number} says 5 things.",
                                                    by=editor)
        claim = Claim.objects.create(article=article, kind="claim", start=0, end=7, text=article.body[:7], score=0.5)
        quote = Claim.objects.create(article=article, kind="quote", start=8, end=12, text=article.body[8:12])
        if number % 2:
            claim.set_verdict("disputed", by=reviewer)
        quote.set_speaker(f"Speaker {number}", by=reviewer)


@pytest.mark.parametrize("articles", [1, 25])
def test_the_dashboard_runs_the_same_number_of_queries_however_much_data(
    reviewer_client, editor, reviewer, articles, django_assert_num_queries
):
    fill(editor, reviewer, articles)
    make_user("another", "Reviewer")
    # Session, user, permissions (2), labels per day, people, backlog, pre-mark quality.
    with django_assert_num_queries(8):
        assert reviewer_client.get(DASHBOARD).status_code == 200
