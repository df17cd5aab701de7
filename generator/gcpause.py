"""Pause the cyclic garbage collector while a stage builds many objects."""

import contextlib
import gc


@contextlib.contextmanager
def paused_gc():
    """Parsing and merging create hundreds of thousands of objects and no reference
    cycles; the collector would rescan them all again and again for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What was built lives on: keep the collector from scanning it again.
        gc.freeze()
        if enabled:
            gc.enable()
