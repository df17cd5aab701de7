"""Worker processes for the parallel stages (rendering, related papers, the search index).

Workers are forked, so they inherit the parent's data without copying it, and
they ask the kernel to kill them when the parent dies: a build killed with
SIGKILL must not leave orphans that go on writing files. A worker that dies
(the kernel kills the largest process when memory runs out) fails the build
with :class:`WorkerDied`; ``concurrent.futures`` notices a dead worker, where
a ``multiprocessing.Pool`` would wait for its result forever.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, TypeVar

from generator.diagnostics import BuildFailed

T = TypeVar("T")


class WorkerDied(BuildFailed):
    """A worker process ended without its result: killed, most likely for memory."""

    def __init__(self) -> None:
        super().__init__("a worker process died before it finished (killed, perhaps for lack of memory; "
                         "--jobs 1 needs less)")


_PR_SET_PDEATHSIG = 1


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _die_with_parent() -> None:
    libc_name = ctypes.util.find_library("c")
    prctl = getattr(ctypes.CDLL(libc_name), "prctl", None) if libc_name else None
    if prctl is not None:  # Linux; elsewhere a killed build may leave workers behind
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


@contextlib.contextmanager
def worker_pool(jobs: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``jobs`` workers, forked at the first task, that die with this
    process; leaving the block cancels what has not started."""
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=_die_with_parent)
    try:
        yield pool
    except BrokenProcessPool:
        raise WorkerDied() from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class Background(Generic[T]):
    """``function(*args)`` computed in a forked process while this one goes on;
    ``result()`` waits for it. Without fork, it runs in ``result()``.

    The process inherits the call as it forks, so the arguments (a whole
    catalogue, a cache) are not pickled through a pipe; only the result is."""

    def __init__(self, function: Callable[..., T], *args: Any) -> None:
        self._call: tuple[Callable[..., T], tuple[Any, ...]] = (function, args)
        self._pool: contextlib.ExitStack | None = None
        self._pending: Future[T]
        if can_fork():
            self._pool = contextlib.ExitStack()
            pool = self._pool.enter_context(worker_pool(1))
            _INHERITED[id(self)] = self._call
            try:
                self._pending = pool.submit(_inherited_call, id(self))  # forks here, with the call in _INHERITED
            finally:
                del _INHERITED[id(self)]

    def result(self) -> T:
        if self._pool is None:
            function, args = self._call
            return function(*args)
        with self._pool:
            return self._pending.result()


#: Calls a forked process finds waiting for it, by the id of their Background.
_INHERITED: dict[int, tuple[Callable[..., Any], tuple[Any, ...]]] = {}


def _inherited_call(key: int) -> Any:
    function, args = _INHERITED[key]
    return function(*args)
