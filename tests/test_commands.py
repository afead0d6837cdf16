"""Management commands: import, pre-mark (including the --dry-run contract), export and the demo set-up."""
import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Article, Claim

from .conftest import PAGE_SCRAPED_TWICE, SAMPLES

CONTRACT_KEYS = {"file", "kind", "start", "end", "text", "speaker", "score", "reasons", "speaker_source",
                 "speaker_confidence"}


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def page_scraped_twice(tmp_path) -> Path:
    """A news page saved twice over with Windows line ends, so reading it moves every offset."""
    path = tmp_path / "harbour.txt"
    path.write_bytes(PAGE_SCRAPED_TWICE.replace("\n", "\r\n").encode())
    return path


@pytest.mark.django_db
def test_import_articles_imports_good_files_reports_bad_ones_and_fails(tmp_path):
    (tmp_path / "good.txt").write_text("Good headline\nThe council met on Monday.")
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(CommandError, match="1 item"):
        run("import_articles", str(tmp_path), "--no-premark")
    assert list(Article.objects.values_list("title", flat=True)) == ["Good headline"]


@pytest.mark.django_db
def test_import_articles_prints_one_summary_line(tmp_path):
    (tmp_path / "a.txt").write_text("A\nBody a.")
    out, _ = run("import_articles", str(tmp_path), "--no-premark")
    assert out.strip().splitlines()[-1] == "1 imported, 0 already stored, 0 failed"


@pytest.mark.django_db
def test_import_articles_dry_run_stores_nothing(tmp_path):
    (tmp_path / "a.txt").write_text("A\nBody a.")
    out, _ = run("import_articles", str(tmp_path), "--dry-run")
    assert "1 readable" in out and not Article.objects.exists()


@pytest.mark.django_db
def test_import_articles_pre_marks_new_articles(nlp, editor, page_scraped_twice):
    run("import_articles", str(page_scraped_twice), "--user", editor.username)
    article = Article.objects.get()
    assert article.claims.filter(origin=Claim.Origin.MACHINE).exists()
    assert article.premarked_with


def test_premark_dry_run_prints_the_json_contract_and_touches_no_database(nlp, django_db_blocker, page_scraped_twice):
    with django_db_blocker.block():
        out, _ = run("premark", "--dry-run", str(page_scraped_twice))
    marks = [json.loads(line) for line in out.splitlines()]
    assert marks and all(set(mark) == CONTRACT_KEYS for mark in marks)
    assert all(mark["kind"] in {"claim", "quote"} and 0 <= mark["score"] <= 1 for mark in marks)
    for mark in marks:
        if mark["kind"] == "claim" or mark["speaker"] is None:
            assert mark["speaker_source"] is None and mark["speaker_confidence"] is None
        else:
            assert mark["speaker_source"] and 0 <= mark["speaker_confidence"] <= 1


def test_premark_dry_run_offsets_point_into_the_normalised_body(nlp, page_scraped_twice):
    from annotations.importing import read_paths

    body = next(read_paths([page_scraped_twice])).body
    out, _ = run("premark", "--dry-run", "--min-score", "0", str(page_scraped_twice))
    marks = list(map(json.loads, out.splitlines()))
    assert marks
    for mark in marks:
        assert body[mark["start"]:mark["end"]] == mark["text"]


def test_premark_dry_run_finds_a_quote_once_in_a_page_scraped_twice(nlp, page_scraped_twice):
    out, _ = run("premark", "--dry-run", str(page_scraped_twice))
    direct = [m for m in map(json.loads, out.splitlines()) if m["kind"] == "quote" and "direct quote" in m["reasons"]]
    harbour_master = [m for m in direct if "The sea will not wait for us" in m["text"]]
    assert len(harbour_master) == 1 and harbour_master[0]["speaker"] == "Ruth Okafor"


def test_premark_dry_run_reports_an_unreadable_file_and_fails(tmp_path, nlp):
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(CommandError):
        run("premark", "--dry-run", str(tmp_path / "empty.txt"))


@pytest.mark.django_db
def test_premark_needs_to_be_told_which_articles():
    with pytest.raises(CommandError, match="--article ID"):
        run("premark")


