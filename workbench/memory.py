"""Give memory the process no longer uses back to the system between the steps of a run.

Why: a pull makes and drops millions of small objects and buffers. glibc's malloc keeps what was
freed inside its heaps for reuse, so the process's resident size stays near its high-water mark
although the memory is free, and the next step (the engine, the save) adds its own on top. On a
million invoices a side, trimming after the pull and after the engine lowered a run's peak RSS
by about 150 MB (2,927 -> 2,774 MiB, docs/benchmarks.md). Elsewhere than glibc there is no
``malloc_trim``, and the allocators there return memory on their own terms: nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS, Windows)
        return None
    return trim


def give_back() -> None:
    """Return the free pages of the C heap and of Arrow's memory pool to the system."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
