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


class Background:
    """``function(*args)`` computed in a forked process while this one goes on;
    ``result()`` waits for it. Without fork, it runs in ``result()``.

    The process inherits the call as it forks, so the arguments (a whole
    catalogue, a cache) are not pickled through a pipe; only the result is."""

    def __init__(self, function, *args):
        self._call = (function, args)
        self._pool = None
        if can_fork():
            _INHERITED[id(self)] = self._call
            try:
                self._pool = worker_pool(1)  # forks here, with the call in _INHERITED
            finally:
                del _INHERITED[id(self)]
            self._pending = self._pool.apply_async(_inherited_call, (id(self),))

    def result(self):
        if self._pool is None:
            function, args = self._call
            return function(*args)
        try:
            return self._pending.get()
        finally:
            self._pool.terminate()
            self._pool.join()


#: Calls a forked process finds waiting for it, by the id of their Background.
_INHERITED: dict[int, tuple] = {}


def _inherited_call(key: int):
    function, args = _INHERITED[key]
    return function(*args)
