"""Plain threads for the gate (govdata/threads.py): what it asked of ``concurrent.futures``,
without its import of ``logging`` (issue 14: a cold small check pays for every import)."""

from __future__ import annotations

import threading
import time

import pytest

from govdata import threads


def test_a_call_in_its_own_thread_returns_or_raises_in_the_caller():
    seen: list[str] = []

    def named() -> str:
        seen.append(threading.current_thread().name)
        return "done"

    assert threads.start(named, name="govdata-x").result() == "done" and seen == ["govdata-x"]
    failed = threads.start(int, "not a number")
    with pytest.raises(ValueError, match="not a number"):
        failed.result()
    assert failed.done()


def test_a_pool_runs_at_most_its_workers_at_once_and_maps_in_order():
    running, most = [0], [0]
    lock = threading.Lock()

    def slow(n: int) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.01)
        with lock:
            running[0] -= 1
        return n * n

    with threads.Pool(2, name="govdata-test") as pool:
        assert pool.map(slow, range(8)) == [n * n for n in range(8)]
        later = pool.submit(divmod, 7, 2)
        keyword = pool.submit(int, "ff", base=16)
    assert most[0] == 2 and later.result() == (3, 1) and keyword.result() == 255
    with pytest.raises(RuntimeError):
        pool.submit(divmod, 1, 1)  # shut down when the block ended


def test_a_failure_in_a_pool_is_raised_by_map_and_the_threads_end():
    before = threading.active_count()
    with threads.Pool(2) as pool:
        with pytest.raises(ZeroDivisionError):
            pool.map(lambda n: 1 // n, [1, 0, 2])
        assert pool.submit(divmod, 9, 4).result() == (2, 1)  # the pool still works
    assert threading.active_count() == before  # the block waited for its threads
