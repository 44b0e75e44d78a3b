"""When the programme's records last changed (数据版本): a token that caches of computed
figures are keyed on, so a cached dashboard is never older than the last write.

Every write service calls `records_changed()`. The token is a timestamp, not a counter: if
the cache ever loses it, the next one starts a fresh key space instead of reusing old keys.
"""

import functools
import time

from django.core.cache import cache
from django.db import transaction

KEY = "carepair:records-version"


def _new() -> str:
    return str(time.time_ns())


def records_version() -> str:
    version = cache.get(KEY)
    if version is None:
        cache.add(KEY, _new(), timeout=None)
        version = cache.get(KEY) or _new()
    return version


def records_changed() -> None:
    """Mark cached figures stale: now, and again when the transaction commits, so that
    figures a reader computed while the write was still uncommitted are not kept."""
    cache.set(KEY, _new(), timeout=None)
    # Outside a transaction there is nothing left to commit: the write above is the one.
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: cache.set(KEY, _new(), timeout=None))


def changes_records(service):
    """Mark a write service: when it returns, cached figures are stale."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        result = service(*args, **kwargs)
        records_changed()
        return result

    return wrapper
