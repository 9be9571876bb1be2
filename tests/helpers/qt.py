"""Waiting on the GUI in tests.

A wait returns as soon as its signal arrives or its condition holds, so its limit only
stops a test that hangs; it is never a speed check. The limit is generous because the
suite also runs beside other CPU-bound work, where a 5-second limit failed tests that
were merely slow.
"""

WAIT_MS = 120_000
