"""Pause Python's cyclic garbage collector while a bulk load creates millions of objects.

Why: loading a large run creates a million rows' worth of tuples and values. The cyclic GC
notices the growth and walks every tracked object in the process several times while they
arrive, each walk one C call of 50-160 ms with the GIL held (measured on 200,000 exceptions);
in the app that freezes the window even though the load runs on a worker thread. Reference
counting still frees everything that is not in a cycle meanwhile, and the load itself is a
quarter faster. Nested and concurrent pauses are counted: the GC comes back after the last.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from collections.abc import Iterator

_lock = threading.Lock()
_holds = 0
_was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    global _holds, _was_enabled
    with _lock:
        if _holds == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holds += 1
    try:
        yield
    finally:
        with _lock:
            _holds -= 1
            if _holds == 0 and _was_enabled:
                gc.enable()
