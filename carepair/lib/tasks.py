"""Background jobs (后台任务) through Django's task interface (the django-tasks backport),
kept in the database and run by `carepair db_worker`.

django-tasks 0.12 ships no database backend any more (it moved to the separate
django-tasks-db package, which is not among our dependencies), so this is a small one:

- `enqueue()` writes a `QueuedTask` row in the caller's transaction: a job whose request
  rolls back never runs;
- the worker claims the oldest ready row of the highest priority with a conditional
  UPDATE (only one worker wins a row, on SQLite and PostgreSQL alike), runs it and
  writes the outcome back;
- `get_result()` reads the row, from any process.

Swapping in django-tasks-db later is a change of `TASKS` in the settings: the tasks and
the code that enqueues them stay as they are.
"""

import logging
import time

from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskContext, TaskResult, TaskResultStatus
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import TaskError
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks.signals import task_enqueued, task_finished, task_started
from django_tasks.utils import (
    get_exception_traceback,
    get_module_path,
    get_random_id,
    normalize_json,
)

from carepair.lib.models import QueuedTask

logger = logging.getLogger(__name__)


def _result(row: QueuedTask) -> TaskResult:
    task = import_string(row.task_path).using(
        priority=row.priority,
        queue_name=row.queue_name,
        run_after=row.run_after,
        backend=row.backend,
    )
    errors = []
    if row.exception_class_path:
        errors.append(
            TaskError(exception_class_path=row.exception_class_path, traceback=row.traceback)
        )
    result = TaskResult(
        task=task,
        id=row.pk,
        status=TaskResultStatus(row.status),
        enqueued_at=row.enqueued_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        last_attempted_at=row.started_at,
        args=row.args,
        kwargs=row.kwargs,
        backend=row.backend,
        errors=errors,
        worker_ids=[row.worker_id] if row.worker_id else [],
    )
    object.__setattr__(result, "_return_value", row.return_value)
    return result


class DatabaseBackend(BaseTaskBackend):
    supports_defer = True
    supports_get_result = True
    supports_priority = True

    def enqueue(self, task, args, kwargs) -> TaskResult:
        self.validate_task(task)
        row = QueuedTask.objects.create(
            id=get_random_id(),
            task_path=task.module_path,
            backend=self.alias,
            queue_name=task.queue_name,
            priority=task.priority,
            args=normalize_json(args),
            kwargs=normalize_json(kwargs),
            run_after=task.run_after,
        )
        result = _result(row)
        task_enqueued.send(type(self), task_result=result)
        return result

    def get_result(self, result_id: str) -> TaskResult:
        try:
            return _result(QueuedTask.objects.get(pk=result_id))
        except QueuedTask.DoesNotExist:
            raise TaskResultDoesNotExist(result_id) from None


# --- the worker ------------------------------------------------------------------------


def claim(worker_id: str, queues: list[str]) -> QueuedTask | None:
    """Take the next ready job for this worker, or None if there is none."""
    now = timezone.now()
    ready = (
        QueuedTask.objects.filter(status=TaskResultStatus.READY, queue_name__in=queues)
        .filter(Q(run_after__isnull=True) | Q(run_after__lte=now))
        .order_by("-priority", "enqueued_at")
    )
    for pk in ready.values_list("pk", flat=True)[:5]:
        won = QueuedTask.objects.filter(pk=pk, status=TaskResultStatus.READY).update(
            status=TaskResultStatus.RUNNING, started_at=now, worker_id=worker_id
        )
        if won:
            return QueuedTask.objects.get(pk=pk)
    return None


def run(row: QueuedTask) -> QueuedTask:
    """Run one claimed job and write its outcome; a job's exception fails the job, not
    the worker."""
    result = _result(row)
    backend = type(result.task.get_backend())
    task_started.send(sender=backend, task_result=result)
    try:
        if result.task.takes_context:
            value = result.task.call(TaskContext(task_result=result), *row.args, **row.kwargs)
        else:
            value = result.task.call(*row.args, **row.kwargs)
        row.return_value = normalize_json(value)
        row.status = TaskResultStatus.SUCCESSFUL
    except KeyboardInterrupt:
        raise
    except Exception as exc:
        logger.exception("background job %s failed", row.task_path)
        row.status = TaskResultStatus.FAILED
        row.exception_class_path = get_module_path(type(exc))
        row.traceback = get_exception_traceback(exc)
    row.finished_at = timezone.now()
    row.save(
        update_fields=[
            "status",
            "return_value",
            "exception_class_path",
            "traceback",
            "finished_at",
        ]
    )
    task_finished.send(sender=backend, task_result=_result(row))
    return row


def run_pending(queues: list[str] | None = None, worker_id: str | None = None) -> int:
    """Run every job that is ready now, one after the other; return how many ran."""
    worker_id = worker_id or get_random_id()
    queues = queues or ["default"]
    done = 0
    while (row := claim(worker_id, queues)) is not None:
        run(row)
        done += 1
    return done


def work(queues: list[str], interval: float, stop, batch: bool = False) -> int:
    """The worker's loop: run ready jobs, sleep `interval` seconds when there are none,
    until `stop()` says so (or, with batch, until the queue is empty)."""
    worker_id = get_random_id()
    done = 0
    while not stop():
        close_old_connections()
        row = claim(worker_id, queues)
        if row is None:
            if batch:
                break
            time.sleep(interval)
            continue
        run(row)
        done += 1
    return done
