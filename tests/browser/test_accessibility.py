"""axe-core on every page: no serious or critical accessibility violation."""
from pathlib import Path

import pytest
from django.urls import reverse

from annotations.models import Article, Claim

from .conftest import log_in

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
BODY = "The port handled 4 million tonnes in 2025, its busiest year. \"We are proud,\" said harbour master Ana Ruiz."


@pytest.fixture
def editor_page(browser, live_server, transactional_db):
    from tests.conftest import make_user

    make_user("eddie", "Editor")
    # axe is injected as a script of the test's own, which the app's strict CSP would rightly refuse.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport={"width": 1366, "height": 800})
    page = context.new_page()
    log_in(page, "eddie")
    yield page
    context.close()


@pytest.fixture
def marked_article(transactional_db) -> Article:
    article, _ = Article.objects.import_article(title="Port has record year", body=BODY, by=None)
    start = BODY.index("We are proud")
    Claim.objects.create(article=article, kind="claim", start=0, end=BODY.index(" \"We"), text=BODY[:BODY.index(" \"We")],
                         score=0.9, reasons=["figure"])
    Claim.objects.create(article=article, kind="quote", start=start, end=start + 12, text="We are proud",
                         speaker="Ana Ruiz", score=0.9, reasons=["direct quote"])
    return article


PAGES = [
    ("article_list", None), ("article_detail", "article"), ("article_history", "article"), ("help", None),
    ("article_import", None), ("claims_export", None), ("dashboard", None), ("speaker_list", None),
    ("my_queue", None), ("agreement", None), ("disagreements", None),
]


@pytest.mark.parametrize(("name", "argument"), PAGES)
def test_the_page_has_no_serious_or_critical_accessibility_violation(editor_page, marked_article, name, argument):
    editor_page.goto(reverse(f"annotations:{name}", args=[marked_article.pk] if argument else []))
    assert AXE.exists(), "axe-core is missing: `make test` installs it (npm install in tests/browser)"
    editor_page.add_script_tag(path=str(AXE))
    results = editor_page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
               for v in results["violations"] if v["impact"] in {"serious", "critical"}]
    assert serious == []