@pytest.mark.django_db
def test_premark_names_a_missing_article():
    with pytest.raises(CommandError, match="No article with id 999"):
        run("premark", "--article", "999")


@pytest.mark.django_db
def test_premark_all_keeps_a_labelled_mark(nlp, article, reviewer):
    run("premark", "--all")
    mark = article.claims.first()
    mark.set_verdict("verified", by=reviewer)
    out, _ = run("premark", "--all")
    assert "1 article(s) pre-marked" in out
    assert Claim.objects.get(pk=mark.pk).verdict == "verified"


@pytest.mark.django_db
def test_export_claims_writes_the_filtered_csv_to_a_file(tmp_path, make_claim, reviewer):
    make_claim().set_verdict("verified", by=reviewer)
    make_claim(start=70, end=103, kind="quote").set_verdict("disputed", by=reviewer)
    target = tmp_path / "out.csv"
    out, _ = run("export_claims", "--output", str(target), "--verdict", "disputed")
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [r["verdict"] for r in rows] == ["disputed"]
    assert "1 claim(s) exported" in out


@pytest.mark.django_db
def test_export_claims_refuses_an_invalid_date():
    with pytest.raises(CommandError, match="Invalid filter"):
        run("export_claims", "--from", "yesterday")


@pytest.mark.django_db
def test_setup_demo_creates_an_editor_loads_the_samples_and_prints_the_login(nlp):
    out, _ = run("setup_demo", "--password", "demo-pass-123")
    assert "Demo login: demo / demo-pass-123" in out
    assert Article.objects.count() == len(list(SAMPLES.glob("*.txt")))
    run("setup_demo", "--password", "demo-pass-123")
    assert Article.objects.count() == len(list(SAMPLES.glob("*.txt")))


@pytest.mark.django_db
def test_export_claims_writes_json_lines_and_claimreview(tmp_path, make_claim, reviewer):
    make_claim().set_verdict("verified", by=reviewer)
    run("export_claims", "--format", "jsonl", "--output", str(tmp_path / "c.jsonl"))
    run("export_claims", "--format", "claimreview", "--output", str(tmp_path / "c.jsonld"))
    assert json.loads((tmp_path / "c.jsonl").read_text())["verdict"] == "verified"
    assert json.loads((tmp_path / "c.jsonld").read_text())[0]["@type"] == "ClaimReview"
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.django_db
def test_import_articles_reads_every_file_after_one_with_bad_rows_and_fails_at_the_end(tmp_path):
    (tmp_path / "1-long-field.csv").write_text("title,body\nLong,\"" + "The council met. " * 12_000 + "\"\n")
    (tmp_path / "2-bad-date.csv").write_text("title,body,published_at\nFuture,Far ahead.,9999-12-31T23:59:59-05:00\n"
                                             "Bridge,The bridge reopened.,2026-01-02\n")
    (tmp_path / "3-good.txt").write_text("Good headline\nThe council met on Monday.")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 item"):
        call_command("import_articles", str(tmp_path), "--no-premark", stdout=out, stderr=err)
    assert sorted(Article.objects.values_list("title", flat=True)) == ["Bridge", "Good headline", "Long"]
    assert "2-bad-date.csv line 2: published_at 9999-12-31" in err.getvalue()
    assert out.getvalue().strip().splitlines()[-1] == "3 imported, 0 already stored, 1 failed"


@pytest.mark.django_db
def test_import_articles_reports_a_file_that_stops_and_goes_on_to_the_next(tmp_path, monkeypatch):
    from annotations.management.commands import import_articles

    real_import_items = import_articles.import_items

    def power_cut_on_first(items, **options):
        items = list(items)
        if items[0].title == "First":
            raise RuntimeError("power cut")
        return real_import_items(items, **options)

    monkeypatch.setattr(import_articles, "import_items", power_cut_on_first)
    (tmp_path / "a.txt").write_text("First\nThe council met on Monday.")
    (tmp_path / "b.txt").write_text("Second\nThe port reopened on Tuesday.")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 item"):
        call_command("import_articles", str(tmp_path), "--no-premark", stdout=out, stderr=err)
    assert "a.txt: stopped (RuntimeError: power cut)" in err.getvalue()
    assert list(Article.objects.values_list("title", flat=True)) == ["Second"]
