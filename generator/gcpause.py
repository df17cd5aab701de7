"""Pause the cyclic garbage collector while a stage builds many objects.

``paused_gc()`` is a context manager and, as ``@paused_gc()``, a decorator.
"""

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Parsing, merging, planning (paper pages' contexts too, made when they are
    rendered), the plain files and the recipes create millions of objects and no
    reference cycles; the collector would rescan them all again and again for
    nothing. Frozen, they are not scanned by later collections
    either, in this process or in the workers forked from it (whose scans would
    otherwise touch, and so copy, every inherited page of memory)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What was built lives on: keep the collector from scanning it again.
        gc.freeze()
        if enabled:
            gc.enable()
