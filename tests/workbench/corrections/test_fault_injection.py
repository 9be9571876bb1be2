"""Pushing while the sandboxes throw transient faults at 10% of requests, with some refusals and
edits by others: every correction ends applied, conflict or dead letter with its reason; none lost,
none written twice. (The 5,000-correction run is ``benchmarks/fault_push.py``.)"""

from __future__ import annotations

import pytest

from benchmarks.fault_push import fault_run


@pytest.mark.slow
# Salesforce pushes are few calls (25 records per Composite call, row locks per record): fault more of them.
@pytest.mark.parametrize("system,n,rate,seed", [("business_central", 60, 0.10, 5), ("salesforce", 100, 0.2, 1)])
def test_every_correction_is_accounted_for_under_faults(system, n, rate, seed, tmp_path):
    res = fault_run(system, n, transient=rate, permanent=0.03, conflicts=0.02, seed=seed, workdir=tmp_path)
    st = res["states"]
    assert set(st) <= {"applied", "conflict", "dead_letter"}
    assert st.get("dead_letter", 0) == res["expected_permanent"]
    assert st.get("conflict", 0) == res["expected_conflicts"]
    assert st["applied"] == res["n"] - res["expected_permanent"] - res["expected_conflicts"]
    assert res["requests_faulted"] > 0 and res["corrections_retried"] > 0  # the faults really bit
    assert res["lost"] == 0 and res["without_reason"] == 0 and res["chain_ok"]
    if system == "business_central":
        assert res["duplicates"] == 0
    v = res["verified"]
    assert v["still_differs"] == 0 and v["agreed"] + v["not_checked"] == st["applied"] and v["agreed"] > 0
