"""Acceptance checks on the shared sample, a real news page scraped twice: read once, pre-marked, imported once.

It lives in ../shared beside the repository, not in it, so these checks are kept out of the suite:
`.ci/run` runs them with `pytest -v -rs acceptance`; where ../shared is missing they are skipped, saying so.
"""
import json
from pathlib import Path

import pytest

from annotations.importing import read_paths
from annotations.models import Article, Claim
from tests.test_commands import CONTRACT_KEYS, run
from tests.test_views import upload

SHARED_SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "coalition-troops-article.txt"

# Marked rather than skipped at import, so pytest still collects (and lists) each check and exits 0.
pytestmark = pytest.mark.skipif(not SHARED_SAMPLE.is_file(), reason=f"no shared sample at {SHARED_SAMPLE}: "
                                "these checks need the shared folder beside the repository")


def test_the_shared_sample_scraped_twice_is_read_once():
    [draft] = read_paths([SHARED_SAMPLE])
    assert draft.body.count("as strong as anyone has ever seen") == 1
    assert "repeated 2 times" in draft.notes[0]


@pytest.mark.django_db
def test_import_articles_pre_marks_the_shared_sample(nlp, editor):
    run("import_articles", str(SHARED_SAMPLE), "--user", editor.username)
    article = Article.objects.get()
    assert article.claims.filter(origin=Claim.Origin.MACHINE).exists()
    assert article.premarked_with


def test_premark_dry_run_prints_the_json_contract_for_the_shared_sample_and_touches_no_database(
        nlp, django_db_blocker):
    with django_db_blocker.block():
        out, _ = run("premark", "--dry-run", str(SHARED_SAMPLE))
    marks = [json.loads(line) for line in out.splitlines()]
    assert marks and all(set(mark) == CONTRACT_KEYS for mark in marks)
    assert all(mark["kind"] in {"claim", "quote"} and 0 <= mark["score"] <= 1 for mark in marks)


def test_premark_dry_run_offsets_point_into_the_shared_samples_normalised_body(nlp):
    body = next(read_paths([SHARED_SAMPLE])).body
    out, _ = run("premark", "--dry-run", "--min-score", "0", str(SHARED_SAMPLE))
    for mark in map(json.loads, out.splitlines()):
        assert body[mark["start"]:mark["end"]] == mark["text"]


def test_premark_dry_run_gives_witkoffs_statement_one_mark_in_the_sample_scraped_twice(nlp):
    # One statement, one mark: the reported clause, whose reasons name the words he is quoted as saying.
    out, _ = run("premark", "--dry-run", str(SHARED_SAMPLE))
    quotes = [m for m in map(json.loads, out.splitlines()) if m["kind"] == "quote"]
    [witkoff] = [m for m in quotes if "as strong as anyone has ever seen" in m["text"]]
    assert witkoff["speaker"] == "Steve Witkoff"
    assert witkoff["text"].startswith("security guarantees are")
    assert "quoted: “as strong as anyone has ever seen.”" in witkoff["reasons"]


def test_premark_dry_run_finds_each_reported_statement_of_the_sample_once(nlp):
    out, _ = run("premark", "--dry-run", str(SHARED_SAMPLE))
    quotes = [m for m in map(json.loads, out.splitlines()) if m["kind"] == "quote"]
    for speaker, words in [("Volodymyr Zelenskyy", "territory will remain"), ("Keir Starmer", "military hubs"),
                           ("Friedrich Merz", "German troops could contribute"),
                           ("Volodymyr Zelenskyy", "existence of the coalition depends")]:
        found = [m for m in quotes if words in m["text"]]
        assert [m["speaker"] for m in found] == [speaker], (words, found)


@pytest.mark.django_db
def test_the_shared_sample_uploaded_is_stored_once(editor_client, post_import):
    response, _ = post_import(editor_client, {"files": [upload(SHARED_SAMPLE.name, SHARED_SAMPLE.read_bytes())]})
    article = Article.objects.get()
    first_paragraph = "The UK and France have declared readiness to deploy troops into Ukraine"
    assert article.body.count(first_paragraph) == 1
    assert "the body was repeated 2 times; stored once" in response.content.decode()
