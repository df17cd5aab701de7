"""Calls of the C library that Python's ``os`` module lacks: Linux's ``prctl``
(a worker dies with its build) and ``renameat2`` (the site swapped in one step).

They are looked up in the C library the process has already loaded, once:
``ctypes.util.find_library`` runs ``ldconfig`` in a subprocess, which each
forked worker did before it could ask to die with its build.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable


def _loaded_c_library() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)  # ctypes.get_errno() tells why a call failed
    except (OSError, TypeError):  # Windows opens no library by None
        return None


_C_LIBRARY = _loaded_c_library()


def c_function(name: str) -> Callable[..., int] | None:
    """The C library's function ``name``, or None where it has none (not Linux)."""
    return getattr(_C_LIBRARY, name, None) if _C_LIBRARY is not None else None
