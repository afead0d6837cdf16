"""Background work on Django's task framework (the django-tasks backport of Django 6's django.tasks).

The embedded default runs tasks from the database with `manage.py run_worker`; other backends
(RQ, Celery) are a TASKS setting away. Tasks take ids, never objects, so any worker can run them.
"""
import logging
from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.db.models import Q
from django_tasks import TaskContext, task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from annotations.importing import ArticleDraft, ReadFailure, read_source
from annotations.models import ImportBatch, ImportItem
from annotations.storing import import_items

logger = logging.getLogger(__name__)


class WorkerLost(Exception):
    """Recorded on the task row of a batch whose worker stopped beating its heartbeat."""


@task(takes_context=True)
def run_import_batch(context: TaskContext, batch_id: int) -> None:
    """Import every waiting or crashed item of a batch, counting progress on the batch as it goes."""
    batch = ImportBatch.objects.get(pk=batch_id)
    batch.take_up(task_id=str(context.task_result.id))
    for item in batch.items.filter(Q(status=ImportItem.Status.PENDING) | Q(status=ImportItem.Status.CRASHED)):
        item.start_over()
        try:
            for outcome in import_items(_read(item), by=batch.created_by):
                item.record(outcome)
                batch.beat()
            item.status = ImportItem.Status.DONE
        except Exception as error:  # a crash in one file must not stop the batch; it can be retried
            item.status, item.error = ImportItem.Status.CRASHED, f"{type(error).__name__}: {error}"
        item.save(update_fields=["status", "error"])
        batch.beat()
    batch.set_state(ImportBatch.State.DONE)


def _read(item: ImportItem) -> Iterable[ArticleDraft | ReadFailure]:
    """A file's articles, read now; a pasted article was read already, when its form was checked."""
    if item.draft is not None:
        return [ArticleDraft.from_json(item.draft)]
    return read_source(item.source_name, bytes(item.data))


def queue_import(sources: Iterable[tuple[str, bytes]], *, by, drafts: Iterable[ArticleDraft] = (),
                 refused: Iterable[ReadFailure] = ()) -> ImportBatch:
    """Keep the files and pasted drafts in a new batch and have a worker import them once it is committed.

    Each file is stored as it comes, so only one file's bytes are held at a time. Files refused before
    reading (too large) are kept as finished items, so the batch reports them too.
    """
    with transaction.atomic():
        batch = ImportBatch.objects.create(created_by=by)
        for name, data in sources:
            ImportItem.objects.create(batch=batch, source_name=name, data=data)
        ImportItem.objects.bulk_create([ImportItem.pasted(batch, draft) for draft in drafts])
        for failure in refused:
            ImportItem.refused(batch, failure)
        transaction.on_commit(lambda: run_import_batch.enqueue(batch.pk))
    return batch


def retry_crashed(batch: ImportBatch) -> None:
    """Queue the batch again; the worker takes only the files that crashed, never ran or were cut off.

    A batch still running on a live worker is left alone: two runs at once would report each other's
    articles as duplicates.
    """
    if batch.state == ImportBatch.State.RUNNING and not batch.is_stalled:
        return
    with transaction.atomic():
        _close_lost_task(batch)
        batch.set_state(ImportBatch.State.QUEUED)
        transaction.on_commit(lambda: run_import_batch.enqueue(batch.pk))


def requeue_stalled_batches() -> int:
    """Queue again every batch whose worker died mid-run; articles it stored are not stored twice.

    The item it was on starts over: its articles already stored count as duplicates (content hash).
    """
    requeued = 0
    for batch in ImportBatch.objects.stalled():
        with transaction.atomic():
            if not batch.requeue_if_stalled():
                continue
            _close_lost_task(batch)
            transaction.on_commit(partial(run_import_batch.enqueue, batch.pk))
        logger.warning("Import %s: no heartbeat since %s, its worker is gone; queued again", batch.pk,
                       batch.heartbeat_at)
        requeued += 1
    return requeued


def _close_lost_task(batch: ImportBatch) -> None:
    """Mark the dead worker's task row failed, so the queue does not show it running forever."""
    if not batch.task_id or not isinstance(run_import_batch.get_backend(), DatabaseBackend):
        return
    for row in DBTaskResult.objects.filter(pk=batch.task_id, status=TaskResultStatus.RUNNING):
        row.set_failed(WorkerLost(f"no heartbeat from its worker since {batch.heartbeat_at}"))
