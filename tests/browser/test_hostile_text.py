"""In a real browser, hostile text stays text and the strict CSP blocks nothing the app itself needs."""
import pytest
from django.urls import reverse

from annotations.models import Article, Claim

from .conftest import log_in

pytestmark = pytest.mark.browser
HOSTILE = '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>'


def test_hostile_article_text_is_displayed_not_run_and_the_page_breaks_no_csp_rule(page, browser_reviewer):
    article, _ = Article.objects.import_article(title=HOSTILE, body=f"Officials said {HOSTILE} twice.",
                                                by=browser_reviewer)
    claim = article.add_mark(start=0, end=9, kind=Claim.Kind.QUOTE, speaker=HOSTILE, by=browser_reviewer)
    claim.set_note(HOSTILE, by=browser_reviewer)
    dialogs, violations = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)

    log_in(page, "rita")
    page.goto(reverse("annotations:article_detail", args=[article.pk]))
    page.keyboard.press("j")
    page.keyboard.press("v")
    page.locator(f"#claim-{claim.pk} .verdict-badge.verdict-verified").wait_for()  # htmx ran under the CSP
    claim.refresh_from_db()
    assert claim.verdict == "verified"

    assert page.evaluate("window.pwned") is None
    assert dialogs == []
    assert HOSTILE in page.locator("h1").inner_text()
    assert HOSTILE in page.locator("#article-text").inner_text()
    assert violations == []
