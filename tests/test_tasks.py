"""Background imports: a batch is imported by a task, progress is kept, crashed files can be retried."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.importing import draft_from_text
from annotations.models import Article, ImportBatch, ImportItem
from annotations.storing import ImportOutcome
from annotations.tasks import queue_import, retry_crashed

ROOT = Path(__file__).resolve().parent.parent
GOOD = ("council.txt", b"Council votes\nThe council approved 40 new homes on Monday.")
EMPTY = ("empty.txt", b"")
FEED = ("feed.jsonl", b'{"title": "A", "body": "Ferry fares rose 3 percent in May."}\n{"title": "B"}\n')


@pytest.mark.django_db(transaction=True)
def test_a_queued_batch_is_imported_and_its_progress_counts_every_article(immediate_tasks, editor, nlp):
    batch = queue_import([GOOD, EMPTY, FEED], by=editor)
    batch.refresh_from_db()
    progress = batch.progress()
    assert batch.state == ImportBatch.State.DONE
    assert (progress["files_done"], progress["articles_read"], progress["imported"], progress["failed"]) == (3, 4, 2, 2)
    assert {failure.source_name for failure in progress["failures"]} == {"empty.txt", "feed.jsonl line 2"}
    assert Article.objects.get(title="Council votes").imported_by == editor


@pytest.mark.django_db(transaction=True)
def test_a_crashed_file_is_kept_and_a_retry_imports_it(immediate_tasks, editor, monkeypatch, nlp):
    from annotations import tasks

    monkeypatch.setattr(tasks, "read_source", lambda name, data: (_ for _ in ()).throw(OSError("disk hiccup")))
    batch = queue_import([GOOD], by=editor)
    item = ImportItem.objects.get(batch=batch)
    assert item.status == ImportItem.Status.CRASHED and "disk hiccup" in item.error
    assert not Article.objects.exists()

    monkeypatch.undo()
    retry_crashed(batch)
    item.refresh_from_db()
    assert item.status == ImportItem.Status.DONE and Article.objects.filter(title="Council votes").exists()


@pytest.mark.django_db(transaction=True)
def test_a_pasted_article_is_kept_as_its_draft_and_stored_without_being_read_again(immediate_tasks, editor, nlp):
    draft = draft_from_text("#1 for ferry fares", "Ferry fares rose 3 percent in May.", "pasted.txt")
    batch = queue_import([], drafts=[draft], by=editor)
    item = ImportItem.objects.get(batch=batch)
    assert bytes(item.data) == b"" and item.draft["body"] == "Ferry fares rose 3 percent in May."
    # Read again as a text file, the headline's "#" would have been taken for a Markdown heading mark.
    assert Article.objects.get(source_name="pasted.txt").title == "#1 for ferry fares"


def database_url() -> str:
    """The test database as a URL, for a worker process."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return f"postgres://{settings['USER']}@{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}/{settings['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_real_database_worker_process_imports_a_queued_batch(editor):
    batch = queue_import([GOOD, EMPTY], by=editor)
    assert ImportBatch.objects.get(pk=batch.pk).state == ImportBatch.State.QUEUED  # nothing ran in-process
    worker = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--interval", "0.1"],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": database_url()}, capture_output=True, text=True, timeout=300,
    )
    assert worker.returncode == 0, worker.stderr
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.DONE
    assert batch.progress()["imported"] == 1 and Article.objects.get().claims.exists()


@pytest.mark.django_db(transaction=True)
def test_a_file_with_rows_that_cannot_be_stored_is_done_and_counts_each_failure(immediate_tasks, editor):
    feed = ("feed.csv", b"title,body,published_at\nA,Ferry fares rose 3 percent.,9999-12-31T23:59:59-05:00\n"
                        b"B,Bus fares fell 2 percent.,2026-01-05\n")
    batch = queue_import([feed], by=editor)
    item = ImportItem.objects.get(batch=batch)
    progress = batch.progress()
    assert item.status == ImportItem.Status.DONE and not item.error
    assert (progress["imported"], progress["failed"]) == (1, 1)
    assert [failure.source_name for failure in progress["failures"]] == ["feed.csv line 2"]


@pytest.mark.django_db
def test_recording_an_outcome_writes_one_row_and_a_counter_not_the_whole_list(editor):
    batch = ImportBatch.objects.create(created_by=editor)
    item = ImportItem.objects.create(batch=batch, source_name="feed.csv", data=b"")
    outcome = ImportOutcome("feed.csv line 2", "failed", "has no body")
    for _ in range(1_000):
        item.record(outcome)
    with CaptureQueriesContext(connection) as queries:
        item.record(outcome)
    assert sum(len(query["sql"]) for query in queries) < 2_000
    item.refresh_from_db()
    assert (item.failed_count, item.results.count()) == (1_001, 1_001)


@pytest.mark.django_db(transaction=True)
def test_the_polled_progress_of_a_2000_row_file_stays_small_and_counts_every_row(immediate_tasks, editor, client):
    rows = b"".join(b"Headline %d,\n" % n for n in range(2_000))  # no body: every row fails, without spaCy
    batch = queue_import([("feed.csv", b"title,body\n" + rows)], by=editor)
    client.force_login(editor)
    fragment = client.get(reverse("annotations:import_batch", args=[batch.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert len(fragment.encode()) < 30_000
    assert "2000 failed" in fragment and "and 1950 more failed" in fragment
    assert "feed.csv line 51" in fragment and "feed.csv line 52<" not in fragment
