"""An iterator run in a thread a few items ahead of its reader (预读).

For work in two parts where the second waits on something outside Python: an import
checks rows (Python) while the database writes the rows checked before (PostgreSQL in
its own process, SQLite in C code that lets go of Python's lock), so that the two take
the machine's two cores instead of one after the other.

The iterator must not use the database: Django's connections belong to their thread, and
another thread's would sit outside the reader's transaction.
"""

import queue
import threading
from collections.abc import Callable, Iterator

_END = object()


class Ahead:
    """`for item in Ahead(make): ...` runs `make()`'s iterator in a thread, at most
    `depth` items ahead; an exception in it is raised in the reader. Use it as a context
    manager (or call close()) so that a reader who stops early stops the thread."""

    def __init__(self, make: Callable[[], Iterator], depth: int = 4):
        self._queue: queue.Queue = queue.Queue(depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(make,), daemon=True)
        self._thread.start()

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, make) -> None:
        try:
            for item in make():
                if not self._put((item, None)):
                    return
        except BaseException as exc:  # handed to the reader, raised there
            self._put((None, exc))
            return
        self._put((_END, None))

    def __iter__(self):
        while True:
            item, exc = self._queue.get()
            if exc is not None:
                raise exc
            if item is _END:
                return
            yield item

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
