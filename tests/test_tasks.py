"""Background imports: a batch is imported by a task, progress is kept, crashed files can be retried."""
import json
import logging
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from annotations.importing import draft_from_text
from annotations.management.commands import run_worker
from annotations.models import Article, AuditEvent, ImportBatch, ImportItem
from annotations.storing import ImportOutcome
from annotations.tasks import queue_import, requeue_stalled_batches, retry_crashed

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


def worker_environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url(), **extra}


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


def stall(batch: ImportBatch, *, seconds_ago: int) -> None:
    """The batch as a worker killed mid-run leaves it: running, its task row running, its heartbeat old."""
    row = DBTaskResult.objects.get(args_kwargs__args=[batch.pk])
    row.claim("killed-worker")
    batch.take_up(task_id=str(row.pk))
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=seconds_ago))
    batch.refresh_from_db()


@pytest.mark.django_db(transaction=True)
def test_a_batch_whose_worker_stopped_beating_is_queued_again_and_its_task_row_closed(editor, settings):
    settings.IMPORT_HEARTBEAT_TIMEOUT = 60
    lost, alive = queue_import([GOOD], by=editor), queue_import([EMPTY], by=editor)
    stall(lost, seconds_ago=61)
    stall(alive, seconds_ago=30)
    assert requeue_stalled_batches() == 1
    lost.refresh_from_db()
    alive.refresh_from_db()
    assert lost.state == ImportBatch.State.QUEUED and alive.state == ImportBatch.State.RUNNING
    dead_row = DBTaskResult.objects.get(pk=lost.task_id)
    assert dead_row.status == TaskResultStatus.FAILED and dead_row.exception_class_path.endswith("WorkerLost")
    assert DBTaskResult.objects.filter(args_kwargs__args=[lost.pk], status=TaskResultStatus.READY).count() == 1
    assert requeue_stalled_batches() == 0  # queued once, not once per check


@pytest.mark.django_db(transaction=True)
def test_the_batch_page_offers_a_retry_for_a_batch_stuck_past_the_timeout(editor, editor_client, settings):
    settings.IMPORT_HEARTBEAT_TIMEOUT = 60
    batch = queue_import([GOOD], by=editor)
    stall(batch, seconds_ago=30)
    page = editor_client.get(reverse("annotations:import_batch", args=[batch.pk])).content.decode()
    assert "Retry the import" not in page
    editor_client.post(reverse("annotations:import_retry", args=[batch.pk]))  # a live worker is left alone
    assert ImportBatch.objects.get(pk=batch.pk).state == ImportBatch.State.RUNNING

    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=61))
    page = editor_client.get(reverse("annotations:import_batch", args=[batch.pk])).content.decode()
    assert "no sign of life" in page and "Retry the import" in page
    editor_client.post(reverse("annotations:import_retry", args=[batch.pk]))
    assert ImportBatch.objects.get(pk=batch.pk).state == ImportBatch.State.QUEUED
    assert DBTaskResult.objects.get(pk=batch.task_id).status == TaskResultStatus.FAILED


