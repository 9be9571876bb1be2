"""The garbage collector pauses during a bulk load and always comes back afterwards (a GC left
off would let memory grow for the rest of the session)."""

from __future__ import annotations

import gc
import threading

import pytest

from workbench.gc_pause import gc_paused


def test_nested_pauses_bring_the_gc_back_after_the_last_one_even_on_error():
    assert gc.isenabled()
    with pytest.raises(ValueError):
        with gc_paused():
            with gc_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()  # the outer load is still running
            raise ValueError("bad row")
    assert gc.isenabled()


def test_pauses_on_two_threads_overlap_and_the_gc_returns_after_both():
    inside, release = threading.Event(), threading.Event()

    def other_load():
        with gc_paused():
            inside.set()
            release.wait(10)

    t = threading.Thread(target=other_load)
    t.start()
    inside.wait(10)
    with gc_paused():
        pass
    assert not gc.isenabled()  # the other thread's load has not finished
    release.set()
    t.join(10)
    assert gc.isenabled()


def test_a_gc_switched_off_by_someone_else_stays_off():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
