"""Background work on Django's task framework (the django-tasks backport of Django 6's django.tasks).

The embedded default runs tasks from the database with `manage.py db_worker`; other backends
(RQ, Celery) are a TASKS setting away. Tasks take ids, never objects, so any worker can run them.
"""
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django_tasks import task

from annotations.importing import ArticleDraft, ReadFailure, read_source
from annotations.models import ImportBatch, ImportItem
from annotations.storing import import_items


@task()
def run_import_batch(batch_id: int) -> None:
    """Import every waiting or crashed item of a batch, counting progress on the batch as it goes."""
    batch = ImportBatch.objects.get(pk=batch_id)
    batch.set_state(ImportBatch.State.RUNNING)
    for item in batch.items.filter(Q(status=ImportItem.Status.PENDING) | Q(status=ImportItem.Status.CRASHED)):
        item.start_over()
        try:
            for outcome in import_items(_read(item), by=batch.created_by):
                item.record(outcome)
            item.status = ImportItem.Status.DONE
        except Exception as error:  # a crash in one file must not stop the batch; it can be retried
            item.status, item.error = ImportItem.Status.CRASHED, f"{type(error).__name__}: {error}"
        item.save(update_fields=["status", "error"])
    batch.set_state(ImportBatch.State.DONE)


def _read(item: ImportItem) -> Iterable[ArticleDraft | ReadFailure]:
    """A file's articles, read now; a pasted article was read already, when its form was checked."""
    if item.draft is not None:
        return [ArticleDraft.from_json(item.draft)]
    return read_source(item.source_name, bytes(item.data))


def queue_import(sources: list[tuple[str, bytes]], *, by, drafts: Iterable[ArticleDraft] = (),
                 refused: Iterable[ReadFailure] = ()) -> ImportBatch:
    """Keep the files and pasted drafts in a new batch and have a worker import them once it is committed.

    Files refused before reading (too large) are kept as finished items, so the batch reports them too.
    """
    with transaction.atomic():
        batch = ImportBatch.objects.create(created_by=by)
        ImportItem.objects.bulk_create(
            [ImportItem(batch=batch, source_name=name, data=data) for name, data in sources]
            + [ImportItem.pasted(batch, draft) for draft in drafts]
        )
        for failure in refused:
            ImportItem.refused(batch, failure)
        transaction.on_commit(lambda: run_import_batch.enqueue(batch.pk))
    return batch


def retry_crashed(batch: ImportBatch) -> None:
    """Queue the batch again; the worker takes only the files that crashed (or never ran)."""
    batch.set_state(ImportBatch.State.QUEUED)
    transaction.on_commit(lambda: run_import_batch.enqueue(batch.pk))
