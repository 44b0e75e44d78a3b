"""Rows the shared helpers keep: the queue of background jobs (carepair.lib.tasks)."""

from django.db import models
from django.utils import timezone
from django_tasks import TaskResultStatus


class QueuedTask(models.Model):
    """A background job (后台任务) enqueued through Django's task interface, waiting for
    or run by `carepair db_worker`; its outcome stays here for `get_result()`."""

    id = models.CharField(primary_key=True, max_length=64, editable=False)
    task_path = models.CharField(max_length=255)
    backend = models.CharField(max_length=32)
    queue_name = models.CharField(max_length=32)
    priority = models.SmallIntegerField(default=0)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=TaskResultStatus.choices, default=TaskResultStatus.READY
    )
    run_after = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker_id = models.CharField(max_length=64, blank=True)
    return_value = models.JSONField(null=True, blank=True)
    exception_class_path = models.CharField(max_length=255, blank=True)
    traceback = models.TextField(blank=True)

    class Meta:
        ordering = ["-enqueued_at"]
        indexes = [models.Index(fields=["status", "queue_name", "-priority", "enqueued_at"])]

    def __str__(self):
        return f"{self.task_path} {self.status}"
