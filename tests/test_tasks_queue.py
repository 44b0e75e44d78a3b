"""The database queue behind Django's task interface (carepair.lib.tasks): a job waits in
the database until a worker runs it, and its outcome is read back from any process."""

from django.test import TestCase
from django_tasks import TaskResultStatus, task

from carepair.lib import tasks
from carepair.lib.models import QueuedTask


@task()
def add(a: int, b: int) -> int:
    return a + b


@task()
def fail() -> None:
    raise ValueError("on purpose")


class QueueTests(TestCase):
    def test_an_enqueued_job_waits_until_a_worker_runs_it(self):
        result = add.enqueue(2, 3)
        self.assertEqual(result.status, TaskResultStatus.READY)
        self.assertEqual(QueuedTask.objects.get(pk=result.id).args, [2, 3])
        self.assertEqual(tasks.run_pending(), 1)
        result.refresh()
        self.assertEqual(result.status, TaskResultStatus.SUCCESSFUL)
        self.assertEqual(add.get_result(result.id).return_value, 5)
        self.assertEqual(tasks.run_pending(), 0)

    def test_a_failing_job_is_recorded_and_the_worker_goes_on(self):
        failed = fail.enqueue()
        done = add.enqueue(1, 1)
        self.assertEqual(tasks.run_pending(), 2)
        failed.refresh()
        self.assertEqual(failed.status, TaskResultStatus.FAILED)
        self.assertEqual(failed.errors[0].exception_class, ValueError)
        self.assertIn("on purpose", failed.errors[0].traceback)
        self.assertEqual(add.get_result(done.id).return_value, 2)

    def test_a_job_is_claimed_by_one_worker_only(self):
        add.enqueue(1, 2)
        first = tasks.claim("worker-1", ["default"])
        self.assertIsNotNone(first)
        self.assertIsNone(tasks.claim("worker-2", ["default"]))

    def test_a_job_enqueued_in_a_rolled_back_transaction_never_runs(self):
        from django.db import transaction

        with transaction.atomic():
            add.enqueue(1, 2)
            transaction.set_rollback(True)
        self.assertEqual(tasks.run_pending(), 0)
