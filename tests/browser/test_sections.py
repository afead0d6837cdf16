"""A long article in a real browser: the next section comes in as j moves past the last mark loaded,
and a selection in it gives offsets into the whole body."""
import pytest
from django.urls import reverse

from annotations.models import Article, Claim

from .conftest import log_in, select_text

pytestmark = pytest.mark.browser

SECTION_MARKS = 4



@pytest.fixture
def long_article(browser_reviewer, settings) -> tuple[Article, list[Claim]]:
    """Twelve marked sentences, two to a paragraph, each paragraph long enough that a section fills
    more than the window: three sections of four marks."""
    settings.ARTICLE_SECTION_MARKS = SECTION_MARKS
    sentences = [f"Item {number} cost {number * 3} pounds." for number in range(12)]
    padding = " Nothing here is marked." * 60
    body = "\n\n".join(f"{first}{padding} {second}"
                         for first, second in zip(sentences[::2], sentences[1::2], strict=True))
    article, _ = Article.objects.import_article(title="Long", body=body, by=browser_reviewer)
    claims = [Claim.objects.create(article=article, kind="claim", start=body.index(sentence),
                                   end=body.index(sentence) + len(sentence), text=sentence) for sentence in sentences]
    return article, claims


def test_pressing_j_past_the_first_section_brings_in_the_next_and_moves_to_its_first_mark(page, long_article):
    article, claims = long_article
    log_in(page, "rita")
    page.goto(reverse("annotations:article_detail", args=[article.pk]))
    assert page.locator(".mark-panel").count() == SECTION_MARKS
    page.evaluate("window.stillTheSamePage = true")

    for _ in range(SECTION_MARKS + 1):
        page.keyboard.press("j")
    fifth = page.locator(f"#claim-{claims[SECTION_MARKS].pk}")
    fifth.wait_for()
    page.wait_for_function(f"document.activeElement.id === 'claim-{claims[SECTION_MARKS].pk}'")
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.locator(f'mark[data-claims~="{claims[SECTION_MARKS].pk}"]').count() == 1
    assert page.locator(".mark-panel").count() == 2 * SECTION_MARKS


def test_scrolling_to_the_end_of_a_section_brings_in_the_next(page, long_article):
    article, claims = long_article
    log_in(page, "rita")
    page.goto(reverse("annotations:article_detail", args=[article.pk]))
    assert page.locator(".mark-panel").count() == SECTION_MARKS

    page.locator("[data-next-section]").scroll_into_view_if_needed()
    page.locator(f"#claim-{claims[SECTION_MARKS].pk}").wait_for()
    assert page.locator("#section-2-text mark").count() == SECTION_MARKS


def test_selecting_text_in_a_later_section_fills_in_offsets_into_the_whole_body(page, long_article):
    article, _ = long_article
    log_in(page, "rita")
    page.goto(reverse("annotations:article_detail", args=[article.pk]) + "?section=2")
    text = "cost 15 pounds"
    section_start = int(page.locator("#section-2-text").get_attribute("data-offset"))
    within = article.body.index(text) - section_start
    select_text(page, "#section-2-text", within, within + len(text))

    page.locator("[data-selection-preview]", has_text=text).wait_for()
    assert int(page.locator("#id_start").input_value()) == article.body.index(text)
    assert int(page.locator("#id_end").input_value()) == article.body.index(text) + len(text)
