"""Worker processes for the parallel stages (rendering, related papers).

Workers are forked, so they inherit the parent's data without copying it, and
they ask the kernel to kill them when the parent dies: a build killed with
SIGKILL must not leave orphans that go on writing files.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
from collections.abc import Callable
from multiprocessing.pool import AsyncResult, Pool
from typing import Any, Generic, TypeVar

T = TypeVar("T")

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


def worker_pool(jobs: int) -> multiprocessing.pool.Pool:
    """A pool of ``jobs`` forked workers that die with this process."""
    return multiprocessing.get_context("fork").Pool(jobs, initializer=_die_with_parent)


class Background(Generic[T]):
    """``function(*args)`` computed in a forked process while this one goes on;
    ``result()`` waits for it. Without fork, it runs in ``result()``.

    The process inherits the call as it forks, so the arguments (a whole
    catalogue, a cache) are not pickled through a pipe; only the result is."""

    def __init__(self, function: Callable[..., T], *args: Any) -> None:
        self._call: tuple[Callable[..., T], tuple[Any, ...]] = (function, args)
        self._pool: Pool | None = None
        self._pending: AsyncResult[T]
        if can_fork():
            _INHERITED[id(self)] = self._call
            try:
                self._pool = worker_pool(1)  # forks here, with the call in _INHERITED
            finally:
                del _INHERITED[id(self)]
            self._pending = self._pool.apply_async(_inherited_call, (id(self),))

    def result(self) -> T:
        if self._pool is None:
            function, args = self._call
            return function(*args)
        try:
            return self._pending.get()
        finally:
            self._pool.terminate()
            self._pool.join()


#: Calls a forked process finds waiting for it, by the id of their Background.
_INHERITED: dict[int, tuple[Callable[..., Any], tuple[Any, ...]]] = {}


def _inherited_call(key: int) -> Any:
    function, args = _INHERITED[key]
    return function(*args)
