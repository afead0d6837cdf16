"""The web's usual attacks: CSP and headers, CSRF, login guessing, hostile text, secure cookies."""
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from annotations.models import Article, Claim, Speaker

pytestmark = pytest.mark.django_db
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def hostile_article(editor, reviewer) -> Article:
    article, _ = Article.objects.import_article(title=HOSTILE, body=f"The council said {HOSTILE} cost 4 million.",
                                                by=editor)
    claim = article.add_mark(start=4, end=11, kind=Claim.Kind.QUOTE, speaker=HOSTILE, by=reviewer)
    claim.set_note(HOSTILE, by=reviewer)
    claim.add_evidence("https://example.org/a", HOSTILE, by=reviewer)
    return article


def test_pages_send_a_content_security_policy_that_forbids_inline_script(reviewer_client, article):
    policy = reviewer_client.get(reverse("annotations:article_detail", args=[article.pk]))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and "unsafe" not in policy
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


def test_pages_send_the_usual_security_headers(reviewer_client):
    response = reviewer_client.get(reverse("annotations:article_list"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("name", ["annotations:article_list", "annotations:claims_download",
                                  "annotations:audit_download", "healthz"])
def test_responses_to_signed_in_users_are_kept_by_no_cache(editor_client, name):
    directives = {part.strip() for part in editor_client.get(reverse(name))["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_there_are_no_password_reset_pages_as_no_mail_is_sent(client):
    with pytest.raises(NoReverseMatch):
        reverse("password_reset")
    assert client.post("/accounts/password_reset/", {"email": "rita@example.org"}).status_code == 404
    assert client.get(reverse("password_change")).status_code == 302  # to the login page


@pytest.mark.parametrize("name", ["article_list", "article_detail", "article_history", "claim_history", "help",
                                  "article_import", "claims_export", "my_queue", "disagreements", "agreement",
                                  "speaker_list", "speaker_detail", "dashboard"])
def test_no_page_has_inline_script_or_event_handler_attributes(editor_client, hostile_article, name):
    claim = hostile_article.claims.get()
    Speaker.objects.sync_from_quotes()
    args = {"article_detail": [hostile_article.pk], "article_history": [hostile_article.pk],
            "claim_history": [claim.pk], "speaker_detail": [Speaker.objects.get().pk]}.get(name, [])
    tags = TagCollector()
    tags.feed(editor_client.get(reverse(f"annotations:{name}", args=args)).content.decode())
    assert [t for t, attributes in tags.found if t == "script" and "src" not in attributes] == []
    assert [(t, a) for t, attributes in tags.found for a in attributes if a.startswith("on")] == []


class TagCollector(HTMLParser):
    """Every real tag with its attribute names, as a browser would parse them."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, set[str]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {name for name, _ in attrs}))


def test_hostile_text_is_shown_escaped_everywhere(editor_client, hostile_article):
    claim = hostile_article.claims.get()
    for url in [reverse("annotations:article_detail", args=[hostile_article.pk]),
                reverse("annotations:claim_history", args=[claim.pk]), reverse("annotations:article_list")]:
        html = editor_client.get(url).content.decode()
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
        assert '<script>alert("x")' not in html and "<img src=x" not in html


def test_state_changes_need_the_csrf_token(reviewer, claim):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    response = client.post(reverse("annotations:claim_verdict", args=[claim.pk]), {"verdict": "verified"})
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.verdict == "unreviewed"


def test_login_is_locked_after_five_wrong_passwords_with_a_clear_message(client, reviewer):
    for _ in range(5):
        client.post(reverse("login"), {"username": reviewer.username, "password": "wrong"})
    response = client.post(reverse("login"), {"username": reviewer.username, "password": "pass-for-tests-1"})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_right_password_still_signs_in_after_a_few_mistakes(client, reviewer):
    for _ in range(2):
        client.post(reverse("login"), {"username": reviewer.username, "password": "wrong"})
    client.post(reverse("login"), {"username": reviewer.username, "password": "pass-for-tests-1"})
    assert client.session["_auth_user_id"] == str(reviewer.pk)


PROXY = "10.0.0.2"  # the desk's own reverse proxy: every request through it connects from here


def login_through_proxy(username: str, password: str, *, forwarded_for: str) -> Client:
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
    client.post(reverse("login"), {"username": username, "password": password})
    return client


def test_behind_a_proxy_five_wrong_passwords_lock_out_the_attackers_address(settings, reviewer):
    settings.PROXY_COUNT = 1
    for _ in range(5):
        login_through_proxy(reviewer.username, "wrong", forwarded_for="203.0.113.9")
    attacker = login_through_proxy(reviewer.username, "pass-for-tests-1", forwarded_for="203.0.113.9")
    assert "_auth_user_id" not in attacker.session


def test_behind_a_proxy_an_attacker_cannot_lock_the_owner_out_from_another_address(settings, reviewer):
    settings.PROXY_COUNT = 1
    for _ in range(5):
        login_through_proxy(reviewer.username, "wrong", forwarded_for="203.0.113.9")
    owner = login_through_proxy(reviewer.username, "pass-for-tests-1", forwarded_for="198.51.100.7")
    assert owner.session["_auth_user_id"] == str(reviewer.pk)


def test_a_spoofed_forwarded_entry_cannot_pick_the_owners_address(settings, reviewer):
    """Our proxy appends the address it saw; whatever the client put before it does not count."""
    settings.PROXY_COUNT = 1
    for _ in range(5):
        login_through_proxy(reviewer.username, "wrong", forwarded_for="198.51.100.7, 203.0.113.9")
    owner = login_through_proxy(reviewer.username, "pass-for-tests-1", forwarded_for="198.51.100.7")
    assert owner.session["_auth_user_id"] == str(reviewer.pk)
    attacker = login_through_proxy(reviewer.username, "pass-for-tests-1", forwarded_for="203.0.113.9")
    assert "_auth_user_id" not in attacker.session


def test_without_proxies_a_forwarded_header_is_ignored(reviewer):
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4", "198.51.100.5"):
        login_through_proxy(reviewer.username, "wrong", forwarded_for=address)
    client = login_through_proxy(reviewer.username, "pass-for-tests-1", forwarded_for="198.51.100.6")
    assert "_auth_user_id" not in client.session


def test_cookies_are_secure_unless_debug():
    env = {k: v for k, v in os.environ.items() if k not in {"SECURE_COOKIES", "DJANGO_DEBUG"}}
    probe = "import django; django.setup(); from django.conf import settings as s; " \
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parent.parent,
                            env={**env, "DJANGO_SETTINGS_MODULE": "factcheck.settings", "SECRET_KEY": "x"})
    assert result.stdout.split() == ["True", "True"]
