"""`carepair serve [--host H] [--port P] [--workers N] [--threads T]`: serve the
application with gunicorn, the way it runs in production and in the benchmarks.

Worker processes, each with a pool of threads, share one listening socket; static files
are served by whitenoise inside the application (no separate web server is needed on an
intranet). The application is loaded once, before the workers are forked, so a worker
starts in milliseconds and a broken configuration stops the server at once.
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connections


def default_workers() -> int:
    """One process per core and one more (at least two): a request is mostly Python
    (the GIL keeps a process on one core), and the spare one runs while another waits
    on the database. More only queue for the same cores and, on SQLite, for its one
    writer."""
    return max(2, (os.cpu_count() or 1) + 1)


class Command(BaseCommand):
    help = (
        "Serve CarePair with gunicorn: worker processes, each with a pool of threads; "
        "static files through whitenoise."
    )
    # Checked once here, not again in every worker.
    requires_system_checks = "__all__"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("CAREPAIR_WORKERS") or default_workers()),
            help="worker processes (default CAREPAIR_WORKERS, or one per core and one more)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("CAREPAIR_THREADS") or 2),
            help="threads per worker (default CAREPAIR_THREADS, or 2)",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=60,
            help="seconds a request may take before its worker is restarted (default 60)",
        )
        parser.add_argument(
            "--access-log", action="store_true", help="log every request to standard output"
        )

    def handle(self, *args, host, port, workers, threads, timeout, access_log, **options):
        if workers < 1 or threads < 1:
            raise CommandError("--workers and --threads must be at least 1")
        from gunicorn.app.base import BaseApplication

        options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            # Threads keep a connection open between a client's requests (a point's till
            # sends one after another); a plain sync worker would close each.
            "worker_class": "gthread" if threads > 1 else "sync",
            "timeout": timeout,
            "preload_app": True,
            "accesslog": "-" if access_log else None,
            # No control socket: its default path is one per user, which two servers on
            # one machine (the demo and a benchmark) would fight over.
            "control_socket_disable": True,
            "proc_name": "carepair",
        }

        class Server(BaseApplication):
            def load_config(self):
                for key, value in options.items():
                    self.cfg.set(key, value)

            def load(self):
                from django.core.wsgi import get_wsgi_application

                return get_wsgi_application()

        self.stdout.write(
            f"CarePair on http://{host}:{port}/ · gunicorn, {workers} worker(s) x "
            f"{threads} thread(s) · {connections['default'].vendor}"
        )
        self.stdout.flush()  # a process that started us reads the line above
        # Nothing the checks opened may be shared by the forked workers.
        connections.close_all()
        Server().run()
