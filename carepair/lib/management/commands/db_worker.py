"""`carepair db_worker [--queue-name default] [--interval 1] [--batch]`: run the background
jobs (imports, later comparisons and reports) that pages enqueue, until stopped (Ctrl+C or
SIGTERM, after the job in hand finishes) or, with --batch, until none is left."""

import signal

from django.core.management.base import BaseCommand

from carepair.lib import tasks


class Command(BaseCommand):
    help = "Run background jobs from the database queue (carepair.lib.tasks)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue-name", default="default", help="comma-separated queues (default: default)"
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between looks at an empty queue"
        )
        parser.add_argument(
            "--batch", action="store_true", help="stop when no job is left instead of waiting"
        )

    def handle(self, *args, queue_name: str, interval: float, batch: bool, **options):
        stopping = []

        def stop(signum, frame):
            stopping.append(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        queues = [q.strip() for q in queue_name.split(",") if q.strip()]
        if options["verbosity"]:
            self.stdout.write(f"worker: waiting for jobs on {', '.join(queues)}")
        done = tasks.work(queues, interval, stop=lambda: bool(stopping), batch=batch)
        if options["verbosity"]:
            self.stdout.write(f"worker: {done} jobs run; stopped")
