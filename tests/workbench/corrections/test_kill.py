"""A pushing process killed at random points, restarted each time: nothing lost, nothing written twice.

The full run (60+ kill points) is ``benchmarks/kill_push.py``; this keeps a handful of points
so the suite stays quick, with the same checks against the sandbox's own write counter."""

from __future__ import annotations

import pytest

from benchmarks.kill_push import kill_run


@pytest.mark.slow
def test_killing_the_push_at_random_points_loses_nothing_and_writes_nothing_twice(tmp_path):
    res = kill_run(points=6, corrections=24, seed=11, batch_size=4, grace=1.0, workdir=tmp_path)
    assert res["kill_points"] >= 3  # the queue outlived several kills
    assert res["states"] == {"applied": 24}
    assert res["duplicates"] == 0 and res["lost"] == 0
    assert res["chain_ok"]
    rec = res["recovered"]
    assert rec["applied"] + rec["requeued"] + rec["conflict"] >= 1  # some kill left a claim to recover
