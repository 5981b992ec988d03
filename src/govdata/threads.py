"""Plain threads for the gate: a result to come (:class:`Later`), a call in a thread of its own
(:func:`start`) and a small pool (:class:`Pool`), without :mod:`concurrent.futures`.

``concurrent.futures`` imports ``logging`` (with ``traceback``, ``string``, ``textwrap``): ~5 ms of
the imports of a cold 1,000-row ``govdata check`` (issue 14), for the three things the gate asks
of it — start DuckDB while the catalogue loads, hash a file while DuckDB reads it, and map a
chunk of resources over two threads. A call's exception is raised again by :meth:`Later.result`,
as a future's is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from _queue import SimpleQueue

T = TypeVar("T")
R = TypeVar("R")


class Later(Generic[T]):
    """The result of a call running in another thread."""

    __slots__ = ("_done", "_value", "_error")

    def __init__(self) -> None:
        self._done = threading.Event()
        self._value: Any = None
        self._error: BaseException | None = None

    def _run(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            self._value = fn(*args, **kwargs)
        except BaseException as exc:  # raised again in the thread that asks for the result
            self._error = exc
        finally:
            self._done.set()

    def done(self) -> bool:
        return self._done.is_set()

    def result(self) -> T:
        """The call's value once it has returned (its exception, raised again, when it failed)."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        value: T = self._value
        return value


def start(fn: Callable[..., T], *args: Any, name: str = "govdata") -> Later[T]:
    """``fn(*args)`` in a thread of its own (joined at the interpreter's exit, as a pool's are)."""
    later: Later[T] = Later()
    threading.Thread(target=later._run, args=(fn, args, {}), name=name).start()
    return later


_Call = tuple[Later[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class Pool:
    """At most ``workers`` threads run the calls given to :meth:`submit`, in the order given;
    a thread starts with the first call it is needed for. Used as a context manager, the pool
    waits for its calls when the block ends (as ``ThreadPoolExecutor`` does)."""

    def __init__(self, workers: int, name: str = "govdata") -> None:
        self._workers = max(1, workers)
        self._name = name
        self._queue: SimpleQueue[_Call | None] = SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            later, fn, args, kwargs = item
            later._run(fn, args, kwargs)

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Later[T]:
        """``fn(*args, **kwargs)`` in one of the pool's threads."""
        later: Later[T] = Later()
        with self._lock:
            if self._closed:
                raise RuntimeError("the pool is shut down")
            self._queue.put((later, fn, args, kwargs))
            if len(self._threads) < self._workers:
                thread = threading.Thread(target=self._work, name=f"{self._name}_{len(self._threads)}")
                thread.start()
                self._threads.append(thread)
        return later

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``fn`` over ``items`` in the pool's threads: the results in order (the first failure raised)."""
        return [later.result() for later in [self.submit(fn, item) for item in items]]

    def shutdown(self, wait: bool = True) -> None:
        """No more calls; the threads end once the calls given are done (waited for with ``wait``)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                for _ in self._threads:
                    self._queue.put(None)
        if wait:
            for thread in self._threads:
                thread.join()
