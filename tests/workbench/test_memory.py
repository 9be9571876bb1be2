"""Memory a run's step dropped goes back to the system before the next step adds its own."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from workbench.memory import give_back


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the resident size from /proc")
def test_memory_freed_inside_the_heap_is_given_back():
    blocks = [bytearray(b"x" * (64 * 1024)) for _ in range(4_000)]  # ~250 MiB in malloc's heap, touched
    kept = blocks[63::64]  # a few stay alive throughout it, as a pull's objects do: the heap cannot shrink
    del blocks
    held = _rss_mib()
    give_back()
    assert _rss_mib() < held - 150
    assert len(kept) == 62
