"""Worker processes for the parallel stages (rendering, related papers, the search index).

Workers are forked, so they inherit the parent's data without copying it, and
they ask the kernel to kill them when the parent dies: a build killed with
SIGKILL must not leave orphans that go on writing files. A worker that dies
(the kernel kills the largest process when memory runs out) fails the build
with :class:`WorkerDied`: a pool notices it through ``concurrent.futures``, a
:class:`Background` by the end of its pipe, where a ``multiprocessing.Pool``
would wait for the result forever.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar, cast

from generator.diagnostics import BuildFailed
from generator.libc import c_function

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


#: Looked up here, once, before any process is forked.
_PRCTL = c_function("prctl")


def _die_with_parent(parent: int) -> None:
    """Be killed when ``parent``, the build that forked this process, dies; and
    exit now if it died before this could be asked for, or this process
    would live on, holding the build's lock."""
    if _PRCTL is not None:  # Linux; elsewhere a killed build may leave workers behind
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


@contextlib.contextmanager
def worker_pool(jobs: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``jobs`` workers, forked at the first task, that die with this
    process; leaving the block cancels what has not started."""
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=_die_with_parent, initargs=(os.getpid(),))
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
    catalogue, a cache) are not pickled through a pipe; only the result is.
    A process whose result is never asked for (the build failed first) is
    stopped when its ``Background`` is dropped: none outlives its build.

    The process runs at a lower CPU priority (:data:`BACKGROUND_NICENESS`):
    where it and the build's own stages want more cores than there are, the
    stages, which the build waits for first, go first."""

    def __init__(self, function: Callable[..., T], *args: Any) -> None:
        self._call: tuple[Callable[..., T], tuple[Any, ...]] = (function, args)
        self._process: multiprocessing.process.BaseProcess | None = None
        if can_fork():
            context = multiprocessing.get_context("fork")
            self._results, sender = context.Pipe(duplex=False)
            self._process = context.Process(target=_send_result, args=(sender, os.getpid(), function, args),
                                            daemon=True)
            self._process.start()
            sender.close()  # the process holds the only other end: if it dies, result() reads the end of the pipe
            weakref.finalize(self, _stop, self._process)

    def result(self) -> T:
        if self._process is None:
            function, args = self._call
            return function(*args)
        try:
            done, value = self._results.recv()
        except EOFError:
            raise WorkerDied() from None
        finally:
            _stop(self._process)
        if not done:
            raise value
        return cast(T, value)


#: How much lower a :class:`Background` process's CPU priority is than the build's.
BACKGROUND_NICENESS = 10


def _send_result(sender: Connection, parent: int, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    _die_with_parent(parent)
    os.nice(BACKGROUND_NICENESS)
    try:
        outcome = (True, function(*args))
    except Exception as exc:  # raised again in the parent
        outcome = (False, exc)
    sender.send(outcome)


def _stop(process: multiprocessing.process.BaseProcess) -> None:
    if process.is_alive():
        process.kill()
    process.join()