@pytest.mark.django_db(transaction=True)
def test_the_polled_progress_shows_a_batch_stuck_past_the_timeout_without_a_reload(editor, editor_client, settings):
    settings.IMPORT_HEARTBEAT_TIMEOUT = 60
    batch = queue_import([GOOD], by=editor)
    stall(batch, seconds_ago=61)
    fragment = editor_client.get(reverse("annotations:import_batch", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert "no sign of life" in fragment.content.decode() and "Retry the import" in fragment.content.decode()


def generated_feed(count: int, *, start: int = 0) -> tuple[str, bytes]:
    """A JSON Lines file of short articles, each with a claim and a different body."""
    lines = [json.dumps({"title": f"Harbour report {n}",
                         "body": f"The port of Town {n} handled {n + 12} ships in May, the harbour master said."})
             for n in range(start, start + count)]
    return "harbour.jsonl", "\n".join(lines).encode()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_is_replaced_and_every_article_is_imported_exactly_once(editor):
    """A real worker process is killed with SIGKILL while storing; a restarted one finishes the batch."""
    articles = 60
    batch = queue_import([generated_feed(articles)], by=editor)
    environment = worker_environment(IMPORT_HEARTBEAT_TIMEOUT="1")
    command = [sys.executable, "manage.py", "run_worker", "--interval", "0.1"]
    first = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while Article.objects.count() < 5 and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
    finally:
        first.wait(timeout=30)
    stored_before_the_kill = Article.objects.count()
    assert 0 < stored_before_the_kill < articles, first.stderr.read() if first.stderr else ""
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.RUNNING  # what the dead worker leaves behind

    time.sleep(1.5)  # past the heartbeat timeout
    second = subprocess.run([*command, "--until-idle"], cwd=ROOT, env=environment, capture_output=True, text=True,
                            timeout=300)
    assert second.returncode == 0, second.stderr
    assert "its worker is gone; queued again" in second.stderr
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.DONE
    titles = list(Article.objects.values_list("title", flat=True))
    assert sorted(titles) == sorted(f"Harbour report {n}" for n in range(articles))
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PREMARKED).count() == articles  # none half-stored
    assert DBTaskResult.objects.get(pk=batch.task_id).status == TaskResultStatus.SUCCESSFUL
    assert DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count() == 0


@pytest.mark.django_db(transaction=True)  # the worker closes broken connections: no test transaction to keep
def test_the_worker_survives_a_database_outage_retrying_with_back_off(monkeypatch, caplog):
    rounds = iter([OperationalError("connection refused"), OperationalError("connection refused"), None])

    def run_round(worker: Worker) -> None:
        if error := next(rounds):
            raise error

    slept: list[float] = []
    monkeypatch.setattr(Worker, "run", run_round)
    monkeypatch.setattr(run_worker.time, "sleep", slept.append)
    with caplog.at_level(logging.WARNING, logger=run_worker.__name__):
        call_command("run_worker", "--until-idle")
    assert slept == [1, 2]
    assert "Database unavailable (connection refused); trying again in 1 s" in caplog.text
    assert "Database reachable again after 2 failed attempts" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_three_worker_processes_share_one_postgresql_queue_without_losing_or_doubling_an_article(editor):
    """Slow (about 30-60 s): 300 generated articles in 12 batches, three real workers taking them at once."""
    if connection.vendor != "postgresql":
        pytest.skip("several workers at once need PostgreSQL's row locks (SKIP LOCKED)")
    per_batch, batches = 25, 12
    for start in range(0, per_batch * batches, per_batch):
        queue_import([generated_feed(per_batch, start=start)], by=editor)
    command = [sys.executable, "manage.py", "run_worker", "--until-idle", "--interval", "0.1"]
    workers = [subprocess.Popen(command, cwd=ROOT, env=worker_environment(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True) for _ in range(3)]
    errors = [worker.communicate(timeout=300)[1] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0, 0], errors
    assert set(ImportBatch.objects.values_list("state", flat=True)) == {ImportBatch.State.DONE}
    titles = list(Article.objects.values_list("title", flat=True))
    assert sorted(titles) == sorted(f"Harbour report {n}" for n in range(per_batch * batches))
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PREMARKED).count() == per_batch * batches
    workers_used = {tuple(ids) for ids in DBTaskResult.objects.values_list("worker_ids", flat=True)}
    assert len(workers_used) > 1, "one worker took every batch: the queue was not shared"


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


def test_uploaded_files_are_stored_one_at_a_time_so_a_big_upload_never_sits_in_memory_whole(editor):
    items_stored_before_each_read = []

    def uploads():
        for number in range(3):
            items_stored_before_each_read.append(ImportItem.objects.count())
            yield f"report-{number}.txt", f"Report {number}\nThe council met {number} times.".encode()

    queue_import(uploads(), by=editor)
    assert items_stored_before_each_read == [0, 1, 2]
