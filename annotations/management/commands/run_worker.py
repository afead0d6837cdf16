"""`run_worker`: django-tasks-db's worker, kept alive through database outages, re-queuing imports whose worker died."""
import logging
import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import InterfaceError, OperationalError, connections
from django.utils.crypto import get_random_string
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME

# django-tasks-db's own claiming loop (SELECT ... FOR UPDATE SKIP LOCKED), reused rather than copied.
from django_tasks_db.management.commands.db_worker import Worker

from annotations.tasks import requeue_stalled_batches

logger = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 60


class Command(BaseCommand):
    help = ("Run background tasks from the database queue: survives database outages (retrying with back-off) "
            "and queues again imports whose worker died. Start one or more per machine under a supervisor.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds between looks at an empty queue (default: 1).")
        parser.add_argument("--until-idle", action="store_true",
                            help="Exit once the queue is empty instead of waiting for more work.")

    def handle(self, *, interval: float, until_idle: bool, **options) -> None:
        # batch=True: the worker returns whenever the queue is empty, so this loop gets to check for
        # stalled imports and to catch database errors between rounds.
        worker = Worker(queue_names=[DEFAULT_TASK_QUEUE_NAME], interval=interval, batch=True,
                        backend_name=DEFAULT_TASK_BACKEND_ALIAS, startup_delay=False, max_tasks=None,
                        worker_id=get_random_string(32), excluded_queue_names=[])
        worker.configure_signals()
        failures = 0
        while worker.running:
            try:
                requeue_stalled_batches()
                worker.run()
            except (OperationalError, InterfaceError) as error:
                failures += 1
                delay = min(MAX_BACKOFF_SECONDS, 2 ** (failures - 1))
                logger.warning("Database unavailable (%s); trying again in %s s", str(error).strip(), delay)
                connections.close_all()  # a broken connection is not reused; the next query opens a new one
                time.sleep(delay)
                continue
            if failures:
                logger.warning("Database reachable again after %s failed attempts", failures)
                failures = 0
            if until_idle:
                return
            time.sleep(interval)
