"""When the programme's records last changed (数据版本): a token that caches of computed
figures are keyed on, so a cached dashboard is never older than the last write.

Every write service calls `records_changed()`. The token is the modification time, to the
nanosecond, of a file in the data directory, which every server process on the machine
shares (as it shares the figures' file cache): stamping it is one system call and reading
it another, so that a till recording meal after meal pays next to nothing for it
(benchmarks/redemption). It is a timestamp, not a counter: if the file is lost, the next
stamp starts a fresh key space instead of reusing old keys.
"""

import functools
import os
import time

from django.conf import settings
from django.db import transaction


class Stamp:
    """A token that every server process on the machine shares: the modification time,
    to the nanosecond, of a file of this name in the data directory."""

    def __init__(self, name: str):
        self.name = name

    def _path(self) -> str:
        return os.path.join(settings.DATA_DIR, self.name)

    def touch(self) -> str:
        # The time is given, not left to the file system, whose clock may tick in whole
        # milliseconds: two writes in one tick must still give two tokens.
        now = time.time_ns()
        path = self._path()
        try:
            os.utime(path, ns=(now, now))
        except FileNotFoundError:
            with open(path, "a"):
                pass
            os.utime(path, ns=(now, now))
        return str(now)

    def read(self) -> str:
        try:
            return str(os.stat(self._path()).st_mtime_ns)
        except FileNotFoundError:
            return self.touch()


RECORDS = Stamp("records-version")


def records_version() -> str:
    return RECORDS.read()


def records_changed() -> None:
    """Mark cached figures stale: now, and again when the transaction commits, so that
    figures a reader computed while the write was still uncommitted are not kept."""
    RECORDS.touch()
    # Outside a transaction there is nothing left to commit: the write above is the one.
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(RECORDS.touch)


def changes_records(service):
    """Mark a write service: when it returns, cached figures are stale."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        result = service(*args, **kwargs)
        records_changed()
        return result

    return wrapper
