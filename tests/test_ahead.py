"""carepair.lib.ahead: an iterator run in a thread ahead of its reader."""

import threading
import time

import pytest

from carepair.lib.ahead import Ahead


def test_the_reader_gets_every_item_in_order():
    with Ahead(lambda: iter(range(1000)), depth=3) as ahead:
        assert list(ahead) == list(range(1000))


def test_the_iterator_runs_in_another_thread_while_the_reader_waits():
    threads = []

    def items():
        for i in range(3):
            threads.append(threading.get_ident())
            yield i

    with Ahead(items) as ahead:
        assert list(ahead) == [0, 1, 2]
    assert set(threads) == {threads[0]} and threads[0] != threading.get_ident()


def test_an_error_in_the_iterator_is_raised_in_the_reader():
    def items():
        yield 1
        raise ValueError("row 2 is bad")

    with Ahead(items) as ahead, pytest.raises(ValueError, match="row 2 is bad"):
        list(ahead)


def test_a_reader_who_stops_early_stops_the_thread():
    made = []

    def endless():
        while True:
            made.append(1)
            yield len(made)

    ahead = Ahead(endless, depth=2)
    with ahead:
        assert next(iter(ahead)) == 1
    assert not ahead._thread.is_alive()
    count = len(made)
    time.sleep(0.05)
    assert len(made) == count <= 4
