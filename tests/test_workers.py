"""Worker processes: results, errors, and no process left behind."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest

from generator.workers import BACKGROUND_NICENESS, Background, WorkerDied


def _fails() -> None:
    raise ValueError("from the worker")


def _killed() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_background_call_gives_its_result_computed_in_another_process():
    background = Background(os.getpid)
    assert background.result() not in (os.getpid(), None)
    assert multiprocessing.active_children() == []


def test_a_background_process_yields_the_cpu_to_the_build():
    """On a machine with fewer cores than busy processes, the build's own stages go first."""
    ours = os.nice(0)
    assert Background(os.nice, 0).result() == min(19, ours + BACKGROUND_NICENESS)
    assert os.nice(0) == ours


def test_an_error_in_the_background_is_raised_where_the_result_is_asked_for():
    with pytest.raises(ValueError, match="from the worker"):
        Background(_fails).result()


def test_a_killed_background_process_is_a_worker_died():
    with pytest.raises(WorkerDied, match="a worker process died"):
        Background(_killed).result()
    assert multiprocessing.active_children() == []


def test_a_background_whose_result_is_never_asked_for_stops_when_dropped():
    """As when a build fails before it needs the search index: its process must not
    live on holding the parent's open files (a test run's browser pipe, say)."""
    background = Background(time.sleep, 60)
    assert len(multiprocessing.active_children()) == 1
    del background
    assert multiprocessing.active_children() == []
