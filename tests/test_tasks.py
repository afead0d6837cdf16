"""Background imports: a batch is imported by a task, progress is kept, crashed files can be retried."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from annotations.importing import draft_from_text
from annotations.models import Article, ImportBatch, ImportItem
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
    assert {f["source_name"] for f in progress["failures"]} == {"empty.txt", "feed.jsonl line 2"}
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
