"""The review queue in a real browser: from login to labelling the top mark in two key presses, and on."""
import itertools
import time

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from annotations.models import Article, Claim

from .conftest import log_in

pytestmark = pytest.mark.browser

BODIES = [
    "Unemployment fell to 3.9 percent in May. Wages rose 6 percent. Rents doubled since 2015.",
    "The bridge cost 40 million pounds. It carries 12,000 cars a day. Tolls raised 2 million last year.",
]


@pytest.fixture
def queue(browser_reviewer) -> list[Claim]:
    """Six claims over two articles, scored so the queue alternates between the articles."""
    claims = []
    for number, body in enumerate(BODIES):
        article, _ = Article.objects.import_article(title=f"Article {number}", body=body, by=browser_reviewer)
        start = 0
        for sentence in body.split(". "):
            text = sentence.rstrip(".") + "."
            claims.append(Claim.objects.create(article=article, kind="claim", start=start, end=start + len(text),
                                               text=text, reasons=["figure"]))
            start += len(sentence) + 2
    ranked = [claims[0], claims[3], claims[1], claims[4], claims[2], claims[5]]
    for rank, claim in enumerate(ranked):
        claim.score = 0.99 - rank / 10
        claim.save(update_fields=["score"])
    return ranked


def wait_for_current(page: Page, claim: Claim) -> None:
    """The page shows this mark from the queue, with the keyboard focus on its panel."""
    page.wait_for_url(lambda url: url.endswith(f"#claim-{claim.pk}") and "queue=" in url)
    page.wait_for_function("id => document.activeElement && document.activeElement.id === id", arg=f"claim-{claim.pk}")


def test_r_then_v_labels_the_top_mark_and_moves_on_to_the_next(page, browser_reviewer, queue):
    log_in(page, "rita")
    assert page.url.endswith(reverse("annotations:article_list"))

    page.keyboard.press("r")
    wait_for_current(page, queue[0])
    assert "is-current" in page.locator(f"#claim-{queue[0].pk}").get_attribute("class")
    page.keyboard.press("v")
    wait_for_current(page, queue[1])
    assert queue[1].article_id != queue[0].article_id
    assert page.title() == f"{queue[1].article.title} · factcheck"
    assert page.locator("#article-title").inner_text() == queue[1].article.title

    queue[0].refresh_from_db()
    assert (queue[0].verdict, queue[0].reviewed_by) == ("verified", browser_reviewer)


def test_labelling_through_the_queue_moves_from_mark_to_mark_quickly(page, browser_reviewer, queue):
    log_in(page, "rita")
    page.keyboard.press("r")
    wait_for_current(page, queue[0])
    timings = []
    for _claim, following in itertools.pairwise(queue):
        started = time.perf_counter()
        page.keyboard.press("d")
        wait_for_current(page, following)
        timings.append((time.perf_counter() - started) * 1000)
    print("\nlabel key → next mark focused (ms):", ", ".join(f"{ms:.0f}" for ms in timings))
    assert len(timings) == 5 and all(ms < 2000 for ms in timings), timings
    assert Claim.objects.filter(verdict="disputed").count() == 5

    page.keyboard.press("u")
    page.get_by_role("heading", name="Queue empty").wait_for()
    assert not Claim.objects.unreviewed().exists()

    page.go_back()  # the articles swapped in are in the browser's history
    wait_for_current(page, queue[-1])


def test_within_one_article_the_queue_moves_on_without_loading_a_page(page, browser_reviewer, queue):
    first_article = [claim for claim in queue if claim.article_id == queue[0].article_id]
    Claim.objects.exclude(pk__in=[claim.pk for claim in first_article]).update(score=0.01)
    log_in(page, "rita")
    page.keyboard.press("r")
    wait_for_current(page, first_article[0])
    page.evaluate("window.stillTheSamePage = true")
    timings = []
    for _claim, following in itertools.pairwise(first_article):
        started = time.perf_counter()
        page.keyboard.press("v")
        wait_for_current(page, following)
        timings.append((time.perf_counter() - started) * 1000)
    print("\nsame article: label key → next mark focused (ms):", ", ".join(f"{ms:.0f}" for ms in timings))
    assert page.evaluate("window.stillTheSamePage") is True
    assert all(ms < 2000 for ms in timings), timings
