"""The few things only a real browser shows: keyboard labelling over htmx, selecting text, the shortcuts dialog."""
import pytest
from django.urls import reverse

from annotations.models import Article, Claim

from .conftest import log_in, select_text

pytestmark = pytest.mark.browser

BODY = "Markets 📈 rallied.\nThe index rose 4 percent on Friday. \"We are cautious,\" said analyst Jo Park."


@pytest.fixture
def article(browser_reviewer) -> Article:
    article, _ = Article.objects.import_article(title="Markets rally", body=BODY, by=browser_reviewer)
    return article


@pytest.fixture
def marks(article) -> list[Claim]:
    def mark(kind: str, text: str, speaker: str = "") -> Claim:
        start = BODY.index(text)
        return Claim.objects.create(article=article, kind=kind, start=start, end=start + len(text), text=text,
                                    speaker=speaker, score=0.9, reasons=["figure"])

    return [mark("claim", "The index rose 4 percent on Friday."), mark("quote", "We are cautious,", "Jo Park")]


def test_pressing_j_then_v_labels_the_first_mark_verified_without_reloading(page, browser_reviewer, article, marks):
    first = marks[0]
    log_in(page, "rita")
    page.goto(reverse("annotations:article_detail", args=[article.pk]))
    url = page.url
    page.evaluate("window.stillTheSamePage = true")

    page.keyboard.press("j")
    panel = page.locator(f"#claim-{first.pk}")
    assert page.evaluate("document.activeElement.id") == f"claim-{first.pk}"
    assert "is-current" in page.locator(f'mark[data-claims~="{first.pk}"]').get_attribute("class")
    page.keyboard.press("v")

    panel.locator(".verdict-badge", has_text="Verified").wait_for()
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.url == url
    first.refresh_from_db()
    assert (first.verdict, first.reviewed_by) == ("verified", browser_reviewer)
    assert "verdict-verified" in page.locator(f'mark[data-claims~="{first.pk}"]').get_attribute("class")
    assert page.evaluate("document.activeElement.id") == f"claim-{first.pk}"
    assert page.locator("#article-progress").inner_text() == "1 of 2 labelled"

    panel.get_by_role("link", name="History").click()
    event = page.locator(".event", has_text="Label set")
    assert "rita" in event.inner_text()
    assert "verified" in event.locator(".after").inner_text()


def test_selecting_text_and_adding_it_as_a_quote_stores_the_exact_span(page, browser_reviewer, article):
    text = "We are cautious,"
    start = BODY.index(text)
    log_in(page, "rita")
    page.goto(reverse("annotations:article_detail", args=[article.pk]))
    # The emoji before the selection counts as one character in Python and two in JavaScript.
    utf16_start = len(BODY[:start].encode("utf-16-le")) // 2
    select_text(page, "[data-article-text]", utf16_start, utf16_start + len(text))

    page.locator("[data-selection-preview]", has_text=text).wait_for()
    page.get_by_role("radio", name="Quote").check()
    page.get_by_label("Speaker (quotes)").fill("Jo Park")
    page.get_by_role("button", name="Add mark").click()

    page.locator(".mark-panel", has_text="Jo Park").wait_for()
    quote = article.claims.get()
    assert (quote.start, quote.end, quote.text, quote.kind) == (start, start + len(text), text, "quote")
    assert quote.origin == "human" and quote.speaker == "Jo Park"


def test_question_mark_opens_the_shortcuts_dialog_and_escape_closes_it(page, browser_reviewer, article, marks):
    log_in(page, "rita")
    page.goto(reverse("annotations:article_detail", args=[article.pk]))
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")

    page.keyboard.press("?")
    assert dialog.is_visible()
    assert "Label the mark Verified" in dialog.inner_text()
    page.keyboard.press("Escape")
    assert not dialog.is_visible()


def test_keys_typed_into_a_note_do_not_label_the_mark(page, browser_reviewer, article, marks):
    first = marks[0]
    log_in(page, "rita")
    page.goto(reverse("annotations:article_detail", args=[article.pk]))
    # Hold the note field's request until the early key is typed, however fast or slow the machine is.
    held = []
    page.route("**/claims/*/edit/**", lambda route: held.append(route))
    page.keyboard.press("j")
    page.keyboard.press("n")
    while not held:
        page.wait_for_timeout(20)
    page.keyboard.type("v")  # too early: the note field is still loading, so the key is held back, not a label
    held[0].continue_()
    page.locator(f"#claim-{first.pk} textarea[name=note]").wait_for()
    for _ in range(50):  # the focus follows the field's arrival
        if page.evaluate("document.activeElement.name") == "note":
            break
        page.wait_for_timeout(20)
    page.keyboard.type("very doubtful")

    assert page.locator(f"#claim-{first.pk} textarea[name=note]").input_value() == "very doubtful"
    first.refresh_from_db()
    assert (first.verdict, first.is_dismissed) == ("unreviewed", False)


def test_the_forms_that_load_when_a_mark_is_opened_save_in_place(page, browser_reviewer, article, marks):
    first = marks[0]
    log_in(page, "rita")
    page.goto(reverse("annotations:article_detail", args=[article.pk]))
    panel = page.locator(f"#claim-{first.pk}")
    panel.locator("details.mark-edit > summary").click()
    panel.locator("input[name=url]").fill("ftp://example.org/report.pdf")  # a URL, but not a web link
    panel.get_by_role("button", name="Add evidence").click()
    panel.get_by_text("Enter a link that starts with http:// or https://.").first.wait_for()
    assert panel.locator("input[name=url]").input_value() == "ftp://example.org/report.pdf"

    panel.locator("input[name=url]").fill("https://example.org/report.pdf")
    panel.get_by_role("button", name="Add evidence").click()
    panel.get_by_role("link", name="https://example.org/report.pdf").wait_for()
    panel.locator("details.mark-edit > summary").click()
    panel.locator("textarea[name=note]").fill("Figures match the index provider.")
    panel.get_by_role("button", name="Save note").click()
    panel.get_by_text("Figures match the index provider.").first.wait_for()
    first.refresh_from_db()
    assert first.note == "Figures match the index provider."
    assert [evidence.url for evidence in first.evidence.all()] == ["https://example.org/report.pdf"]

